import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { CronSchedule } from '../../lib/backup/cron';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { External, Provides } from '../../lib/refs/provides';
import {
  AccessMode, ClusterInstancetype, ClusterPreference, DiskSource, GOLDEN_IMAGE_CLONER_ROLE, GoldenImages, VolumeMode,
} from '../../lib/virt';
import { find, problemsOf, synth, synthClosed, testCluster } from '../_helpers';
import { tenant } from './_fixtures';

const IMAGE = 'registry.example.org/images/rhel-9:latest';


/** A platform app with golden images, and a consumer namespace `infra-vms` (a GitOpsApp with its Namespace). */
function world() {
  const cluster = testCluster();
  const platform = new GitOpsApp(cluster, 'Images', { name: 'images' });
  const golden = new GoldenImages(platform, 'Golden');
  const vms = new GitOpsApp(cluster, 'Vms', { name: 'vms', namespace: 'infra-vms' });
  new k8s.KubeNamespace(vms, 'Namespace', { metadata: { name: 'infra-vms' } });
  return { cluster, platform, golden, vms };
}

/** A DataVolume in infra-vms cloning a DataSource, written raw: the reference check reads manifests. */
function cloneInto(vms: GitOpsApp, source: DiskSource, name = 'root'): ApiObject {
  return new ApiObject(vms, `Dv-${name}`, {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: { name, namespace: 'infra-vms' },
    spec: { sourceRef: source.sourceRef, storage: { resources: { requests: { storage: '30Gi' } } } },
  });
}

describe('GoldenImages', () => {
  test('a boot source is a DataImportCron; the DataSource is declared (CDI creates it), never written', () => {
    const { cluster, golden } = world();
    const rhel9 = golden.addBootSource({ name: 'rhel-9', image: IMAGE, size: '30Gi' });
    const out = synth(cluster);
    expect(find(out, 'Namespace', 'golden-images').metadata.annotations).toEqual(expect.objectContaining({ 'openshift.io/display-name': 'Golden VM images' }));
    const cron = find(out, 'DataImportCron', 'rhel-9-image-cron');
    expect(cron.apiVersion).toBe('cdi.kubevirt.io/v1beta1');
    expect(cron.metadata.namespace).toBe('golden-images');
    expect(cron.spec).toEqual({
      schedule: '0 */12 * * *',
      managedDataSource: 'rhel-9',
      garbageCollect: 'Outdated',
      importsToKeep: 3,
      retentionPolicy: 'All',
      template: { spec: { source: { registry: { url: `docker://${IMAGE}` } }, storage: { resources: { requests: { storage: '30Gi' } } } } },
    });
    expect(out.objects.filter((o) => o.manifest.kind === 'DataSource')).toEqual([]);
    expect(Provides.declaredOn(golden)).toEqual([
      { kind: 'DataSource', namespace: 'golden-images', name: 'rhel-9', keys: undefined, by: 'CDI (DataImportCron rhel-9-image-cron of Images/Golden)' },
    ]);
    expect(rhel9.dataSourceNamespace).toBe('golden-images');
    expect(rhel9.dataSourceName).toBe('rhel-9');
    expect(rhel9.toString()).toBe('DataSource golden-images/rhel-9');
    expect(golden.bootSources).toEqual([rhel9]);
  });

  test('every option is rendered', () => {
    const { cluster, golden } = world();
    golden.addBootSource({
      name: 'fedora', image: 'docker://quay.io/containerdisks/fedora:40', size: '10Gi', schedule: CronSchedule.daily({ hour: 3 }),
      importsToKeep: 5, retainOnDelete: false, storageClass: 'ocs-storagecluster-ceph-rbd-virtualization',
      accessMode: AccessMode.READ_WRITE_MANY, volumeMode: VolumeMode.BLOCK, secretRef: 'registry-creds', certConfigMap: 'registry-ca',
      defaultInstancetype: ClusterInstancetype.fromName('u1.medium'), defaultPreference: ClusterPreference.fromName('fedora'),
    });
    golden.addBootSource({ name: 'frozen', image: IMAGE, size: '20Gi', garbageCollect: false });
    const out = synth(cluster);
    const cron = find(out, 'DataImportCron', 'fedora-image-cron');
    expect(cron.metadata.labels).toEqual({
      'instancetype.kubevirt.io/default-instancetype': 'u1.medium',
      'instancetype.kubevirt.io/default-instancetype-kind': 'VirtualMachineClusterInstancetype',
      'instancetype.kubevirt.io/default-preference': 'fedora',
      'instancetype.kubevirt.io/default-preference-kind': 'VirtualMachineClusterPreference',
    });
    expect(cron.spec).toEqual({
      schedule: '0 3 * * *',
      managedDataSource: 'fedora',
      garbageCollect: 'Outdated',
      importsToKeep: 5,
      retentionPolicy: 'None',
      template: {
        spec: {
          source: { registry: { url: 'docker://quay.io/containerdisks/fedora:40', secretRef: 'registry-creds', certConfigMap: 'registry-ca' } },
          storage: { storageClassName: 'ocs-storagecluster-ceph-rbd-virtualization', accessModes: ['ReadWriteMany'], volumeMode: 'Block', resources: { requests: { storage: '10Gi' } } },
        },
      },
    });
    const frozen = find(out, 'DataImportCron', 'frozen-image-cron').spec;
    expect(frozen.garbageCollect).toBe('Never');
    expect(frozen.importsToKeep).toBeUndefined();
  });

  test('allowCloneFrom: one Role with datavolumes/source create, one RoleBinding per consumer for all its service accounts', () => {
    const { cluster, golden, vms } = world();
    const openqa = tenant(cluster, 'openqa');
    golden.allowCloneFrom('infra-vms').allowCloneFrom(openqa);
    expect(golden.cloneConsumers).toEqual(['infra-vms', 'openqa']);
    const out = synth(cluster);
    const role = find(out, 'Role', GOLDEN_IMAGE_CLONER_ROLE, 'golden-images');
    expect(role.rules).toEqual([{ apiGroups: ['cdi.kubevirt.io'], resources: ['datavolumes/source'], verbs: ['create'] }]);
    for (const ns of ['infra-vms', 'openqa']) {
      const b = find(out, 'RoleBinding', `clone-to-${ns}`, 'golden-images');
      expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: GOLDEN_IMAGE_CLONER_ROLE });
      expect(b.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: `system:serviceaccounts:${ns}` }]);
    }
    expect(vms.namespace).toBe('infra-vms');
  });

  test('allowCloneFrom refuses its own namespace, duplicates, bad names and apps without a namespace, and adds nothing then', () => {
    const { cluster, golden } = world();
    golden.allowCloneFrom('infra-vms');
    expect(() => golden.allowCloneFrom('golden-images')).toThrow(/\[Images\/Golden\] allowCloneFrom: "golden-images" is the golden-images namespace itself; clones inside one namespace need no permission/);
    expect(() => golden.allowCloneFrom('infra-vms')).toThrow(/\[Images\/Golden\] allowCloneFrom: namespace "infra-vms" is already allowed to clone from golden-images/);
    expect(() => golden.allowCloneFrom('Infra_VMs')).toThrow(/\[Images\/Golden\] allowCloneFrom: "Infra_VMs" is not a DNS-1123 label/);
    const noNs = new GitOpsApp(cluster, 'NoNs', { name: 'no-ns' });
    expect(() => golden.allowCloneFrom(noNs)).toThrow(/\[Images\/Golden\] allowCloneFrom: GitOpsApp "no-ns" has no namespace; give the namespace name instead/);
    expect(golden.cloneConsumers).toEqual(['infra-vms']);
    expect(synth(cluster).objects.filter((o) => o.manifest.kind === 'RoleBinding' && o.manifest.metadata.namespace === 'golden-images')).toHaveLength(1);
  });

  test('addBootSource refuses bad options with one line per field, and adds nothing', () => {
    const { cluster, golden } = world();
    const problems = problemsOf(() => golden.addBootSource({
      name: 'b'.repeat(53), image: 'rhel-9.qcow2', size: '512Mi',
      schedule: '61 * * * *', importsToKeep: 0, storageClass: 'Fast_SSD', accessMode: 'RWX' as any,
    }));
    const text = problems.map((p) => `[${p.path}] ${p.field}: ${p.message}`).join('\n');
    expect(text).toMatch(/\[Images\/Golden\] addBootSource\("b{53}"\) name: "b{53}" is longer than 52 characters; CDI refuses DataImportCron names over 63 \(the cron is named "<name>-image-cron"\)/);
    expect(text).toMatch(/image: "rhel-9.qcow2" is not a container disk image reference \(for example "quay.io\/containerdisks\/fedora:40"\); DataImportCrons import from registries only/);
    expect(text).toMatch(/size: "512Mi" is below 1Gi; a boot disk needs more/);
    expect(text).toMatch(/schedule: "61 \* \* \* \*": minute "61" is out of range; allowed: 0-59/);
    expect(text).toMatch(/importsToKeep: 0 must be an integer from 1 to 100/);
    expect(text).toMatch(/storageClass: "Fast_SSD" is not a DNS-1123 subdomain/);
    expect(text).toMatch(/accessMode: "RWX" is not allowed/);
    expect(problems.every((p) => !p.message.includes('\n'))).toBe(true);
    expect(() => golden.addBootSource({ name: 'x', image: IMAGE, size: '10Gi', garbageCollect: false, importsToKeep: 2 }))
      .toThrow(/addBootSource\("x"\) importsToKeep: has no effect with garbageCollect: false \(every import is kept\); drop one of them/);
    golden.addBootSource({ name: 'rhel-9', image: IMAGE, size: '30Gi' });
    expect(() => golden.addBootSource({ name: 'rhel-9', image: IMAGE, size: '40Gi' }))
      .toThrow(/addBootSource\("rhel-9"\) name: boot source "rhel-9" is already defined in golden-images; CDI lets one DataImportCron manage a DataSource \(a second one is ignored\)/);
    expect(golden.bootSources.map((b) => b.dataSourceName)).toEqual(['rhel-9']);
    expect(synth(cluster).objects.filter((o) => o.manifest.kind === 'DataImportCron')).toHaveLength(1);
  });

  test('lives in a platform GitOpsApp: refused in a Tenant, outside any app and in a reserved namespace', () => {
    const cluster = testCluster();
    const t = tenant(cluster, 'forum');
    expect(() => new GoldenImages(t, 'Golden')).toThrow(/\[forum\/Golden\] golden images are shared by the namespaces allowed to clone them and cannot be defined inside a Tenant/);
    expect(() => new GoldenImages(cluster, 'Golden2')).toThrow(/\[Golden2\] GoldenImages must be defined inside a GitOpsApp/);
    const app = new GitOpsApp(cluster, 'Images', { name: 'images' });
    expect(() => new GoldenImages(app, 'Os', { namespace: 'openshift-virtualization-os-images' }))
      .toThrow(/namespace: "openshift-virtualization-os-images" is a reserved prefix; OpenShift Virtualization's own boot sources are in openshift-virtualization-os-images \(use DiskSource.bootSource for those\)/);
  });
});

describe('closed world: a clone resolves only from a DataSource something provides', () => {
  test('a clone of a golden image of the stack synthesizes with every check on', () => {
    const { cluster, golden, vms } = world();
    const rhel9 = golden.addBootSource({ name: 'rhel-9', image: IMAGE, size: '30Gi' });
    golden.allowCloneFrom('infra-vms');
    cloneInto(vms, DiskSource.dataSource(rhel9));
    expect(problemsOf(() => synthClosed(cluster))).toEqual([]);
  });

  test('without allowCloneFrom, a clone of a golden image in another namespace fails: CDI would refuse it', () => {
    const { cluster, golden, vms } = world();
    const rhel9 = golden.addBootSource({ name: 'rhel-9', image: IMAGE, size: '30Gi' });
    cloneInto(vms, DiskSource.dataSource(rhel9));
    const problems = problemsOf(() => synthClosed(cluster));
    expect(problems).toHaveLength(1);
    expect(problems[0].field).toBe('/spec/sourceRef');
    expect(problems[0].message).toMatch(/^clones DataSource golden-images\/rhel-9 into namespace infra-vms, but nothing grants create on cdi.kubevirt.io datavolumes\/source in golden-images to ServiceAccount infra-vms\/default/);
  });

  test('OpenShift Virtualization\'s boot sources need no clone RBAC (SSP opens them to every authenticated user)', () => {
    const { cluster, vms } = world();
    External.dataSource(vms, 'rhel9', { namespace: 'openshift-virtualization-os-images', providedBy: 'pre-existing', note: 'boot source of OpenShift Virtualization' });
    External.namespace(vms, 'openshift-virtualization-os-images', { providedBy: 'pre-existing', note: 'OpenShift Virtualization' });
    cloneInto(vms, DiskSource.bootSource('rhel9'));
    expect(problemsOf(() => synthClosed(cluster))).toEqual([]);
  });

  test('a clone of a DataSource nothing provides fails the synth, naming the DataVolume and the field', () => {
    const { cluster, golden, vms } = world();
    golden.addBootSource({ name: 'rhel-9', image: IMAGE, size: '30Gi' });
    golden.allowCloneFrom('infra-vms');
    cloneInto(vms, DiskSource.dataSource({ namespace: 'golden-images', name: 'rhel-8' }));
    const problems = problemsOf(() => synthClosed(cluster));
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe('Vms/Dv-root');
    expect(problems[0].field).toBe('/spec/sourceRef/name');
    expect(problems[0].message).toMatch(/^DataSource golden-images\/rhel-8 does not resolve: nothing in the stack creates it, the platform does not provide it and no construct declares it/);
  });

  test('without GoldenImages, a golden image of another cluster does not resolve either', () => {
    const other = world();
    const rhel9 = other.golden.addBootSource({ name: 'rhel-9', image: IMAGE, size: '30Gi' });
    const { cluster, vms } = (() => {
      const c = testCluster('staging');
      const v = new GitOpsApp(c, 'Vms', { name: 'vms', namespace: 'infra-vms' });
      new k8s.KubeNamespace(v, 'Namespace', { metadata: { name: 'infra-vms' } });
      return { cluster: c, vms: v };
    })();
    cloneInto(vms, DiskSource.dataSource(rhel9));
    const problems = problemsOf(() => synthClosed(cluster));
    expect(problems.map((p) => p.message).join('\n')).toMatch(/DataSource golden-images\/rhel-9 does not resolve/);
  });
});
