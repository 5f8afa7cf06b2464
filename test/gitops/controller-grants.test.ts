import { GITOPS_CONTROLLER_GRANTS, GrantRule } from '../../lib/gitops/controller-grants';

function allows(rules: readonly GrantRule[], group: string, resource: string, verb: string): boolean {
  return rules.some((r) => (r.apiGroups.includes('*') || r.apiGroups.includes(group))
    && (r.resources.includes('*') || r.resources.includes(resource))
    && (r.verbs.includes('*') || r.verbs.includes(verb)));
}

describe('GITOPS_CONTROLLER_GRANTS', () => {
  const entries = Object.entries(GITOPS_CONTROLLER_GRANTS);

  test('has an entry for OpenShift GitOps 1.12 keyed by its own version', () => {
    expect(GITOPS_CONTROLLER_GRANTS['1.12']).toBeDefined();
    for (const [key, g] of entries) expect(g.gitops).toBe(key);
  });

  test.each(entries)('%s: every rule has groups, resources and verbs', (_key, g) => {
    const all: GrantRule[] = [...g.cluster, ...g.managedNamespace, ...g.adminRole, ...Object.values(g.aggregatedToAdmin).flat()];
    expect(all.length).toBeGreaterThan(0);
    for (const r of all) {
      expect(r.apiGroups.length).toBeGreaterThan(0);
      expect(r.resources.length).toBeGreaterThan(0);
      expect(r.verbs.length).toBeGreaterThan(0);
      for (const s of [...r.apiGroups, ...r.resources, ...r.verbs]) expect(typeof s).toBe('string');
    }
  });

  test.each(entries)('%s: sources are present for the entry and each aggregated key', (_key, g) => {
    expect(g.source.length).toBeGreaterThan(0);
    expect(Object.keys(g.aggregatedSources).sort()).toEqual(Object.keys(g.aggregatedToAdmin).sort());
    for (const s of Object.values(g.aggregatedSources)) expect(s.length).toBeGreaterThan(0);
    expect(g.serviceAccount.name).not.toBe('');
  });

  test('1.12 records the review findings: no quota/limitrange, ClusterIssuer or NNCP write', () => {
    const g = GITOPS_CONTROLLER_GRANTS['1.12'];
    const ns = [...g.cluster, ...g.managedNamespace, ...g.adminRole, ...Object.values(g.aggregatedToAdmin).flat()];
    expect(allows(ns, '', 'resourcequotas', 'create')).toBe(false);
    expect(allows(ns, '', 'limitranges', 'create')).toBe(false);
    expect(allows(ns, '', 'resourcequotas', 'get')).toBe(true);
    expect(allows(g.cluster, 'cert-manager.io', 'clusterissuers', 'create')).toBe(false);
    expect(allows(g.cluster, 'nmstate.io', 'nodenetworkconfigurationpolicies', 'create')).toBe(false);
    expect(allows(g.cluster, 'operators.coreos.com', 'subscriptions', 'create')).toBe(true);
    expect(allows(ns, 'k8s.cni.cncf.io', 'network-attachment-definitions', 'create')).toBe(false);
  });
});
