import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { synthesize } from '../../lib/pipeline-defaults';
import { PROFILE_FALLBACKS, scanCrdFolder } from '../../lib/schema/catalog';
import { locateSchemas } from '../../lib/schema/locate';
import { SchemaValidator, translateGoPattern } from '../../lib/schema/validator';
import { validator } from '../_helpers';

const PLATFORM = { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' } as const;

const vm = (instancetype: Record<string, unknown>) => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachine',
  metadata: { name: 'vm', namespace: 'vms' },
  spec: { runStrategy: 'Always', instancetype: { name: 'u1.small', ...instancetype }, template: { spec: { domain: { devices: {} } } } },
});
const route = (tls: Record<string, unknown>) => ({
  apiVersion: 'route.openshift.io/v1',
  kind: 'Route',
  metadata: { name: 'r', namespace: 'n' },
  spec: { host: 'a.example.org', to: { kind: 'Service', name: 's' }, tls: { termination: 'edge', ...tls } },
});
const postgres = (hba = 'hostssl all all all scram-sha-256') => ({
  apiVersion: 'postgres-operator.crunchydata.com/v1beta1',
  kind: 'PostgresCluster',
  metadata: { name: 'db', namespace: 'forum' },
  spec: {
    postgresVersion: 16,
    authentication: { rules: [{ hba }] },
    instances: [{ name: 'pg', replicas: 2, dataVolumeClaimSpec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } }],
    backups: { pgbackrest: { repos: [{ name: 'repo1', volume: { volumeClaimSpec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } } }] } },
  },
});

describe('OpenShift 4.14 profile: fields newer than the cluster are refused', () => {
  const v414 = validator();
  const newest = new SchemaValidator();
  test.each([
    ['VirtualMachine spec.instancetype.inferFromVolumeFailurePolicy (KubeVirt > 1.0)', vm({ inferFromVolumeFailurePolicy: 'Ignore' }), '/spec/instancetype', 'inferFromVolumeFailurePolicy'],
    ['Route spec.tls.externalCertificate (Tech Preview in 4.14)', route({ externalCertificate: { name: 'cert' } }), '/spec/tls', 'externalCertificate'],
  ])('%s', (_name, obj, pointer, field) => {
    expect(newest.validate(obj)).toEqual([]);
    expect(v414.validate(obj)).toContainEqual({ pointer, message: `unknown field "${field}" (not in the schema; the API server would drop it)` });
  });

  test('the same objects without the newer field pass on 4.14', () => {
    expect(v414.validate(vm({}))).toEqual([]);
    expect(v414.validate(route({}))).toEqual([]);
  });

  test('a kind only the newest schemas have is refused with where it is and how to add a schema', () => {
    const issues = v414.validate({ ...postgres(), apiVersion: 'postgres-operator.crunchydata.com/v1' });
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toMatch(/^no schema for postgres-operator\.crunchydata\.com\/v1 PostgresCluster in the OpenShift 4\.14 profile .*only the newest shared schemas have it \(crunchy-pgo\/.*schemaDirs.*ocpkit validate --schemas DIR/);
  });

  test('Multus NetworkAttachmentDefinition falls back to the shared schemas (the profile README says so)', () => {
    const nad = { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name: 'n', namespace: 'vms' }, spec: { config: '{}' } };
    expect(v414.validate(nad)).toEqual([]);
    expect(v414.scopeOf('k8s.cni.cncf.io/v1', 'NetworkAttachmentDefinition')).toBe('Namespaced');
  });

  test('each fallback kind is read from the file the whole-folder scan picks for it, without that scan', () => {
    const shared = locateSchemas();
    const whole = scanCrdFolder(shared, { top: true }).kinds;
    for (const [key, rel] of Object.entries(PROFILE_FALLBACKS['4.14'])) {
      expect(whole.get(key)?.file).toBe(path.join(shared, ...rel.split('/')));
    }
    // the kinds the profile README names: Multus NetworkAttachmentDefinition, the techpreview/ OpenShift kinds
    expect(Object.keys(PROFILE_FALLBACKS['4.14']).sort()).toEqual(['config.openshift.io/v1alpha1/Backup', 'k8s.cni.cncf.io/v1/NetworkAttachmentDefinition', 'operator.openshift.io/v1alpha1/EtcdBackup']);
    // a fresh validator finds them from their files: the scan of the whole folder is never made
    const fresh = new SchemaValidator({ platform: '4.14' });
    const listed = jest.spyOn(require('fs') as typeof fs, 'readdirSync');
    try {
      expect(fresh.scopeOf('k8s.cni.cncf.io/v1', 'NetworkAttachmentDefinition')).toBe('Namespaced');
      expect(fresh.knows('operator.openshift.io/v1alpha1', 'EtcdBackup')).toBe(true);
      expect(fresh.validate({ apiVersion: 'config.openshift.io/v1alpha1', kind: 'Backup', metadata: { name: 'b' }, spec: { etcd: { schedule: 1 } } }).map((i) => i.pointer)).toEqual(['/spec/etcd/schedule']);
      // the scan of the whole folder lists its top folder; none was listed
      expect(listed.mock.calls.map(([dir]) => String(dir)).filter((d) => path.resolve(d) === shared)).toEqual([]);
    } finally {
      listed.mockRestore();
    }
  });

  test('a profile index is parsed once, then read back from the private data cache (no YAML parser needed)', () => {
    const { spawnSync } = require('child_process') as typeof import('child_process');
    const root = path.resolve(__dirname, '..', '..');
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-profile-cache-'));
    // a preload under which js-yaml cannot parse anything
    const noYaml = path.join(cache, 'no-yaml.js');
    fs.writeFileSync(noYaml, `const y = require(${JSON.stringify(require.resolve('js-yaml'))});\nfor (const f of ['load', 'loadAll']) y[f] = () => { throw new Error('js-yaml was asked to parse'); };\n`);
    const script = [
      "require('./bin/run-ts.js');",
      "const { profileIndex } = require('./lib/schema/catalog.ts');",
      "const { locateSchemas } = require('./lib/schema/locate.ts');",
      "const kinds = profileIndex(require('path').join(locateSchemas(), 'profiles', 'ocp-4.14'));",
      "process.stdout.write(kinds.size + ' ' + kinds.get('hco.kubevirt.io/v1beta1/HyperConverged').scope);",
    ].join('\n');
    const run = (dir: string, preload?: string) => spawnSync(process.execPath, [...(preload ? ['-r', preload] : []), '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, OCPKIT_CACHE_DIR: dir } });
    try {
      const first = run(path.join(cache, 'c'));
      expect(first.stdout).toMatch(/^\d+ Namespaced$/);
      expect(run(path.join(cache, 'c'), noYaml).stdout).toBe(first.stdout);
      const fresh = run(path.join(cache, 'fresh'), noYaml); // the preload bites when nothing is cached
      expect(fresh.status).not.toBe(0);
      expect(fresh.stderr).toContain('js-yaml was asked to parse');
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });

  test('a fallback kind whose named file is missing is found by scanning the whole folder', () => {
    // the shared schemas (linked) with Multus' CRD moved to another folder
    const shared = locateSchemas();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-moved-'));
    try {
      for (const name of fs.readdirSync(shared)) {
        if (name !== 'multus') fs.symlinkSync(path.join(shared, name), path.join(dir, name), fs.statSync(path.join(shared, name)).isDirectory() ? 'dir' : 'file');
      }
      // (the scan does not follow links: the moved CRD is a file of its own, written for the test)
      fs.mkdirSync(path.join(dir, 'elsewhere'));
      const rel = PROFILE_FALLBACKS['4.14']['k8s.cni.cncf.io/v1/NetworkAttachmentDefinition'];
      fs.writeFileSync(path.join(dir, 'elsewhere', 'nad.yaml'), fs.readFileSync(path.join(shared, ...rel.split('/'))));
      const v = new SchemaValidator({ schemasDir: dir, platform: '4.14' });
      const nad = { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name: 'n', namespace: 'vms' }, spec: { config: '{}' } };
      expect(v.validate(nad)).toEqual([]);
      expect(v.validate({ ...nad, spec: { config: 1 } })).toEqual([{ pointer: '/spec/config', message: 'must be string' }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('kinds only the profile has (HyperConverged, SealedSecret, ExternalSecret) are known; unserved versions are not', () => {
    expect(v414.knows('hco.kubevirt.io/v1beta1', 'HyperConverged')).toBe(true);
    expect(v414.knows('bitnami.com/v1alpha1', 'SealedSecret')).toBe(true);
    expect(v414.knows('external-secrets.io/v1beta1', 'ExternalSecret')).toBe(true);
    expect(v414.knows('pxc.percona.com/v1-2-0', 'PerconaXtraDBCluster')).toBe(false);
    expect(v414.scopeOf('nmstate.io/v1', 'NMState')).toBe('Cluster');
  });

  test('an unknown OpenShift version is one line listing the profiles', () => {
    expect(() => new SchemaValidator({ platform: '4.99' })).toThrow(/"4\.99" has no schema profile .*profiles available: 4\.14/);
  });
});

describe('Go patterns never crash the validator', () => {
  const v414 = validator();
  test('PostgresCluster (PGO 5.8.7: [[:print:]], (?i:...), \\pZ) compiles and validates', () => {
    expect(v414.validate(postgres())).toEqual([]);
    // [[:print:]] is ASCII 0x20-0x7E: a tab is not printable
    expect(v414.validate(postgres('host\tall'))).toContainEqual(expect.objectContaining({ pointer: '/spec/authentication/rules/0/hba' }));
    const warned = v414.warnings.filter((w) => w.file.includes('postgresclusters'));
    expect(warned.map((w) => w.action)).toEqual(expect.arrayContaining(['translated']));
    expect(warned.find((w) => w.message.includes('[[:print:]]'))).toMatchObject({ pointer: expect.stringContaining('/hba/pattern') });
  });

  test('PrometheusRule ((?i) flag) compiles; the flag becomes case alternation', () => {
    const rule = (s: string) => ({
      apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r', namespace: 'n' },
      spec: { groups: [{ name: 'g', partial_response_strategy: s, rules: [{ alert: 'A', expr: 'up == 0' }] }] },
    });
    expect(v414.validate(rule('WARN'))).toEqual([]);
    expect(v414.validate(rule('abort'))).toEqual([]);
    expect(v414.validate(rule('sideways')).map((i) => i.pointer)).toContain('/spec/groups/0/partial_response_strategy');
  });

  test.each([
    ['^[[:print:]]+$', '^[ -~]+$'],
    ['^(?i)(abort|warn)?$', '^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$'],
    ['^[^\\pZ\\pC\\pS]+$', '^[^\\p{Z}\\p{C}\\p{S}]+$'],
    ['^(?i:[a-z]+)s$', '^(?:[a-zA-Z]+)s$'],
    ['^(?P<n>a)$', '^(?<n>a)$'],
    ['(?s)a', undefined],
    ['[[:^alpha:]]', undefined],
  ])('translateGoPattern(%j) = %j', (go, js) => {
    expect(translateGoPattern(go)).toBe(js);
  });
});

describe('schema files are found by scanning, and users add their own', () => {
  test('a scan of the shared folder reads group/version/kind from the files; duplicates follow the README', () => {
    const index = scanCrdFolder(locateSchemas(), { top: true });
    expect(index.kinds.get('velero.io/v1/Schedule')?.file).toMatch(/oadp[\\/]velero-bundled[\\/]velero\.io_schedules\.yaml$/);
    expect(index.kinds.get('oadp.openshift.io/v1alpha1/DataProtectionApplication')?.file).toMatch(/cdk8s-patched/);
    expect(index.kinds.get('route.openshift.io/v1/Route')).toMatchObject({ scope: 'Namespaced' });
    expect([...index.kinds.keys()].some((k) => k.startsWith('hco.kubevirt.io'))).toBe(false); // profiles/ is not entered
  });

  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-crds-'));
    fs.writeFileSync(path.join(dir, 'widgets.yaml'), [
      'apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: { name: widgets.example.org }',
      'spec:', '  group: example.org', '  scope: Namespaced', '  names: { kind: Widget, plural: widgets, singular: widget }',
      '  versions:', '  - name: v1', '    served: true', '    storage: true', '    schema:', '      openAPIV3Schema:', '        type: object',
      '        properties:', '          spec:', '            type: object', '            properties:', '              size: { type: integer }',
      '              label: { type: string, pattern: "^[[:alpha:]]+$" }', '',
    ].join('\n'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const widget = (spec: Record<string, unknown>) => ({ apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'n' }, spec });

  test('an unknown kind fails with one line saying how to add its schema', () => {
    const issues = validator().validate(widget({ size: 1 }));
    expect(issues).toEqual([{ pointer: '', message: expect.stringMatching(/^no schema for example\.org\/v1 Widget in Kubernetes 1\.27 nor the OpenShift 4\.14 profile .*add a folder with its CustomResourceDefinition YAML: the Cluster prop `schemaDirs` \(synth\) or `ocpkit validate --schemas DIR`$/) }]);
  });

  test('a user schema folder adds the kind (extraCrds)', () => {
    const v = new SchemaValidator({ platform: '4.14', extraCrds: [dir] });
    expect(v.validate(widget({ size: 1, label: 'abc' }))).toEqual([]);
    expect(v.validate(widget({ size: 'big' })).map((i) => i.pointer)).toEqual(['/spec/size']);
    expect(v.validate(widget({ label: 'a1' })).map((i) => i.pointer)).toEqual(['/spec/label']);
  });

  test('a Cluster with schemaDirs synthesizes its in-house kind; without it the synth fails naming the object', () => {
    const make = (schemaDirs?: string[]) => {
      const cluster = new Cluster({ platform: PLATFORM, name: 'c', environment: 'e', repoUrl: 'https://git.example.org/x.git', schemaDirs });
      const app = new GitOpsApp(cluster, 'App', { name: 'app', namespace: 'n' });
      new ApiObject(app, 'W', widget({ size: 3 }));
      return cluster;
    };
    const opts = { policies: false, references: false } as const;
    expect(synthesize(make([dir]), opts).objects.some((o) => o.manifest.kind === 'Widget')).toBe(true);
    expect(() => synthesize(make(), opts)).toThrow(/\[App\/W\] no schema for example\.org\/v1 Widget .*schemaDirs/);
  });

  test('a schemaDirs entry that does not exist is refused when the Cluster is declared', () => {
    expect(() => new Cluster({ platform: PLATFORM, name: 'c', environment: 'e', repoUrl: 'https://git.example.org/x.git', schemaDirs: [path.join(dir, 'missing')] }))
      .toThrow(/schemaDirs\[0\]: .* is not a folder or file of CustomResourceDefinition YAML/);
  });
});

describe('a stack with a PostgresCluster synthesizes against the 4.14 profile', () => {
  test('PostgresCluster in a GitOpsApp', () => {
    const cluster = new Cluster({ platform: PLATFORM, name: 'c', environment: 'e', repoUrl: 'https://git.example.org/x.git' });
    const app = new GitOpsApp(cluster, 'Db', { name: 'db', namespace: 'forum' });
    const { apiVersion, kind, metadata, spec } = postgres();
    new ApiObject(app, 'Postgres', { apiVersion, kind, metadata: { name: metadata.name }, spec });
    const result = synthesize(cluster, { policies: false, references: false });
    expect(result.objects.find((o) => o.manifest.kind === 'PostgresCluster')?.file).toBe('e/db/postgrescluster.forum.db.yaml');
  });
});
