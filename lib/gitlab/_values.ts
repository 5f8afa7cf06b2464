import * as yaml from 'js-yaml';
import { show } from '../core/errors';
import { loadYaml, YamlInputError } from '../core/safe-yaml';

/** A plain JSON-like object (Helm values). */
export type Values = { [key: string]: unknown };

export function isPlainObject(v: unknown): v is Values {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * Deep-merges `over` onto `base` (neither is modified): objects merge key by key, everything
 * else (scalars, arrays) in `over` replaces what `base` had, as Helm does with values files.
 */
export function deepMerge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : clone(v);
  }
  return out;
}

function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** Reads a dotted path (`global.psql.host`) from values. */
export function getPath(values: Values, path: string): unknown {
  let cur: unknown = values;
  for (const part of path.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Sets a dotted path, creating intermediate objects. */
export function setPath(values: Values, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = values;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(cur[part])) cur[part] = {};
    cur = cur[part] as Values;
  }
  cur[parts[parts.length - 1]] = value;
}

/** Every leaf path of a values tree (`a.b.c`), arrays counted as leaves. */
export function leafPaths(values: Values, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v) && Object.keys(v).length > 0) out.push(...leafPaths(v, p));
    else out.push(p);
  }
  return out;
}

/** Keys whose plain string value would be a credential written into Git. */
const SECRET_KEY = /(password|passwd|token|client_secret|secret_access_key|secretkey|private_?key|api_?key)$/i;

/**
 * Finds values that look like plaintext credentials (`password: "hunter2"`). The chart takes
 * every credential as `{secret, key}`; a string there would land in Git.
 */
export function plaintextSecrets(values: Values, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v)) out.push(...plaintextSecrets(v, p));
    else if (Array.isArray(v)) v.forEach((item, i) => { if (isPlainObject(item)) out.push(...plaintextSecrets(item, `${p}[${i}]`)); });
    else if (typeof v === 'string' && SECRET_KEY.test(k)) out.push(p);
  }
  return out;
}

/**
 * The GitLab chart takes `extraVolumes` / `extraVolumeMounts` as a YAML *string* (it runs them
 * through `tpl`). Concatenates two such lists; throws a readable message for a value that is
 * not a YAML list.
 */
export function concatYamlLists(field: string, a: unknown, b: unknown): string | undefined {
  const items = [...yamlList(field, a), ...yamlList(field, b)];
  return items.length ? yaml.dump(items, { lineWidth: -1, noRefs: true }) : undefined;
}

function yamlList(field: string, v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') {
    let parsed: unknown;
    try {
      // the safe reader: size, alias budget and `__proto__` keys, as for every other YAML input
      parsed = loadYaml(v);
    } catch (e) {
      if (!(e instanceof YamlInputError)) throw e;
      throw new Error(`${field}: the YAML string is refused: ${e.message}`);
    }
    if (parsed === undefined || parsed === null) return [];
    if (Array.isArray(parsed)) return parsed;
  }
  throw new Error(`${field}: ${show(v)} is not a YAML list of volumes (the chart takes a YAML string such as "- name: x\\n  emptyDir: {}")`);
}
