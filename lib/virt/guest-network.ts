import * as yaml from 'js-yaml';
import { Problems, show } from '../core/errors';
import { hostname as fqdnRule } from '../core/rules';
import { cidrContains, interfaceName, ipv4, listProp, macAddress, parseCidr, parseIpv4 } from '../network/_rules';

/*
 * Facts this file relies on (checked upstream, not copied):
 * - KubeVirt v1.0.1 (kubevirt/kubevirt, staging/src/kubevirt.io/api/core/v1/schema.go,
 *   CloudInitNoCloudSource): network data is its own field (`networkData`, `networkDataBase64` or
 *   `networkDataSecretRef`), independent of the user data; pkg/cloud-init/cloud-init.go writes it
 *   as the NoCloud `network-config` file next to `user-data` and `meta-data`.
 * - KubeVirt v1.0.1 pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go:
 *   at most one network-data source, and inline network data is limited to 2048 bytes
 *   (cloudInitNetworkMaxLen); larger data belongs in networkDataSecretRef.
 * - cloud-init 22.4.2 (canonical/cloud-init, doc/rtd/topics/datasources/nocloud.rst): the NoCloud
 *   `network-config` file has no top-level `network:` key; version 2 is the netplan format.
 * - cloud-init 22.4.2 cloudinit/net/network_state.py: v2 routes go through an IP-address check, so
 *   `to: default` is refused ("Address default is not a valid ip address"); `0.0.0.0/0` works.
 *   `dhcp4-overrides` is reduced to `route-metric` for the sysconfig and NetworkManager
 *   renderers (`use-routes` is honoured by netplan/networkd only), so a DHCP interface that must
 *   not own the default route gets both `use-routes: false` and a high `route-metric`.
 * The rendered YAML is checked in the tests with the real tools: `cloud-init devel net-convert`
 * (Debian's cloud-init 22.4) into NetworkManager and sysconfig files, and `netplan generate`.
 */

/** KubeVirt refuses inline network data above this size (vmi-create-admitter.go, v1.0.1). */
export const MAX_INLINE_NETWORK_DATA = 2048;

/** Metric of the DHCP default route of an interface that does not own the default route. */
export const NON_OWNER_ROUTE_METRIC = 500;

/** Options of {@link GuestAddress.fixed}. */
export interface StaticAddressOptions {
  /**
   * Default gateway (IPv4, inside the address's subnet). The interface with the gateway owns the
   * guest's default route.
   * @default no default route through this interface
   */
  readonly gateway?: string;
  /** DNS servers (IPv4). @default none */
  readonly dns?: readonly string[];
  /** DNS search domains. @default none */
  readonly search?: readonly string[];
  /** Further routes through this interface (`{ to: '10.0.0.0/8', via: '192.0.2.254' }`). @default none */
  readonly routes?: readonly { readonly to: string; readonly via: string }[];
}

/** Options of {@link GuestAddress.dhcp}. */
export interface DhcpOptions {
  /**
   * Whether the default route learned by DHCP is used. Exactly one interface of a guest owns the
   * default route; set `false` on a DHCP interface (the pod network) when another interface owns it.
   * @default true
   */
  readonly defaultRoute?: boolean;
  /** Routes added to the interface (the pod network's cluster routes when it does not own the default route). @default none */
  readonly routes?: readonly { readonly to: string; readonly via: string }[];
  /** DNS servers of this interface. @default what DHCP hands out */
  readonly dns?: readonly string[];
  /** DNS search domains. @default none */
  readonly search?: readonly string[];
}

/** @internal */
export type GuestAddressKind = 'static' | 'dhcp' | 'none';

/**
 * How one guest NIC gets its IPv4 configuration. Bridged networks use `ipam: {}` (KubeVirt does
 * not support IPAM on NADs for VMs), so the guest configures its own address: a static address
 * from the address plan, DHCP where the segment runs a DHCP server (or on the pod network), or
 * explicitly none.
 */
export class GuestAddress {
  /** A static address with prefix length (`192.0.2.10/24`). */
  public static fixed(address: string, options: StaticAddressOptions = {}): GuestAddress {
    return new GuestAddress('static', address, options, undefined);
  }

  /** DHCP (IPv4). The pod network (masquerade) is served by KubeVirt's own DHCP server. */
  public static dhcp(options: DhcpOptions = {}): GuestAddress {
    return new GuestAddress('dhcp', undefined, {}, options);
  }

  /** Link up without any address (a NIC used only by a service that configures it itself). */
  public static none(): GuestAddress {
    return new GuestAddress('none', undefined, {}, undefined);
  }

  private constructor(
    /** @internal */ public readonly kind: GuestAddressKind,
    /** The static address, if any. */ public readonly address: string | undefined,
    /** @internal */ public readonly staticOptions: StaticAddressOptions,
    /** @internal */ public readonly dhcpOptions: DhcpOptions | undefined,
  ) {}

  /** True when this address brings the guest's default route. */
  public get ownsDefaultRoute(): boolean {
    if (this.kind === 'static') return this.staticOptions.gateway !== undefined;
    if (this.kind === 'dhcp') return this.dhcpOptions?.defaultRoute !== false;
    return false;
  }
}

/** One guest NIC as the VM defines it. */
export interface GuestInterface {
  /** The KubeVirt interface name (`spec.template.spec.domain.devices.interfaces[].name`). */
  readonly name: string;
  /** The interface's MAC address (stable: the guest configuration is matched by it). */
  readonly mac: string;
  /** How the guest configures it. @default none: refused, a NIC without an address is unreachable */
  readonly address?: GuestAddress;
  /**
   * Name the guest gives the NIC (`set-name`).
   * @default the KubeVirt interface name; `pod` for KubeVirt's `default` (pod network) interface
   */
  readonly guestName?: string;
}

/** Names a guest NIC may not take: keywords of `ip`, and the kernel's own `ethN` names (renaming to them races the kernel). */
const RESERVED_GUEST_NAMES = /^(default|all|lo|eth\d+)$/;

function guestNameOf(i: GuestInterface): string {
  return i.guestName ?? (i.name === 'default' ? 'pod' : i.name);
}

/**
 * The guest side of a VM's networks: NoCloud network-config version 2 (netplan v2), every NIC
 * matched by its MAC address and renamed with `set-name`, exactly one owner of the default route.
 * @see https://cloudinit.readthedocs.io/en/latest/reference/network-config-format-v2.html
 */
export class GuestNetwork {
  /**
   * Records every problem of the interfaces under `field` (for example `networks`). Use it in a
   * construct's validation with a `Problems` named after the construct path.
   */
  public static check(p: Problems, field: string, interfaces: readonly GuestInterface[]): void {
    const list = listProp(p, field, interfaces, '[{ name: "public", mac: "02:...", address: GuestAddress.fixed("192.0.2.10/24") }]');
    const owners: string[] = [];
    const names = new Map<string, string>();
    const macs = new Map<string, string>();
    list.forEach((i, n) => {
      const f = `${field}[${n}]`;
      const label = typeof i?.name === 'string' ? `interface "${i.name}"` : `interface ${n}`;
      if (p.check(`${f}.mac`, i?.mac, macAddress)) {
        const mac = i.mac.toLowerCase();
        const other = macs.get(mac);
        if (other !== undefined) p.add(`${f}.mac`, `MAC address ${mac} is used by ${other} and ${label}; the guest matches its configuration by MAC, so every NIC needs its own`);
        else macs.set(mac, label);
      }
      const gname = guestNameOf(i ?? ({} as GuestInterface));
      if (p.check(`${f}.guestName`, gname, interfaceName)) {
        if (RESERVED_GUEST_NAMES.test(gname)) p.add(`${f}.guestName`, `${show(gname)} cannot name a guest NIC ("default", "all" and "lo" are keywords of ip(8); renaming a NIC to a kernel name such as eth0 races the kernel); pick another name such as "public"`);
        const other = names.get(gname);
        if (other !== undefined) p.add(`${f}.guestName`, `guest NIC name ${show(gname)} is taken by ${other}; give one of them another guestName`);
        else names.set(gname, label);
      }
      const a = i?.address;
      if (a === undefined) {
        p.add(`${f}.address`, `${label} has no address: bridged networks do not assign addresses to VMs (their NADs use ipam: {}), so the NIC would stay unconfigured; give GuestAddress.fixed("192.0.2.10/24", { gateway }), GuestAddress.dhcp() where the segment runs DHCP, or GuestAddress.none() for a NIC deliberately left without an address`);
        return;
      }
      if (!(a instanceof GuestAddress)) {
        p.add(`${f}.address`, `${show(a)} is not a GuestAddress; use GuestAddress.fixed(...), GuestAddress.dhcp() or GuestAddress.none()`);
        return;
      }
      if (a.kind === 'static') GuestNetwork.checkStatic(p, `${f}.address`, a);
      if (a.kind === 'dhcp' && a.dhcpOptions?.defaultRoute !== undefined && typeof a.dhcpOptions.defaultRoute !== 'boolean') {
        p.add(`${f}.address.defaultRoute`, `${show(a.dhcpOptions.defaultRoute)} must be true or false`);
      }
      if (a.ownsDefaultRoute) {
        owners.push(label);
        // KubeVirt's masquerade DHCP gives the guest the pod's resolver (cluster DNS, a Service IP:
        // kubevirt v1.0.1 pkg/network/driver/common.go GetResolvConfDetailsFromPod), reachable only
        // through the pod NIC; once another NIC owns the default route, cloud-init's sysconfig
        // renderer stops taking the DHCP NIC's routes, so that resolver is unreachable. A static
        // route owner must bring its own resolvers (cloud-init attaches nameservers to static subnets).
        if (a.kind === 'static' && !(a.staticOptions?.dns?.length) && i.name !== 'default') {
          p.add(`${f}.address.dns`, `${label} owns the default route but names no DNS servers: the only resolver the guest would get (the cluster's, from the pod network's DHCP) is not reachable without the pod network's route, so nothing would resolve; give dns: ["192.0.2.53"]`);
        }
      }
    });
    if (list.length > 0 && owners.length === 0) {
      p.add(field, 'no interface owns the default route, so the guest cannot reach anything beyond its own subnets; give exactly one static address a gateway (GuestAddress.fixed(address, { gateway })) or leave defaultRoute on for one DHCP interface');
    } else if (owners.length > 1) {
      p.add(field, `${owners.join(' and ')} all own the default route; exactly one may (two default routes make replies leave through the wrong NIC); drop the gateway of the others or give their DHCP defaultRoute: false`);
    }
  }

  /**
   * The NoCloud `network-config` document (version 2) for the interfaces, for
   * `cloudInitNoCloud.networkData`. Throws an OcpkitError naming `path` when the interfaces are
   * invalid or the document is larger than KubeVirt accepts inline.
   */
  public static render(interfaces: readonly GuestInterface[], path = 'GuestNetwork', field = 'networks'): string {
    const p = new Problems(path);
    GuestNetwork.check(p, field, interfaces);
    p.throwIfAny('invalid guest network configuration');
    const ethernets: Record<string, unknown> = {};
    for (const i of interfaces) {
      const name = guestNameOf(i);
      const a = i.address!;
      const e: Record<string, unknown> = { match: { macaddress: i.mac.toLowerCase() }, 'set-name': name };
      if (a.kind === 'dhcp') {
        e.dhcp4 = true;
        if (!a.ownsDefaultRoute) e['dhcp4-overrides'] = { 'use-routes': false, 'route-metric': NON_OWNER_ROUTE_METRIC };
        const d = a.dhcpOptions ?? {};
        if (d.routes?.length) e.routes = d.routes.map((r) => ({ to: r.to, via: r.via }));
        if (d.dns?.length || d.search?.length) {
          e.nameservers = { ...(d.dns?.length ? { addresses: [...d.dns] } : {}), ...(d.search?.length ? { search: [...d.search] } : {}) };
        }
      } else if (a.kind === 'static') {
        const o = a.staticOptions;
        e.dhcp4 = false;
        e.addresses = [a.address];
        const routes = [
          ...(o.gateway !== undefined ? [{ to: '0.0.0.0/0', via: o.gateway }] : []),
          ...(o.routes ?? []).map((r) => ({ to: r.to, via: r.via })),
        ];
        if (routes.length) e.routes = routes;
        if (o.dns?.length || o.search?.length) {
          e.nameservers = { ...(o.dns?.length ? { addresses: [...o.dns] } : {}), ...(o.search?.length ? { search: [...o.search] } : {}) };
        }
      } else {
        e.dhcp4 = false;
        e.dhcp6 = false;
        e['link-local'] = [];
      }
      ethernets[name] = e;
    }
    const text = yaml.dump({ version: 2, ethernets }, { lineWidth: -1, noRefs: true });
    const size = Buffer.byteLength(text);
    if (size > MAX_INLINE_NETWORK_DATA) {
      p.add(field, `the rendered network data is ${size} bytes; KubeVirt accepts at most ${MAX_INLINE_NETWORK_DATA} bytes inline (use fewer routes or DNS entries)`);
      p.throwIfAny('invalid guest network configuration');
    }
    return text;
  }

  private static checkStatic(p: Problems, f: string, a: GuestAddress): void {
    const o = a.staticOptions ?? {};
    const net = parseCidr(a.address);
    if (!net || net.prefix === 0) {
      p.add(f, `${show(a.address)} is not an IPv4 address with prefix length; write it like "192.0.2.10/24" (the address plan is IPv4 only)`);
    } else {
      const hostBits = 32 - net.prefix;
      const host = hostBits === 0 ? 0 : (net.address & ((2 ** hostBits) - 1));
      if (net.prefix < 31 && (host === 0 || host === (2 ** hostBits) - 1)) {
        p.add(f, `${show(a.address)} is the network or broadcast address of its subnet; give the guest a host address`);
      }
    }
    if (o.gateway !== undefined && p.check(`${f}.gateway`, o.gateway, ipv4) && net) {
      const gw = parseIpv4(o.gateway)!;
      if (!cidrContains(net, gw)) p.add(`${f}.gateway`, `${show(o.gateway)} is outside ${show(a.address)}; the gateway must be on the interface's subnet`);
      else if (gw === net.address) p.add(`${f}.gateway`, `${show(o.gateway)} is the guest's own address`);
    }
    listProp(p, `${f}.dns`, o.dns, '["192.0.2.53"]').forEach((d, j) => p.check(`${f}.dns[${j}]`, d, ipv4));
    listProp(p, `${f}.search`, o.search, '["int.example.org"]').forEach((d, j) => p.check(`${f}.search[${j}]`, d, fqdnRule));
    listProp(p, `${f}.routes`, o.routes, '[{ to: "10.0.0.0/8", via: "192.0.2.254" }]').forEach((r, j) => {
      const to = parseCidr(r?.to);
      if (!to) p.add(`${f}.routes[${j}].to`, `${show(r?.to)} is not an IPv4 CIDR; write it like "10.0.0.0/8"`);
      else if (to.prefix === 0) p.add(`${f}.routes[${j}].to`, 'a route to 0.0.0.0/0 is the default route; give it as gateway instead, so the plan knows which interface owns it');
      if (p.check(`${f}.routes[${j}].via`, r?.via, ipv4) && net && !cidrContains(net, parseIpv4(r.via)!)) {
        p.add(`${f}.routes[${j}].via`, `${show(r.via)} is outside ${show(a.address)}; the next hop must be on the interface's subnet`);
      }
    });
  }
}
