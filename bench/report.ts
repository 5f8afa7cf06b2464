/** The results of `npm run bench` and their text form. */

/** One row of results.json. */
export interface Run {
  readonly tenants: number;
  readonly objects: number;
  /** ocpkit synthesize + writeTree, schema validation on, compiled-validator cache warm. */
  readonly ocpkit_ms: number;
  /** Stock cdk8s `App.synth()` (default YamlOutputType.FILE_PER_CHART), one chart per tenant. */
  readonly cdk8s_ms: number;
  /** toJson() + js-yaml dump + one file per object. */
  readonly floor_ms: number;
  /** Peak RSS of the ocpkit process (tree construction included). */
  readonly rss_mb: number;
  /** ocpkit with schema validation off. */
  readonly ocpkit_novalidate_ms: number;
  /** ocpkit with an empty validator cache (every schema compiled in the run). */
  readonly ocpkit_cold_ms: number;
  /** Stock cdk8s with YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE (ocpkit's layout). */
  readonly cdk8s_file_per_resource_ms: number;
  /** Constructing the ocpkit tree (not part of any timing above). */
  readonly build_ms: number;
  readonly charts: number;
  /** User + system CPU time of the same phases (medians), less sensitive to other load. */
  readonly cpu_ms: Record<string, number>;
  readonly repetitions: Record<string, number>;
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
export function report(r: any): string {
  const lines: string[] = [];
  lines.push('| tenants | objects | ocpkit ms | no validation ms | cold cache ms | floor ms | ocpkit / floor | cdk8s ms | cdk8s per-resource ms | peak RSS MB |');
  lines.push('|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const x of r.runs as Run[]) {
    lines.push(`| ${x.tenants} | ${x.objects} | ${x.ocpkit_ms} | ${x.ocpkit_novalidate_ms} | ${x.ocpkit_cold_ms} | ${x.floor_ms} | ${(x.ocpkit_ms / x.floor_ms).toFixed(2)} | ${x.cdk8s_ms} | ${x.cdk8s_file_per_resource_ms} | ${x.rss_mb} |`);
  }
  lines.push('');
  lines.push(`npm run synth (reference stack, ${r.reference_stack_objects} objects, whole process): ${r.synth_process_ms} ms (node bin/ocpkit.js alone: ${r.synth_node_process_ms} ms)`);
  lines.push(`ocpkit diff of two 2,000-tenant trees (${r.diff_changed_files} of ${r.diff_total_files} files differ): ${r.diff_ms} ms whole process, ${r.diff_inprocess_ms} ms diffTrees in process`);
  lines.push(`machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memory_gb} GiB, node ${r.machine.node}, load ${r.machine.loadavg_before.join('/')} -> ${r.machine.loadavg_after.join('/')}`);
  const t = r.targets;
  const check = (ok: boolean | null) => (ok === null ? 'n/a ' : ok ? 'met ' : 'MISSED');
  lines.push('');
  lines.push('targets:');
  lines.push(`  ${check(t.floor_ratio_2000 === null ? null : t.floor_ratio_2000 <= 1.5)} ocpkit within 1.5x of the floor at 2,000 tenants: ${t.floor_ratio_2000}x`);
  lines.push(`  ${check(t.linearity_2000 === null ? null : t.linearity_2000 <= t.linearity_limit)} linear: t(2000) / t(base) = ${t.linearity_2000} (limit ${t.linearity_limit})`);
  lines.push(`  ${check(t.validation_share_2000 === null ? null : t.validation_share_2000 <= 0.5)} validation share of synth time at 2,000: ${t.validation_share_2000 === null ? 'n/a' : `${Math.round(t.validation_share_2000 * 100)}%`} (limit 50%)`);
  lines.push(`  ${check(t.rss_2000_mb === null ? null : t.rss_2000_mb < 1024)} peak RSS at 2,000: ${t.rss_2000_mb} MB (limit 1024)`);
  lines.push(`  ${check(r.synth_process_ms < 1500)} npm run synth: ${r.synth_process_ms} ms (limit 1500)`);
  lines.push(`  ${check(r.diff_ms < 2000)} ocpkit diff, 2,000 tenants: ${r.diff_ms} ms (limit 2000)`);
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
