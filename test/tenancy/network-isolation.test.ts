import { build } from '../../apps/community/main';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { synthesize } from '../../lib/pipeline-defaults';
import { NetworkIsolation } from '../../lib/tenancy/network-isolation';
import { find, synth, testCluster, validator } from '../_helpers';

describe('NetworkIsolation.allowPorts: the explicit allows next to the default deny', () => {
  function isolated() {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'Vms', { name: 'vms', namespace: 'vms' });
    return { cluster, isolation: new NetworkIsolation(app, 'Network', { namespace: 'vms' }) };
  }

  test('opens exactly the listed ports of the selected pods, to every namespace or to named ones', () => {
    const { cluster, isolation } = isolated();
    isolation.allowPorts('allow-ldap', { pods: { 'ocpkit.io/vm': 'idm-1' }, ports: [{ port: 389 }, { port: 88, protocol: 'UDP' }] });
    isolation.allowPorts('allow-smtp', { pods: { 'ocpkit.io/vm': 'relay' }, ports: [{ port: 25 }], from: ['gitlab-system'] });
    const r = synth(cluster);
    expect(find(r, 'NetworkPolicy', 'allow-ldap', 'vms').spec).toEqual({
      podSelector: { matchLabels: { 'ocpkit.io/vm': 'idm-1' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: {} }], ports: [{ port: 389, protocol: 'TCP' }, { port: 88, protocol: 'UDP' }] }],
    });
    expect(find(r, 'NetworkPolicy', 'allow-smtp', 'vms').spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gitlab-system' } }, podSelector: {} }]);
    expect(find(r, 'NetworkPolicy', 'deny-by-default', 'vms').spec.podSelector).toEqual({});
  });

  test.each([
    ['an empty pod selector', { pods: {}, ports: [{ port: 25 }] }, /pods: select the pods by at least one label/],
    ['no ports', { pods: { a: 'b' }, ports: [] }, /ports: list at least one port; a policy without ports opens every port/],
    ['a port out of range', { pods: { a: 'b' }, ports: [{ port: 70000 }] }, /ports\[0\]\.port: 70000 must be an integer from 1 to 65535/],
    ['a bad namespace', { pods: { a: 'b' }, ports: [{ port: 25 }], from: ['Bad_NS'] }, /from\[0\]: "Bad_NS" is not a DNS-1123 label/],
  ])('%s is refused with the construct path', (_n, options, message) => {
    const { isolation } = isolated();
    expect(() => isolation.allowPorts('allow-x', options as any)).toThrow(message);
    expect(() => isolation.allowPorts('allow-x', options as any)).toThrow(/\[Vms\/Network allowPorts\]/);
  });

  test('pods: isolates only the selected pods, under prefixed policy names; an empty selector is refused', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'Git', { name: 'git', namespace: 'git' });
    new NetworkIsolation(app, 'Gitaly', { namespace: 'git', pods: { labels: { 'ocpkit.io/vm': 'gitaly' }, namePrefix: 'gitaly' }, allowSameNamespace: false, allowIngressRouters: false })
      .allowPorts('gitaly-grpc', { pods: { 'ocpkit.io/vm': 'gitaly' }, ports: [{ port: 8075 }], from: ['git'] });
    const r = synth(cluster);
    const names = r.objects.filter((o) => o.manifest.kind === 'NetworkPolicy').map((o) => o.manifest.metadata.name).sort();
    expect(names).toEqual(['gitaly-allow-from-openshift-monitoring', 'gitaly-deny-by-default', 'gitaly-grpc']);
    expect(find(r, 'NetworkPolicy', 'gitaly-deny-by-default', 'git').spec.podSelector).toEqual({ matchLabels: { 'ocpkit.io/vm': 'gitaly' } });
    expect(() => new NetworkIsolation(app, 'Bad', { namespace: 'git', pods: { labels: {}, namePrefix: 'x' } })).toThrow(/\[Git\/Bad\] pods\.labels: select the pods by at least one label/);
  });

  test('the reference stack: gitlab-system denies by default; the Gitaly VM takes gRPC from GitLab\'s pods (and itself) only', () => {
    const all = synthesize(build(), { validator: validator() });
    const r = { ...all, objects: all.objects.filter((o) => o.file.startsWith('production/')) };
    const deny = find(r, 'NetworkPolicy', 'deny-by-default', 'gitlab-system');
    expect(deny.spec.podSelector).toEqual({});
    const grpc = r.objects.map((o) => o.manifest).filter((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === 'gitlab-system' && m.spec.podSelector?.matchLabels?.['ocpkit.io/vm'] === 'gitaly');
    expect(grpc.flatMap((m) => m.spec.ingress.flatMap((rule: any) => rule.from))).toEqual(expect.arrayContaining([{ podSelector: { matchLabels: { release: 'gitlab' } } }, { podSelector: { matchLabels: { 'ocpkit.io/vm': 'gitaly' } } }]));
    for (const m of grpc) for (const rule of m.spec.ingress) expect(rule.ports).toEqual([{ port: 8075, protocol: 'TCP' }]);
  });

  test('the reference stack: infra-vms denies by default and opens each VM\'s Service ports only', () => {
    const r = synthesize(build(), { validator: validator() });
    const policies = r.objects.filter((o) => o.file.startsWith('production/infra-vms/') && o.manifest.kind === 'NetworkPolicy').map((o) => o.manifest);
    expect(policies.map((p) => p.metadata.name)).toEqual(expect.arrayContaining(['deny-by-default', 'allow-same-namespace', 'allow-mail-relay-service', 'allow-idm-1-service']));
    const services = r.objects.filter((o) => o.file.startsWith('production/infra-vms/') && o.manifest.kind === 'Service').map((o) => o.manifest);
    for (const svc of services) {
      const allow = policies.find((p) => p.metadata.name === `allow-${svc.metadata.name}-service`);
      expect(allow.spec.podSelector.matchLabels).toEqual(svc.spec.selector);
      expect(allow.spec.ingress[0].ports).toEqual(svc.spec.ports.map((x: any) => ({ port: x.targetPort, protocol: x.protocol })));
    }
  });
});
