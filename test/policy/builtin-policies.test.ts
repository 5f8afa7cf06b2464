import { ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { checkPolicies, imagePinProblem, isDefaultDenyIngress, Policy, policies, PolicyObject } from '../../lib/policy';
import { synth, testCluster } from '../_helpers';
import { deployment, policyProblems, synthError, tenantStack } from './_stack';

const objs = (...manifests: any[]): PolicyObject[] => manifests.map((manifest, i) => ({ manifest, path: `doc#${i}`, group: 'g' }));

describe('built-in policies', () => {
  test('twelve policies with stable ids', () => {
    expect(policies().map((p) => p.id)).toEqual([
      'cdi-clone-network', 'confined-projects', 'encrypted-backups', 'namespace-admission-labels', 'no-host-access', 'no-literal-secrets',
      'pinned-images', 'resource-requests', 'runners-no-anyuid', 'tenant-namespace-confinement', 'tenant-network-isolation', 'tenant-pod-security',
    ]);
    expect(Policy.ids()).toHaveLength(12);
  });

  test('a plain tenant with a workload-like Deployment passes every policy', () => {
    const { cluster, tenant } = tenantStack();
    deployment(tenant, 'Web');
    expect(() => synth(cluster)).not.toThrow();
  });
});

describe('no-literal-secrets', () => {
  test('a Secret with data or stringData fails with its construct path and keys', () => {
    const { cluster, tenant } = tenantStack();
    new k8s.KubeSecret(tenant, 'Db', { metadata: { name: 'db' }, stringData: { password: 'hunter2' } });
    new k8s.KubeSecret(tenant, 'Tls', { metadata: { name: 'tls' }, data: { 'tls.key': 'c2VjcmV0' } });
    const err = synthError(cluster);
    const found = policyProblems(err, 'no-literal-secrets');
    expect(found.map((p) => [p.path, p.field])).toEqual([['Forum/Db', '/stringData'], ['Forum/Tls', '/data']]);
    expect(found[0].message).toMatch(/Secret "db" has literal values \(keys "password"\).*SecretKey\.of\(name, key\).*SealedSecret or an ExternalSecret/);
    expect(err.message).not.toMatch(/hunter2/);
  });

  test('an empty Secret and a SealedSecret pass', () => {
    expect(checkPolicies(objs(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token', namespace: 'a' }, type: 'kubernetes.io/service-account-token' },
      { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 's', namespace: 'a' }, spec: { encryptedData: { k: 'AgB...' } } },
    ))).toEqual([]);
  });
});

describe('tenant-network-isolation and tenant-pod-security', () => {
  test('removing the default-deny policy of a tenant fails on the Namespace', () => {
    const { cluster, tenant } = tenantStack();
    tenant.node.findChild('Network').node.tryRemoveChild('DenyAll');
    const found = policyProblems(synthError(cluster), 'tenant-network-isolation');
    expect(found).toHaveLength(1);
    expect(found[0].path).toBe('Forum/Namespace');
    expect(found[0].message).toMatch(/tenant namespace "forum" has no default-deny NetworkPolicy/);
  });

  test('an allow-all policy with an empty selector does not count as default deny', () => {
    expect(isDefaultDenyIngress({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] } })).toBe(false);
    expect(isDefaultDenyIngress({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: { podSelector: { matchLabels: { a: 'b' } }, policyTypes: ['Ingress'] } })).toBe(false);
    expect(isDefaultDenyIngress({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: { podSelector: {}, policyTypes: ['Egress'] } })).toBe(false);
    expect(isDefaultDenyIngress({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: { podSelector: {} } })).toBe(true);
  });

  test('a tenant namespace without a Pod Security level fails', () => {
    const { cluster, tenant } = tenantStack();
    tenant.namespaceObject.addJsonPatch(JsonPatch.remove('/metadata/labels/pod-security.kubernetes.io~1enforce'));
    const found = policyProblems(synthError(cluster), 'tenant-pod-security');
    expect(found).toEqual([{
      path: 'Forum/Namespace',
      field: '/metadata/labels/pod-security.kubernetes.io~1enforce',
      message: expect.stringMatching(/tenant namespace "forum" has no Pod Security level; set the label pod-security.kubernetes.io\/enforce to one of restricted, baseline, privileged/),
    }]);
  });

  test('a made-up Pod Security level fails naming the value', () => {
    const m = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 't', labels: { 'ocpkit.io/tenant': 't', 'pod-security.kubernetes.io/enforce': 'strict' } } };
    const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'd', namespace: 't' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
    const found = checkPolicies(objs(m, np));
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/policy tenant-pod-security: tenant namespace "t" has Pod Security level "strict"; use one of restricted/);
  });
});

describe('no-host-access', () => {
  test('privileged, hostNetwork, hostPID, hostIPC and hostPath are each reported with their JSON path', () => {
    const { cluster, tenant } = tenantStack();
    deployment(tenant, 'Agent', {
      name: 'agent',
      container: { securityContext: { privileged: true }, resources: { requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('10Mi') } } },
      pod: { hostNetwork: true, hostPid: true, hostIpc: true, volumes: [{ name: 'root', hostPath: { path: '/' } }] },
    });
    const found = policyProblems(synthError(cluster), 'no-host-access');
    expect(found.map((p) => p.field)).toEqual([
      '/spec/template/spec/hostNetwork', '/spec/template/spec/hostPID', '/spec/template/spec/hostIPC',
      '/spec/template/spec/volumes/0/hostPath', '/spec/template/spec/containers/0/securityContext/privileged',
    ]);
    expect(found.every((p) => p.path === 'Forum/Agent')).toBe(true);
    expect(found[3].message).toMatch(/Deployment "agent" in namespace "forum" mounts host path "\/" \(volume "root"\); only declared system namespaces allow host access \(SystemNamespaces.declare/);
    expect(found[4].message).toMatch(/container "agent" is privileged/);
  });

  test('CronJobs and init containers are looked into', () => {
    const found = checkPolicies(objs({
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'n' },
      spec: { schedule: '0 0 * * *', jobTemplate: { spec: { template: { spec: { initContainers: [{ name: 'i', image: 'x.io/i:1', securityContext: { privileged: true }, resources: { requests: { cpu: '1', memory: '1Gi' } } }], containers: [{ name: 'm', image: 'x.io/m:1', resources: { limits: { cpu: '1', memory: '1Gi' } } }] } } } } },
    }));
    expect(found.map((p) => p.field)).toEqual(['/spec/jobTemplate/spec/template/spec/initContainers/0/securityContext/privileged']);
    expect(found[0].message).toMatch(/init container "i" is privileged/);
  });
});

describe('pinned-images', () => {
  test.each([
    ['quay.io/x/web', /has no tag, so it means "latest"/],
    ['quay.io/x/web:latest', /uses the moving tag "latest"/],
    ['quay.io/x/web:stable', /uses the tag "stable", which names no version/],
    ['registry.local:5000/web', /has no tag/],
    ['quay.io/x/web@sha256:abc', /malformed digest/],
    ['', /is not an image reference/],
  ])('%s is not pinned', (image, why) => {
    expect(imagePinProblem(image)).toMatch(why);
    expect(imagePinProblem(image)).toMatch(/pin a version tag .* or a digest/);
  });

  test.each(['quay.io/x/web:1.2.3', 'registry.local:5000/web:2024.11.3', `quay.io/x/web@sha256:${'a'.repeat(64)}`, 'quay.io/x/web:v2'])('%s is pinned', (image) => {
    expect(imagePinProblem(image)).toBeUndefined();
  });

  test('an unpinned Deployment image fails with the construct path and container pointer', () => {
    const { cluster, tenant } = tenantStack();
    deployment(tenant, 'Web', { image: 'docker.io/library/nginx' });
    const found = policyProblems(synthError(cluster), 'pinned-images');
    expect(found).toEqual([{ path: 'Forum/Web', field: '/spec/template/spec/containers/0/image', message: expect.stringMatching(/Deployment "web": container "web": "docker.io\/library\/nginx" has no tag/) }]);
  });

  test('VM container disks, DataVolume imports and ImageStream tags are checked too', () => {
    const found = checkPolicies(objs(
      { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm', namespace: 'n' }, spec: { template: { spec: { volumes: [{ name: 'root', containerDisk: { image: 'quay.io/containerdisks/fedora:latest' } }] } } } },
      { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'dv', namespace: 'n' }, spec: { source: { registry: { url: 'docker://quay.io/containerdisks/centos-stream' } } } },
      { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'is', namespace: 'n' }, spec: { tags: [{ name: 'x', from: { kind: 'DockerImage', name: 'quay.io/a/b:main' } }] } },
    ));
    expect(found.map((p) => [p.path, p.field])).toEqual([
      ['doc#0', '/spec/template/spec/volumes/0/containerDisk/image'],
      ['doc#1', '/spec/source/registry/url'],
      ['doc#2', '/spec/tags/0/from/name'],
    ]);
  });
});

describe('encrypted-backups', () => {
  const bsl = (config?: object, annotations?: object) => ({
    apiVersion: 'velero.io/v1', kind: 'BackupStorageLocation', metadata: { name: 'default', namespace: 'openshift-adp', annotations },
    spec: { provider: 'aws', objectStorage: { bucket: 'velero-prod' }, config },
  });

  test('an unencrypted location fails naming the bucket and the config keys that fix it', () => {
    const found = checkPolicies(objs(bsl({ region: 'us-east-1' })));
    expect(found).toEqual([{ path: 'doc#0', field: '/spec/config', message: expect.stringMatching(/policy encrypted-backups: BackupStorageLocation "default" \(bucket "velero-prod"\) is not encrypted; set one of serverSideEncryption, kmsKeyId, customerKeyEncryptionFile/) }]);
  });

  test.each([{ serverSideEncryption: 'AES256' }, { kmsKeyId: 'alias/velero' }, { customerKeyEncryptionFile: '/credentials/customer-key' }])('%p is encrypted', (config) => {
    expect(checkPolicies(objs(bsl(config)))).toEqual([]);
  });

  test('a waiver or lib/backup\'s unencrypted reason accepts it', () => {
    expect(checkPolicies(objs(bsl({}, { 'ocpkit.io/waive-encrypted-backups': 'local MinIO on an encrypted disk' })))).toEqual([]);
    expect(checkPolicies(objs(bsl({}, { 'ocpkit.io/unencrypted-reason': 'local MinIO on an encrypted disk' })))).toEqual([]);
  });

  test('the locations of a DataProtectionApplication are checked one by one', () => {
    const found = checkPolicies(objs({
      apiVersion: 'oadp.openshift.io/v1alpha1', kind: 'DataProtectionApplication', metadata: { name: 'velero', namespace: 'openshift-adp' },
      spec: { backupLocations: [{ name: 'a', velero: { provider: 'aws', config: { serverSideEncryption: 'AES256' } } }, { name: 'b', velero: { provider: 'aws', objectStorage: { bucket: 'bb' } } }] },
    }));
    expect(found.map((p) => p.field)).toEqual(['/spec/backupLocations/1/velero/config']);
    expect(found[0].message).toMatch(/backup location "b" \(bucket "bb"\) is not encrypted/);
  });
});

describe('confined-projects', () => {
  test('tenant AppProjects pass; a wildcard project fails on each open door', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'Extra', { name: 'extra' });
    new ApiObject(app, 'Loose', {
      apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'loose', namespace: 'openshift-gitops' },
      spec: { sourceRepos: ['*'], destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'team-a' }, { server: 'https://kubernetes.default.svc', namespace: 'team-*' }], clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }] },
    });
    const found = policyProblems(synthError(cluster), 'confined-projects');
    expect(found.map((p) => [p.path, p.field])).toEqual([['Extra/Loose', '/spec/destinations/1/namespace'], ['Extra/Loose', '/spec/clusterResourceWhitelist']]);
    expect(found[0].message).toMatch(/AppProject "loose" may deploy to namespace "team-\*": it contains a glob character.*; name each namespace/);
    expect(found[1].message).toMatch(/may create cluster-scoped kinds \(core\/Namespace\)/);
  });

  test('the platform project may span namespaces', () => {
    const r = synth(testCluster());
    expect(r.objects.some((o) => o.manifest.kind === 'AppProject' && o.manifest.metadata.name === 'platform')).toBe(true);
  });
});

describe('resource-requests', () => {
  test('a tenant LimitRange supplies the defaults', () => {
    const { cluster, tenant } = tenantStack();
    deployment(tenant, 'Web');
    expect(() => synth(cluster)).not.toThrow();
  });

  test('outside a tenant, a container without requests fails naming what is missing', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'Tools', { name: 'tools', namespace: 'tools' });
    deployment(app, 'Web', { container: { resources: { requests: { cpu: k8s.Quantity.fromString('100m') } } } });
    const found = policyProblems(synthError(cluster), 'resource-requests');
    expect(found).toEqual([{ path: 'Tools/Web', field: '/spec/template/spec/containers/0/resources', message: expect.stringMatching(/Deployment "web": container "web" requests no memory and namespace "tools" has no LimitRange default for it; set resources.requests.memory/) }]);
  });

  test('limits count as requests', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'Tools', { name: 'tools', namespace: 'tools' });
    deployment(app, 'Web', { container: { resources: { limits: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('1Gi') } } } });
    expect(() => synth(cluster)).not.toThrow();
  });

  test('a LimitRange of another environment does not count', () => {
    const m = (kind: string, extra: object) => ({ apiVersion: 'v1', kind, metadata: { name: 'x', namespace: 'n' }, ...extra });
    const pod = m('Pod', { spec: { containers: [{ name: 'c', image: 'q.io/c:1' }] } });
    const lr = m('LimitRange', { spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '1', memory: '1Gi' } }] } });
    expect(checkPolicies([{ manifest: pod, path: 'p', group: 'staging' }, { manifest: lr, path: 'l', group: 'production' }])).toHaveLength(1);
    expect(checkPolicies([{ manifest: pod, path: 'p', group: 'staging' }, { manifest: lr, path: 'l', group: 'staging' }])).toEqual([]);
  });
});

describe('all violations of one synth come together', () => {
  test('several policies, several objects, one error', () => {
    const { cluster, tenant } = tenantStack();
    new k8s.KubeSecret(tenant, 'Db', { metadata: { name: 'db' }, stringData: { password: 'x' } });
    deployment(tenant, 'Web', { image: 'nginx' });
    const err = synthError(cluster);
    expect(err.problems.map((p) => p.message.split(':')[0])).toEqual(['policy no-literal-secrets', 'policy pinned-images']);
    expect(err.message).toMatch(/^synth failed with 2 problems:\n {2}\[Forum\/Db\] \/stringData: policy no-literal-secrets/);
  });
});
