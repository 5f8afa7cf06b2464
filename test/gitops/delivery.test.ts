import * as fs from 'fs';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { build } from '../../apps/community/main';
import { Delivery, GitOpsApp, SyncWave } from '../../lib';
import { SYNC_OPTIONS_ANNOTATION } from '../../lib/gitops/delivery-annotations';
import { SYNC_WAVE_ANNOTATION } from '../../lib/gitops/sync-wave';
import { synthesize } from '../../lib/pipeline-defaults';
import { find, synth, testCluster, validator } from '../_helpers';

const LIB = path.join(__dirname, '..', '..', 'lib');
const WAVE_TABLE = path.join(__dirname, 'reference-waves.txt');

function wave(m: any): number {
  return Number(m.metadata.annotations[SYNC_WAVE_ANNOTATION]);
}

describe('Delivery.of: waves, sync options and folders decided per subtree', () => {
  function stack() {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'App', { name: 'app', namespace: 'app' });
    const group = new Construct(app, 'Group');
    const a = new k8s.KubeConfigMap(group, 'A', { metadata: { name: 'a' } });
    const b = new k8s.KubeConfigMap(group, 'B', { metadata: { name: 'b' } });
    const c = new k8s.KubeConfigMap(app, 'C', { metadata: { name: 'c' } });
    return { cluster, app, group, a, b, c };
  }

  test('without a choice the kind decides; a choice on a parent applies to its whole subtree', () => {
    const s = stack();
    Delivery.of(s.group).syncWave(7, 'test');
    const r = synth(s.cluster);
    expect(wave(find(r, 'ConfigMap', 'a'))).toBe(7);
    expect(wave(find(r, 'ConfigMap', 'b'))).toBe(7);
    expect(wave(find(r, 'ConfigMap', 'c'))).toBe(SyncWave.CONFIG);
  });

  test('the nearest choice wins', () => {
    const s = stack();
    Delivery.of(s.group).syncWave(7);
    Delivery.of(s.a).syncWave(-3);
    const r = synth(s.cluster);
    expect(wave(find(r, 'ConfigMap', 'a'))).toBe(-3);
    expect(wave(find(r, 'ConfigMap', 'b'))).toBe(7);
  });

  test('sync options add up along the path, the nearest key wins, kind options are merged in', () => {
    const s = stack();
    Delivery.of(s.group).syncOptions('Prune=false', 'Replace=true');
    Delivery.of(s.a).syncOptions('Prune=true');
    const r = synth(s.cluster);
    expect(find(r, 'ConfigMap', 'a').metadata.annotations[SYNC_OPTIONS_ANNOTATION]).toBe('Prune=true,Replace=true');
    expect(find(r, 'ConfigMap', 'b').metadata.annotations[SYNC_OPTIONS_ANNOTATION]).toBe('Prune=false,Replace=true');
    expect(find(r, 'ConfigMap', 'c').metadata.annotations[SYNC_OPTIONS_ANNOTATION]).toBeUndefined();
  });

  test('a folder choice moves the subtree to another folder; the GitOpsApp folder is the default', () => {
    const s = stack();
    new GitOpsApp(s.cluster, 'Other', { name: 'other' });
    Delivery.of(s.group).folder('other');
    const r = synth(s.cluster);
    const fileOf = (name: string) => r.objects.find((o) => o.manifest.kind === 'ConfigMap' && o.manifest.metadata.name === name)!.file;
    expect(fileOf('a')).toMatch(/^test\/other\//);
    expect(fileOf('c')).toMatch(/^test\/app\//);
  });

  test.each([
    ['a wave out of range', (d: Delivery) => d.syncWave(1000), /\[App\/Group\] syncWave: 1000 must be an integer from -100 to 100/],
    ['an empty reason', (d: Delivery) => d.syncWave(1, ' '), /\[App\/Group\] syncWave\.reason: /],
    ['a sync option that is not Key=value', (d: Delivery) => d.syncOptions('Prune'), /\[App\/Group\] syncOptions\[0\]: "Prune" is not an Argo CD sync option/],
    ['a folder that is not a DNS label', (d: Delivery) => d.folder('Bad Folder'), /\[App\/Group\] folder: .* is not a DNS-1123 label/],
  ])('%s is refused with the construct path', (_name, act, message) => {
    const s = stack();
    expect(() => act(Delivery.of(s.group))).toThrow(message);
  });
});

describe('the reference stack: one home for delivery metadata', () => {
  const result = synthesize(build(), { validator: validator() });
  const all = result.objects;

  test('no construct in lib/ writes a sync-wave or sync-options annotation by hand', () => {
    const offenders: string[] = [];
    const scan = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) scan(p);
        else if (e.name.endsWith('.ts') && !/lib\/gitops\/(delivery|delivery-annotations|sync-wave)\.ts$/.test(p)) {
          const text = fs.readFileSync(p, 'utf8');
          if (/SYNC_WAVE_ANNOTATION|argocd\.argoproj\.io\/sync-(wave|options)'/.test(text)) offenders.push(path.relative(LIB, p));
        }
      }
    };
    scan(LIB);
    expect(offenders).toEqual([]);
  });

  test('every AppProject has one wave, before every Application', () => {
    const projects = all.filter((o) => o.manifest.kind === 'AppProject').map((o) => wave(o.manifest));
    const apps = all.filter((o) => o.manifest.kind === 'Application').map((o) => wave(o.manifest));
    expect(new Set(projects).size).toBe(1);
    expect(Math.max(...projects)).toBeLessThan(Math.min(...apps));
  });

  test('inside every folder, a Namespace comes before the objects in it', () => {
    const late: string[] = [];
    const nsWave = new Map<string, number>();
    for (const o of all) if (o.manifest.kind === 'Namespace') nsWave.set(`${path.dirname(o.file)}|${o.manifest.metadata.name}`, wave(o.manifest));
    for (const o of all) {
      const w = nsWave.get(`${path.dirname(o.file)}|${o.manifest.metadata.namespace}`);
      if (w !== undefined && wave(o.manifest) <= w) late.push(o.file);
    }
    expect(late).toEqual([]);
  });

  /**
   * The wave of every kind, as a table a reviewer reads in the diff of a change. Regenerate with
   * `UPDATE_WAVES=1 npx jest test/gitops/delivery.test.ts` after a deliberate change.
   */
  test('the wave table of the reference stack is the committed one (test/gitops/reference-waves.txt)', () => {
    const rows = new Map<string, Set<number>>();
    for (const o of all) {
      const m = o.manifest;
      const key = `${m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : 'core'}/${m.kind}`;
      let s = rows.get(key);
      if (!s) rows.set(key, (s = new Set()));
      s.add(wave(m));
    }
    const table = [...rows.entries()]
      .map(([k, ws]) => [k, [...ws].sort((x, y) => x - y)] as const)
      .sort((x, y) => x[1][0] - y[1][0] || x[0].localeCompare(y[0]))
      .map(([k, ws]) => `${ws.join(',').padStart(8)}  ${k}`)
      .join('\n') + '\n';
    if (process.env.UPDATE_WAVES) fs.writeFileSync(WAVE_TABLE, table);
    expect(table).toBe(fs.readFileSync(WAVE_TABLE, 'utf8'));
  });
});
