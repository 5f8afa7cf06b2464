/**
 * One measurement in a fresh process, so that every repetition pays what a real run pays (cold
 * JIT, schema compilation) and peak RSS belongs to one N:
 *
 *   node bin/run-ts.js bench/worker.ts MODE TENANTS OUTDIR
 *
 * (mode `fleet`: TENANTS is the number of member clusters, see bench/fleet.ts)
 * Prints one JSON line: `{ms, cpu_ms, objects, rss_mb, build_ms}` (cpu_ms: user + system time of
 * the timed phase, all threads, which is less sensitive to other load on the machine). Only the phase named by MODE is timed;
 * building the construct tree (and, for cdk8s, the equivalent app) is not.
 */
import { YamlOutputType } from 'cdk8s';
import { diffTrees } from '../lib/diff';
import { synthesize, writeTree } from '../lib';
import { chartCount, floorSynth, stockCdk8sApp } from './equivalents';
import { buildBenchFleet } from './fleet';
import { bumpedTenants, buildBenchCluster } from './stack';

export type Mode = 'ocpkit' | 'ocpkit-novalidate' | 'floor' | 'cdk8s' | 'cdk8s-per-resource' | 'trees' | 'diff' | 'fleet';

function main(): void {
  const [mode, tenantsArg, outdir, other] = process.argv.slice(2) as [Mode, string, string, string?];
  const tenants = Number(tenantsArg);
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  let objects = 0;
  let extra: Record<string, unknown> = {};
  let ms: number;
  if (mode === 'trees') {
    // Both trees of the diff benchmark from the same code, in one process.
    const a = synthesize(buildBenchCluster({ tenants }));
    writeTree(a.files, outdir);
    writeTree(synthesize(buildBenchCluster({ tenants, bumped: bumpedTenants(tenants) })).files, other!);
    objects = a.objects.length;
    ms = performance.now() - t0;
  } else if (mode === 'fleet') {
    // TENANTS is the number of member clusters here. Timed: the whole run (building the hub and
    // every member, synthesis with validation, writing the tree), with the build part reported too.
    const clusters = buildBenchFleet(tenants);
    extra = { build_ms: Math.round(performance.now() - t0), clusters: clusters.length };
    const result = synthesize(clusters);
    writeTree(result.files, outdir);
    objects = result.objects.length;
    ms = performance.now() - t0;
  } else if (mode === 'diff') {
    const result = diffTrees(outdir, other!);
    ms = performance.now() - t0;
    extra = { changed: result.summary.changed, added: result.summary.added, removed: result.summary.removed };
  } else {
    const cluster = buildBenchCluster({ tenants });
    const buildMs = performance.now() - t0;
    extra = { build_ms: Math.round(buildMs) };
    if (mode === 'cdk8s' || mode === 'cdk8s-per-resource') {
      const rendered = synthesize(cluster, { validator: false }).objects;
      const app = stockCdk8sApp(rendered, outdir, mode === 'cdk8s' ? YamlOutputType.FILE_PER_CHART : YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
      extra.charts = chartCount(rendered);
      objects = rendered.length;
      t0 = performance.now();
      c0 = process.cpuUsage();
      app.synth();
    } else if (mode === 'floor') {
      t0 = performance.now();
      c0 = process.cpuUsage();
      objects = floorSynth([cluster], outdir);
    } else {
      t0 = performance.now();
      c0 = process.cpuUsage();
      const result = synthesize(cluster, mode === 'ocpkit-novalidate' ? { validator: false, policies: false } : {});
      writeTree(result.files, outdir);
      objects = result.objects.length;
    }
    ms = performance.now() - t0;
  }
  const cpu = process.cpuUsage(c0);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ mode, tenants, ms: Math.round(ms), cpu_ms: Math.round((cpu.user + cpu.system) / 1000), objects, rss_mb: Math.round(rssMb), ...extra })}\n`);
}

main();
