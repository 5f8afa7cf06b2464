import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Problems, show } from '../core/errors';
import { dnsLabel, hostname, httpsUrl, nonEmpty, oneOf } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { External } from '../refs/provides';
import { LETSENCRYPT_PRODUCTION } from './acme-cluster-issuer';
import { IIssuer } from './issuer';

/*
 * Upstream facts this file relies on (cert-manager v1.13.6, openshift-routes v0.5.0, BIND 9.18):
 * - A namespaced Issuer is looked up in the namespace of the CertificateRequest that names it
 *   (cert-manager pkg/issuer/helper.go GetGenericIssuer: kind "" or "Issuer" -> Issuers(ns)), and
 *   reads its Secrets from its own namespace (pkg/controller/helper.go ResourceNamespace). The
 *   openshift-routes add-on creates the CertificateRequest in the Route's namespace
 *   (internal/controller/sync.go), so a Route can only use the Issuers of its own namespace, or
 *   any ClusterIssuer.
 * - An ACME solver's `selector.dnsNames` matches by exact string comparison; a wildcard
 *   identifier is compared as "*.<name>" (pkg/controller/acmeorders/selectors/dns_names.go,
 *   util.go partialChallengeSpecForAuthorization). With no matching solver the order fails
 *   ("no configured challenge solvers can be used for this challenge").
 * - The DNS-01 record of `name` and of `*.name` is the TXT record `_acme-challenge.name`
 *   (RFC 8555 sections 7.1.3 and 8.4: a wildcard identifier carries the name without "*.").
 * - BIND `update-policy { grant <key> name <name> <types>; }` allows exactly that name and those
 *   types (isc-projects/bind9 v9.18.50 doc/arm/reference.rst, update-policy ruletype `name`);
 *   FreeIPA stores the same text per zone (`ipa dnszone-mod <zone> --update-policy=...`,
 *   attribute idnsUpdatePolicy, read by bind-dyndb-ldap).
 */

/**
 * The platform's ACME settings that every namespaced {@link AcmeIssuer} is stamped from: CA,
 * contact, and the RFC 2136 name server. Each Issuer gets its own TSIG key, which the DNS server
 * allows to write only the `_acme-challenge` records of that Issuer's host names.
 */
export class AcmeAccount {
  /**
   * DNS-01 through RFC 2136 dynamic updates signed with a per-issuer TSIG key (BIND, FreeIPA).
   * @param options.nameserver `host:port` or IP of the authoritative server
   * @param options.keyPrefix prefix of the per-issuer TSIG key names (`<keyPrefix>-<namespace>`); put
   *   the environment in it when environments share a DNS server. @default 'acme'
   */
  public static rfc2136(options: {
    email: string;
    nameserver: string;
    server?: string;
    tsigAlgorithm?: 'HMACSHA256' | 'HMACSHA512';
    keyPrefix?: string;
  }): AcmeAccount {
    const p = new Problems('AcmeAccount.rfc2136');
    if (typeof options?.email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(options.email)) p.add('email', `${show(options?.email)} is not an e-mail address`);
    if (typeof options?.nameserver !== 'string' || !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(options.nameserver)) {
      p.add('nameserver', `${show(options?.nameserver)} is not a name server; write "host", "host:port" or "[ipv6]:port" (for example "ns1.example.org:53")`);
    }
    if (options?.server !== undefined) p.check('server', options.server, httpsUrl);
    if (options?.tsigAlgorithm !== undefined) p.check('tsigAlgorithm', options.tsigAlgorithm, oneOf(['HMACSHA256', 'HMACSHA512']));
    if (options?.keyPrefix !== undefined) p.check('keyPrefix', options.keyPrefix, dnsLabel);
    p.throwIfAny('invalid ACME account');
    return new AcmeAccount(options.email, options.server ?? LETSENCRYPT_PRODUCTION, options.nameserver, options.tsigAlgorithm ?? 'HMACSHA512', options.keyPrefix ?? 'acme');
  }

  private constructor(
    public readonly email: string,
    public readonly server: string,
    public readonly nameserver: string,
    public readonly tsigAlgorithm: 'HMACSHA256' | 'HMACSHA512',
    public readonly keyPrefix: string,
  ) {}

  /** The TSIG key name of the issuer of one namespace. */
  public keyNameFor(namespace: string): string {
    return `${this.keyPrefix}-${namespace}`;
  }
}

/**
 * Checks a list of certificate host names (exact lower-case names, or `*.name` for a wildcard
 * certificate); adds one problem per bad entry under `field`.
 */
export function checkCertificateHostnames(p: Problems, field: string, list: unknown): boolean {
  if (!Array.isArray(list) || list.length === 0) {
    p.add(field, `${show(list)} is not a list of host names; give at least one (for example ["forum.example.org"])`);
    return false;
  }
  let ok = true;
  const seen = new Set<string>();
  list.forEach((h, i) => {
    const bare = typeof h === 'string' && h.startsWith('*.') ? h.slice(2) : h;
    if (!p.check(`${field}[${i}]`, bare, hostname)) ok = false;
    else if (seen.has(h)) {
      p.add(`${field}[${i}]`, `${show(h)} is listed twice`);
      ok = false;
    }
    seen.add(h);
  });
  return ok;
}

/** The TXT record a DNS-01 challenge for `host` (or `*.host`) writes. */
export function acmeChallengeRecord(host: string): string {
  return `_acme-challenge.${host.startsWith('*.') ? host.slice(2) : host}`;
}

/** Properties of {@link AcmeIssuer}. */
export interface AcmeIssuerProps {
  /** Namespace of the Issuer; only Routes, Ingresses and Certificates of this namespace can use it. */
  readonly namespace: string;
  /**
   * The only names this Issuer solves challenges for (its solver's `selector.dnsNames`, exact
   * match); `*.name` allows the wildcard certificate of `name`.
   */
  readonly hostnames: readonly string[];
  /** CA, contact and name server. */
  readonly account: AcmeAccount;
  /** @default 'acme-dns' */
  readonly name?: string;
  /** @default account.keyNameFor(namespace) */
  readonly tsigKeyName?: string;
  /**
   * Secret (in `namespace`, key `secret`) holding the TSIG key, created out of band.
   * @default `<name>-tsig`
   */
  readonly tsigSecretName?: string;
}

/**
 * A namespaced cert-manager ACME Issuer for the host names of one namespace (a tenant, or a
 * platform component such as GitLab), solving DNS-01 through RFC 2136 with a TSIG key of its own.
 *
 * Why namespaced: a ClusterIssuer can be named by any Route, Ingress or Certificate in any
 * namespace, and tenant admins can edit those live (cert-manager's aggregated `edit`/`admin`
 * rules); cert-manager's default approver signs every request. A namespaced Issuer is reachable
 * only from its own namespace. Its solver only covers `hostnames`, and the real boundary is on
 * the DNS server: the TSIG key (readable by the namespace's admins, like every Secret there) may
 * only write the `_acme-challenge` TXT records of those names ({@link dnsUpdatePolicy}), so even
 * an edited Issuer or a hand-made one cannot prove control of any other name.
 *
 * Emits: into the folder of the app it is in (a Tenant's `tls` puts it in the platform `tenancy`
 * folder), in `namespace`, a `cert-manager.io/v1` Issuer `name` (default `acme-dns`) whose DNS-01
 * solver covers only `hostnames`. The TSIG Secret (`<name>-tsig`, key `secret`) is an External:
 * listed in `externals.yaml` with the DNS update policy the key needs.
 */
export class AcmeIssuer extends Construct implements IIssuer {
  public readonly issuerName: string;
  public readonly issuerKind = 'Issuer' as const;
  public readonly namespace: string;
  public readonly hostnames: readonly string[];
  public readonly tsigKeyName: string;
  /**
   * The update-policy lines the DNS server must carry for this Issuer's key, one per challenge
   * record (BIND / FreeIPA syntax): `grant <key> name _acme-challenge.<host>. TXT;`.
   */
  public readonly dnsUpdatePolicy: readonly string[];
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: AcmeIssuerProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    if (!props || typeof props !== 'object') {
      p.add('props', `${show(props)} is not an AcmeIssuerProps object ({ namespace, hostnames, account })`);
      p.throwIfAny();
    }
    p.check('namespace', props.namespace, dnsLabel);
    checkCertificateHostnames(p, 'hostnames', props.hostnames);
    if (!(props.account instanceof AcmeAccount)) p.add('account', `${show(props.account)} is not an AcmeAccount; use AcmeAccount.rfc2136({ email, nameserver })`);
    if (props.name !== undefined) p.check('name', props.name, dnsLabel);
    if (props.tsigKeyName !== undefined) p.check('tsigKeyName', props.tsigKeyName, nonEmpty);
    if (props.tsigSecretName !== undefined) p.check('tsigSecretName', props.tsigSecretName, dnsLabel);
    p.throwIfAny();

    const name = props.name ?? 'acme-dns';
    const account = props.account;
    const secretName = props.tsigSecretName ?? `${name}-tsig`;
    this.issuerName = name;
    this.namespace = props.namespace;
    this.hostnames = [...props.hostnames].sort();
    this.tsigKeyName = props.tsigKeyName ?? account.keyNameFor(props.namespace);
    this.dnsUpdatePolicy = [...new Set(this.hostnames.map(acmeChallengeRecord))].sort()
      .map((record) => `grant ${this.tsigKeyName} name ${record}. TXT;`);

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: { name, namespace: props.namespace },
      spec: {
        acme: {
          email: account.email,
          server: account.server,
          privateKeySecretRef: { name: `${name}-account-key` },
          solvers: [{
            selector: { dnsNames: [...this.hostnames] },
            dns01: {
              rfc2136: {
                nameserver: account.nameserver,
                tsigKeyName: this.tsigKeyName,
                tsigAlgorithm: account.tsigAlgorithm,
                tsigSecretSecretRef: SecretKey.of(secretName, 'secret').toSelector(),
              },
            },
          }],
        },
      },
    });
    this.node.defaultChild = this.resource;

    External.secret(this, secretName, {
      namespace: props.namespace,
      keys: ['secret'],
      providedBy: 'by-hand',
      note: `TSIG key "${this.tsigKeyName}" (${account.tsigAlgorithm}, base64) of the ACME Issuer ${props.namespace}/${name}. `
        + `The DNS server must let this key write only these records (BIND update-policy; FreeIPA: ipa dnszone-mod <zone> --update-policy): `
        + this.dnsUpdatePolicy.join(' '),
    });
  }

  /** Whether a certificate for `host` may be requested from this Issuer (exact match, as cert-manager's selector). */
  public covers(host: string): boolean {
    return this.hostnames.includes(host);
  }
}
