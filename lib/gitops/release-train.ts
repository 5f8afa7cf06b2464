import { DataFile } from '../data/data-file';
import { OcpkitError } from '../core/errors';

/**
 * The release train: every version that matters (image tags and digests, operator channels and
 * CSVs, chart versions, VM image URLs) pinned per environment in one YAML file.
 *
 * ```yaml
 * environments:
 *   staging:
 *     images.forum: quay.io/gnome-infra/discourse:3.3.2
 *     charts.gitlab: 7.6.0
 *   production:
 *     images.forum: quay.io/gnome-infra/discourse:3.3.1
 *     charts.gitlab: 7.5.2
 * ```
 *
 * Promoting staging to production is a change to that file and nothing else. Keys are flat,
 * dotted strings; values are strings. Every environment must define the same keys, so a
 * promotion never forgets one.
 */
export class ReleaseTrain {
  /** Loads the pins of one environment; the file is checked as a whole first. */
  public static load(file: string, environment: string): ReleaseTrain {
    const data = DataFile.load(file);
    const envs = (data.content as any)?.environments;
    if (!envs || typeof envs !== 'object' || Array.isArray(envs)) {
      data.report(undefined, 'environments', 'must map environment names to their pinned versions');
      data.throwIfAny();
    }
    const all = envs as Record<string, Record<string, unknown>>;
    const keysets = Object.entries(all).map(([env, pins]) => [env, new Set(Object.keys(pins ?? {}))] as const);
    for (const [env, pins] of Object.entries(all)) {
      for (const [k, v] of Object.entries(pins ?? {})) {
        if (typeof v !== 'string' || v.length === 0) data.report(undefined, `environments.${env}.${k}`, `must be a non-empty string, got ${JSON.stringify(v)}`);
      }
      for (const [other, keys] of keysets) {
        for (const k of keys) if (!has(pins, k)) data.report(undefined, `environments.${env}`, `misses "${k}", which ${other} pins; every environment pins the same keys`);
      }
    }
    if (!has(all, environment)) data.report(undefined, 'environments', `has no entry for environment "${environment}" (has ${Object.keys(all).join(', ')})`);
    data.throwIfAny();
    return new ReleaseTrain(data.name, environment, all[environment] as Record<string, string>);
  }

  private constructor(private readonly file: string, public readonly environment: string, private readonly pins: Record<string, string>) {}

  /** The pinned value of `key`; an unknown key is an error naming the file and environment. */
  public get(key: string): string {
    const v = this.lookup(key);
    if (v === undefined) {
      throw new OcpkitError([{ path: this.file, field: `environments.${this.environment}.${key}`, message: 'is not pinned; add it to the release train for every environment' }]);
    }
    return v;
  }

  /** The pinned value of `key`, or undefined (for `${key}` references in data files). */
  public lookup(key: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.pins, key) ? this.pins[key] : undefined;
  }

  /** Every pinned key, sorted. */
  public keys(): string[] {
    return Object.keys(this.pins).sort();
  }
}

/** Own keys only: an environment or pin named `constructor` or `toString` is not Object.prototype's. */
function has(obj: object | null | undefined, key: string): boolean {
  return obj !== null && obj !== undefined && Object.prototype.hasOwnProperty.call(obj, key);
}
