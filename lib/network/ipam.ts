import { Problems } from '../core/errors';
import { addressWithPrefix, cidr, cidrContains, ipv4, listProp, parseCidr, parseIpv4 } from './_rules';

/** One static address of {@link Ipam.staticAddresses}. */
export interface StaticAddress {
  /** Address with prefix length (`192.0.2.10/24`). */
  readonly address: string;
  /** @default no gateway */
  readonly gateway?: string;
}

/** One route of a static IPAM configuration. */
export interface StaticRoute {
  /** Destination CIDR (`0.0.0.0/0`). */
  readonly destination: string;
  /** @default the interface's gateway */
  readonly gateway?: string;
}

/** Options of {@link Ipam.whereabouts}. */
export interface WhereaboutsOptions {
  /** The pool, as a CIDR (`10.10.0.0/24`). */
  readonly range: string;
  /** First address handed out. @default the first address of the range */
  readonly rangeStart?: string;
  /** Last address handed out. @default the last address of the range */
  readonly rangeEnd?: string;
  /** Sub-ranges never handed out (CIDRs inside the range). @default none */
  readonly exclude?: readonly string[];
  /** Default gateway given to the interfaces. @default none */
  readonly gateway?: string;
}

/** How an {@link Ipam} assigns addresses. */
export type IpamKind = 'none' | 'static' | 'whereabouts';

/**
 * How interfaces on a BridgeNetwork get their IP addresses. VMs on a bridge usually configure
 * their own addresses (or use the network's DHCP), so the default is {@link Ipam.none}.
 * @see https://www.cni.dev/plugins/current/ipam/
 */
export class Ipam {
  /** No IPAM: the CNI plugin assigns nothing; the guest configures its address itself (`"ipam": {}`). */
  public static none(): Ipam {
    return new Ipam('none', {});
  }

  /** Fixed addresses (and optional routes) for every interface attached to the network. */
  public static staticAddresses(addresses: readonly StaticAddress[], routes: readonly StaticRoute[] = []): Ipam {
    return new Ipam('static', { addresses, routes });
  }

  /** Cluster-wide address allocation from a range (the whereabouts IPAM plugin). */
  public static whereabouts(options: WhereaboutsOptions): Ipam {
    return new Ipam('whereabouts', { ...options });
  }

  private constructor(public readonly kind: IpamKind, private readonly options: any) {}

  /**
   * Records what is wrong with this configuration under `field`.
   * @internal
   */
  public _check(p: Problems, field: string): void {
    const o = this.options;
    if (this.kind === 'static') {
      if (!Array.isArray(o.addresses) || o.addresses.length === 0) {
        p.add(`${field}.addresses`, 'static IPAM needs at least one address (for example { address: "192.0.2.10/24" })');
      } else {
        o.addresses.forEach((a: StaticAddress, i: number) => {
          const ok = p.check(`${field}.addresses[${i}].address`, a?.address, addressWithPrefix);
          if (a?.gateway !== undefined && p.check(`${field}.addresses[${i}].gateway`, a.gateway, ipv4) && ok) {
            if (!cidrContains(parseCidr(a.address)!, parseIpv4(a.gateway)!)) {
              p.add(`${field}.addresses[${i}].gateway`, `gateway "${a.gateway}" is outside "${a.address}"`);
            }
          }
        });
      }
      listProp<StaticRoute>(p, `${field}.routes`, o.routes, '[{ destination: "0.0.0.0/0", gateway: "192.0.2.1" }]').forEach((r, i) => {
        p.check(`${field}.routes[${i}].destination`, r?.destination, cidr);
        if (r?.gateway !== undefined) p.check(`${field}.routes[${i}].gateway`, r.gateway, ipv4);
      });
    } else if (this.kind === 'whereabouts') {
      if (p.check(`${field}.range`, o.range, cidr)) {
        const range = parseCidr(o.range)!;
        for (const f of ['rangeStart', 'rangeEnd', 'gateway'] as const) {
          if (o[f] === undefined) continue;
          if (p.check(`${field}.${f}`, o[f], ipv4) && !cidrContains(range, parseIpv4(o[f])!)) {
            p.add(`${field}.${f}`, `"${o[f]}" is outside the range "${o.range}"`);
          }
        }
        listProp<string>(p, `${field}.exclude`, o.exclude, '["10.10.0.0/28"]').forEach((e, i) => {
          if (p.check(`${field}.exclude[${i}]`, e, cidr) && !cidrContains(range, parseCidr(e)!.address)) {
            p.add(`${field}.exclude[${i}]`, `"${e}" is outside the range "${o.range}"`);
          }
        });
        if (o.rangeStart && o.rangeEnd && parseIpv4(o.rangeStart)! > parseIpv4(o.rangeEnd)!) {
          p.add(`${field}.rangeEnd`, `"${o.rangeEnd}" comes before rangeStart "${o.rangeStart}"`);
        }
      }
    }
  }

  /**
   * The CNI `ipam` object.
   * @internal
   */
  public _render(): Record<string, unknown> {
    const o = this.options;
    switch (this.kind) {
      case 'static':
        return {
          type: 'static',
          addresses: o.addresses.map((a: StaticAddress) => (a.gateway ? { address: a.address, gateway: a.gateway } : { address: a.address })),
          ...(o.routes?.length ? { routes: o.routes.map((r: StaticRoute) => (r.gateway ? { dst: r.destination, gw: r.gateway } : { dst: r.destination })) } : {}),
        };
      case 'whereabouts':
        return {
          type: 'whereabouts',
          range: o.range,
          ...(o.rangeStart ? { range_start: o.rangeStart } : {}),
          ...(o.rangeEnd ? { range_end: o.rangeEnd } : {}),
          ...(o.exclude?.length ? { exclude: [...o.exclude] } : {}),
          ...(o.gateway ? { gateway: o.gateway } : {}),
        };
      default:
        return {};
    }
  }
}
