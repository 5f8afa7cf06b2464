import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk8s from 'cdk8s';
import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { transformSync } from 'esbuild';
import { build as community } from '../../apps/community/main';
import { build as tour } from '../../apps/tour/main';
import * as ocpkit from '../../lib';
import { OcpkitError } from '../../lib/core/errors';
import { Quantity } from '../../lib/core/quantity';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { Overrides, primaryObject } from '../../lib/synth/overrides';
import { walk } from '../../lib/synth/pipeline';
import { Tenant } from '../../lib/tenancy/tenant';
import { ClusterInstancetype, ClusterPreference } from '../../lib/virt/instancetype';
import { External } from '../../lib/refs/provides';
import { AcmeClusterIssuer, Dns01Solver } from '../../lib/certs/acme-cluster-issuer';
import { SecretKey } from '../../lib/core/secret-key';
import { find, synth, testCluster } from '../_helpers';
import { fixture, gitlabProps } from '../gitlab/_fixture';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The README section "When the constructs don't cover it": its ```ts examples and its ``` outputs. */
function section(): { ts: string[]; text: string[] } {
  const m = /\n### When the constructs don't cover it\n([\s\S]*?)\n##/.exec(README);
  if (!m) throw new Error('README has no section "When the constructs don\'t cover it"');
  const ts: string[] = [];
  const text: string[] = [];
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of m[1].split('\n')) {
    if (!open && line.startsWith('```')) open = { lang: line.slice(3), lines: [] };
    else if (open && line === '```') {
      (open.lang === 'ts' ? ts : text).push(open.lines.map((l) => `${l}\n`).join(''));
      open = undefined;
    } else open?.lines.push(line);
  }
  return { ts, text };
}

/**
 * Runs a README example as written: TypeScript compiled by esbuild, `import ... from 'ocpkit'`
 * bound to lib/, the free variables it uses (`forum`, `app`, `gitlabProps`) given by the test.
 */
function run(example: string, scope: Record<string, unknown>): void {
  const { code } = transformSync(example, { loader: 'ts', format: 'cjs' });
  const modules: Record<string, unknown> = { ocpkit, cdk8s };
  const req = (name: string) => {
    if (!(name in modules)) throw new Error(`README example imports ${name}, which this test does not provide`);
    return modules[name];
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'exports', 'module', ...Object.keys(scope), code)(req, {}, {}, ...Object.values(scope));
}

/** The tenant the README examples call `forum`. */
function forumTenant() {
  const cluster = testCluster();
  const forum = new Tenant(cluster, 'Forum', {
    name: 'discourse',
    displayName: 'Community forum',
    groups: { admin: ['forum-admins'] },
    quota: { cpu: Quantity.parse('8'), memory: Quantity.parse('16Gi'), storage: Quantity.parse('200Gi') },
  });
  return { cluster, forum };
}

describe('README: When the constructs don\'t cover it', () => {
  test('the section has the three examples and the typo\'s error', () => {
    const { ts, text } = section();
    expect(ts).toHaveLength(3);
    expect(ts[0]).toContain('Overrides.of(web)');
    expect(ts[1]).toContain('new Include(');
    expect(ts[2]).toContain('values:');
    expect(text).toHaveLength(1);
  });

  test('overrides: the example synthesizes, and its fields are in the Deployment', () => {
    const { cluster, forum } = forumTenant();
    run(section().ts[0], { forum });
    const d = find(synth(cluster), 'Deployment', 'web', 'discourse');
    expect(d.spec.revisionHistoryLimit).toBe(3);
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(120);
    expect(d.spec.template.spec.containers[0].args).toEqual(['--workers=4']);
    expect(d.metadata.annotations['example.org/owner']).toBe('web-team');
  });

  test('overrides: the misspelt field fails with exactly the line the README shows', () => {
    const { cluster, forum } = forumTenant();
    const { ts, text } = section();
    run(ts[0].replace('terminationGracePeriodSeconds', 'terminationGracePeriodSecond'), { forum });
    let err: unknown;
    try {
      synth(cluster);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OcpkitError);
    expect((err as Error).message.split('\n').map((l) => l.trim())).toContain(text[0].trim());
  });

  test('raw objects: the ApiObject and the included YAML land in the tenant\'s folder and namespace', () => {
    const { cluster, forum } = forumTenant();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-hatch-'));
    fs.mkdirSync(path.join(dir, 'vendor'));
    fs.writeFileSync(path.join(dir, 'vendor', 'dashboards.yaml'), [
      'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: vendor-dashboards', 'data:', '  web.json: "{}"', '---',
      'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: vendor-alerts', 'data:', '  rules.yaml: "[]"', '',
    ].join('\n'));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      run(section().ts[1], { forum });
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const result = synth(cluster);
    const pdb = find(result, 'PodDisruptionBudget', 'web', 'discourse');
    expect(pdb.spec.maxUnavailable).toBe(1);
    const files = result.objects.map((o) => o.file);
    expect(files).toEqual(expect.arrayContaining([
      'test/discourse/poddisruptionbudget.discourse.web.yaml',
      'test/discourse/configmap.discourse.vendor-dashboards.yaml',
      'test/discourse/configmap.discourse.vendor-alerts.yaml',
    ]));
  });

  test('GitLab values: merged over the typed values', () => {
    const f = fixture();
    run(section().ts[2], { app: f.app, gitlabProps: gitlabProps(f) });
    // The rendered CR (the fixture's Secrets, Gitaly disk and operator pin are other tests' matter).
    const values = ApiObject.of(f.app.node.findChild('GitLab')).toJson().spec.chart.values;
    expect(values.global.time_zone).toBe('Europe/Berlin');
    expect(values.gitlab.webservice.workerProcesses).toBe(4);
    expect(values.global.psql.host).toBe('gitlab-db-primary.databases.svc');
  });
});

/**
 * The primary object of every public construct class (what `ApiObject.of` and `Overrides.of`
 * return), by kind; `null` for the classes that render none of their own (their doc comments say
 * why). A class exported from lib/index.ts that is missing here fails the test: name its primary
 * object (`this.node.defaultChild = ...`, or a child with id `Resource`) and add it.
 */
const PRIMARY: Record<string, string | null | ((c: any) => string | null)> = {
  Cluster: null,
  RootApp: 'Application',
  GitOpsApp: 'Application',
  Tenant: 'Namespace',
  TenantQuota: 'ResourceQuota',
  TenantProject: 'AppProject',
  GroupAccess: 'RoleBinding',
  NetworkIsolation: 'NetworkPolicy',
  ContainerApp: 'Deployment',
  TrackedImageStream: 'ImageStream',
  Route: 'Route',
  AcmeClusterIssuer: 'ClusterIssuer',
  AcmeIssuer: 'Issuer',
  ArgoCdInstance: 'ArgoCD',
  HyperConverged: 'HyperConverged',
  NMStateOperand: 'NMState',
  InstallPlanApprover: 'CronJob',
  HostBridge: (b) => (b.nodes ? null : 'NodeNetworkConfigurationPolicy'), // on a NodeGroup it renders into the group's policy
  NodeGroup: 'NodeNetworkConfigurationPolicy',
  GoldenImages: 'Namespace',
  PostgresCluster: 'PostgresCluster',
  PerconaXtraDBCluster: 'PerconaXtraDBCluster',
  BridgeNetwork: 'NetworkAttachmentDefinition',
  VirtualMachine: 'VirtualMachine',
  ClusterInstancetype: 'VirtualMachineClusterInstancetype',
  ClusterPreference: 'VirtualMachineClusterPreference',
  OperatorInstall: 'Subscription',
  GitLabOperator: 'Subscription',
  GitLabRunnerOperator: 'Subscription',
  GitLab: 'GitLab',
  ExternalGitaly: null,
  GitLabLogRelay: 'Deployment',
  GitLabRunner: 'Runner',
  GitLabNetworkIsolation: 'NetworkPolicy',
  RunnerJobNamespace: 'Namespace',
  Redis: 'StatefulSet',
  BackupCoverage: null,
  BackupExemption: null,
  BackupSchedule: 'Schedule',
  BackupScheduleSet: null, // one Schedule per namespace: override each (set.schedules)
  VeleroSnapshotClass: null, // a declaration of a class the storage operator creates
  BackupStorage: (s) => (s.managedBy ? null : 'BackupStorageLocation'), // a DataProtection renders it then
  DataProtection: 'DataProtectionApplication',
  EtcdBackup: 'CronJob',
  TenantRestore: 'Restore',
  External: null, // a declaration of an object the stack does not create
  ClusterMonitoring: 'ConfigMap',
  AlertRuleSet: 'PrometheusRule',
  BackupAlerts: null, // one rule set per namespace holding backups: override each (alerts.ruleSets)
  ArgoCdAlerts: 'PrometheusRule',
  CertificateAlerts: 'PrometheusRule',
};

describe('every public construct exposes its primary object', () => {
  const exported = Object.entries(ocpkit)
    .filter(([, v]) => typeof v === 'function' && (v as any).prototype instanceof Construct)
    .map(([name, v]) => [name, v] as [string, Function]);

  // Instances of every class: the reference stack, the tour, and what neither builds.
  let instances: IConstruct[];
  beforeAll(() => {
    const cluster = testCluster('extra');
    const app = new GitOpsApp(cluster, 'VmTypes', { name: 'vm-types' });
    new ClusterInstancetype(app, 'Medium', { name: 'infra.medium', guestCpus: 2, memory: '8Gi' });
    new ClusterPreference(app, 'Linux', { name: 'infra.linux' });
    new ocpkit.GoldenImages(app, 'GoldenImages');
    const db = new GitOpsApp(cluster, 'Databases', { name: 'databases', namespace: 'db' });
    // the community stack exempts nothing since its etcd snapshots left the CephFS volume
    ocpkit.BackupExemption.exemptNamespace(db, 'db', 'a test fixture: its databases back themselves up');
    new ocpkit.PostgresCluster(db, 'Pg', { name: 'pg', namespace: 'db', postgresVersion: 16, instances: [{ storage: '5Gi' }], users: [{ name: 'app', databases: ['app'] }], withoutBackupsReason: 'a test fixture' });
    new ocpkit.PerconaXtraDBCluster(db, 'Pxc', { name: 'pxc', namespace: 'db', storage: '5Gi', withoutBackupsReason: 'a test fixture' });
    External.secret(app, 'tsig', { namespace: 'cert-manager', keys: ['secret'], providedBy: 'by-hand', note: 'TSIG key of the DNS server' });
    // a single-tenant cluster may keep one ACME ClusterIssuer (the community stack gives every namespace its own Issuer)
    new AcmeClusterIssuer(app, 'LetsEncrypt', { name: 'letsencrypt-dns', email: 'ops@example.org', dns01: Dns01Solver.rfc2136({ nameserver: 'ns1.example.org:53', tsigKeyName: 'k', tsigSecret: SecretKey.of('tsig', 'secret') }) });
    instances = [...community(), tour(), cluster].flatMap((root) => walk(root));
  });

  test('every exported construct class is in the table', () => {
    expect(exported.length).toBeGreaterThan(20);
    const missing = exported.map(([name]) => name).filter((n) => !(n in PRIMARY));
    expect(missing).toEqual([]);
  });

  test.each(Object.keys(PRIMARY))('%s', (name) => {
    const cls = (ocpkit as any)[name];
    expect(typeof cls).toBe('function');
    const mine = instances.filter((c) => Object.getPrototypeOf(c).constructor === cls);
    expect(mine.length).toBeGreaterThan(0);
    for (const c of mine) {
      const entry = PRIMARY[name];
      const kind = typeof entry === 'function' ? entry(c) : entry;
      if (kind === null) {
        expect(() => ApiObject.of(c)).toThrow();
        let err: unknown;
        try {
          Overrides.of(c);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(OcpkitError);
        expect((err as OcpkitError).problems).toEqual([expect.objectContaining({ path: c.node.path || '/', message: expect.stringMatching(new RegExp(`^${name} has no primary object to override; `)) })]);
        continue;
      }
      const obj = ApiObject.of(c);
      expect(obj.kind).toBe(kind);
      expect(c.node.findAll()).toContain(obj); // its own object, not another construct's
      expect(primaryObject(c)).toBe(obj);
      expect(Overrides.of(c).target).toBe(obj);
    }
  });
});
