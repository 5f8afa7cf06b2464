import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { OcpkitError } from '../../lib/core/errors';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { Policies, Policy, PolicyRule } from '../../lib/policy';
import { ContainerApp, ExternalImage } from '../../lib/openshift';
import { synth, find, testCluster } from '../_helpers';
import { deployment, policyProblems, synthError, tenantStack } from './_stack';

describe('Policy.waive', () => {
  test('waiving an ApiObject writes the reason as an annotation and the synth passes', () => {
    const { cluster, tenant } = tenantStack();
    const d = deployment(tenant, 'Web', { image: 'quay.io/x/web:latest' });
    Policy.waive(d, 'pinned-images', 'vendor publishes only latest; tracked in INFRA-42');
    const r = synth(cluster);
    expect(find(r, 'Deployment', 'web').metadata.annotations['ocpkit.io/waive-pinned-images']).toBe('vendor publishes only latest; tracked in INFRA-42');
  });

  test('a waiver covers only the named policy', () => {
    const { cluster, tenant } = tenantStack();
    const d = deployment(tenant, 'Web', { image: 'quay.io/x/web:latest', pod: { hostNetwork: true } });
    Policy.waive(d, 'pinned-images', 'vendor publishes only latest');
    const err = synthError(cluster);
    expect(err.problems.map((p) => p.message.split(':')[0])).toEqual(['policy no-host-access']);
  });

  test('waiving a higher-level construct waives every object below it, including later ones', () => {
    const { cluster, tenant } = tenantStack();
    const app = new GitOpsApp(cluster, 'Tools', { name: 'tools', namespace: 'tools' });
    Policy.waive(app, 'resource-requests', 'batch tools sized by the operator');
    deployment(app, 'Late', { name: 'late' });
    const w = new ContainerApp(tenant, 'Web', { name: 'web', image: ExternalImage.tag('quay.io/x/web', '1.0') });
    Policy.waive(w, 'pinned-images', 'not needed but harmless');
    const r = synth(cluster);
    expect(find(r, 'Deployment', 'late').metadata.annotations['ocpkit.io/waive-resource-requests']).toBe('batch tools sized by the operator');
    expect(find(r, 'Service', 'web').metadata.annotations['ocpkit.io/waive-pinned-images']).toBe('not needed but harmless');
    expect(find(r, 'Application', 'tools').metadata.annotations['ocpkit.io/waive-resource-requests']).toBeDefined();
  });

  test.each([
    ['', /\[Forum\/Web\] reason: "" is not a reason; a waiver needs a written reason/],
    ['   ', /reason: "   " is not a reason/],
    [undefined, /reason: undefined is not a reason/],
  ])('reason %p is refused', (reason, msg) => {
    const { tenant } = tenantStack();
    const d = deployment(tenant, 'Web');
    let err: unknown;
    try {
      Policy.waive(d, 'pinned-images', reason as any);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OcpkitError);
    expect((err as Error).message).toMatch(msg);
  });

  test('an unknown policy id is refused with the list of ids', () => {
    const { tenant } = tenantStack();
    expect(() => Policy.waive(tenant, 'pinned-image', 'typo')).toThrow(/\[Forum\] policyId: "pinned-image" is not a policy; use one of "cdi-clone-network", "confined-projects", .*"pinned-images"/);
  });

  test('hand-written waiver annotations with a blank reason or an unknown policy are problems', () => {
    const { cluster, tenant } = tenantStack();
    const d = deployment(tenant, 'Web', { image: 'quay.io/x/web' });
    d.metadata.addAnnotation('ocpkit.io/waive-pinned-images', ' ');
    d.metadata.addAnnotation('ocpkit.io/waive-everything', 'please');
    const err = synthError(cluster);
    expect(err.problems.map((p) => [p.path, p.field])).toEqual([
      ['Forum/Web', '/metadata/annotations/ocpkit.io~1waive-everything'],
      ['Forum/Web', '/metadata/annotations/ocpkit.io~1waive-pinned-images'],
      ['Forum/Web', '/spec/template/spec/containers/0/image'],
    ]);
    expect(err.problems[0].message).toMatch(/waives unknown policy "everything"; known policies are cdi-clone-network, confined-projects/);
    expect(err.problems[1].message).toMatch(/waiver of policy pinned-images has no reason/);
    expect(policyProblems(err, 'pinned-images')).toHaveLength(1);
  });
});

describe('Policies.add', () => {
  const noConfigMaps: PolicyRule = { id: 'test-no-configmap-x', title: 'no ConfigMap named x', check: (o: any) => (o.manifest.kind === 'ConfigMap' && o.manifest.metadata.name === 'x' ? [{ pointer: '/metadata/name', message: 'ConfigMap "x" is forbidden' }] : []) };
  const withConfigMap = (environment: string) => {
    const cluster = testCluster(environment);
    const app = new GitOpsApp(cluster, 'Tools', { name: 'tools', namespace: 'tools' });
    new ApiObject(app, 'X', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    return { cluster, app };
  };

  test('a stack-specific policy runs in its own cluster only: two clusters, two check sets, one process', () => {
    const strict = withConfigMap('strict');
    const lax = withConfigMap('lax');
    Policies.add(strict.cluster, noConfigMaps);
    expect(() => synth(strict.cluster)).toThrow(/\[Tools\/X\] \/metadata\/name: policy test-no-configmap-x: ConfigMap "x" is forbidden/);
    expect(() => synth(lax.cluster)).not.toThrow();
    expect(Policy.ids(strict.cluster)).toContain('test-no-configmap-x');
    expect(Policy.ids(lax.cluster)).not.toContain('test-no-configmap-x');
    expect(Policy.ids()).not.toContain('test-no-configmap-x');
  });

  test('it can be waived with a reason, in its own cluster', () => {
    const strict = withConfigMap('strict');
    Policies.add(strict.cluster, noConfigMaps);
    Policy.waive(strict.app, 'test-no-configmap-x', 'legacy name, renamed next release');
    const cm = synth(strict.cluster).objects.find((o) => o.manifest.kind === 'ConfigMap')!.manifest;
    expect(cm.metadata.annotations['ocpkit.io/waive-test-no-configmap-x']).toBe('legacy name, renamed next release');
    // Not known to another cluster: waiving it there is an error.
    const lax = withConfigMap('lax');
    expect(() => Policy.waive(lax.app, 'test-no-configmap-x', 'x')).toThrow(/is not a policy/);
  });

  test('ids are unique and rules well-formed', () => {
    const { cluster } = withConfigMap('a');
    Policies.add(cluster, noConfigMaps);
    Policies.add(cluster, noConfigMaps); // the same rule again is fine
    expect(() => Policies.add(cluster, { ...noConfigMaps })).toThrow(OcpkitError);
    expect(() => Policies.add(cluster, { ...noConfigMaps, id: 'pinned-images' })).toThrow(/policy id "pinned-images" is already taken/);
    expect(() => Policies.add(cluster, { ...noConfigMaps, id: 'Bad Id' })).toThrow(/is not a policy/);
  });
});

describe('synthesize({ policies: false })', () => {
  test('turns the checks off (for tests of other failure modes)', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'Tools', { name: 'tools', namespace: 'tools' });
    new ApiObject(app, 'S', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { a: 'b' } });
    const { synthesize } = require('../../lib/pipeline-defaults');
    expect(() => synthesize(cluster, { validator: false })).toThrow(/no-literal-secrets/);
    expect(() => synthesize(cluster, { validator: false, policies: false, references: false })).not.toThrow();
    void k8s;
  });
});
