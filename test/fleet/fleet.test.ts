import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { build as buildExample } from '../../apps/fleet/main';
import { Cluster, ExternalImage, Fleet, FleetMember, FleetProps, OcpkitError, Overrides, Quantity, ReleaseTrain, Tenant, ContainerApp } from '../../lib';
import { SynthesisResult } from '../../lib/synth/synthesizer';
import { synthesize } from '../../lib/pipeline-defaults';
import { validator } from '../_helpers';

/** Like synthClosed / synth of test/_helpers, for several clusters: every check on (references too, or not). */
const synthClosed = (clusters: readonly Cluster[]) => synthesize(clusters, { validator: validator() });
const synth = (clusters: readonly Cluster[]) => synthesize(clusters, { validator: validator(), references: false });

const PLATFORM = { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12', argoCd: '2.10.18' } as const;
const REPO = 'https://git.example.org/infra/fleet.git';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-fleet-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const VERSIONS = path.join(tmp, 'versions.yaml');
fs.writeFileSync(VERSIONS, [
  'environments:',
  '  candidate: { images.web: "quay.io/example/web:2.0.0" }',
  '  stable: { images.web: "quay.io/example/web:1.9.0" }',
  '',
].join('\n'));

/** A fleet file with the given cluster lines (flow mappings). */
function fleetYaml(clusters: string[], trains = ['candidate: { revision: trains/candidate }', 'stable: { revision: trains/stable }']): string {
  return ['trains:', ...trains.map((t) => `  ${t}`), 'clusters:', ...clusters.map((c) => `  - ${c}`), ''].join('\n');
}

const site = (name: string, train: string, extra = '') => `{ name: ${name}, train: ${train}, apiUrl: "https://api.${name}.example.org:6443"${extra} }`;
const FOUR = [site('site-a', 'stable'), site('site-b', 'candidate'), site('site-c', 'stable'), site('site-d', 'candidate')];

/** One tenant running the train's web image. */
function member(cluster: Cluster, _m: FleetMember, train: ReleaseTrain): void {
  const web = new Tenant(cluster, 'Web', {
    name: 'web',
    displayName: 'Web',
    groups: { admin: ['web-admins'] },
    quota: { cpu: Quantity.parse('2'), memory: Quantity.parse('4Gi'), storage: Quantity.parse('10Gi') },
  });
  new ContainerApp(web, 'Frontend', { name: 'frontend', image: ExternalImage.parse(train.get('images.web')), memory: Quantity.parse('256Mi') });
}

function props(extra: Partial<FleetProps> = {}): FleetProps {
  return { repoUrl: REPO, platform: PLATFORM, versions: VERSIONS, member, ...extra };
}

function fleet(clusters: string[] = FOUR, trains?: string[]): Fleet {
  return Fleet.parse('fleet.yaml', fleetYaml(clusters, trains), props());
}

/** The problems of a fleet file that should be refused. */
function problemsOf(text: string, p: FleetProps = props()): string[] {
  try {
    Fleet.parse('fleet.yaml', text, p);
  } catch (e) {
    if (e instanceof OcpkitError) return e.problems.map((x) => `[${x.path}] ${x.field}: ${x.message}`);
    throw e;
  }
  throw new Error('the fleet file was accepted');
}

function appSet(result: SynthesisResult, train: string): any {
  const hit = result.objects.filter((o) => o.manifest.kind === 'ApplicationSet' && o.manifest.metadata.name === `fleet-${train}`);
  expect(hit).toHaveLength(1);
  return hit[0].manifest;
}

const elements = (a: any) => a.spec.generators[0].list.elements;

describe('fleet data errors: one line naming the entry and the field', () => {
  test.each([
    ['unknown train', [site('site-a', 'stable'), site('site-b', 'beta')], '[fleet.yaml: clusters[1] (site-b)] train: "beta" is not a train of this file; use one of "candidate", "stable"'],
    ['duplicate name', [site('site-a', 'stable'), `{ name: site-a, train: candidate, apiUrl: "https://api.other.example.org:6443" }`], '[fleet.yaml: clusters[1] (site-a)] name: "site-a" is already the name of another cluster'],
    ['duplicate API server', [site('site-a', 'stable'), `{ name: site-b, train: candidate, apiUrl: "https://api.site-a.example.org:6443" }`], '[fleet.yaml: clusters[1] (site-b)] apiUrl: "https://api.site-a.example.org:6443" is already the API server of site-a'],
    ['http URL', [`{ name: site-a, train: stable, apiUrl: "http://api.site-a.example.org:6443" }`], '[fleet.yaml: clusters[0] (site-a)] apiUrl: "http://api.site-a.example.org:6443" is not an https URL'],
    ['not a URL', [`{ name: site-a, train: stable, apiUrl: "api.site-a" }`], '[fleet.yaml: clusters[0] (site-a)] apiUrl: "api.site-a" is not an https URL'],
    ['credentials in the URL', [`{ name: site-a, train: stable, apiUrl: "https://admin:hunter2@api.site-a.example.org:6443" }`], '[fleet.yaml: clusters[0] (site-a)] apiUrl:'],
    ['non-DNS name', [`{ name: Site_A, train: stable, apiUrl: "https://api.site-a.example.org:6443" }`], '[fleet.yaml: clusters[0] (Site_A)] name: "Site_A" is not'],
    ['the hub\'s name', [site('hub', 'stable')], '[fleet.yaml: clusters[0] (hub)] name: "hub" is the hub\'s name or folder'],
    ['unknown field', [site('site-a', 'stable', ', region: eu')], '[fleet.yaml: clusters[0] (site-a)] region: unknown field; allowed fields are name, train, apiUrl, labels'],
    ['bad label value', [site('site-a', 'stable', ', labels: { region: "eu west" }')], '[fleet.yaml: clusters[0] (site-a)] labels.region: "eu west" is not a label value'],
    ['missing train', [`{ name: site-a, apiUrl: "https://api.site-a.example.org:6443" }`], '[fleet.yaml: clusters[0] (site-a)] train: is required'],
  ])('%s', (_what, clusters, expected) => {
    const problems = problemsOf(fleetYaml(clusters));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
    expect(problems[0]).not.toContain('\n');
  });

  test('a bad or shared train revision names the train', () => {
    expect(problemsOf(fleetYaml(FOUR, ['candidate: { revision: "trains/../x" }', 'stable: { revision: trains/stable }']))).toEqual([
      expect.stringContaining('[fleet.yaml] trains.candidate.revision: "trains/../x" is not a Git branch or tag name'),
    ]);
    const shared = problemsOf(fleetYaml(FOUR, ['candidate: { revision: main }', 'stable: { revision: main }']));
    expect(shared).toEqual(['[fleet.yaml] trains.stable.revision: "main" is also the revision of train candidate; every train needs its own branch or tag']);
  });

  test('a train the versions file does not pin names the versions file', () => {
    const text = fleetYaml([site('site-a', 'edge')], ['edge: { revision: trains/edge }']);
    const problems = problemsOf(text);
    expect(problems).toEqual([expect.stringMatching(/^\[versions\.yaml\] environments: has no entry for environment "edge"/)]);
  });

  test('no trains at all', () => {
    expect(problemsOf('clusters: []\n')).toEqual([expect.stringContaining('[fleet.yaml] trains: must map train names to { revision }')]);
  });

  test('every problem of the file at once', () => {
    const problems = problemsOf(fleetYaml([site('site-a', 'beta'), `{ name: site-b, train: stable, apiUrl: "ftp://x" }`]));
    expect(problems).toHaveLength(2);
  });
});

describe('the hub', () => {
  const f = fleet();
  const result = synthClosed(f.clusters());

  test('one ApplicationSet per train, one list element per member of that train, sorted by name', () => {
    const sets = result.objects.filter((o) => o.manifest.kind === 'ApplicationSet');
    expect(sets.map((o) => o.file).sort()).toEqual(['hub/fleet/applicationset.openshift-gitops.fleet-candidate.yaml', 'hub/fleet/applicationset.openshift-gitops.fleet-stable.yaml']);
    expect(elements(appSet(result, 'stable'))).toEqual([
      { cluster: 'site-a', server: 'https://api.site-a.example.org:6443', path: 'dist/site-a/bootstrap', namespace: 'openshift-gitops' },
      { cluster: 'site-c', server: 'https://api.site-c.example.org:6443', path: 'dist/site-c/bootstrap', namespace: 'openshift-gitops' },
    ]);
    expect(elements(appSet(result, 'candidate')).map((e: any) => e.cluster)).toEqual(['site-b', 'site-d']);
  });

  test('the template syncs each member\'s bootstrap folder at the train\'s revision, to its API server, and deletes nothing', () => {
    const a = appSet(result, 'stable');
    expect(a.spec.goTemplate).toBe(true);
    expect(a.spec.goTemplateOptions).toEqual(['missingkey=error']);
    expect(a.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: true });
    const t = a.spec.template;
    expect(t.metadata.name).toBe('{{.cluster}}-bootstrap');
    expect(t.metadata.finalizers).toBeUndefined();
    expect(t.spec.source).toEqual({ repoURL: REPO, targetRevision: 'trains/stable', path: '{{.path}}' });
    expect(t.spec.destination).toEqual({ server: '{{.server}}', namespace: '{{.namespace}}' });
    expect(t.spec.project).toBe('fleet');
    expect(appSet(result, 'candidate').spec.template.spec.source.targetRevision).toBe('trains/candidate');
  });

  test('the fleet project admits exactly the members\' API servers, and the hub declares their credentials', () => {
    const project = result.objects.find((o) => o.manifest.kind === 'AppProject' && o.manifest.metadata.name === 'fleet')!;
    expect(project.file).toBe('hub/fleet/appproject.openshift-gitops.fleet.yaml');
    expect(project.manifest.spec.destinations.map((d: any) => d.server)).toEqual(['a', 'b', 'c', 'd'].map((x) => `https://api.site-${x}.example.org:6443`));
    expect(project.manifest.spec.sourceRepos).toEqual([REPO]);
    const externals = yaml.load(result.files.get('hub/externals.yaml')!) as any;
    expect(JSON.stringify(externals)).toContain('cluster-site-c');
  });

  test('the hub follows the last (most conservative) train unless told otherwise', () => {
    expect(f.hub.targetRevision).toBe('trains/stable');
    expect(f.hub.outputFolder).toBe('hub');
    const g = Fleet.parse('fleet.yaml', fleetYaml(FOUR), props({ hub: { revision: 'main' } }));
    expect(g.hub.targetRevision).toBe('main');
  });

  test('ApplicationSets are checked against the 4.14 schema: a wrong field type is refused', () => {
    const g = fleet();
    Overrides.of(g.applicationSet('stable')).addOverride('/spec/generators/0/list/elements', 'site-a');
    expect(() => synth(g.clusters())).toThrow(/ApplicationSet.*fleet-stable|fleet-stable[\s\S]*elements/);
  });
});

describe('members', () => {
  const f = fleet();
  const result = synthClosed(f.clusters());

  test('every member writes to dist/<cluster>/ and follows its train', () => {
    const folders = new Set([...result.files.keys()].map((k) => k.split('/')[0]));
    expect([...folders].sort()).toEqual(['hub', 'site-a', 'site-b', 'site-c', 'site-d']);
    const a = f.cluster('site-a');
    expect([a.environment, a.targetRevision, a.outputFolder]).toEqual(['stable', 'trains/stable', 'site-a']);
    const apps = result.objects.filter((o) => o.file.startsWith('site-b/root/') && o.manifest.kind === 'Application');
    expect(apps.length).toBeGreaterThan(0);
    for (const o of apps) {
      expect(o.manifest.spec.source.targetRevision).toBe('trains/candidate');
      expect(o.manifest.spec.source.path).toMatch(/^dist\/site-b\//);
    }
  });

  test('each member gets the pins of its train', () => {
    const image = (c: string) => result.objects.find((o) => o.file.startsWith(`${c}/`) && o.manifest.kind === 'Deployment')!.manifest.spec.template.spec.containers[0].image;
    expect(image('site-a')).toBe('quay.io/example/web:1.9.0');
    expect(image('site-b')).toBe('quay.io/example/web:2.0.0');
  });

  test('the member callback sees its entry (labels included)', () => {
    const seen: FleetMember[] = [];
    Fleet.parse('fleet.yaml', fleetYaml([site('site-a', 'stable', ', labels: { region: eu }')]), props({ member: (c, m, t) => { seen.push(m); member(c, m, t); } }));
    expect(seen).toEqual([{ name: 'site-a', train: 'stable', apiUrl: 'https://api.site-a.example.org:6443', labels: { region: 'eu' } }]);
  });
});

describe('promotion', () => {
  test('moving one cluster to the next train changes exactly its generator membership, revision and pins', () => {
    const before = synthClosed(fleet().clusters());
    // site-b: candidate -> stable, nothing else changes in the file
    const after = synthClosed(fleet([site('site-a', 'stable'), site('site-b', 'stable'), site('site-c', 'stable'), site('site-d', 'candidate')]).clusters());

    expect(elements(appSet(before, 'candidate')).map((e: any) => e.cluster)).toEqual(['site-b', 'site-d']);
    expect(elements(appSet(after, 'candidate')).map((e: any) => e.cluster)).toEqual(['site-d']);
    expect(elements(appSet(after, 'stable')).map((e: any) => e.cluster)).toEqual(['site-a', 'site-b', 'site-c']);

    const changed = [...new Set([...before.files.keys(), ...after.files.keys()])].filter((f) => before.files.get(f) !== after.files.get(f)).sort();
    // Only the two ApplicationSets on the hub, and site-b's own folder.
    expect(changed.filter((f) => !f.startsWith('site-b/'))).toEqual([
      'hub/fleet/applicationset.openshift-gitops.fleet-candidate.yaml',
      'hub/fleet/applicationset.openshift-gitops.fleet-stable.yaml',
    ]);
    // site-b: revision and pins move to stable's.
    const b = (r: SynthesisResult, kind: string) => r.objects.filter((o) => o.file.startsWith('site-b/') && o.manifest.kind === kind).map((o) => o.manifest);
    expect(b(after, 'Application').every((a) => a.spec.source.targetRevision === 'trains/stable')).toBe(true);
    expect(b(before, 'Application').every((a) => a.spec.source.targetRevision === 'trains/candidate')).toBe(true);
    expect(b(after, 'Deployment')[0].spec.template.spec.containers[0].image).toBe('quay.io/example/web:1.9.0');
    expect(b(before, 'Deployment')[0].spec.template.spec.containers[0].image).toBe('quay.io/example/web:2.0.0');
  });
});

describe('apps/fleet example', () => {
  test('synthesizes as a closed world: a hub and 3+ clusters on 2 trains', () => {
    const clusters = buildExample();
    const result = synthClosed(clusters);
    const members = clusters.filter((c) => c.outputFolder !== 'hub');
    expect(members.length).toBeGreaterThanOrEqual(3);
    expect(new Set(members.map((c) => c.environment))).toEqual(new Set(['candidate', 'stable']));
    const sets = result.objects.filter((o) => o.manifest.kind === 'ApplicationSet');
    expect(sets.map((o) => elements(o.manifest).length).reduce((a, b) => a + b, 0)).toBe(members.length);
    for (const c of members) expect([...result.files.keys()].some((k) => k.startsWith(`${c.outputFolder}/`))).toBe(true);
  });
});
