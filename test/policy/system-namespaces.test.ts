import { k8s } from 'cdk8s-plus-27';
import { OcpkitError } from '../../lib/core/errors';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { SYSTEM_NAMESPACE_ANNOTATION, SystemNamespaces } from '../../lib/policy';
import { find, synth, testCluster } from '../_helpers';
import { deployment, policyProblems, synthError, tenantStack } from './_stack';

const hostAccess = { hostNetwork: true, volumes: [{ name: 'data', hostPath: { path: '/var/lib/etcd' } }] };

function etcdBackup(cluster: ReturnType<typeof testCluster>, declare: boolean) {
  const app = new GitOpsApp(cluster, 'EtcdBackup', { name: 'etcd-backup', namespace: 'etcd-backup' });
  new k8s.KubeNamespace(app, 'Namespace', { metadata: { name: 'etcd-backup' } });
  deployment(app, 'Job', {
    name: 'etcd-backup',
    container: { securityContext: { privileged: true }, resources: { requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('256Mi') } } },
    pod: hostAccess,
  });
  if (declare) SystemNamespaces.declare(cluster, 'etcd-backup', 'etcd snapshots read the control-plane data dir');
  return app;
}

describe('SystemNamespaces', () => {
  test('host access is refused outside a declared system namespace', () => {
    const cluster = testCluster();
    etcdBackup(cluster, false);
    const found = policyProblems(synthError(cluster), 'no-host-access');
    expect(found.map((p) => p.field)).toEqual(['/spec/template/spec/hostNetwork', '/spec/template/spec/volumes/0/hostPath', '/spec/template/spec/containers/0/securityContext/privileged']);
    expect(found[0].path).toBe('EtcdBackup/Job');
  });

  test('a declared namespace allows it, and the declaration is stamped on the Namespace and the pods', () => {
    const cluster = testCluster();
    etcdBackup(cluster, true);
    const r = synth(cluster);
    expect(find(r, 'Namespace', 'etcd-backup').metadata.annotations[SYSTEM_NAMESPACE_ANNOTATION]).toBe('etcd snapshots read the control-plane data dir');
    expect(find(r, 'Deployment', 'etcd-backup').metadata.annotations[SYSTEM_NAMESPACE_ANNOTATION]).toBe('etcd snapshots read the control-plane data dir');
    expect(SystemNamespaces.of(cluster)).toEqual(new Map([['etcd-backup', 'etcd snapshots read the control-plane data dir']]));
  });

  test('a declaration belongs to its cluster only', () => {
    const a = testCluster('a');
    const b = testCluster('b');
    etcdBackup(a, true);
    etcdBackup(b, false);
    expect(() => synth(a)).not.toThrow();
    expect(policyProblems(synthError(b), 'no-host-access')).toHaveLength(3);
  });

  test('a tenant namespace cannot be a system namespace', () => {
    const { cluster, tenant } = tenantStack();
    SystemNamespaces.declare(cluster, 'forum', 'needs host access');
    deployment(tenant, 'Web', { pod: { hostNetwork: true } });
    const err = synthError(cluster);
    expect(err.problems.map((p) => [p.path, p.message])).toEqual([
      ['Forum/Namespace', expect.stringMatching(/^policy no-host-access: tenant namespace "forum" is declared a system namespace; tenants never get host access/)],
      ['Forum/Web', expect.stringMatching(/^policy no-host-access: Deployment "web" in namespace "forum" sets hostNetwork: true/)],
    ]);
  });

  test('a hand-written system-namespace annotation does not exempt anything in a synth', () => {
    const { cluster, tenant } = tenantStack();
    const d = deployment(tenant, 'Web', { pod: { hostNetwork: true } });
    d.metadata.addAnnotation(SYSTEM_NAMESPACE_ANNOTATION, 'trust me');
    const err = synthError(cluster);
    expect(err.problems.map((p) => p.field)).toEqual(['/metadata/annotations/ocpkit.io~1system-namespace', '/spec/template/spec/hostNetwork']);
    expect(err.problems[0].message).toMatch(/only SystemNamespaces.declare\(cluster, namespace, reason\) sets this annotation/);
  });

  test.each([
    ['Etcd_Backup', 'etcd', /namespace: "Etcd_Backup" is not a DNS-1123 label/],
    ['etcd-backup', '', /reason: "" is not a reason; say why this namespace needs host access/],
  ])('declare(%p, %p) is refused', (ns, reason, msg) => {
    const cluster = testCluster();
    expect(() => SystemNamespaces.declare(cluster, ns, reason)).toThrow(OcpkitError);
    expect(() => SystemNamespaces.declare(cluster, ns, reason)).toThrow(msg);
  });

  test('declaring on something that is not a Cluster is refused', () => {
    expect(() => SystemNamespaces.declare({} as any, 'etcd-backup', 'x')).toThrow(/cluster: \{\} is not a Cluster/);
  });
});
