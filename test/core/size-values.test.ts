/**
 * cdk8s' own Size (and, for the database backups, Cron) is accepted wherever ocpkit takes a memory
 * or storage size (issue 18): each construct renders a Size exactly as the equivalent Quantity or
 * string, and refuses a value of the wrong type with its path, the field and both accepted forms.
 */
import { Cron, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { EtcdBackup, EtcdBackupTarget } from '../../lib/backup';
import { Problem } from '../../lib/core/errors';
import { Quantity } from '../../lib/core/quantity';
import { PerconaXtraDBCluster, PerconaXtraDBClusterProps, PostgresCluster, PostgresClusterProps, Redis, RedisProps } from '../../lib/databases';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { GitLab, GitLabComponentSizing, GitLabLogRelay, RunnerJobNamespace, RunnerJobNamespaceProps } from '../../lib/gitlab';
import { OperatorInstall } from '../../lib/olm';
import { ContainerApp, ExternalImage } from '../../lib/openshift';
import { External } from '../../lib/refs/provides';
import { SecretKey } from '../../lib/core/secret-key';
import { Tenant } from '../../lib/tenancy/tenant';
import { TenantQuotaLimits, ContainerDefaults } from '../../lib/tenancy/tenant-quota';
import { ClusterInstancetype, GoldenImages, HyperConverged, VirtualMachine, VirtualMachineProps } from '../../lib/virt';
import { find, problemsOf, synth, testCluster } from '../_helpers';
import { backupApp } from '../backup/_fixtures';
import { fixture, gitlabProps } from '../gitlab/_fixture';
import { minimal, vmCluster } from '../virt/_fixtures';

const q = Quantity.parse;
/** A value of no accepted type: the checks must name the field and the accepted forms. */
const WRONG = { gigabytes: 8 } as any;
/** The problem message must name the cdk8s Size among the accepted forms. */
const NAMES_SIZE = /cdk8s Size/;

/** The message of the problem at `path` and `field`, among those `fn` reports (or those given). */
function problemAt(fn: (() => unknown) | readonly Problem[], path: string, field: string): string {
  const problems = typeof fn === 'function' ? problemsOf(fn) : fn;
  const hit = problems.find((p) => p.path === path && p.field === field);
  if (!hit) throw new Error(`no problem at [${path}] ${field}; got ${JSON.stringify(problems)}`);
  return hit.message;
}

describe('tenancy', () => {
  function tenantObjects(quota: TenantQuotaLimits, containerDefaults?: ContainerDefaults) {
    const cluster = testCluster();
    new Tenant(cluster, 'Forum', { name: 'forum', displayName: 'Forum', groups: { admin: ['forum-admins'] }, quota, containerDefaults });
    const r = synth(cluster);
    return { quota: find(r, 'ResourceQuota', 'tenant-quota', 'forum').spec, defaults: find(r, 'LimitRange', 'tenant-defaults', 'forum').spec };
  }

  test('TenantQuota: Size quota memory and storage and container defaults render as the Quantities', () => {
    const theirs = tenantObjects({ cpu: q('2'), memory: Size.mebibytes(8192), storage: Size.tebibytes(1) }, { memoryRequest: Size.mebibytes(256), memoryLimit: Size.gibibytes(1) });
    const ours = tenantObjects({ cpu: q('2'), memory: q('8Gi'), storage: q('1Ti') }, { memoryRequest: q('256Mi'), memoryLimit: q('1Gi') });
    expect(theirs).toEqual(ours);
    expect(theirs.quota.hard['requests.memory']).toBe('8Gi');
    expect(theirs.quota.hard['requests.storage']).toBe('1Ti');
    expect(theirs.defaults.limits[0].default.memory).toBe('1Gi');
  });

  test('TenantQuota: the sizes are checked as Quantities (the memory limit above the quota is refused)', () => {
    const cluster = testCluster();
    const make = () => new Tenant(cluster, 'Forum', { name: 'forum', displayName: 'Forum', groups: { admin: ['forum-admins'] }, quota: { cpu: q('2'), memory: Size.gibibytes(1), storage: q('10Gi') }, containerDefaults: { memoryLimit: Size.gibibytes(2) } });
    expect(problemAt(make, 'Forum/Quota', 'containerDefaults.memoryLimit')).toMatch(/2Gi is more than the whole memory quota 1Gi/);
  });

  test.each([
    ['quota.memory', { quota: { cpu: q('2'), memory: WRONG, storage: q('10Gi') } }],
    ['quota.storage', { quota: { cpu: q('2'), memory: q('4Gi'), storage: WRONG } }],
    ['containerDefaults.memoryLimit', { quota: { cpu: q('2'), memory: q('4Gi'), storage: q('10Gi') }, containerDefaults: { memoryLimit: WRONG } }],
  ])('TenantQuota: a wrong %s names the path, the field and cdk8s Size', (field, props) => {
    const make = () => new Tenant(testCluster(), 'Forum', { name: 'forum', displayName: 'Forum', groups: { admin: ['forum-admins'] }, ...props } as any);
    expect(problemAt(make, 'Forum/Quota', field)).toMatch(NAMES_SIZE);
  });

  test('TenantQuota: CPU takes no Size (a Size is bytes)', () => {
    const make = () => new Tenant(testCluster(), 'Forum', { name: 'forum', displayName: 'Forum', groups: { admin: ['forum-admins'] }, quota: { cpu: Size.gibibytes(2) as any, memory: q('4Gi'), storage: q('10Gi') } });
    expect(problemAt(make, 'Forum/Quota', 'quota.cpu')).toMatch(/must be a Quantity/);
    expect(problemAt(make, 'Forum/Quota', 'quota.cpu')).not.toMatch(NAMES_SIZE);
  });
});

describe('openshift', () => {
  function app(memory: unknown) {
    const cluster = testCluster();
    const t = new Tenant(cluster, 'Wiki', { name: 'wiki', displayName: 'Wiki', groups: { admin: ['wiki-admins'] }, quota: { cpu: q('2'), memory: q('4Gi'), storage: q('10Gi') } });
    new ContainerApp(t, 'Web', { name: 'mediawiki', image: ExternalImage.tag('quay.io/community/mediawiki', '1.42.3'), cpu: q('500m'), memory: memory as any });
    return cluster;
  }

  test('ContainerApp: a Size memory is the request and limit of the Quantity', () => {
    const resources = (memory: unknown) => find(synth(app(memory)), 'Deployment', 'mediawiki').spec.template.spec.containers[0].resources;
    expect(resources(Size.mebibytes(1536))).toEqual(resources(q('1536Mi')));
    expect(resources(Size.mebibytes(1536))).toEqual({ requests: { cpu: '500m', memory: '1536Mi' }, limits: { memory: '1536Mi' } });
  });

  test('ContainerApp: a wrong memory names the path, the field and cdk8s Size', () => {
    expect(problemAt(() => app(WRONG), 'Wiki/Web', 'memory')).toMatch(NAMES_SIZE);
  });
});

describe('virt', () => {
  function vmSpec(over: Partial<VirtualMachineProps>) {
    const { cluster, vms } = vmCluster();
    new VirtualMachine(vms, 'Relay', minimal(over));
    return find(synth(cluster), 'VirtualMachine', 'relay', 'infra-vms').spec;
  }

  test('VirtualMachine: Size memory, root and data disk sizes render as the strings', () => {
    const theirs = vmSpec({ memory: Size.mebibytes(4096), rootDisk: { ...minimal().rootDisk, size: Size.gibibytes(30) }, dataDisks: [{ name: 'data', size: Size.gibibytes(50) }] });
    const ours = vmSpec({ memory: '4Gi', rootDisk: { ...minimal().rootDisk, size: '30Gi' }, dataDisks: [{ name: 'data', size: '50Gi' }] });
    expect(theirs).toEqual(ours);
    expect(theirs.template.spec.domain.memory.guest).toBe('4Gi');
    expect(theirs.dataVolumeTemplates.map((t: any) => t.spec.storage.resources.requests.storage)).toEqual(['30Gi', '50Gi']);
  });

  test('VirtualMachine: a Size is checked like a string (below 64Mi of guest memory is refused)', () => {
    const { vms } = vmCluster();
    expect(problemAt(() => new VirtualMachine(vms, 'Relay', minimal({ memory: Size.mebibytes(32) })), 'Vms/Relay', 'memory')).toMatch(/"32Mi" is below 64Mi/);
  });

  test.each([
    ['memory', { memory: WRONG }],
    ['rootDisk.size', { rootDisk: { ...minimal().rootDisk, size: WRONG } }],
    ['dataDisks[0].size', { dataDisks: [{ name: 'data', size: WRONG }] }],
  ])('VirtualMachine: a wrong %s names the path, the field and cdk8s Size', (field, over) => {
    const { vms } = vmCluster();
    expect(problemAt(() => new VirtualMachine(vms, 'Relay', minimal(over as any)), 'Vms/Relay', field)).toMatch(NAMES_SIZE);
  });

  test('VirtualMachine: cpuRequest takes no Size (a Size is bytes)', () => {
    const { vms } = vmCluster();
    expect(problemAt(() => new VirtualMachine(vms, 'Relay', minimal({ cpuRequest: Size.gibibytes(1) as any })), 'Vms/Relay', 'cpuRequest')).not.toMatch(NAMES_SIZE);
  });

  test('ClusterInstancetype: a Size memory renders as the string; fromName counts it', () => {
    const spec = (memory: any) => {
      const cluster = testCluster();
      new ClusterInstancetype(new GitOpsApp(cluster, 'VmTypes', { name: 'vm-types' }), 'Medium', { name: 'infra.medium', guestCpus: 2, memory });
      return find(synth(cluster), 'VirtualMachineClusterInstancetype', 'infra.medium').spec;
    };
    expect(spec(Size.gibibytes(8))).toEqual(spec('8Gi'));
    expect(spec(Size.gibibytes(8)).memory.guest).toBe('8Gi');
    expect(ClusterInstancetype.fromName('u1.medium', { guestCpus: 1, memory: Size.mebibytes(4096) }).memory!.value).toBe(4 * 2 ** 30);
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'VmTypes', { name: 'vm-types' });
    expect(problemAt(() => new ClusterInstancetype(app, 'Bad', { name: 'bad', guestCpus: 1, memory: WRONG }), 'VmTypes/Bad', 'memory')).toMatch(NAMES_SIZE);
  });

  test('GoldenImages: a Size boot source renders as the string', () => {
    const cron = (size: any) => {
      const cluster = testCluster();
      const golden = new GoldenImages(new GitOpsApp(cluster, 'Images', { name: 'images' }), 'Golden');
      golden.addBootSource({ name: 'rhel-9', image: 'registry.example.org/images/rhel-9:latest', size });
      return find(synth(cluster), 'DataImportCron', 'rhel-9-image-cron').spec;
    };
    expect(cron(Size.gibibytes(30))).toEqual(cron('30Gi'));
    expect(JSON.stringify(cron(Size.gibibytes(30)))).toContain('"storage":"30Gi"');
  });

  test('GoldenImages: a wrong size, and a Size below 1Gi, name the path and field', () => {
    const golden = new GoldenImages(new GitOpsApp(testCluster(), 'Images', { name: 'images' }), 'Golden');
    const add = (size: any) => () => golden.addBootSource({ name: 'rhel-9', image: 'registry.example.org/images/rhel-9:latest', size });
    const [wrong] = problemsOf(add(WRONG));
    expect(wrong.path).toBe('Images/Golden');
    expect(wrong.field).toMatch(/size$/);
    expect(wrong.message).toMatch(NAMES_SIZE);
    expect(problemsOf(add(Size.mebibytes(512)))[0].message).toMatch(/"512Mi" is below 1Gi/);
  });

  function hyperconverged(size: any) {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'PlatformOperators', { name: 'platform-operators' });
    new OperatorInstall(app, 'Virtualization', {
      packageName: 'kubevirt-hyperconverged', namespace: 'openshift-cnv', channel: 'stable', startingCsv: 'kubevirt-hyperconverged-operator.v4.14.9',
      catalogWaiver: { reason: 'test of the HyperConverged operand; operator pins are checked in test/olm/catalog-check.test.ts' },
    });
    const make = () => new HyperConverged(app, 'HyperConverged', { bootSources: [{ name: 'fedora-40', registryUrl: 'docker://quay.io/containerdisks/fedora:40', size }] });
    return { cluster, make };
  }

  test('HyperConverged: a Size boot source renders as the string', () => {
    const spec = (size: any) => {
      const { cluster, make } = hyperconverged(size);
      make();
      return find(synth(cluster), 'HyperConverged', 'kubevirt-hyperconverged', 'openshift-cnv').spec;
    };
    expect(spec(Size.gibibytes(30))).toEqual(spec('30Gi'));
    expect(JSON.stringify(spec(Size.gibibytes(30)))).toContain('"storage":"30Gi"');
  });

  test('HyperConverged: a wrong boot source size names the path, the field and cdk8s Size', () => {
    expect(problemAt(hyperconverged(WRONG).make, 'PlatformOperators/HyperConverged', 'bootSources[0].size')).toMatch(NAMES_SIZE);
  });
});

describe('gitlab', () => {
  function chartValues(webservice: GitLabComponentSizing) {
    const f = fixture();
    new GitLab(f.app, 'GitLab', gitlabProps(f, { webservice, sidekiq: webservice }));
    return find(synth(f.cluster), 'GitLab', 'gitlab', 'gitlab-system').spec.chart.values.gitlab;
  }

  test('GitLab: Size memory request and limit of webservice and sidekiq render as the Quantities', () => {
    const theirs = chartValues({ cpu: q('1'), memory: Size.mebibytes(2560), memoryLimit: Size.gibibytes(4) });
    expect(theirs).toEqual(chartValues({ cpu: q('1'), memory: q('2560Mi'), memoryLimit: q('4Gi') }));
    expect(theirs.webservice.resources).toEqual({ requests: { cpu: '1', memory: '2560Mi' }, limits: { memory: '4Gi' } });
    expect(theirs.sidekiq.resources).toEqual(theirs.webservice.resources);
  });

  test('GitLab: Sizes are compared like Quantities, and a wrong one names the field and cdk8s Size', () => {
    const make = (sidekiq: GitLabComponentSizing) => () => {
      const f = fixture();
      return new GitLab(f.app, 'GitLab', gitlabProps(f, { sidekiq }));
    };
    expect(problemAt(make({ memory: Size.gibibytes(4), memoryLimit: Size.gibibytes(2) }), 'GitLab/GitLab', 'sidekiq.memoryLimit')).toMatch(/2Gi is below the memory request 4Gi/);
    expect(problemAt(make({ memoryLimit: WRONG }), 'GitLab/GitLab', 'sidekiq.memoryLimit')).toMatch(NAMES_SIZE);
  });

  function relayClaims(size: unknown, stateSize: unknown) {
    const f = fixture();
    const gitlab = new GitLab(f.app, 'GitLab', gitlabProps(f));
    const make = () => new GitLabLogRelay(f.app, 'Logs', { gitlab, target: { host: 'syslog.example.org', port: 514 }, image: ExternalImage.tag('docker.io/rsyslog/rsyslog', '2026-04'), size: size as any, stateSize: stateSize as any });
    return { f, make };
  }

  test('GitLabLogRelay: Size log and state volumes render as the Quantities', () => {
    const claims = (size: unknown, stateSize: unknown) => {
      const { f, make } = relayClaims(size, stateSize);
      make();
      const r = synth(f.cluster);
      return [find(r, 'PersistentVolumeClaim', 'gitlab-log-relay-logs', 'gitlab-system').spec, find(r, 'PersistentVolumeClaim', 'gitlab-log-relay-state', 'gitlab-system').spec];
    };
    const theirs = claims(Size.gibibytes(40), Size.mebibytes(3072));
    expect(theirs).toEqual(claims(q('40Gi'), q('3Gi')));
    expect(theirs.map((c) => c.resources.requests.storage)).toEqual(['40Gi', '3Gi']);
  });

  test.each([
    ['size', WRONG, undefined],
    ['stateSize', undefined, WRONG],
  ])('GitLabLogRelay: a wrong %s names the path, the field and cdk8s Size', (field, size, stateSize) => {
    expect(problemAt(relayClaims(size, stateSize).make, 'GitLab/Logs', field)).toMatch(NAMES_SIZE);
  });

  test('GitLabLogRelay: a Size state volume is checked (below 256Mi is refused)', () => {
    expect(problemAt(relayClaims(undefined, Size.mebibytes(128)).make, 'GitLab/Logs', 'stateSize')).toMatch(/128Mi is too small/);
  });

  function jobNamespace(quota: any, maxPerContainer: any) {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'Runners', { name: 'gitlab-runners', namespace: 'gitlab-runner-system' });
    const make = () => new RunnerJobNamespace(app, 'Jobs', { name: 'ci-jobs', quota, maxPerContainer } as RunnerJobNamespaceProps);
    return { cluster, make };
  }

  test('RunnerJobNamespace: Size quota and per-container memory render as the Quantities', () => {
    const objects = (quota: any, maxPerContainer: any) => {
      const { cluster, make } = jobNamespace(quota, maxPerContainer);
      make();
      const r = synth(cluster);
      return [find(r, 'ResourceQuota', 'tenant-quota', 'ci-jobs').spec, find(r, 'LimitRange', 'job-container-max', 'ci-jobs').spec, find(r, 'LimitRange', 'tenant-defaults', 'ci-jobs').spec];
    };
    const theirs = objects({ cpu: q('16'), memory: Size.gibibytes(64) }, { cpu: q('4'), memory: Size.mebibytes(384) });
    expect(theirs).toEqual(objects({ cpu: q('16'), memory: q('64Gi') }, { cpu: q('4'), memory: q('384Mi') }));
    expect(theirs[0].hard['limits.memory']).toBe('64Gi');
    expect(theirs[1].limits[0].max.memory).toBe('384Mi');
    // the defaults are held inside the per-container max, compared as Quantities
    expect(theirs[2].limits[0].default.memory).toBe('384Mi');
  });

  test.each([
    ['quota.memory', { cpu: q('16'), memory: WRONG }, { cpu: q('4'), memory: q('8Gi') }],
    ['maxPerContainer.memory', { cpu: q('16'), memory: q('64Gi') }, { cpu: q('4'), memory: WRONG }],
  ])('RunnerJobNamespace: a wrong %s names the path, the field and cdk8s Size', (field, quota, max) => {
    expect(problemAt(jobNamespace(quota, max).make, 'Runners/Jobs', field)).toMatch(NAMES_SIZE);
  });

  test('RunnerJobNamespace: cpu takes no Size (a Size is bytes)', () => {
    expect(problemAt(jobNamespace({ cpu: Size.gibibytes(16), memory: q('64Gi') }, { cpu: q('4'), memory: q('8Gi') }).make, 'Runners/Jobs', 'quota.cpu')).not.toMatch(NAMES_SIZE);
  });
});

describe('backup', () => {
  function etcdClaim(target: EtcdBackupTarget) {
    const cluster = testCluster();
    new EtcdBackup(backupApp(cluster), 'Etcd', { name: 'etcd-snapshots', target, image: ExternalImage.parse('registry.redhat.io/openshift4/ose-cli@sha256:' + 'a'.repeat(64)) });
    return find(synth(cluster), 'PersistentVolumeClaim', 'etcd-snapshots-snapshots', 'etcd-snapshots').spec;
  }

  test('EtcdBackupTarget.newVolume: a Size is the claim of the Quantity', () => {
    const theirs = etcdClaim(EtcdBackupTarget.newVolume(Size.gibibytes(20), 'ocs-storagecluster-cephfs'));
    expect(theirs).toEqual(etcdClaim(EtcdBackupTarget.newVolume(q('20Gi'), 'ocs-storagecluster-cephfs')));
    expect(theirs.resources.requests.storage).toBe('20Gi');
  });

  test('EtcdBackupTarget.newVolume: a wrong size names the path, the field and cdk8s Size', () => {
    const app = backupApp(testCluster());
    expect(problemAt(() => new EtcdBackup(app, 'Etcd', { name: 'etcd-snapshots', target: EtcdBackupTarget.newVolume(WRONG) }), 'Backup/Etcd', 'target.size')).toMatch(NAMES_SIZE);
  });
});

describe('databases', () => {
  const NS = 'gitlab-db';
  function world() {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'Db', { name: 'db', namespace: NS });
    new k8s.KubeNamespace(app, 'Namespace', { metadata: { name: NS } });
    const pgCreds = External.secret(app, 'pgbackrest-s3', { keys: ['s3.conf'], providedBy: 'sealed-secret', note: 'pgBackRest S3 keys' });
    const pxcCreds = External.secret(app, 'pxc-backup-s3', { keys: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], providedBy: 'sealed-secret', note: 'S3 keys' });
    return { cluster, app, pgCreds, pxcCreds };
  }
  /** The fields under test; `any` so a wrong value can be given. */
  interface Pg { storage: any; memory: any; full: any; differential?: any }
  function pg(v: Pg) {
    const w = world();
    const props: PostgresClusterProps = {
      name: 'gitlab', namespace: NS, postgresVersion: 16,
      instances: [{ replicas: 2, storage: v.storage, resources: { requests: { cpu: '500m', memory: v.memory }, limits: { memory: v.memory } } }],
      users: [{ name: 'gitlab', databases: ['gitlabhq_production'] }],
      backups: { s3: { bucket: 'db-backups', region: 'us-east-1', endpoint: 'https://minio.example.org:9000' }, credentials: w.pgCreds, schedules: { full: v.full, differential: v.differential }, retention: { full: 4 } },
    };
    return { w, make: () => new PostgresCluster(w.app, 'Pg', props) };
  }
  const pgSpec = (v: Pg) => {
    const { w, make } = pg(v);
    make();
    return find(synth(w.cluster), 'PostgresCluster', 'gitlab', NS).spec;
  };

  test('PostgresCluster: Size storage and memory and cdk8s Cron schedules render as the strings', () => {
    const theirs = pgSpec({ storage: Size.gibibytes(20), memory: Size.mebibytes(1536), full: Cron.schedule({ minute: '0', hour: '1', weekDay: '0' }), differential: Cron.schedule({ minute: '0', hour: '1', weekDay: '1-6' }) });
    expect(theirs).toEqual(pgSpec({ storage: '20Gi', memory: '1536Mi', full: '0 1 * * 0', differential: '0 1 * * 1-6' }));
    expect(theirs.instances[0].dataVolumeClaimSpec.resources.requests.storage).toBe('20Gi');
    expect(theirs.instances[0].resources).toEqual({ requests: { cpu: '500m', memory: '1536Mi' }, limits: { memory: '1536Mi' } });
    expect(theirs.backups.pgbackrest.repos[0].schedules).toEqual({ full: '0 1 * * 0', differential: '0 1 * * 1-6' });
  });

  test('PostgresCluster: a Quantity storage is the string too', () => {
    expect(pgSpec({ storage: q('20Gi'), memory: q('1Gi'), full: '0 1 * * 0' })).toEqual(pgSpec({ storage: '20Gi', memory: '1Gi', full: '0 1 * * 0' }));
  });

  test('PostgresCluster: wrong storage, memory and schedule name the path and field; the sizes name cdk8s Size', () => {
    const fn = problemsOf(pg({ storage: WRONG, memory: WRONG, full: 7 as any }).make);
    expect(problemAt(fn, 'Db/Pg', 'instances[0].storage')).toMatch(NAMES_SIZE);
    expect(problemAt(fn, 'Db/Pg', 'instances[0].resources.requests.memory')).toMatch(NAMES_SIZE);
    expect(problemAt(fn, 'Db/Pg', 'backups.schedules.full')).toMatch(/cdk8s Cron/);
  });

  test('PostgresCluster: a bad cdk8s Cron is refused with the path', () => {
    expect(problemAt(pg({ storage: '20Gi', memory: '1Gi', full: Cron.schedule({ minute: '61' }) }).make, 'Db/Pg', 'backups.schedules.full')).toMatch(/"61 \* \* \* \*"/);
  });

  function pxc(storage: any, memory: any, schedule: any) {
    const w = world();
    const props: PerconaXtraDBClusterProps = {
      name: 'forum-mysql', namespace: NS, storage, resources: { requests: { cpu: '1', memory } },
      backups: { s3: { bucket: 'db-backups', region: 'eu-west-1' }, credentials: w.pxcCreds, schedule, keep: 7, encryptedBy: 'SSE-KMS default encryption of the bucket' },
    };
    return { w, make: () => new PerconaXtraDBCluster(w.app, 'Pxc', props) };
  }

  test('PerconaXtraDBCluster: Size storage and memory and a cdk8s Cron render as the strings', () => {
    const spec = (storage: any, memory: any, schedule: any) => {
      const { w, make } = pxc(storage, memory, schedule);
      make();
      return find(synth(w.cluster), 'PerconaXtraDBCluster', 'forum-mysql', NS).spec;
    };
    const theirs = spec(Size.gibibytes(10), Size.mebibytes(2048), Cron.schedule({ minute: '30', hour: '2' }));
    expect(theirs).toEqual(spec('10Gi', '2Gi', '30 2 * * *'));
    expect(theirs.pxc.volumeSpec.persistentVolumeClaim.resources.requests.storage).toBe('10Gi');
    expect(theirs.pxc.resources.requests.memory).toBe('2Gi');
    expect(theirs.backup.schedule[0].schedule).toBe('30 2 * * *');
  });

  test('PerconaXtraDBCluster: wrong storage and schedule name the path and field and the accepted types', () => {
    const fn = problemsOf(pxc(WRONG, '2Gi', { at: 2 }).make);
    expect(problemAt(fn, 'Db/Pxc', 'storage')).toMatch(NAMES_SIZE);
    expect(problemAt(fn, 'Db/Pxc', 'backups.schedule')).toMatch(/cdk8s Cron/);
  });

  function redis(storage: any, memory: any) {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'Cache', { name: 'cache', namespace: 'gitlab-system' });
    const props: RedisProps = {
      name: 'gitlab-redis', namespace: 'gitlab-system', image: ExternalImage.tag('registry.redhat.io/rhel9/redis-7', '1-25'), password: SecretKey.of('gitlab-redis', 'password'),
      storage, resources: { requests: { cpu: '100m', memory }, limits: { memory } },
    };
    return { cluster, make: () => new Redis(app, 'Redis', props) };
  }

  test('Redis: Size storage and memory render as the strings', () => {
    const sts = (storage: any, memory: any) => {
      const { cluster, make } = redis(storage, memory);
      make();
      return find(synth(cluster), 'StatefulSet', 'gitlab-redis', 'gitlab-system').spec;
    };
    const theirs = sts(Size.gibibytes(10), Size.mebibytes(512));
    expect(theirs).toEqual(sts('10Gi', '512Mi'));
    expect(theirs.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    expect(theirs.template.spec.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '512Mi' } });
  });

  test('Redis: a wrong storage and memory name the path, the field and cdk8s Size', () => {
    const fn = problemsOf(redis(WRONG, WRONG).make);
    expect(problemAt(fn, 'Cache/Redis', 'storage')).toMatch(NAMES_SIZE);
    expect(problemAt(fn, 'Cache/Redis', 'resources.limits.memory')).toMatch(NAMES_SIZE);
  });
});
