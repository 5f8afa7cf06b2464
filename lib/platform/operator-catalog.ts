import * as fs from 'fs';
import * as path from 'path';
import { OcpkitError } from '../core/errors';
import { loadYamlDataFile } from '../core/safe-yaml';
import { cachedDataFile, yamlParserFiles } from '../schema/_data-cache';

/**
 * OLM package facts of one OpenShift version: which operator packages, channels and
 * ClusterServiceVersions exist, which OpenShift versions each CSV declares, and what it ships.
 * Read from `<profile>/catalog/operators.yaml` of the shared schema folder (written for ocpkit;
 * every entry there carries its provenance). Conventions of that file, from its header:
 *
 * - `com.redhat.openshift.versions` (bundle label that decides which OpenShift indexes carry the
 *   bundle): `v4.12` = 4.12 and later, `v4.12-v4.16` = that range, `=v4.12` = only 4.12, absent =
 *   not restricted;
 * - `olm.maxOpenShiftVersion`: an installed CSV with max 4.N blocks cluster upgrades past 4.N;
 *   null = not set;
 * - `unknown...`: a value no public source proves (Red Hat downstream bundles).
 */
export interface CsvFacts {
  readonly csv: string;
  readonly version?: string;
  /** Channels the CSV is in, when the catalog records them. */
  readonly channels?: readonly string[];
  /** `com.redhat.openshift.versions`: the label, null when absent, 'unknown' when not proven. */
  readonly openshiftVersions: string | null;
  /** `olm.maxOpenShiftVersion`: null when not set, 'unknown' when not proven. */
  readonly maxOpenShiftVersion: string | null;
  /**
   * Chart versions the operator accepts (GitLab): its CHART_VERSIONS when the catalog cites them,
   * otherwise the chart of the bundle's own example CR (`alm-examples`), which the operator
   * release is published to deploy.
   */
  readonly supportedChartVersions?: readonly string[];
  readonly supportedChartVersionsSource?: string;
  /** The chart releases above with the GitLab release each carries, where the catalog records it as fact. */
  readonly chartReleases?: readonly ChartRelease[];
  readonly provenance?: string;
  /** The entry as written in the catalog file. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** A GitLab chart version an operator release deploys, and the GitLab release it carries. */
export interface ChartRelease {
  readonly chart: string;
  /** The GitLab release; undefined when the catalog marks the mapping as a pattern or inference only. */
  readonly gitlab?: string;
}

/** One OLM package of the catalog. */
export interface PackageFacts {
  readonly package: string;
  /** Catalog source the package comes from (`redhat-operators`, `certified-operators`, ...). */
  readonly catalogSource: string;
  /** Other catalog sources that carry it too (`also_in`). */
  readonly alsoIn: readonly string[];
  readonly defaultChannel?: string;
  /** Channels, when the catalog lists them (`channels` or `channels_for_<version>`). */
  readonly channels?: readonly string[];
  /** The CSVs the catalog records (empty when it says they are unknown). */
  readonly csvs: readonly CsvFacts[];
  /** True when the catalog says the package's CSV names are unknown (Red Hat downstream). */
  readonly csvsUnknown: boolean;
  /**
   * CSV names of the OpenShift-version catalog template per channel, when the catalog records it
   * (file-based catalogs such as Crunchy's `catalog-templates/v4.14.yaml`): a CSV missing there
   * is not served on that OpenShift version whatever its bundle declares.
   */
  readonly versionCatalog?: ReadonlyMap<string, readonly string[]>;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** One OpenShift GitOps minor and what it runs (the catalog's `openshift-gitops-operator.versions`). */
export interface GitOpsFacts {
  /** `1.12` */
  readonly gitops: string;
  /** Argo CD version, as precise as the catalog cites it (`2.10.18`, else `2.10`). */
  readonly argoCd?: string;
  /** OpenShift minors it supports (`4.12`, `4.14`, ...). */
  readonly openshift: readonly string[];
  readonly source?: string;
}

/** A pin to check: the fields of a Subscription. */
export interface OperatorPin {
  readonly packageName: string;
  readonly channel: string;
  readonly startingCsv: string;
  /** Name of the CatalogSource the Subscription uses. */
  readonly catalogSource?: string;
}

/** What the catalog says about a pin. */
export interface PinVerdict {
  /**
   * `ok`: the catalog knows the pin and it declares the OpenShift version; `refused`: the catalog
   * contradicts it (unknown package, wrong channel, CSV absent or not for this version);
   * `unknown`: the catalog cannot prove it (Red Hat downstream CSV facts marked unknown).
   */
  readonly status: 'ok' | 'refused' | 'unknown';
  /** One entry per finding: which Subscription field and what the catalog allows. */
  readonly findings: readonly { readonly field: 'packageName' | 'channel' | 'startingCsv' | 'catalog'; readonly message: string }[];
  /** The catalog's CSV entry, when found. */
  readonly csv?: CsvFacts;
}

const UNKNOWN = /^unknown\b/i;

/** Relative path of the catalog inside a profile folder. */
export const OPERATOR_CATALOG_FILE = path.join('catalog', 'operators.yaml');

/**
 * Parsed catalogs by file (path, size and mtime): the file is data read at run time, and two
 * clusters of one synth (or the tests of one file) read it once. A cache of file contents, not a
 * registry: nothing registers into it and what it returns is frozen.
 */
const PARSED = new Map<string, OperatorCatalog>();

/** The operator catalog of one OpenShift version. */
export class OperatorCatalog {
  /** Loads (once per file version) the catalog of a profile folder. */
  public static load(profileDir: string): OperatorCatalog {
    const file = path.join(profileDir, OPERATOR_CATALOG_FILE);
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      throw new OcpkitError([{ path: file, field: '', message: `no operator catalog (${OPERATOR_CATALOG_FILE}) in the platform profile ${profileDir}` }]);
    }
    const key = `${file}\0${st.size}\0${st.mtimeMs}`;
    let c = PARSED.get(key);
    if (!c) {
      const doc: any = cachedDataFile(file, loadYamlDataFile, require.resolve('../core/safe-yaml'), yamlParserFiles());
      c = new OperatorCatalog(file, doc);
      PARSED.set(key, c);
    }
    return c;
  }

  /** OpenShift version the catalog describes (`4.14`). */
  public readonly openshift: string;
  /** Kubernetes version of that OpenShift (`1.27`). */
  public readonly kubernetes: string;
  private readonly packages = new Map<string, PackageFacts>();
  private readonly gitopsVersions: GitOpsFacts[] = [];

  private constructor(public readonly file: string, doc: any) {
    const bad = (message: string) => new OcpkitError([{ path: file, field: '', message }]);
    if (!doc || typeof doc !== 'object' || !Array.isArray(doc.operators)) throw bad('is not an operator catalog (no `operators:` list)');
    this.openshift = String(doc.openshift ?? '');
    this.kubernetes = String(doc.kubernetes ?? '');
    const versionKey = this.openshift.replace('.', '_');
    for (const raw of doc.operators as any[]) {
      if (!raw || typeof raw.package !== 'string') continue;
      const csvs: CsvFacts[] = Array.isArray(raw.csvs) ? raw.csvs.filter((c: any) => typeof c?.csv === 'string').map(csvFacts) : [];
      const channels = list(raw.channels) ?? list(raw[`channels_for_${versionKey}`]);
      let versionCatalog: Map<string, string[]> | undefined;
      const template = raw[`v${versionKey}_catalog`];
      if (template && typeof template === 'object') {
        versionCatalog = new Map();
        for (const [k, v] of Object.entries<any>(template)) {
          const m = /^channel_(.+)_entries$/.exec(k);
          if (m && Array.isArray(v)) versionCatalog.set(m[1], v.map((e) => String(e?.name)));
        }
      }
      this.packages.set(raw.package, Object.freeze({
        package: raw.package,
        catalogSource: String(raw.catalogSource ?? ''),
        alsoIn: typeof raw.also_in === 'string' ? [raw.also_in.split(/[\s(]/)[0]] : list(raw.also_in) ?? [],
        defaultChannel: typeof raw.defaultChannel === 'string' ? raw.defaultChannel : undefined,
        channels,
        csvs,
        csvsUnknown: typeof raw.csvs === 'string' && UNKNOWN.test(raw.csvs),
        versionCatalog,
        raw,
      }));
      if (raw.package === 'openshift-gitops-operator' && Array.isArray(raw.versions)) {
        for (const v of raw.versions) this.gitopsVersions.push(...gitopsFacts(v));
      }
    }
  }

  /** Every package name the catalog records. */
  public packageNames(): string[] {
    return [...this.packages.keys()];
  }

  /** The facts of one package, or undefined when the catalog does not know it. */
  public package(name: string): PackageFacts | undefined {
    return this.packages.get(name);
  }

  /**
   * The catalog's entry for a CSV of a package. A recorded placeholder such as
   * `kubevirt-hyperconverged-operator.v4.14.z` matches every z-stream of that minor.
   */
  public csv(packageName: string, csvName: string): CsvFacts | undefined {
    const pkg = this.packages.get(packageName);
    if (!pkg) return undefined;
    return pkg.csvs.find((c) => c.csv === csvName) ?? pkg.csvs.find((c) => c.csv.endsWith('.z') && csvName.startsWith(c.csv.slice(0, -1)) && /^\d+$/.test(csvName.slice(c.csv.length - 1)));
  }

  /** Chart versions an operator CSV accepts, when the catalog cites them (GitLab's CHART_VERSIONS). */
  public supportedChartVersions(packageName: string, csvName: string): readonly string[] | undefined {
    return this.csv(packageName, csvName)?.supportedChartVersions;
  }

  /** The chart releases an operator CSV deploys, with their GitLab release where the catalog states it. */
  public chartReleases(packageName: string, csvName: string): readonly ChartRelease[] | undefined {
    return this.csv(packageName, csvName)?.chartReleases;
  }

  /**
   * Whether a CSV declares an OpenShift version: true, false, or 'unknown' when the catalog
   * cannot tell (Red Hat downstream bundles).
   */
  public supports(csv: CsvFacts, openshift: string): boolean | 'unknown' {
    const range = csv.openshiftVersions;
    const max = csv.maxOpenShiftVersion;
    if ((range !== null && UNKNOWN.test(range)) || (max !== null && UNKNOWN.test(max))) return 'unknown';
    if (max !== null && compareVersions(openshift, max) > 0) return false;
    return range === null ? true : rangeCovers(range, openshift);
  }

  /** CSVs of a package in a channel that declare an OpenShift version, oldest first. */
  public csvsFor(packageName: string, channel: string, openshift: string): CsvFacts[] {
    const pkg = this.packages.get(packageName);
    if (!pkg) return [];
    const served = pkg.versionCatalog?.get(channel);
    return pkg.csvs
      .filter((c) => (c.channels === undefined || c.channels.includes(channel)) && this.supports(c, openshift) === true)
      .filter((c) => served === undefined || openshift !== this.openshift || served.includes(c.csv))
      .sort((a, b) => compareVersions(a.version ?? versionOf(a.csv), b.version ?? versionOf(b.csv)));
  }

  /** The GitOps minors the catalog records, with their Argo CD version and OpenShift range. */
  public gitops(): readonly GitOpsFacts[] {
    return this.gitopsVersions;
  }

  /** Checks a Subscription pin against the catalog for an OpenShift version. */
  public checkPin(pin: OperatorPin, openshift: string): PinVerdict {
    const findings: { field: 'packageName' | 'channel' | 'startingCsv' | 'catalog'; message: string }[] = [];
    const pkg = this.packages.get(pin.packageName);
    if (!pkg) {
      findings.push({ field: 'packageName', message: `package "${pin.packageName}" is not in the OpenShift ${this.openshift} operator catalog (${this.file}); it knows ${this.packageNames().join(', ')}` });
      return { status: 'refused', findings };
    }
    let unknown = false;
    if (pin.catalogSource !== undefined && pkg.catalogSource && pin.catalogSource !== pkg.catalogSource && !pkg.alsoIn.includes(pin.catalogSource)) {
      findings.push({ field: 'catalog', message: `package "${pkg.package}" comes from the ${[pkg.catalogSource, ...pkg.alsoIn].join(' or ')} catalog source, not "${pin.catalogSource}"` });
    }
    if (pkg.channels && !pkg.channels.includes(pin.channel)) {
      findings.push({ field: 'channel', message: `channel "${pin.channel}" is not a channel of "${pkg.package}" for OpenShift ${this.openshift}; the catalog lists ${pkg.channels.join(', ')}` });
    }
    const csv = this.csv(pkg.package, pin.startingCsv);
    const newest = () => {
      const ok = this.csvsFor(pkg.package, pin.channel, openshift);
      return ok.length
        ? `the newest CSV declaring OpenShift ${openshift} in channel "${pin.channel}" is ${ok[ok.length - 1].csv}`
        : `the catalog records no CSV declaring OpenShift ${openshift} in channel "${pin.channel}"`;
    };
    if (!csv) {
      if (pkg.csvsUnknown || pkg.csvs.length === 0) {
        unknown = true;
        findings.push({ field: 'startingCsv', message: `the catalog cannot confirm "${pin.startingCsv}": the CSV names of "${pkg.package}" are unknown (Red Hat downstream bundle, ${shorten(String(pkg.raw.csvs ?? 'no CSVs recorded'))})` });
      } else {
        const recorded = pkg.csvs.map((c) => c.csv);
        findings.push({ field: 'startingCsv', message: `"${pin.startingCsv}" is not a CSV the catalog knows for "${pkg.package}" (it records ${recorded.length > 4 ? `${recorded.slice(0, 2).join(', ')} ... ${recorded[recorded.length - 1]}` : recorded.join(', ')}); ${newest()}` });
      }
      return { status: unknown && findings.length === 1 ? 'unknown' : 'refused', findings };
    }
    if (csv.channels && !csv.channels.includes(pin.channel)) {
      findings.push({ field: 'channel', message: `${csv.csv} is in channel ${csv.channels.join(', ')}, not "${pin.channel}"` });
    }
    const supported = this.supports(csv, openshift);
    if (supported === 'unknown') {
      unknown = true;
      findings.push({ field: 'startingCsv', message: `the catalog cannot confirm that ${csv.csv} supports OpenShift ${openshift}: com.redhat.openshift.versions ${csv.openshiftVersions ?? 'absent'}, olm.maxOpenShiftVersion ${csv.maxOpenShiftVersion ?? 'not set'} (${csv.provenance ? `source ${shorten(csv.provenance)}` : 'no public source'})` });
    } else if (!supported) {
      findings.push({ field: 'startingCsv', message: `${csv.csv} declares OpenShift ${csv.openshiftVersions ?? 'any'}${csv.maxOpenShiftVersion ? ` (olm.maxOpenShiftVersion ${csv.maxOpenShiftVersion})` : ''}, not ${openshift}; ${newest()}` });
    } else {
      const served = pkg.versionCatalog?.get(pin.channel);
      if (served && openshift === this.openshift && !served.includes(csv.csv)) {
        findings.push({ field: 'startingCsv', message: `${csv.csv} declares OpenShift ${openshift} but is not in the OpenShift ${openshift} catalog template of channel "${pin.channel}"; ${newest()}` });
      }
    }
    const status = findings.length === 0 ? 'ok' : unknown && findings.length === 1 ? 'unknown' : 'refused';
    return { status, findings, csv };
  }
}

function csvFacts(raw: any): CsvFacts {
  const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
  let releases: ChartRelease[] | undefined = Array.isArray(raw.supported_chart_versions)
    ? raw.supported_chart_versions.filter((c: any) => c?.chart !== undefined || typeof c !== 'object').map((c: any) => chartRelease(c?.chart ?? c, c?.gitlab))
    : undefined;
  let chartsSource: string | undefined = typeof raw.supported_chart_versions_source === 'string' ? raw.supported_chart_versions_source : undefined;
  if (!releases && raw.alm_example_chart_version !== undefined) {
    releases = [chartRelease(raw.alm_example_chart_version, raw.alm_example_gitlab_version)];
    chartsSource = `the example GitLab CR (alm-examples) of the bundle${typeof raw.provenance === 'string' ? ` ${raw.provenance}` : ''}`;
  }
  return Object.freeze({
    csv: raw.csv,
    version: raw.version === undefined ? undefined : String(raw.version),
    channels: list(raw.channels),
    openshiftVersions: str(raw['com.redhat.openshift.versions']),
    maxOpenShiftVersion: str(raw['olm.maxOpenShiftVersion']),
    supportedChartVersions: releases?.map((r) => r.chart),
    supportedChartVersionsSource: chartsSource,
    chartReleases: releases,
    provenance: typeof raw.provenance === 'string' ? raw.provenance : undefined,
    raw,
  });
}

/**
 * A chart version and its GitLab release as the catalog writes them; a GitLab release the catalog
 * qualifies ("pattern, not cited here", "inferred ...; unverified") is left out rather than trusted.
 */
function chartRelease(chart: unknown, gitlab: unknown): ChartRelease {
  const g = typeof gitlab === 'string' ? gitlab.trim() : gitlab === undefined || gitlab === null ? '' : String(gitlab);
  return Object.freeze({ chart: String(chart), gitlab: /^\d+\.\d+\.\d+$/.test(g) ? g : undefined });
}

function gitopsFacts(v: any): GitOpsFacts[] {
  // `gitops: 1.12.x`, `argo_cd: v2.10.x (go.mod v2.10.18 on branch v1.12)`, `ocp: 4.12, 4.13, 4.14, 4.15 (1.12.1, ...)`
  const minor = /^(\d+\.\d+)\.(?:x|\d+)$/.exec(String(v?.gitops ?? '').trim());
  if (!minor) return [];
  const argo = String(v.argo_cd ?? '');
  const argoCd = /go\.mod v(\d+\.\d+\.\d+)/.exec(argo)?.[1] ?? /v(\d+\.\d+)\./.exec(argo)?.[1];
  const ocpText = String(v.ocp ?? '').replace(/\(.*?\)/g, '');
  const openshift: string[] = [];
  for (const part of ocpText.split(',')) {
    const range = /(\d+)\.(\d+)\s*-\s*(\d+)\.(\d+)/.exec(part);
    if (range && range[1] === range[3]) {
      for (let m = Number(range[2]); m <= Number(range[4]); m++) openshift.push(`${range[1]}.${m}`);
    } else {
      const one = /(\d+\.\d+)/.exec(part);
      if (one) openshift.push(one[1]);
    }
  }
  return [{ gitops: minor[1], argoCd, openshift, source: typeof v.source === 'string' ? v.source : undefined }];
}

function list(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string' && !UNKNOWN.test(v)) return v.split(',').map((s) => s.trim()).filter(Boolean);
  return undefined;
}

/** `v4.12` = 4.12 and later, `v4.12-v4.16` = that range, `=v4.12` = only 4.12; comma lists: any. */
export function rangeCovers(label: string, openshift: string): boolean {
  return label.split(',').some((part) => {
    const p = part.trim();
    const exact = /^=\s*v?(\d+\.\d+)$/.exec(p);
    if (exact) return compareVersions(openshift, exact[1]) === 0;
    const range = /^v?(\d+\.\d+)\s*-\s*v?(\d+\.\d+)$/.exec(p);
    if (range) return compareVersions(openshift, range[1]) >= 0 && compareVersions(openshift, range[2]) <= 0;
    const from = /^v?(\d+\.\d+)$/.exec(p);
    if (from) return compareVersions(openshift, from[1]) >= 0;
    return false;
  });
}

/** Numeric comparison of dotted versions (`4.9` < `4.14`); non-numeric parts compare as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function versionOf(csv: string): string {
  return /v?(\d+(?:\.\d+)*)/.exec(csv.slice(csv.indexOf('.')))?.[1] ?? '0';
}

function shorten(s: string): string {
  return s.length > 140 ? `${s.slice(0, 137)}...` : s;
}
