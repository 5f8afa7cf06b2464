/** The results of `npm run bench` and their text form. */

/** One row of results.json. */
export interface Run {
  readonly tenants: number;
  readonly objects: number;
  /** ocpkit synthesize + writeTree, schema validation on, compiled-validator cache warm. */
  readonly ocpkit_ms: number;
  /** Stock cdk8s `App.synth()` (default YamlOutputType.FILE_PER_CHART), one chart per tenant; null when left out (--cdk8s-max). */
  readonly cdk8s_ms: number | null;
  /** toJson() + js-yaml dump + one file per object. */
  readonly floor_ms: number;
  /** Peak RSS of the ocpkit process (tree construction included). */
  readonly rss_mb: number;
  /** ocpkit with schema validation off. */
  readonly ocpkit_novalidate_ms: number;
  /** ocpkit with an empty validator cache (every schema compiled in the run). */
  readonly ocpkit_cold_ms: number;
  /** Stock cdk8s with YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE (ocpkit's layout); null when left out. */
  readonly cdk8s_file_per_resource_ms: number | null;
  /** Constructing the ocpkit tree (not part of any timing above). */
  readonly build_ms: number;
  readonly charts: number | null;
  /** User + system CPU time of the same phases (medians), less sensitive to other load. */
  readonly cpu_ms: Record<string, number>;
  readonly repetitions: Record<string, number>;
}

/** Whole-process `ocpkit synth apps/community/main.ts` (issue 18), medians. */
export interface WholeProcess {
  /** YAML files the reference stack writes. */
  readonly files: number;
  /**
   * What the CLI in this checkout ran for warm_ms and cold_ms: build/ when it was the compiled form
   * of the sources (after `npm run build`, bin/build-state.js), else the TypeScript sources.
   * Absent in results from before it could run build/.
   */
  readonly checkout_from?: 'build' | 'sources';
  /** Every cache filled by an earlier run, `--no-typecheck` (when the CLI has it). */
  readonly warm_ms: number;
  readonly warm_cpu_ms: number | null;
  /** Warm, with the type-check (its cache hit); null when the CLI has no type-check yet. */
  readonly warm_typecheck_ms: number | null;
  readonly warm_typecheck_cpu_ms: number | null;
  /** An empty OCPKIT_CACHE_DIR (transpile, validators, code caches all made in the run), `--no-typecheck`. */
  readonly cold_ms: number;
  readonly cold_cpu_ms: number | null;
  /**
   * The same with the sources forced (OCPKIT_FROM_BUILD=0), as after an edit of lib/ before the
   * next build: every module transpiled when cold. Absent in older results.
   */
  readonly sources_warm_ms?: number;
  readonly sources_warm_cpu_ms?: number | null;
  readonly sources_cold_ms?: number;
  readonly sources_cold_cpu_ms?: number | null;
  /**
   * The same, as an installed package runs it (build/, OCPKIT_FROM_BUILD=1, a copy of the stack
   * importing build/lib; `--no-typecheck`); null when build/ could not be made.
   */
  readonly installed_warm_ms?: number | null;
  readonly installed_warm_cpu_ms?: number | null;
  readonly installed_cold_ms?: number | null;
  readonly installed_cold_cpu_ms?: number | null;
  /** Whether `ocpkit synth` takes `--no-typecheck` in this checkout. */
  readonly typecheck_flag: boolean;
  readonly repetitions: number;
}

/**
 * The machine issue 18's absolute targets were set on (0.6 s warm, 1.2 s cold for the whole
 * process), with its serialization floor per tenant count: bench/results.json of commit 75f3d9a
 * (Intel(R) Xeon(R) Processor, 2 cores, 24 GiB, node v20.20.2).
 */
export const REFERENCE_MACHINE = {
  description: 'Intel(R) Xeon(R) Processor, 2 cores, node v20.20.2 (bench/results.json of commit 75f3d9a)',
  floor_ms: { 46: 110, 200: 269, 460: 515, 2000: 2032 } as Record<number, number>,
  warm_target_ms: 600,
  cold_target_ms: 1200,
};

/**
 * How much slower this machine is than {@link REFERENCE_MACHINE}: the median, over the tenant
 * counts measured on both, of this run's floor over the reference floor. Absolute targets are
 * judged against target x scale. Null when no tenant count is shared.
 */
export function machineScale(runs: readonly Run[]): number | null {
  const ratios = runs.filter((r) => REFERENCE_MACHINE.floor_ms[r.tenants] !== undefined).map((r) => r.floor_ms / REFERENCE_MACHINE.floor_ms[r.tenants]).sort((a, b) => a - b);
  if (!ratios.length) return null;
  const m = ratios.length >> 1;
  return round2(ratios.length % 2 ? ratios[m] : (ratios[m - 1] + ratios[m]) / 2);
}

/** One row of the fleet part of results.json (issue 13). */
export interface FleetRun {
  /** Member clusters (plus the hub). */
  readonly clusters: number;
  readonly objects: number;
  /** The whole fleet synth in a fresh process: build, synthesis with validation, writing (median). */
  readonly ms: number;
  readonly cpu_ms: number;
  /** Building the hub and the members (part of ms). */
  readonly build_ms: number;
  /** Peak RSS of the process (the largest repetition). */
  readonly rss_mb: number;
  readonly repetitions: number;
}

/** The Markdown table and target check printed on stdout (and pasted into the README). */
/** ` (cpu N ms)` after a figure, or nothing when the CPU time was not measured. */
function cpu(ms: number | null | undefined): string {
  return ms == null ? '' : ` (cpu ${ms} ms)`;
}

export function report(r: any): string {
  const lines: string[] = [];
  lines.push('| tenants | objects | ocpkit ms | no validation ms | cold cache ms | floor ms | ocpkit / floor | cdk8s ms | cdk8s per-resource ms | peak RSS MB |');
  lines.push('|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const x of r.runs as Run[]) {
    lines.push(`| ${x.tenants} | ${x.objects} | ${x.ocpkit_ms} | ${x.ocpkit_novalidate_ms} | ${x.ocpkit_cold_ms} | ${x.floor_ms} | ${(x.ocpkit_ms / x.floor_ms).toFixed(2)} | ${x.cdk8s_ms ?? 'not run'} | ${x.cdk8s_file_per_resource_ms ?? 'not run'} | ${x.rss_mb} |`);
  }
  lines.push('');
  const w: WholeProcess | undefined = r.whole_process;
  if (w) {
    lines.push(`ocpkit synth of the reference stack (${w.files} files), whole process: warm ${w.warm_ms} ms${cpu(w.warm_cpu_ms)}${w.typecheck_flag ? ' with --no-typecheck' : ''}${w.warm_typecheck_ms !== null ? `, warm with the type-check (cache hit) ${w.warm_typecheck_ms} ms${cpu(w.warm_typecheck_cpu_ms)}` : ', no type-check in this CLI'}, cold (empty cache) ${w.cold_ms} ms${cpu(w.cold_cpu_ms)}; npm run synth ${r.synth_process_ms} ms`);
  } else {
    lines.push(`npm run synth (reference stack, ${r.reference_stack_objects} objects, whole process): ${r.synth_process_ms} ms (node bin/ocpkit.js alone: ${r.synth_node_process_ms} ms)`);
  }
  lines.push(`ocpkit diff of two 2,000-tenant trees (${r.diff_changed_files} of ${r.diff_total_files} files differ): ${r.diff_ms} ms whole process, ${r.diff_inprocess_ms} ms diffTrees in process`);
  lines.push(`machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memory_gb} GiB, node ${r.machine.node}, load ${r.machine.loadavg_before.join('/')} -> ${r.machine.loadavg_after.join('/')}`);
  const t = r.targets;
  const check = (ok: boolean | null) => (ok === null ? 'n/a ' : ok ? 'met ' : 'MISSED');
  lines.push('');
  lines.push('targets:');
  const scale: number | null = t.machine_scale ?? null;
  if (w) {
    // Absolute targets were set on REFERENCE_MACHINE; here they are scaled by this run's floor.
    const scaled = (ms: number) => (scale === null ? null : Math.round(ms * scale));
    const warmLimit = scaled(REFERENCE_MACHINE.warm_target_ms);
    const coldLimit = scaled(REFERENCE_MACHINE.cold_target_ms);
    const warmWorst = Math.max(w.warm_ms, w.warm_typecheck_ms ?? 0);
    lines.push(`  info this machine is ${scale ?? 'n/a'}x the reference machine by the floor (${REFERENCE_MACHINE.description}); absolute targets below are scaled by it`);
    const from = w.checkout_from === 'build' ? 'running build/, built from these sources' : 'TypeScript sources';
    lines.push(`  ${check(warmLimit === null ? null : warmWorst <= warmLimit)} whole-process synth in this checkout (${from}), warm: ${warmWorst} ms (limit ${REFERENCE_MACHINE.warm_target_ms} ms there, ${warmLimit ?? 'n/a'} ms here)`);
    lines.push(`  ${check(coldLimit === null ? null : w.cold_ms <= coldLimit)} whole-process synth in this checkout (${from}), cold: ${w.cold_ms} ms (limit ${REFERENCE_MACHINE.cold_target_ms} ms there, ${coldLimit ?? 'n/a'} ms here)`);
    if (w.checkout_from === 'build' && w.sources_warm_ms !== undefined && w.sources_cold_ms !== undefined) {
      lines.push(`  ${check(warmLimit === null ? null : w.sources_warm_ms <= warmLimit)} the same after an edit of lib/ before the next build (TypeScript sources, OCPKIT_FROM_BUILD=0), warm: ${w.sources_warm_ms} ms${cpu(w.sources_warm_cpu_ms ?? null)} (limit ${warmLimit ?? 'n/a'} ms here)`);
      lines.push(`  ${check(coldLimit === null ? null : w.sources_cold_ms <= coldLimit)} the same after an edit of lib/ before the next build (TypeScript sources), cold: ${w.sources_cold_ms} ms${cpu(w.sources_cold_cpu_ms ?? null)} (limit ${coldLimit ?? 'n/a'} ms here)`);
    }
    if (w.installed_warm_ms != null && w.installed_cold_ms != null) {
      lines.push(`  ${check(warmLimit === null ? null : w.installed_warm_ms <= warmLimit)} whole-process synth as an installed package (build/), warm: ${w.installed_warm_ms} ms${cpu(w.installed_warm_cpu_ms)} (limit ${warmLimit ?? 'n/a'} ms here)`);
      lines.push(`  ${check(coldLimit === null ? null : w.installed_cold_ms <= coldLimit)} whole-process synth as an installed package (build/), cold: ${w.installed_cold_ms} ms${cpu(w.installed_cold_cpu_ms)} (limit ${coldLimit ?? 'n/a'} ms here)`);
    }
  }
  if (t.floor_ratio_46 !== undefined) {
    lines.push(`  ${check(t.floor_ratio_46 === null ? null : t.floor_ratio_46 <= 1.5)} ocpkit within 1.5x of the floor at 46 tenants: ${t.floor_ratio_46}x`);
    lines.push(`  ${check(t.cdk8s_ratio_46 === null ? null : t.cdk8s_ratio_46 < 1)} ocpkit faster than stock cdk8s at 46 tenants: ${t.cdk8s_ratio_46}x cdk8s's time`);
  }
  lines.push(`  ${check(t.floor_ratio_2000 === null ? null : t.floor_ratio_2000 <= 1.2)} ocpkit within 1.2x of the floor at 2,000 tenants: ${t.floor_ratio_2000}x`);
  if (t.floor_cpu_ratio_2000 !== undefined) lines.push(`  info the same ratios in CPU time (less sensitive to other load): ${t.floor_cpu_ratio_46 ?? 'n/a'}x at 46, ${t.floor_cpu_ratio_2000 ?? 'n/a'}x at 2,000`);
  lines.push(`  ${check(t.linearity_2000 === null ? null : t.linearity_2000 <= t.linearity_limit)} linear: t(2000) / t(base) = ${t.linearity_2000} (limit ${t.linearity_limit})`);
  lines.push(`  ${check(t.validation_share_2000 === null ? null : t.validation_share_2000 <= 0.5)} validation share of synth time at 2,000: ${t.validation_share_2000 === null ? 'n/a' : `${Math.round(t.validation_share_2000 * 100)}%`} (limit 50%)`);
  lines.push(`  ${check(t.rss_2000_mb === null ? null : t.rss_2000_mb < 1024)} peak RSS at 2,000: ${t.rss_2000_mb} MB (limit 1024)`);
  if (!w) lines.push(`  ${check(r.synth_process_ms < 1500)} npm run synth: ${r.synth_process_ms} ms (limit 1500)`);
  // the diff's 2 s limit was set on REFERENCE_MACHINE too: scaled like the whole-process targets
  const diffLimit = scale === null ? 2000 : Math.round(2000 * scale);
  lines.push(`  ${check(r.diff_ms < diffLimit)} ocpkit diff, 2,000 tenants: ${r.diff_ms} ms (limit 2000 ms there, ${diffLimit} ms here)`);
  if (r.fleet?.runs?.length) lines.push(...fleetReport(r.fleet));
  return `${lines.join('\n')}\n`;
}


/** The fleet table and its linearity checks. */
export function fleetReport(fleet: { tenants_per_member: number; runs: FleetRun[]; targets: Record<string, number | null> }): string[] {
  const lines: string[] = ['', `fleet (a hub and N clusters of ${fleet.tenants_per_member} tenants, two trains; whole synth in a fresh process):`, ''];
  lines.push('| clusters | objects | ms | build ms | cpu ms | peak RSS MB |');
  lines.push('|--:|--:|--:|--:|--:|--:|');
  for (const x of fleet.runs) lines.push(`| ${x.clusters} | ${x.objects} | ${x.ms} | ${x.build_ms} | ${x.cpu_ms} | ${x.rss_mb} |`);
  const t = fleet.targets;
  const runs = fleet.runs;
  const lo = runs[0];
  const hi = runs[runs.length - 1];
  const check = (ok: boolean | null) => (ok === null ? 'n/a ' : ok ? 'met ' : 'MISSED');
  const le = (x: number | null, limit: number | null) => (x === null || limit === null ? null : x <= limit);
  lines.push('');
  lines.push('fleet targets:');
  lines.push(`  ${check(le(t.fleet_linearity, t.fleet_linearity_limit))} linear time: t(${hi.clusters}) / t(${lo.clusters}) = ${t.fleet_linearity} (limit ${t.fleet_linearity_limit})`);
  lines.push(`  ${check(le(t.fleet_rss_linearity, t.fleet_linearity_limit))} linear memory: rss(${hi.clusters}) / rss(${lo.clusters}) = ${t.fleet_rss_linearity} (limit ${t.fleet_linearity_limit})`);
  lines.push(`  ${check(le(t.fleet_marginal_cpu_ratio, 1.5))} CPU time per added cluster, upper half / lower half of the sizes: ${t.fleet_marginal_cpu_ratio} (limit 1.5)`);
  lines.push(`  info peak RSS per added cluster: ${t.fleet_rss_mb_per_cluster} MB`);
  return lines;
}

/**
 * Linear growth of a fleet, in the style of the tenant target: t(max) / t(min) and rss(max) /
 * rss(min) within 1.1x of max / min. A fixed start-up cost flatters those ratios, so the CPU time
 * of each added cluster between the middle and the largest size must also stay within 1.5x of
 * its cost between the smallest and the middle size (superlinear growth shows there first; CPU
 * time, because wall time on a shared machine varies more than the growth being measured). Peak
 * RSS grows in steps (V8 enlarges its heap by chunks), so its cost per added cluster is reported,
 * not checked.
 */
export function fleetTargets(runs: readonly FleetRun[]): Record<string, number | null> {
  if (runs.length < 2) return { fleet_linearity: null, fleet_linearity_limit: null, fleet_rss_linearity: null, fleet_marginal_cpu_ratio: null, fleet_rss_mb_per_cluster: null };
  const lo = runs[0];
  const hi = runs[runs.length - 1];
  const mid = runs[Math.ceil((runs.length - 1) / 2)];
  const slope = (a: FleetRun, b: FleetRun, k: 'cpu_ms' | 'rss_mb') => (b[k] - a[k]) / (b.clusters - a.clusters);
  return {
    fleet_linearity: round2(hi.ms / lo.ms),
    fleet_linearity_limit: round2((hi.clusters / lo.clusters) * 1.1),
    fleet_rss_linearity: round2(hi.rss_mb / lo.rss_mb),
    fleet_marginal_cpu_ratio: runs.length >= 3 && slope(lo, mid, 'cpu_ms') > 0 ? round2(slope(mid, hi, 'cpu_ms') / slope(lo, mid, 'cpu_ms')) : null,
    fleet_rss_mb_per_cluster: round2(slope(lo, hi, 'rss_mb')),
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
