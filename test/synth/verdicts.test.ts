import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { OcpkitError } from '../../lib/core/errors';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { defaultPipeline } from '../../lib/pipeline-defaults';
import { SchemaValidator } from '../../lib/schema/validator';
import { runPipeline, SynthesisResult } from '../../lib/synth/synthesizer';
import { checkPolicies } from '../../lib/policy/check-policies';
import { noteScan, VerdictStore } from '../../lib/synth/_verdicts';
import { testCluster, validator } from '../_helpers';

const ROOT = path.join(__dirname, '..', '..');
const SHARED = path.join(ROOT, '..', 'shared', 'crds');

function tmp(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ocpkit-verdicts-${name}-`));
}

/** A small cluster with one app of ConfigMaps (values as given) and optionally an Application with Helm values. */
function stack(values: Record<string, string>, helmValues?: string) {
  const cluster = testCluster();
  const app = new GitOpsApp(cluster, 'Tools', { name: 'tools', namespace: 'tools' });
  for (const [name, value] of Object.entries(values)) {
    new ApiObject(app, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value } });
  }
  if (helmValues !== undefined) {
    new ApiObject(app, 'Chart', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'chart', namespace: 'tools' },
      spec: { project: 'platform', destination: { server: 'https://kubernetes.default.svc', namespace: 'tools' }, source: { repoURL: 'https://charts.example.org', chart: 'x', targetRevision: '1.0.0', helm: { values: helmValues } } },
    });
  }
  return cluster;
}

/** Synthesizes with a verdict store in `file`; counts the schema checks made. */
function run(cluster: ReturnType<typeof testCluster>, file: string, v: SchemaValidator = validator()): { result?: SynthesisResult; error?: OcpkitError; validated: number } {
  const spy = jest.spyOn(SchemaValidator.prototype, 'validate');
  try {
    const result = runPipeline(cluster, { ...defaultPipeline({ validator: v, references: false }), verdicts: new VerdictStore(file) });
    return { result, validated: spy.mock.calls.length };
  } catch (e) {
    if (!(e instanceof OcpkitError)) throw e;
    return { error: e, validated: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

const records = (file: string) => (fs.existsSync(file) ? (fs.statSync(file).size - 42) / 17 : 0);

describe('verdicts kept between runs (lib/synth/_verdicts)', () => {
  test('a second run of the same stack writes the same files without checking its manifests again', () => {
    const file = path.join(tmp('same'), 'store.verdicts.bin');
    const first = run(stack({ a: 'one', b: 'two' }), file);
    expect(first.validated).toBeGreaterThan(5);
    expect(records(file)).toBe(first.validated);
    const second = run(stack({ a: 'one', b: 'two' }), file);
    expect(second.validated).toBe(0);
    expect([...second.result!.files]).toEqual([...first.result!.files]);
  });

  test('a changed object is checked again, and only it', () => {
    const file = path.join(tmp('changed'), 'store.verdicts.bin');
    run(stack({ a: 'one', b: 'two' }), file);
    const again = run(stack({ a: 'one', b: 'three' }), file);
    expect(again.validated).toBe(1);
    expect(again.result!.files.get(again.result!.objects.find((o) => o.manifest.metadata.name === 'b')!.file)).toContain('value: three');
  });

  test('a manifest with a secret is never recorded: every run finds it', () => {
    const file = path.join(tmp('secret'), 'store.verdicts.bin');
    const secret = 'postgres://app:s3cretPassw0rd@db.example.org/app';
    for (let i = 0; i < 2; i++) {
      const r = run(stack({ a: 'one', dsn: secret }), file);
      expect(r.error?.problems.filter((p) => p.message.startsWith('policy no-literal-secrets:')).map((p) => p.path)).toEqual(['Tools/dsn']);
    }
  });

  test('a recorded text is not scanned again (the store is trusted as the code cache is: private to the user)', () => {
    const file = path.join(tmp('forged'), 'store.verdicts.bin');
    const secret = 'postgres://app:s3cretPassw0rd@db.example.org/app';
    // record the secret's ConfigMap as clean by hand, as no run would
    const first = run(stack({ dsn: secret }), file);
    expect(first.error).toBeDefined();
    const cm = first.error!.problems.find((p) => p.path === 'Tools/dsn');
    expect(cm).toBeDefined();
    const forged = new VerdictStore(file);
    expect(forged.open()).toBe(true);
    const m = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dsn', namespace: 'tools' }, data: { value: secret } };
    const seen = runPipeline(stack({ dsn: secret }), { ...defaultPipeline({ validator: validator(), references: false, policies: false }) });
    const text = seen.files.get(seen.objects.find((o) => o.manifest.metadata.name === 'dsn')!.file)!;
    forged.lookup(m, validator().identity()!, text);
    forged.schemaClean(m);
    noteScan(m, 0, false);
    forged.save();
    expect(run(stack({ dsn: secret }), file).error?.problems.some((p) => p.path === 'Tools/dsn')).toBeFalsy();
  });

  test('what the host-access walk may find is kept with the verdict: host access in Helm values fails every run', () => {
    const file = path.join(tmp('host'), 'store.verdicts.bin');
    for (let i = 0; i < 2; i++) {
      const r = run(stack({ a: 'one' }, 'hostNetwork: true\n'), file);
      expect(r.error?.problems.filter((p) => p.message.startsWith('policy no-host-access:')).map((p) => [p.path, p.field])).toEqual([['Tools/Chart', '/spec/source/helm/values']]);
      if (i === 1) expect(r.validated).toBe(0);
    }
  });

  test('a change to a schema file makes every manifest of that schema set checked again', () => {
    const file = path.join(tmp('schemas'), 'store.verdicts.bin');
    const crds = tmp('crds');
    fs.copyFileSync(path.join(SHARED, 'multus', 'k8s.cni.cncf.io_network-attachment-definitions.yaml'), path.join(crds, 'nad.yaml'));
    const v1 = new SchemaValidator({ platform: '4.14', extraCrds: [crds] });
    const first = run(stack({ a: 'one' }), file, v1);
    expect(run(stack({ a: 'one' }), file, new SchemaValidator({ platform: '4.14', extraCrds: [crds] })).validated).toBe(0);
    fs.appendFileSync(path.join(crds, 'nad.yaml'), '\n# edited\n');
    expect(run(stack({ a: 'one' }), file, new SchemaValidator({ platform: '4.14', extraCrds: [crds] })).validated).toBe(first.validated);
  });

  test('a schema file deep in a folder, or behind a folder link, is part of the identity: editing it checks everything again', () => {
    const file = path.join(tmp('deep'), 'store.verdicts.bin');
    const crds = tmp('crds-deep');
    const deep = path.join(crds, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i');
    fs.mkdirSync(deep, { recursive: true });
    fs.copyFileSync(path.join(SHARED, 'multus', 'k8s.cni.cncf.io_network-attachment-definitions.yaml'), path.join(deep, 'nad.yaml'));
    const linked = tmp('crds-linked');
    fs.symlinkSync(path.join(crds, 'a'), path.join(linked, 'a'));
    for (const dir of [crds, linked]) {
      const v = () => new SchemaValidator({ platform: '4.14', extraCrds: [dir] });
      const first = run(stack({ a: 'one' }), file, v());
      expect(run(stack({ a: 'one' }), file, v()).validated).toBe(0);
      fs.appendFileSync(path.join(deep, 'nad.yaml'), '\n# edited\n');
      expect(run(stack({ a: 'one' }), file, v()).validated).toBe(first.validated);
    }
  });

  test('a subclass of SchemaValidator (rules of its own) is never skipped', () => {
    class TeamLabels extends SchemaValidator {
      public override validate(obj: any) {
        const issues = super.validate(obj);
        return obj.metadata?.labels?.team ? issues : [...issues, { pointer: '/metadata/labels', message: 'needs a team label' }];
      }
    }
    const file = path.join(tmp('subclass'), 'store.verdicts.bin');
    expect(run(stack({ a: 'one' }), file).error).toBeUndefined();
    const r = run(stack({ a: 'one' }), file, new TeamLabels({ platform: '4.14' }));
    expect(r.error?.problems.some((p) => p.message.startsWith('needs a team label'))).toBe(true);
  });

  test('a member set to undefined is not the same manifest as one without it: the schema still sees it', () => {
    const file = path.join(tmp('undefined'), 'store.verdicts.bin');
    expect(run(stack({ a: 'one' }), file).error).toBeUndefined();
    const cluster = stack({ a: 'one' });
    const spy = jest.spyOn(SchemaValidator.prototype, 'validate');
    try {
      const pipeline = defaultPipeline({ validator: validator(), references: false, transforms: [{ id: 'owner', transform: (m) => (m.kind === 'ConfigMap' ? { ...m, owner: undefined } : m) }] });
      expect(() => runPipeline(cluster, { ...pipeline, verdicts: new VerdictStore(file) })).toThrow(/owner/);
    } finally {
      spy.mockRestore();
    }
  });

  test('what is written is the same with the store on or off (even with a check that, against its contract, changes manifests)', () => {
    const file = path.join(tmp('mutating'), 'store.verdicts.bin');
    const labelling = { id: 'label-everything', check(objs: readonly { manifest: any }[]) { for (const o of objs) (o.manifest.metadata.labels ??= {}).checked = 'yes'; return []; } };
    const texts = (verdicts: boolean) => [...runPipeline(stack({ a: 'one' }), { ...defaultPipeline({ validator: validator(), references: false, checks: [labelling] }), verdicts: verdicts ? new VerdictStore(file) : undefined }).files.values()].join('');
    const off = texts(false);
    expect(off).toContain('checked: ');
    expect(texts(true)).toBe(off);
    expect(texts(true)).toBe(off);
  });

  test('after the synth, its verdicts no longer apply: a manifest changed later is scanned', () => {
    const file = path.join(tmp('after'), 'store.verdicts.bin');
    run(stack({ a: 'one' }), file);
    const r = run(stack({ a: 'one' }), file).result!;
    const o = r.objects.find((x) => x.manifest.kind === 'ConfigMap' && x.manifest.metadata.name === 'a')!;
    o.manifest.metadata.annotations = { note: 'postgres://app:s3cretPassw0rd@db.example.org/app' };
    expect(checkPolicies([{ manifest: o.manifest, path: o.path, group: 'test' }]).map((p) => p.message)).toEqual([expect.stringMatching(/^policy no-literal-secrets: holds a URL with a password/)]);
  });

  test('a store serves one synth: a pipeline run twice checks everything the second time', () => {
    const file = path.join(tmp('twice'), 'store.verdicts.bin');
    run(stack({ a: 'one' }), file);
    const pipeline = { ...defaultPipeline({ validator: validator(), references: false }), verdicts: new VerdictStore(file) };
    const spy = jest.spyOn(SchemaValidator.prototype, 'validate');
    try {
      runPipeline(stack({ a: 'one' }), pipeline);
      expect(spy).not.toHaveBeenCalled();
      runPipeline(stack({ a: 'one' }), pipeline);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  test('a damaged store is ignored: everything is checked', () => {
    const file = path.join(tmp('damaged'), 'store.verdicts.bin');
    const first = run(stack({ a: 'one' }), file);
    const data = fs.readFileSync(file);
    data[data.length - 1] ^= 0xff;
    fs.writeFileSync(file, data, { mode: 0o600 });
    expect(run(stack({ a: 'one' }), file).validated).toBe(first.validated);
  });

  test('ocpkit synth keeps a store per code version in the private cache; OCPKIT_VERDICT_CACHE=off keeps none', () => {
    const dir = tmp('cli');
    const stackFile = path.join(ROOT, 'apps', 'tour', 'main.ts');
    const synth = (cache: string, out: string, env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [path.join(ROOT, 'bin', 'ocpkit.js'), 'synth', stackFile, '--out', out, '--no-typecheck'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, OCPKIT_CACHE_DIR: cache, ...env } });
    const cache = path.join(dir, 'cache');
    for (const out of ['a', 'b']) expect(synth(cache, path.join(dir, out)).status).toBe(0);
    const stores = fs.readdirSync(path.join(cache, 'verdicts')).filter((f) => f.endsWith('.verdicts.bin'));
    expect(stores).toHaveLength(1);
    const read = (d: string) => Object.fromEntries((fs.readdirSync(d, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml')).map((f) => [f, fs.readFileSync(path.join(d, f), 'utf8')]));
    expect(read(path.join(dir, 'b'))).toEqual(read(path.join(dir, 'a')));
    const off = path.join(dir, 'cache-off');
    expect(synth(off, path.join(dir, 'c'), { OCPKIT_VERDICT_CACHE: 'off' }).status).toBe(0);
    expect(fs.existsSync(path.join(off, 'verdicts'))).toBe(false);
  });
});
