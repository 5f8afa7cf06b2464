import { IConstruct } from 'constructs';
import { Problems, show } from '../core/errors';
import { dnsSubdomain } from '../core/rules';

/** A CA certificate in a ConfigMap key (PEM), in the namespace of whatever connects to the store. */
export interface S3CaSource {
  /** ConfigMap name (the same name in every namespace that connects to the store). */
  readonly configMap: string;
  /** Key holding the PEM certificate(s). */
  readonly key: string;
}

/**
 * The https endpoint of an S3-compatible object store, with what signs its certificate: a CA
 * every image trusts already ({@link S3Endpoint.publicCa}), or a private CA
 * ({@link S3Endpoint.privateCa}) whose certificate each client must be given. Consumers that
 * speak TLS to the store wire the CA in (GitLab: `global.certificates.customCAs`; PGO's pgBackRest:
 * `repo1-storage-ca-file`; GitLab Runner's cache: the job pods' trust directories), and a consumer
 * handed the same host as a plain URL string is refused at synth (see `privateS3Problem`).
 */
export class S3Endpoint {
  /** An endpoint whose certificate is signed by a CA in the images' system trust store. */
  public static publicCa(url: string): S3Endpoint {
    return S3Endpoint.make('S3Endpoint.publicCa', url, undefined);
  }

  /**
   * An endpoint whose certificate is signed by a private CA (FreeIPA, a company CA): its
   * certificate is read from a ConfigMap key that must exist in each namespace that connects.
   */
  public static privateCa(url: string, ca: S3CaSource): S3Endpoint {
    return S3Endpoint.make('S3Endpoint.privateCa', url, ca ?? ({} as S3CaSource));
  }

  private static make(where: string, url: string, ca: S3CaSource | undefined): S3Endpoint {
    const p = new Problems(`${where}(${show(url)})`);
    let u: URL | undefined;
    try {
      u = typeof url === 'string' ? new URL(url) : undefined;
    } catch {
      u = undefined;
    }
    if (!u || u.protocol !== 'https:' || u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
      p.add('url', `${show(url)} is not an https S3 endpoint ("https://host[:port]", no path or credentials)`);
    }
    if (ca !== undefined) {
      p.check('ca.configMap', ca.configMap, dnsSubdomain);
      p.check('ca.key', ca.key, (v) => (typeof v === 'string' && /^[-._a-zA-Z0-9]+$/.test(v) ? undefined : `${show(v)} is not a ConfigMap key`));
    }
    p.throwIfAny();
    return new S3Endpoint(`https://${u!.host}`, u!.hostname, u!.port ? Number(u!.port) : undefined, ca ? { configMap: ca.configMap, key: ca.key } : undefined);
  }

  private constructor(
    /** `https://host[:port]` */
    public readonly url: string,
    public readonly host: string,
    public readonly port: number | undefined,
    /** The private CA, when the certificate is not signed by a publicly trusted one. */
    public readonly ca: S3CaSource | undefined,
  ) {}

  /** `host` or `host:port`. */
  public get hostPort(): string {
    return this.port === undefined ? this.host : `${this.host}:${this.port}`;
  }

  public toString(): string {
    return this.url;
  }
}

/** Private-CA hosts seen in one construct tree (cluster), with the path that used them first. */
const PRIVATE = new WeakMap<IConstruct, Map<string, { readonly endpoint: S3Endpoint; readonly path: string }>>();

/**
 * Records that `scope`'s tree uses a private-CA endpoint (consumers call it for every
 * {@link S3Endpoint} they are given), so a plain URL string for the same host elsewhere in the
 * tree can be refused.
 */
export function notePrivateS3(scope: IConstruct, endpoint: S3Endpoint): void {
  if (!endpoint.ca) return;
  const root = scope.node.root;
  const seen = PRIVATE.get(root) ?? new Map();
  if (!seen.has(endpoint.host)) seen.set(endpoint.host, { endpoint, path: scope.node.path });
  PRIVATE.set(root, seen);
}

/**
 * The problem with a plain endpoint string `url` in `scope`'s tree when its host is a private-CA
 * store used elsewhere (TLS to it would fail for want of the CA), else undefined. Run it at synth
 * (a validation), when the whole tree is known.
 */
export function privateS3Problem(scope: IConstruct, url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  let host: string;
  try {
    host = new URL(url.includes('://') ? url : `https://${url}`).hostname;
  } catch {
    return undefined;
  }
  const known = PRIVATE.get(scope.node.root)?.get(host);
  if (!known) return undefined;
  return `${show(url)} is the object store ${known.endpoint.url}, whose certificate a private CA signs (ConfigMap ${known.endpoint.ca!.configMap} key ${known.endpoint.ca!.key}, declared at ${known.path || 'the root'}); pass that S3Endpoint here so its CA reaches this client, a plain URL leaves TLS to it failing`;
}

/** The endpoint URL of a string or {@link S3Endpoint} (for messages and templates). */
export function s3Url(v: string | S3Endpoint | undefined): string | undefined {
  return v instanceof S3Endpoint ? v.url : v;
}
