/**
 * The two baselines ocpkit is measured against, built from the same objects:
 *
 * - a stock cdk8s App with one plain Chart per tenant holding the very manifests ocpkit renders
 *   (`new ApiObject(chart, id, manifest)`), synthesized with `App.synth()`;
 * - the serialization floor: `toJson()` of every ApiObject of the ocpkit tree, js-yaml `dump`
 *   and one file per object, nothing else.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as yaml from 'js-yaml';
import { Cluster } from '../lib/gitops/cluster';
import { SynthesizedObject, walk } from '../lib/synth/synthesizer';

/**
 * A stock cdk8s App holding the given objects: one Chart per top-level construct of the ocpkit
 * tree (one per tenant, plus the platform charts), each object an ApiObject with the exact
 * manifest ocpkit wrote.
 */
export function stockCdk8sApp(objects: readonly SynthesizedObject[], outdir: string, yamlOutputType = YamlOutputType.FILE_PER_CHART): App {
  const app = new App({ outdir, yamlOutputType });
  const charts = new Map<string, Chart>();
  for (const o of objects) {
    const top = o.path.split('/')[0] || 'root';
    let chart = charts.get(top);
    if (!chart) {
      chart = new Chart(app, top, { disableResourceNameHashes: true });
      charts.set(top, chart);
    }
    const m = o.manifest;
    const id = `${m.kind}-${m.metadata?.namespace ?? ''}-${m.metadata?.name}`;
    new ApiObject(chart, id, structuredClone(m));
  }
  return app;
}

/** Number of charts {@link stockCdk8sApp} creates for these objects. */
export function chartCount(objects: readonly SynthesizedObject[]): number {
  return new Set(objects.map((o) => o.path.split('/')[0] || 'root')).size;
}

/**
 * The floor: renders every ApiObject of the clusters with `toJson()`, dumps it with js-yaml (the
 * options ocpkit uses) and writes one file per object, one folder per top-level construct.
 * Returns the number of objects written.
 */
export function floorSynth(clusters: readonly Cluster[], outdir: string): number {
  let count = 0;
  fs.mkdirSync(outdir, { recursive: true });
  const dirs = new Set<string>();
  for (const cluster of clusters) {
    for (const c of walk(cluster)) {
      if (!(c instanceof ApiObject)) continue;
      const manifest = c.toJson();
      const text = yaml.dump(manifest, { noRefs: true, lineWidth: -1, sortKeys: false });
      const dir = path.join(outdir, cluster.environment, topId(c));
      if (!dirs.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        dirs.add(dir);
      }
      const ns = manifest.metadata?.namespace;
      fs.writeFileSync(path.join(dir, `${String(manifest.kind).toLowerCase()}.${ns ? `${ns}.` : ''}${manifest.metadata?.name}.yaml`), text);
      count++;
    }
  }
  return count;
}

function topId(c: IConstruct): string {
  return c.node.path.split('/')[0] || 'root';
}
