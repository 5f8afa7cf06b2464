import { S3CaSource, S3Endpoint, s3Url } from './s3-endpoint';
import { Problems, show } from '../core/errors';
import { asQuantity, quantityProblem, Quantity, QuantityLike } from '../core/quantity';
import { dnsLabel } from '../core/rules';
import { bucketNameProblem, regionProblem } from '../backup/_rules';
import { BackupStorage } from '../backup/backup-storage';
import { asCronSchedule, CronLike, CronSchedule, cronProblem } from '../backup/cron';
import { External } from '../refs/provides';

/**
 * CPU and memory of a container, as Kubernetes quantities (`500m`, `2Gi`); the memory may also be
 * a {@link Quantity} or a cdk8s `Size` (never the CPU: a Size is bytes).
 */
export interface ComputeResources {
  /** @default none: the namespace's LimitRange defaults apply */
  readonly requests?: { readonly cpu?: string; readonly memory?: string | QuantityLike };
  /** @default none: the namespace's LimitRange defaults apply */
  readonly limits?: { readonly cpu?: string; readonly memory?: string | QuantityLike };
}

/** Where an S3 bucket is and how to address it (shared by the PostgreSQL and MySQL backups). */
export interface S3Target {
  /**
   * The bucket ocpkit's backups already use (its bucket, endpoint, region and addressing style
   * are taken from it; its credentials are not: Velero's live in the Velero namespace).
   * @default give `bucket`, `region` and `endpoint` instead
   */
  readonly storage?: BackupStorage;
  /** Bucket name (S3 naming rules). @default `storage.bucket` */
  readonly bucket?: string;
  /** Region of the bucket. @default `storage.region` */
  readonly region?: string;
  /**
   * S3 API endpoint, `https://host[:port]`, or an {@link S3Endpoint} that says which CA signs its
   * certificate (a private CA is handed to the client that connects).
   * @default `storage.endpoint`, else `https://s3.<region>.amazonaws.com`
   */
  readonly endpoint?: string | S3Endpoint;
  /** Path-style addressing (MinIO, most Ceph RGW). @default `storage.forcePathStyle`, else true with a custom endpoint */
  readonly forcePathStyle?: boolean;
}

/** A resolved S3 target. */
export interface ResolvedS3 {
  readonly bucket: string;
  readonly region: string;
  /** `https://host[:port]` */
  readonly endpointUrl: string;
  readonly host: string;
  readonly port?: number;
  readonly forcePathStyle: boolean;
  /** The private CA of the endpoint's certificate, when it has one. */
  readonly ca?: S3CaSource;
}

const LIST_FIELDS = ['cpu', 'memory'] as const;

/** Validates resources (quantities, requests not above limits) and returns the manifest form. */
export function resourcesOf(p: Problems, field: string, r: ComputeResources | undefined): Record<string, Record<string, string>> | undefined {
  if (r === undefined) return undefined;
  if (typeof r !== 'object' || r === null) {
    p.add(field, `${show(r)} is not { requests?: { cpu, memory }, limits?: { cpu, memory } }`);
    return undefined;
  }
  const out: Record<string, Record<string, string>> = {};
  for (const part of ['requests', 'limits'] as const) {
    const list = r[part];
    if (list === undefined) continue;
    for (const k of Object.keys(list ?? {})) {
      if (!(LIST_FIELDS as readonly string[]).includes(k)) p.add(`${field}.${part}.${k}`, 'only cpu and memory are set here');
    }
    for (const k of LIST_FIELDS) {
      const v = k === 'memory' ? sizeText(list?.[k]) : list?.[k];
      if (v === undefined) continue;
      const msg = k === 'memory' ? sizeProblem(v, 'a memory size such as "2Gi"') : quantityProblem(v);
      if (msg) p.add(`${field}.${part}.${k}`, msg);
      else (out[part] ??= {})[k] = v as string;
    }
  }
  for (const k of LIST_FIELDS) {
    const req = out.requests?.[k];
    const lim = out.limits?.[k];
    if (req && lim && Quantity.parse(req).value > Quantity.parse(lim).value) p.add(`${field}.requests.${k}`, `${show(req)} is above the limit ${show(lim)}; Kubernetes refuses a request above its limit`);
  }
  return Object.keys(out).length ? out : undefined;
}

/** The text of a memory or storage size: a Quantity or a cdk8s `Size` as written; anything else unchanged. */
function sizeText(v: unknown): unknown {
  const q = asQuantity(v);
  return q instanceof Quantity ? q.toString() : q;
}

/** Why a (text of a) memory or storage size is not one, naming every form accepted for a wrong type. */
function sizeProblem(v: unknown, example: string): string | undefined {
  if (v !== undefined && typeof v !== 'string' && typeof v !== 'number') return `${show(v)} must be a quantity string (${example}), a Quantity or a cdk8s Size (Size.gibibytes(2))`;
  return quantityProblem(v);
}

/** Validates a storage size (a positive quantity: a string, a Quantity or a cdk8s `Size`) and returns its text. */
export function storageOf(p: Problems, field: string, raw: unknown): string | undefined {
  const v = sizeText(raw);
  if (v !== undefined && typeof v !== 'string' && typeof v !== 'number') {
    p.add(field, `${show(v)} must be a volume size: a quantity string ("20Gi"), a Quantity or a cdk8s Size (Size.gibibytes(20))`);
    return undefined;
  }
  const msg = quantityProblem(v);
  if (msg) {
    p.add(field, `${msg} (a volume size such as "20Gi")`);
    return undefined;
  }
  if (Quantity.parse(v as string).value <= 0) {
    p.add(field, `${show(v)} must be larger than zero`);
    return undefined;
  }
  return v as string;
}

/**
 * Validates a cron schedule (an expression string, a {@link CronSchedule} or a cdk8s `Cron`) and
 * returns its expression.
 */
export function cronOf(p: Problems, field: string, raw: string | CronLike | undefined): string | undefined {
  const c = asCronSchedule(raw as unknown);
  const v = c instanceof CronSchedule ? c.expressionText : c;
  if (v !== undefined && typeof v !== 'string') {
    p.add(field, `${show(v)} must be a cron expression ("0 2 * * *"), a CronSchedule or a cdk8s Cron (Cron.daily() from 'cdk8s')`);
    return undefined;
  }
  return p.check(field, v, cronProblem) ? (v as string) : undefined;
}

/** Resolves and validates an S3 target; undefined when it has problems (they are recorded). */
export function s3Of(p: Problems, field: string, t: S3Target | undefined): ResolvedS3 | undefined {
  if (!t || typeof t !== 'object') {
    p.add(field, 'is required: { storage: BackupStorage } or { bucket, region, endpoint }');
    return undefined;
  }
  if (t.storage !== undefined && !(t.storage instanceof BackupStorage)) p.add(`${field}.storage`, `${show(t.storage)} is not a BackupStorage`);
  const s = t.storage instanceof BackupStorage ? t.storage : undefined;
  const bucket = t.bucket ?? s?.bucket;
  const region = t.region ?? s?.region;
  const declared = t.endpoint instanceof S3Endpoint ? t.endpoint : undefined;
  const endpoint = s3Url(t.endpoint) ?? s?.endpoint ?? (typeof region === 'string' ? `https://s3.${region}.amazonaws.com` : undefined);
  const before = p.size;
  p.check(`${field}.bucket`, bucket, bucketNameProblem);
  if (region === undefined) p.add(`${field}.region`, 'is required (the operators\' S3 clients need it; MinIO and Ceph RGW accept "us-east-1")');
  else p.check(`${field}.region`, region, regionProblem);
  let u: URL | undefined;
  try {
    u = typeof endpoint === 'string' ? new URL(endpoint) : undefined;
  } catch {
    u = undefined;
  }
  if (endpoint !== undefined && (!u || u.protocol !== 'https:' || u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash)) {
    p.add(`${field}.endpoint`, `${show(endpoint)} is not an https S3 endpoint ("https://host[:port]", no path; pgBackRest only speaks TLS to S3)`);
  }
  if (p.size > before || !u) return undefined;
  return {
    bucket: bucket as string,
    region: region as string,
    endpointUrl: `https://${u.host}`,
    host: u.hostname,
    port: u.port ? Number(u.port) : undefined,
    forcePathStyle: t.forcePathStyle ?? s?.forcePathStyle ?? (t.endpoint !== undefined || s?.endpoint !== undefined),
    ca: declared?.ca,
  };
}

/**
 * Checks that an External declares a Secret in `namespace` holding `keys`, so the credentials are
 * never written into the stack and `ocpkit bootstrap` lists them.
 */
export function externalSecretOf(p: Problems, field: string, e: unknown, namespace: string, keys: readonly string[], example: string): External | undefined {
  if (!(e instanceof External) || e.object.kind !== 'Secret') {
    p.add(field, `must be an External.secret(...) declaration (credentials are never written into the stack), for example ${example}`);
    return undefined;
  }
  if (e.object.namespace !== namespace) p.add(field, `External Secret "${e.object.name}" is in namespace ${show(e.object.namespace)}; the operator reads it from the database's namespace ${show(namespace)}`);
  const missing = keys.filter((k) => !e.object.keys.includes(k));
  if (missing.length) p.add(field, `External Secret "${e.object.name}" does not list the key${missing.length > 1 ? 's' : ''} ${missing.map((k) => show(k)).join(', ')}; declare keys: [${keys.map((k) => show(k)).join(', ')}]`);
  return e;
}

/** Name and namespace checks shared by both clusters. */
export function nameAndNamespace(p: Problems, name: unknown, namespace: unknown, maxName: number): void {
  p.check('namespace', namespace, dnsLabel);
  if (p.check('name', name, dnsLabel) && (name as string).length > maxName) {
    p.add('name', `${show(name)} is ${(name as string).length} characters; at most ${maxName}, so the names the operator derives from it stay valid`);
  }
}

/**
 * Backups are required unless a written reason says why not, and not both: records the problem
 * under `backups` / `withoutBackupsReason`. `how` says what the backups are (for the message).
 */
export function checkBackupsOrWaiver(p: Problems, backups: unknown, waiver: unknown, how: string): void {
  if (backups === undefined && (typeof waiver !== 'string' || waiver.trim() === '')) {
    p.add('backups', `are required: give backups (${how}), or withoutBackupsReason with a written reason`);
  }
  if (backups !== undefined && waiver !== undefined) p.add('withoutBackupsReason', 'is set but backups are configured; remove one');
}
