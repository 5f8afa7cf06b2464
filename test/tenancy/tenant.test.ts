import { Quantity } from '../../lib/core/quantity';
import { OcpkitError } from '../../lib/core/errors';
import { PodSecurityLevel, Tenant, TenantProps } from '../../lib/tenancy';
import { find, synth, testCluster } from '../_helpers';

const minimal = (over: Partial<TenantProps> = {}): TenantProps => ({
  name: 'forum',
  displayName: 'Community forum',
  groups: { admin: ['forum-admins'] },
  quota: { cpu: Quantity.parse('2'), memory: Quantity.parse('4Gi'), storage: Quantity.parse('20Gi') },
  ...over,
});

describe('Tenant', () => {
  test('minimal tenant: exact object set and file names', () => {
    const c = testCluster();
    new Tenant(c, 'Forum', minimal());
    const r = synth(c);
    expect(r.objects.map((o) => o.file)).toEqual([
      'test/bootstrap/application.openshift-gitops.test-root.yaml',
      'test/bootstrap/appproject.openshift-gitops.platform.yaml',
      'test/bootstrap/argocd.openshift-gitops.openshift-gitops.yaml',
      'test/bootstrap/clusterrole.openshift-gitops-ocpkit-application-controller.yaml',
      'test/bootstrap/clusterrolebinding.openshift-gitops-ocpkit-application-controller.yaml',
      'test/forum/networkpolicy.forum.allow-from-openshift-ingress.yaml',
      'test/forum/networkpolicy.forum.allow-from-openshift-monitoring.yaml',
      'test/forum/networkpolicy.forum.allow-same-namespace.yaml',
      'test/forum/networkpolicy.forum.deny-by-default.yaml',
      'test/forum/rolebinding.forum.tenant-admin.yaml',
      'test/root/application.openshift-gitops.forum.yaml',
      'test/root/application.openshift-gitops.tenancy.yaml',
      'test/root/appproject.openshift-gitops.tenant-forum.yaml',
      'test/tenancy/limitrange.forum.tenant-defaults.yaml',
      'test/tenancy/namespace.forum.yaml',
      'test/tenancy/resourcequota.forum.tenant-quota.yaml',
    ]);
  });

  test('namespace carries project annotations, PSA labels and the GitOps label', () => {
    const c = testCluster();
    new Tenant(c, 'Forum', minimal({ description: 'Discourse', requester: 'alice', labels: { team: 'web' } }));
    const ns = find(synth(c), 'Namespace', 'forum');
    expect(ns.metadata.namespace).toBeUndefined();
    expect(ns.metadata.annotations).toMatchObject({
      'openshift.io/display-name': 'Community forum',
      'openshift.io/description': 'Discourse',
      'openshift.io/requester': 'alice',
    });
    expect(ns.metadata.labels).toEqual({
      team: 'web',
      'ocpkit.io/tenant': 'forum',
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'security.openshift.io/scc.podSecurityLabelSync': 'false',
      'argocd.argoproj.io/managed-by': 'openshift-gitops',
    });
  });

  test('pod security level is configurable', () => {
    const c = testCluster();
    new Tenant(c, 'Forum', minimal({ podSecurity: PodSecurityLevel.BASELINE }));
    expect(find(synth(c), 'Namespace', 'forum').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
  });

  test('quota and limit range', () => {
    const c = testCluster();
    new Tenant(c, 'Forum', minimal({ quota: { cpu: Quantity.parse('4'), memory: Quantity.parse('8Gi'), storage: Quantity.parse('1Ti'), pods: 30, persistentVolumeClaims: 5 } }));
    const r = synth(c);
    expect(find(r, 'ResourceQuota', 'tenant-quota').spec.hard).toEqual({
      'limits.memory': '8Gi', 'requests.cpu': '4', 'requests.memory': '8Gi', 'requests.storage': '1Ti', persistentvolumeclaims: 5, pods: 30,
    });
    expect(find(r, 'LimitRange', 'tenant-defaults').spec.limits).toEqual([
      { default: { memory: '512Mi' }, defaultRequest: { cpu: '50m', memory: '128Mi' }, type: 'Container' },
    ]);
  });

  test('group RBAC: one RoleBinding per role, groups sorted', () => {
    const c = testCluster();
    new Tenant(c, 'Forum', minimal({ groups: { admin: ['b-admins', 'a-admins'], edit: ['mods'], view: ['oncall'] } }));
    const r = synth(c);
    expect(find(r, 'RoleBinding', 'tenant-admin').subjects.map((s: any) => s.name)).toEqual(['a-admins', 'b-admins']);
    expect(find(r, 'RoleBinding', 'tenant-edit').roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' });
    expect(find(r, 'RoleBinding', 'tenant-view').subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oncall' }]);
  });

  test('network policies: default deny plus allowances, each can be opted out', () => {
    const c = testCluster();
    new Tenant(c, 'Forum', minimal({ network: { allowMonitoring: false, allowSameNamespace: false } }));
    const r = synth(c);
    const names = r.objects.filter((o) => o.manifest.kind === 'NetworkPolicy').map((o) => o.manifest.metadata.name);
    expect(names).toEqual(['allow-from-openshift-ingress', 'deny-by-default']);
    expect(find(r, 'NetworkPolicy', 'deny-by-default').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(find(r, 'NetworkPolicy', 'allow-from-openshift-ingress').spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'policy-group.network.openshift.io/ingress': '' } }, podSelector: {} }] },
    ]);
  });

  test('every namespace peer of a tenant also selects every pod, so host-network routers match (OpenShift network policy warning)', () => {
    const c = testCluster();
    new Tenant(c, 'Forum', minimal());
    const r = synth(c);
    const peers = r.objects
      .filter((o) => o.manifest.kind === 'NetworkPolicy')
      .flatMap((o) => (o.manifest.spec.ingress ?? []).flatMap((rule: any) => rule.from ?? []));
    const namespacePeers = peers.filter((p: any) => p.namespaceSelector !== undefined);
    expect(namespacePeers.length).toBeGreaterThanOrEqual(2);
    for (const p of namespacePeers) expect(p.podSelector).toEqual({});
  });

  test('AppProject confines the tenant to its namespace and forbids cluster-scoped kinds', () => {
    const c = testCluster();
    new Tenant(c, 'Forum', minimal());
    const r = synth(c);
    const proj = find(r, 'AppProject', 'tenant-forum');
    expect(proj.spec.destinations).toEqual([{ namespace: 'forum', server: 'https://kubernetes.default.svc' }]);
    expect(proj.spec.clusterResourceWhitelist).toEqual([]);
    expect(proj.spec.sourceRepos).toEqual(['https://git.example.org/infra.git']);
    const app = find(r, 'Application', 'forum');
    expect(app.spec.project).toBe('tenant-forum');
    expect(app.spec.source.path).toBe('dist/test/forum');
    expect(app.spec.destination.namespace).toBe('forum');
  });

  test('metadata names come from the tenant name, not the construct id', () => {
    const a = testCluster();
    new Tenant(a, 'SomeId', minimal());
    const b = testCluster();
    new Tenant(b, 'RenamedId', minimal());
    const names = (c: any) => synth(c).objects.map((o) => `${o.manifest.kind}/${o.manifest.metadata.name}`);
    expect(names(a)).toEqual(names(b));
  });

  describe('bad input', () => {
    test.each([
      [{ name: 'Forum_1' }, /\[Forum\] name: "Forum_1" is not a DNS-1123 label/],
      [{ name: 'openshift-forum' }, /name: "openshift-forum" starts with a prefix reserved by OpenShift/],
      [{ displayName: '' }, /displayName: "" must be a non-empty string/],
      [{ groups: { admin: [] } }, /groups.admin: at least one admin group is required/],
      [{ groups: { admin: ['ok'], edit: 'mods' as any } }, /groups.edit: must be a list of group names/],
      [{ groups: { admin: ['ok', 'ok'] } }, /groups.admin: group "ok" is listed twice/],
      [{ quota: { cpu: '2' as any, memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi') } }, /quota.cpu: must be a Quantity/],
      [{ quota: { cpu: Quantity.parse('2'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi'), pods: 0 } }, /quota.pods: 0 must be an integer from 1 to 10000/],
      [{ podSecurity: 'open' as any }, /podSecurity: "open" is not allowed/],
    ])('%j', (over, message) => {
      const c = testCluster();
      expect(() => new Tenant(c, 'Forum', minimal(over as Partial<TenantProps>))).toThrow(OcpkitError);
      expect(() => new Tenant(testCluster(), 'Forum', minimal(over as Partial<TenantProps>))).toThrow(message);
    });

    test('duplicate tenant names are refused, naming both', () => {
      const c = testCluster();
      new Tenant(c, 'One', minimal());
      expect(() => new Tenant(c, 'Two', minimal())).toThrow(/\[Two\] name: "forum" is already used by One/);
    });
  });
});
