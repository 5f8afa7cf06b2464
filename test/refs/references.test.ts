import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as yaml from 'js-yaml';
import { OcpkitError } from '../../lib/core/errors';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { synthesize } from '../../lib/pipeline-defaults';
import { External, Provides } from '../../lib/refs/provides';
import { RefKind } from '../../lib/refs/model';
import { problemsOf, testCluster } from '../_helpers';

const NS = 'app-ns';

/** A raw object (so the test covers what the scanner reads from manifests, not typed props). */
function raw(scope: Construct, id: string, apiVersion: string, kind: string, name: string, namespace: string | undefined, body: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): ApiObject {
  return new ApiObject(scope, id, { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), ...metadata }, ...body });
}

const pod = (spec: Record<string, unknown>, annotations?: Record<string, string>) => ({
  spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' }, ...(annotations ? { annotations } : {}) }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } } },
});

const vm = (template: Record<string, unknown>, dataVolumeTemplates?: unknown[]) => ({
  spec: { runStrategy: 'Always', ...(dataVolumeTemplates ? { dataVolumeTemplates } : {}), template: { spec: { domain: { devices: {} }, ...template } } },
});

/** One reference kind: who refers, the object referred to, and what the message must name. */
interface Case {
  readonly name: string;
  readonly kind: RefKind;
  readonly namespace?: string;
  readonly target: string;
  readonly keys?: readonly string[];
  /** Adds the referring object. */
  refer(app: GitOpsApp): void;
  /** Adds the referred object to the stack. */
  create(app: GitOpsApp): void;
  /** JSON pointer of the referring field. */
  readonly field: string;
  /** Construct path of the referring object. */
  readonly path: string;
}

const CASES: readonly Case[] = [
  {
    name: 'Secret key (env secretKeyRef)', kind: 'Secret', namespace: NS, target: 'db', keys: ['password'], path: 'App/Ref', field: '/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/name',
    refer: (a) => raw(a, 'Ref', 'apps/v1', 'Deployment', 'web', NS, pod({ containers: [{ name: 'c', image: 'x', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] }] })),
    create: (a) => raw(a, 'Target', 'v1', 'Secret', 'db', NS, { data: { password: 'cGFzcw==' } }),
  },
  {
    name: 'ConfigMap key (volume items)', kind: 'ConfigMap', namespace: NS, target: 'conf', keys: ['app.ini'], path: 'App/Ref', field: '/spec/template/spec/volumes/0/configMap/name',
    refer: (a) => raw(a, 'Ref', 'apps/v1', 'Deployment', 'web', NS, pod({ volumes: [{ name: 'v', configMap: { name: 'conf', items: [{ key: 'app.ini', path: 'app.ini' }] } }] })),
    create: (a) => raw(a, 'Target', 'v1', 'ConfigMap', 'conf', NS, { data: { 'app.ini': 'x' } }),
  },
  {
    name: 'PersistentVolumeClaim (pod volume)', kind: 'PersistentVolumeClaim', namespace: NS, target: 'data', path: 'App/Ref', field: '/spec/template/spec/volumes/0/persistentVolumeClaim/claimName',
    refer: (a) => raw(a, 'Ref', 'apps/v1', 'StatefulSet', 'db', NS, pod({ volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] })),
    create: (a) => raw(a, 'Target', 'v1', 'PersistentVolumeClaim', 'data', NS, { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }),
  },
  {
    name: 'DataVolume (VM volume)', kind: 'DataVolume', namespace: NS, target: 'disk', path: 'App/Ref', field: '/spec/template/spec/volumes/0/dataVolume/name',
    refer: (a) => raw(a, 'Ref', 'kubevirt.io/v1', 'VirtualMachine', 'vm', NS, vm({ volumes: [{ name: 'root', dataVolume: { name: 'disk' } }] })),
    create: (a) => raw(a, 'Target', 'cdi.kubevirt.io/v1beta1', 'DataVolume', 'disk', NS, { spec: { source: { blank: {} }, storage: {} } }),
  },
  {
    // in the namespace every namespace may clone from (OpenShift Virtualization's boot sources), so no clone RBAC is needed
    name: 'DataSource (dataVolumeTemplates sourceRef)', kind: 'DataSource', namespace: 'openshift-virtualization-os-images', target: 'rhel9', path: 'App/Ref', field: '/spec/dataVolumeTemplates/0/spec/sourceRef/name',
    refer: (a) => raw(a, 'Ref', 'kubevirt.io/v1', 'VirtualMachine', 'vm', NS, vm({}, [{ metadata: { name: 'root' }, spec: { sourceRef: { kind: 'DataSource', namespace: 'openshift-virtualization-os-images', name: 'rhel9' }, storage: {} } }])),
    create: (a) => {
      raw(a, 'Target', 'cdi.kubevirt.io/v1beta1', 'DataSource', 'rhel9', 'openshift-virtualization-os-images', { spec: { source: {} } });
      External.namespace(a, 'openshift-virtualization-os-images', { providedBy: 'pre-existing', note: 'OpenShift Virtualization' });
    },
  },
  {
    name: 'ServiceAccount (serviceAccountName)', kind: 'ServiceAccount', namespace: NS, target: 'runner', path: 'App/Ref', field: '/spec/jobTemplate/spec/template/spec/serviceAccountName',
    refer: (a) => raw(a, 'Ref', 'batch/v1', 'CronJob', 'job', NS, { spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: { serviceAccountName: 'runner', containers: [{ name: 'c', image: 'x' }] } } } } } }),
    create: (a) => raw(a, 'Target', 'v1', 'ServiceAccount', 'runner', NS),
  },
  {
    name: 'Service (Route spec.to)', kind: 'Service', namespace: NS, target: 'web', path: 'App/Ref', field: '/spec/to/name',
    refer: (a) => raw(a, 'Ref', 'route.openshift.io/v1', 'Route', 'web', NS, { spec: { to: { kind: 'Service', name: 'web' } } }),
    create: (a) => raw(a, 'Target', 'v1', 'Service', 'web', NS, { spec: { ports: [{ port: 80 }] } }),
  },
  {
    name: 'NetworkAttachmentDefinition (VM multus ns/name)', kind: 'NetworkAttachmentDefinition', namespace: 'nets', target: 'public', path: 'App/Ref', field: '/spec/template/spec/networks/0/multus/networkName',
    refer: (a) => raw(a, 'Ref', 'kubevirt.io/v1', 'VirtualMachine', 'vm', NS, vm({ networks: [{ name: 'n', multus: { networkName: 'nets/public' } }] })),
    create: (a) => raw(a, 'Target', 'k8s.cni.cncf.io/v1', 'NetworkAttachmentDefinition', 'public', 'nets', { spec: { config: '{}' } }),
  },
  {
    name: 'NetworkAttachmentDefinition (pod annotation)', kind: 'NetworkAttachmentDefinition', namespace: NS, target: 'storage-net', path: 'App/Ref', field: '/spec/template/metadata/annotations/k8s.v1.cni.cncf.io~1networks',
    refer: (a) => raw(a, 'Ref', 'apps/v1', 'Deployment', 'web', NS, pod({}, { 'k8s.v1.cni.cncf.io/networks': 'storage-net@eth1' })),
    create: (a) => raw(a, 'Target', 'k8s.cni.cncf.io/v1', 'NetworkAttachmentDefinition', 'storage-net', NS, { spec: { config: '{}' } }),
  },
  {
    name: 'ClusterIssuer (Route annotations)', kind: 'ClusterIssuer', target: 'letsencrypt', path: 'App/Ref', field: '/metadata/annotations/cert-manager.io~1issuer-name',
    refer: (a) => {
      raw(a, 'Ref', 'route.openshift.io/v1', 'Route', 'web', NS, { spec: { to: { kind: 'Service', name: 'web' } } }, { annotations: { 'cert-manager.io/issuer-name': 'letsencrypt', 'cert-manager.io/issuer-kind': 'ClusterIssuer' } });
      raw(a, 'RefService', 'v1', 'Service', 'web', NS, { spec: { ports: [{ port: 80 }] } });
    },
    create: (a) => raw(a, 'Target', 'cert-manager.io/v1', 'ClusterIssuer', 'letsencrypt', undefined, { spec: { selfSigned: {} } }),
  },
  {
    name: 'Issuer (Certificate issuerRef)', kind: 'Issuer', namespace: NS, target: 'ca', path: 'App/Ref', field: '/spec/issuerRef/name',
    refer: (a) => raw(a, 'Ref', 'cert-manager.io/v1', 'Certificate', 'cert', NS, { spec: { secretName: 'cert-tls', issuerRef: { name: 'ca' } } }),
    create: (a) => raw(a, 'Target', 'cert-manager.io/v1', 'Issuer', 'ca', NS, { spec: { selfSigned: {} } }),
  },
  {
    name: 'Secret of a ClusterIssuer (cluster resource namespace)', kind: 'Secret', namespace: 'cert-manager', target: 'tsig', keys: ['key'], path: 'App/Ref', field: '/spec/acme/solvers/0/dns01/rfc2136/tsigSecretSecretRef/name',
    refer: (a) => raw(a, 'Ref', 'cert-manager.io/v1', 'ClusterIssuer', 'le', undefined, { spec: { acme: { server: 'https://acme', privateKeySecretRef: { name: 'le-account' }, solvers: [{ dns01: { rfc2136: { nameserver: 'ns', tsigSecretSecretRef: { name: 'tsig', key: 'key' } } } }] } } }),
    create: (a) => {
      raw(a, 'Target', 'v1', 'Secret', 'tsig', 'cert-manager', { data: { key: 'eA==' } });
      raw(a, 'TargetNs', 'v1', 'Namespace', 'cert-manager', undefined);
    },
  },
  {
    name: 'Secret key of GitLab chart values', kind: 'Secret', namespace: NS, target: 'redis-auth', keys: ['password'], path: 'App/Ref', field: '/spec/chart/values/global/redis/auth/secret',
    refer: (a) => raw(a, 'Ref', 'apps.gitlab.com/v1beta1', 'GitLab', 'gitlab', NS, { spec: { chart: { version: '7.5.2', values: { global: { redis: { host: 'redis', auth: { enabled: true, secret: 'redis-auth', key: 'password' } } } } } } }),
    create: (a) => raw(a, 'Target', 'v1', 'Secret', 'redis-auth', NS, { data: { password: 'eA==' } }),
  },
  {
    name: 'Service named by a GitLab host (.svc)', kind: 'Service', namespace: NS, target: 'db-primary', path: 'App/Ref', field: '/spec/chart/values/global/psql/host',
    refer: (a) => raw(a, 'Ref', 'apps.gitlab.com/v1beta1', 'GitLab', 'gitlab', NS, { spec: { chart: { version: '7.5.2', values: { global: { psql: { host: `db-primary.${NS}.svc` } } } } } }),
    create: (a) => raw(a, 'Target', 'v1', 'Service', 'db-primary', NS, { spec: { ports: [{ port: 5432 }] } }),
  },
  {
    name: 'Secret of a Runner (spec.token)', kind: 'Secret', namespace: NS, target: 'runner-token', path: 'App/Ref', field: '/spec/token',
    refer: (a) => raw(a, 'Ref', 'apps.gitlab.com/v1beta2', 'Runner', 'r', NS, { spec: { gitlabUrl: 'https://gitlab', token: 'runner-token' } }),
    create: (a) => raw(a, 'Target', 'v1', 'Secret', 'runner-token', NS, { data: { 'runner-token': 'eA==' } }),
  },
  {
    name: 'Secret of a PostgresCluster (pgBackRest configuration projection)', kind: 'Secret', namespace: NS, target: 'db-pgbackrest', keys: ['s3.conf'], path: 'App/Ref', field: '/spec/backups/pgbackrest/configuration/0/secret/name',
    refer: (a) => raw(a, 'Ref', 'postgres-operator.crunchydata.com/v1beta1', 'PostgresCluster', 'db', NS, { spec: { postgresVersion: 16, instances: [], backups: { pgbackrest: { configuration: [{ secret: { name: 'db-pgbackrest', items: [{ key: 's3.conf', path: 's3.conf' }] } }], repos: [] } } } }),
    create: (a) => raw(a, 'Target', 'v1', 'Secret', 'db-pgbackrest', NS, { data: { 's3.conf': 'eA==' } }),
  },
  {
    name: 'ConfigMap of a PostgresCluster (pgBackRest CA projection)', kind: 'ConfigMap', namespace: NS, target: 'freeipa-ca', keys: ['ca.crt'], path: 'App/Ref', field: '/spec/backups/pgbackrest/configuration/1/configMap/name',
    refer: (a) => raw(a, 'Ref', 'postgres-operator.crunchydata.com/v1beta1', 'PostgresCluster', 'db', NS, { spec: { postgresVersion: 16, instances: [], backups: { pgbackrest: { configuration: [{ secret: { name: 'x', optional: true } }, { configMap: { name: 'freeipa-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }], repos: [] } } } }),
    create: (a) => raw(a, 'Target', 'v1', 'ConfigMap', 'freeipa-ca', NS, { data: { 'ca.crt': 'x' } }),
  },
  {
    name: 'ConfigMap of a PostgresCluster (databaseInitSQL)', kind: 'ConfigMap', namespace: NS, target: 'db-init', keys: ['init.sql'], path: 'App/Ref', field: '/spec/databaseInitSQL/name',
    refer: (a) => raw(a, 'Ref', 'postgres-operator.crunchydata.com/v1beta1', 'PostgresCluster', 'db', NS, { spec: { postgresVersion: 16, instances: [], databaseInitSQL: { name: 'db-init', key: 'init.sql' } } }),
    create: (a) => raw(a, 'Target', 'v1', 'ConfigMap', 'db-init', NS, { data: { 'init.sql': 'x' } }),
  },
  {
    name: 'Secret of a PostgresCluster (customTLSSecret)', kind: 'Secret', namespace: NS, target: 'db-tls', path: 'App/Ref', field: '/spec/customTLSSecret/0/secret/name',
    refer: (a) => raw(a, 'Ref', 'postgres-operator.crunchydata.com/v1beta1', 'PostgresCluster', 'db', NS, { spec: { postgresVersion: 16, instances: [], customTLSSecret: { name: 'db-tls' } } }),
    create: (a) => raw(a, 'Target', 'v1', 'Secret', 'db-tls', NS, { data: { 'tls.crt': 'eA==' } }),
  },
  {
    name: 'ConfigMap of GitLab chart values (customCAs)', kind: 'ConfigMap', namespace: NS, target: 'freeipa-ca', keys: ['ca.crt'], path: 'App/Ref', field: '/spec/chart/values/global/certificates/customCAs/0/configMap',
    refer: (a) => raw(a, 'Ref', 'apps.gitlab.com/v1beta1', 'GitLab', 'gitlab', NS, { spec: { chart: { version: '9.11.4', values: { global: { certificates: { customCAs: [{ configMap: 'freeipa-ca', keys: ['ca.crt'] }] } } } } } }),
    create: (a) => raw(a, 'Target', 'v1', 'ConfigMap', 'freeipa-ca', NS, { data: { 'ca.crt': 'x' } }),
  },
  {
    name: 'ConfigMap of a Runner (spec.env)', kind: 'ConfigMap', namespace: NS, target: 'runner-env', path: 'App/Ref', field: '/spec/env',
    refer: (a) => { raw(a, 'Ref', 'apps.gitlab.com/v1beta2', 'Runner', 'r', NS, { spec: { gitlabUrl: 'https://gitlab', token: 'x', env: 'runner-env' } }); raw(a, 'Token', 'v1', 'Secret', 'x', NS, { data: {} }); },
    create: (a) => raw(a, 'Target', 'v1', 'ConfigMap', 'runner-env', NS, { data: {} }),
  },
  {
    name: 'Secret key of a DataProtectionApplication', kind: 'Secret', namespace: NS, target: 'cloud-credentials', keys: ['cloud'], path: 'App/Ref', field: '/spec/backupLocations/0/velero/credential/name',
    refer: (a) => raw(a, 'Ref', 'oadp.openshift.io/v1alpha1', 'DataProtectionApplication', 'velero', NS, { spec: { backupLocations: [{ velero: { provider: 'aws', credential: { name: 'cloud-credentials', key: 'cloud' } } }] } }),
    create: (a) => raw(a, 'Target', 'v1', 'Secret', 'cloud-credentials', NS, { data: { cloud: 'eA==' } }),
  },
  {
    name: 'AppProject (Application spec.project)', kind: 'AppProject', namespace: 'openshift-gitops', target: 'team', path: 'App/Ref', field: '/spec/project',
    refer: (a) => raw(a, 'Ref', 'argoproj.io/v1alpha1', 'Application', 'app', 'openshift-gitops', { spec: { project: 'team', destination: { server: 'https://kubernetes.default.svc', namespace: NS }, source: { repoURL: 'https://git', path: 'x' } } }),
    create: (a) => raw(a, 'Target', 'argoproj.io/v1alpha1', 'AppProject', 'team', 'openshift-gitops', { spec: {} }),
  },
  {
    name: 'CatalogSource (Subscription source)', kind: 'CatalogSource', namespace: 'openshift-marketplace', target: 'mirror', path: 'App/Ref', field: '/spec/source',
    refer: (a) => raw(a, 'Ref', 'operators.coreos.com/v1alpha1', 'Subscription', 'op', NS, { spec: { name: 'op', channel: 'stable', source: 'mirror', sourceNamespace: 'openshift-marketplace' } }),
    create: (a) => raw(a, 'Target', 'operators.coreos.com/v1alpha1', 'CatalogSource', 'mirror', 'openshift-marketplace', { spec: { sourceType: 'grpc', image: 'x' } }),
  },
  {
    name: 'Namespace (of a namespaced object)', kind: 'Namespace', target: 'elsewhere', path: 'App/Ref', field: '/metadata/namespace',
    refer: (a) => raw(a, 'Ref', 'v1', 'ConfigMap', 'c', 'elsewhere', { data: {} }),
    create: (a) => raw(a, 'Target', 'v1', 'Namespace', 'elsewhere', undefined),
  },
  {
    name: 'ClusterRole (RoleBinding roleRef)', kind: 'ClusterRole', target: 'custom', path: 'App/Ref', field: '/roleRef/name',
    refer: (a) => raw(a, 'Ref', 'rbac.authorization.k8s.io/v1', 'RoleBinding', 'rb', NS, { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'custom' }, subjects: [{ kind: 'Group', name: 'g', apiGroup: 'rbac.authorization.k8s.io' }] }),
    create: (a) => raw(a, 'Target', 'rbac.authorization.k8s.io/v1', 'ClusterRole', 'custom', undefined, { rules: [] }),
  },
  {
    name: 'Role (RoleBinding roleRef)', kind: 'Role', namespace: NS, target: 'reader', path: 'App/Ref', field: '/roleRef/name',
    refer: (a) => raw(a, 'Ref', 'rbac.authorization.k8s.io/v1', 'RoleBinding', 'rb', NS, { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' }, subjects: [{ kind: 'Group', name: 'g', apiGroup: 'rbac.authorization.k8s.io' }] }),
    create: (a) => raw(a, 'Target', 'rbac.authorization.k8s.io/v1', 'Role', 'reader', NS, { rules: [] }),
  },
];

type Mode = 'resolved' | 'provided' | 'external' | 'dangling';

/** A cluster with one app (namespace app-ns, plus namespaces images and nets) and the case in one mode. */
function build(c: Case, mode: Mode) {
  const cluster = testCluster();
  const app = new GitOpsApp(cluster, 'App', { name: 'app', namespace: NS });
  for (const n of [NS, 'images', 'nets']) raw(app, `Ns-${n}`, 'v1', 'Namespace', n, undefined);
  c.refer(app);
  if (mode === 'resolved') c.create(app);
  if (mode === 'provided') {
    Provides.of(app).object(c.kind, c.namespace, c.target, { by: 'Test Operator', keys: c.keys });
    if (c.namespace === 'cert-manager') Provides.of(app).namespace('cert-manager', { by: 'Test Operator' });
  }
  if (mode === 'external') {
    External.object(app, c.kind, c.target, { namespace: c.namespace, keys: c.keys, providedBy: 'by-hand', note: 'made by hand' });
    if (c.namespace === 'cert-manager') External.namespace(app, 'cert-manager', { providedBy: 'pre-existing', note: 'operand namespace' });
  }
  return cluster;
}

const synth = (cluster: ReturnType<typeof testCluster>) => synthesize(cluster, { validator: false, policies: false });


describe('references: one per kind x (resolved, provided, external, dangling)', () => {
  describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    test.each(['resolved', 'provided', 'external'] as const)('%s: synthesizes', (mode) => {
      expect(problemsOf(() => synth(build(c, mode)))).toEqual([]);
    });

    test('dangling: one line naming the referring object, the field, what is missing and the fix', () => {
      const problems = problemsOf(() => synth(build(c, 'dangling')));
      const mine = problems.filter((p) => p.field === c.field);
      expect(mine).toHaveLength(1);
      expect(mine[0].path).toBe(c.path);
      const target = `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.target}`;
      expect(mine[0].message).toContain(target);
      expect(mine[0].message).toMatch(/does not resolve/);
      expect(mine[0].message).toMatch(/External\.\w+\(scope, /);
      expect(mine[0].message).not.toContain('\n');
    });
  });
});

describe('keys', () => {
  const secretCase = CASES[0];
  test.each([
    ['stack Secret without the key', (a: GitOpsApp) => raw(a, 'Target', 'v1', 'Secret', 'db', NS, { data: { user: 'eA==' } }), /has no key "password" \(it has "user"/],
    ['External without the key', (a: GitOpsApp) => External.secret(a, 'db', { keys: ['user'], providedBy: 'sealed-secret', note: 'n' }), /add "password" to keys of the External declaration at App\/ExternalSecret/],
    ['Provides with other keys', (a: GitOpsApp) => Provides.of(a).secret(NS, 'db', { keys: ['user'], by: 'PGO' }), /has no key "password".*from PGO/],
  ])('%s: refused', (_n, add, message) => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'App', { name: 'app', namespace: NS });
    raw(app, 'Ns', 'v1', 'Namespace', NS, undefined);
    secretCase.refer(app);
    add(app);
    const problems = problemsOf(() => synth(cluster));
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(message);
  });

  test('a Provides without keys accepts any key; an optional secretKeyRef is no reference', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'App', { name: 'app', namespace: NS });
    raw(app, 'Ns', 'v1', 'Namespace', NS, undefined);
    secretCase.refer(app);
    Provides.of(app).secret(NS, 'db', { by: 'operator' });
    raw(app, 'Opt', 'apps/v1', 'Deployment', 'opt', NS, pod({ containers: [{ name: 'c', image: 'x', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'nowhere', key: 'k', optional: true } } }] }] }));
    expect(problemsOf(() => synth(cluster))).toEqual([]);
  });
});

describe('what the platform and the stack imply', () => {
  const base = () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'App', { name: 'app', namespace: NS });
    raw(app, 'Ns', 'v1', 'Namespace', NS, undefined);
    return { cluster, app };
  };
  test.each<[string, (a: GitOpsApp) => void]>([
    ['ServiceAccount default/builder/deployer of every namespace', (a) => ['default', 'builder', 'deployer'].forEach((sa, i) => raw(a, `D${i}`, 'apps/v1', 'Deployment', `d${i}`, NS, pod({ serviceAccountName: sa })))],
    ['the default catalogs', (a) => raw(a, 'S', 'operators.coreos.com/v1alpha1', 'Subscription', 's', NS, { spec: { name: 's', source: 'redhat-operators', sourceNamespace: 'openshift-marketplace' } })],
    ['built-in ClusterRoles', (a) => raw(a, 'RB', 'rbac.authorization.k8s.io/v1', 'RoleBinding', 'rb', NS, { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [] })],
    ['the default AppProject of OpenShift GitOps', (a) => raw(a, 'A', 'argoproj.io/v1alpha1', 'Application', 'a', 'openshift-gitops', { spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: NS } } })],
    ['the trusted CA bundle injected into a labelled ConfigMap', (a) => {
      raw(a, 'CM', 'v1', 'ConfigMap', 'ca', NS, {}, { labels: { 'config.openshift.io/inject-trusted-cabundle': 'true' } });
      raw(a, 'D', 'apps/v1', 'Deployment', 'd', NS, pod({ volumes: [{ name: 'ca', configMap: { name: 'ca', items: [{ key: 'ca-bundle.crt', path: 'ca.crt' }] } }] }));
    }],
    ['the DataVolume and PVC of a VM dataVolumeTemplate', (a) => raw(a, 'VM', 'kubevirt.io/v1', 'VirtualMachine', 'vm', NS, vm({ volumes: [{ name: 'r', dataVolume: { name: 'vm-root' } }] }, [{ metadata: { name: 'vm-root' }, spec: { source: { blank: {} } } }]))],
    ['the pguser Secret and primary Service of a PostgresCluster', (a) => {
      raw(a, 'PG', 'postgres-operator.crunchydata.com/v1beta1', 'PostgresCluster', 'db', NS, { spec: { users: [{ name: 'gitlab' }] } });
      raw(a, 'GL', 'apps.gitlab.com/v1beta1', 'GitLab', 'gitlab', NS, { spec: { chart: { values: { global: { psql: { host: `db-primary.${NS}.svc`, password: { secret: 'db-pguser-gitlab', key: 'password' } } } } } } });
    }],
    ['the Secret of a SealedSecret', (a) => {
      raw(a, 'SS', 'bitnami.com/v1alpha1', 'SealedSecret', 'db', NS, { spec: { encryptedData: { password: 'AgB...' } } });
      CASES[0].refer(a);
    }],
  ])('%s resolve', (_n, add) => {
    const { cluster, app } = base();
    add(app);
    expect(problemsOf(() => synth(cluster))).toEqual([]);
  });

  test('an openshift- namespace that OpenShift does not create is not resolved by its prefix', () => {
    const { cluster, app } = base();
    raw(app, 'C', 'v1', 'ConfigMap', 'c', 'openshift-typo', { data: {} });
    expect(problemsOf(() => synth(cluster)).map((p) => p.message).join('\n')).toMatch(/Namespace openshift-typo does not resolve/);
  });

  test('a ServiceAccount default of a namespace that does not resolve does not resolve either', () => {
    const { cluster, app } = base();
    raw(app, 'D', 'apps/v1', 'Deployment', 'd', 'ghost', pod({ serviceAccountName: 'default' }));
    const fields = problemsOf(() => synth(cluster)).map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['/metadata/namespace', '/spec/template/spec/serviceAccountName']));
  });

  test('an External the stack creates itself is refused', () => {
    const { cluster, app } = base();
    CASES[0].create(app);
    External.secret(app, 'db', { keys: ['password'], providedBy: 'by-hand', note: 'n' });
    expect(problemsOf(() => synth(cluster))[0].message).toMatch(/declared external but the stack creates it \(App\/Target\)/);
  });
});

describe('cross-namespace clones need datavolumes/source in the source namespace', () => {
  const cloneVm = (a: GitOpsApp) => raw(a, 'VM', 'kubevirt.io/v1', 'VirtualMachine', 'vm', NS, vm({}, [{ metadata: { name: 'root' }, spec: { source: { pvc: { namespace: 'images', name: 'golden' } } } }]));
  const setup = () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'App', { name: 'app', namespace: NS });
    for (const n of [NS, 'images']) raw(app, `Ns-${n}`, 'v1', 'Namespace', n, undefined);
    External.pvc(app, 'golden', { namespace: 'images', providedBy: 'by-hand', note: 'golden image' });
    cloneVm(app);
    return { cluster, app };
  };
  const binding = (a: GitOpsApp, role: { kind: string; name: string }, subject: Record<string, string>, ns = 'images') =>
    raw(a, `RB-${role.name}-${ns}`, 'rbac.authorization.k8s.io/v1', 'RoleBinding', 'clone', ns, { roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...role }, subjects: [subject] });
  const cloner = (a: GitOpsApp, verbs = ['create']) => raw(a, 'CR', 'rbac.authorization.k8s.io/v1', 'ClusterRole', 'cloner', undefined, { rules: [{ apiGroups: ['cdi.kubevirt.io'], resources: ['datavolumes/source'], verbs }] });

  test.each<[string, (a: GitOpsApp) => void, boolean]>([
    ['no RoleBinding', () => undefined, false],
    ['a ClusterRole with the rule, bound to the default ServiceAccount of the VM namespace', (a) => { cloner(a); binding(a, { kind: 'ClusterRole', name: 'cloner' }, { kind: 'ServiceAccount', name: 'default', namespace: NS }); }, true],
    ['bound to the group of the VM namespace service accounts', (a) => { cloner(a); binding(a, { kind: 'ClusterRole', name: 'cloner' }, { kind: 'Group', name: `system:serviceaccounts:${NS}` }); }, true],
    ['the rule without create', (a) => { cloner(a, ['get']); binding(a, { kind: 'ClusterRole', name: 'cloner' }, { kind: 'ServiceAccount', name: 'default', namespace: NS }); }, false],
    ['the binding in the wrong namespace', (a) => { cloner(a); binding(a, { kind: 'ClusterRole', name: 'cloner' }, { kind: 'ServiceAccount', name: 'default', namespace: NS }, NS); }, false],
    ['another ServiceAccount', (a) => { cloner(a); binding(a, { kind: 'ClusterRole', name: 'cloner' }, { kind: 'ServiceAccount', name: 'default', namespace: 'other' }); }, false],
  ])('%s', (_n, add, ok) => {
    const { cluster, app } = setup();
    add(app);
    const problems = problemsOf(() => synth(cluster)).filter((p) => p.field === '/spec/dataVolumeTemplates/0/spec/source/pvc');
    expect(problems.length === 0).toBe(ok);
    if (!ok) expect(problems[0].message).toMatch(/clones PVC images\/golden into namespace app-ns, but nothing grants create on cdi.kubevirt.io datavolumes\/source in images to ServiceAccount app-ns\/default/);
  });
});

describe('declarations', () => {
  test.each<[string, () => unknown, RegExp]>([
    ['External without a namespace outside a namespaced app', () => External.secret(new GitOpsApp(testCluster(), 'A', { name: 'a' }), 's', { providedBy: 'by-hand', note: 'n' }), /has no namespace/],
    ['External with an unknown providedBy', () => External.secret(new GitOpsApp(testCluster(), 'A', { name: 'a', namespace: NS }), 's', { providedBy: 'magic' as any, note: 'n' }), /providedBy/],
    ['External without a note', () => External.secret(new GitOpsApp(testCluster(), 'A', { name: 'a', namespace: NS }), 's', { providedBy: 'by-hand', note: '' }), /note/],
    ['External with a bad key', () => External.secret(new GitOpsApp(testCluster(), 'A', { name: 'a', namespace: NS }), 's', { keys: ['a b'], providedBy: 'by-hand', note: 'n' }), /"a b" is not a key/],
    ['Provides without by', () => Provides.of(testCluster()).secret(NS, 's', { by: '' }), /by/],
  ])('%s is refused', (_n, fn, message) => {
    expect(fn).toThrow(OcpkitError);
    expect(fn).toThrow(message);
  });
});

describe('externals.yaml', () => {
  test('lists every External of the environment, sorted, with the references that need it; deterministic', () => {
    const make = () => {
      const cluster = testCluster('prod');
      const app = new GitOpsApp(cluster, 'App', { name: 'app', namespace: NS });
      raw(app, 'Ns', 'v1', 'Namespace', NS, undefined);
      CASES[0].refer(app);
      CASES[2].refer(new GitOpsApp(cluster, 'Db', { name: 'db', namespace: NS }));
      External.pvc(app, 'data', { providedBy: 'pre-existing', note: 'migrated disk' });
      External.secret(app, 'db', { keys: ['password', 'user'], providedBy: 'sealed-secret', note: 'database login' });
      External.namespace(app, 'unused-ns', { providedBy: 'pre-existing', note: 'kept for the record' });
      return synth(cluster);
    };
    const a = make();
    const text = a.files.get('prod/externals.yaml')!;
    expect(text).toBe(make().files.get('prod/externals.yaml'));
    expect(text.startsWith('# ')).toBe(true);
    const doc: any = yaml.load(text);
    expect(doc).toMatchObject({ apiVersion: 'ocpkit.io/v1alpha1', kind: 'Externals', metadata: { name: 'prod' } });
    expect(doc.externals).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', name: 'unused-ns', keys: [], providedBy: 'pre-existing', note: 'kept for the record', usedBy: [] },
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: NS, name: 'data', keys: [], providedBy: 'pre-existing', note: 'migrated disk', usedBy: ['db/statefulset.app-ns.db.yaml#/spec/template/spec/volumes/0/persistentVolumeClaim/claimName'] },
      { apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'db', keys: ['password', 'user'], providedBy: 'sealed-secret', note: 'database login', usedBy: ['app/deployment.app-ns.web.yaml#/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/name'] },
    ]);
  });

  test('an environment without externals gets an empty list; references: false writes none', () => {
    const cluster = testCluster('prod');
    raw(new GitOpsApp(cluster, 'App', { name: 'app', namespace: NS }), 'Ns', 'v1', 'Namespace', NS, undefined);
    expect((yaml.load(synth(cluster).files.get('prod/externals.yaml')!) as any).externals).toEqual([]);
    const other = testCluster('prod');
    new GitOpsApp(other, 'App', { name: 'app', namespace: NS });
    expect(synthesize(other, { validator: false, policies: false, references: false }).files.has('prod/externals.yaml')).toBe(false);
  });
});
