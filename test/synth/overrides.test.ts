import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { OcpkitError } from '../../lib/core/errors';
import { Quantity } from '../../lib/core/quantity';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { ExternalImage } from '../../lib/openshift/external-image';
import { ContainerApp } from '../../lib/openshift/container-app';
import { synthesize } from '../../lib/pipeline-defaults';
import { escapePointerToken, JsonPatchOperation, Overrides, primaryObject } from '../../lib/synth/overrides';
import { VirtualMachine } from '../../lib/virt/virtual-machine';
import { find, testCluster, validator } from '../_helpers';
import { minimal, tenant, vmCluster } from '../virt/_fixtures';

/** A bare ApiObject (no cluster), for the patch semantics. */
function object(): ApiObject {
  return new ApiObject(new Chart(new App(), 'C'), 'Obj', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
}

const DOC = () => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'x', annotations: { 'a.io/one': '1' } },
  data: { k: 'v', 'a/b': 'slash', 'm~n': 'tilde' },
  list: [1, 2, 3],
});

describe('Overrides: JSON Patch semantics (RFC 6902) on the rendered manifest', () => {
  const ok: [string, JsonPatchOperation[], (d: any) => void][] = [
    ['add a new field', [{ op: 'add', path: '/data/new', value: 'x' }], (d) => expect(d.data.new).toBe('x')],
    ['add replaces an existing field', [{ op: 'add', path: '/data/k', value: 'w' }], (d) => expect(d.data.k).toBe('w')],
    ['add inserts into a list', [{ op: 'add', path: '/list/1', value: 9 }], (d) => expect(d.list).toEqual([1, 9, 2, 3])],
    ['add appends with -', [{ op: 'add', path: '/list/-', value: 4 }], (d) => expect(d.list).toEqual([1, 2, 3, 4])],
    ['add at the length appends', [{ op: 'add', path: '/list/3', value: 4 }], (d) => expect(d.list).toEqual([1, 2, 3, 4])],
    ['~1 is a slash in a key', [{ op: 'replace', path: '/data/a~1b', value: 'S' }], (d) => expect(d.data['a/b']).toBe('S')],
    ['~0 is a tilde in a key', [{ op: 'remove', path: '/data/m~0n' }], (d) => expect(d.data).not.toHaveProperty('m~n')],
    ['~01 is "~1", not a slash', [{ op: 'add', path: '/data/~01', value: 'lit' }], (d) => expect(d.data['~1']).toBe('lit')],
    ['remove a list element shifts the rest', [{ op: 'remove', path: '/list/0' }], (d) => expect(d.list).toEqual([2, 3])],
    ['replace a value', [{ op: 'replace', path: '/metadata/name', value: 'y' }], (d) => expect(d.metadata.name).toBe('y')],
    ['move a field', [{ op: 'move', from: '/data/k', path: '/data/moved' }], (d) => expect(d.data).toEqual({ moved: 'v', 'a/b': 'slash', 'm~n': 'tilde' })],
    ['copy a field (a copy, not a reference)', [{ op: 'copy', from: '/metadata/annotations', path: '/metadata/labels' }, { op: 'add', path: '/metadata/labels/x', value: 'y' }],
      (d) => expect([d.metadata.labels, d.metadata.annotations]).toEqual([{ 'a.io/one': '1', x: 'y' }, { 'a.io/one': '1' }])],
    ['test that holds', [{ op: 'test', path: '/list', value: [1, 2, 3] }], (d) => expect(d.list).toEqual([1, 2, 3])],
    ['operations apply in order', [{ op: 'add', path: '/spec', value: {} }, { op: 'add', path: '/spec/x', value: 1 }], (d) => expect(d.spec).toEqual({ x: 1 })],
  ];
  test.each(ok)('%s', (_name, ops, check) => {
    const o = object();
    check(Overrides.of(o).addJsonPatch(...ops).applyTo(DOC()));
  });

  const bad: [string, JsonPatchOperation[], RegExp][] = [
    ['add below a missing parent', [{ op: 'add', path: '/spec/replicas', value: 1 }], /"add \/spec\/replicas" does not apply to the rendered ConfigMap "x": \(the object\) has no field "spec" \(it has: apiVersion, kind, metadata, data, list\)/],
    ['replace of a misspelt field', [{ op: 'replace', path: '/data/kk', value: 1 }], /"replace \/data\/kk" .*\/data has no field "kk" \(it has: k, a\/b, m~n\)/],
    ['remove of an absent field', [{ op: 'remove', path: '/metadata/labels' }], /"remove \/metadata\/labels" .*\/metadata has no field "labels"/],
    ['an index past the end', [{ op: 'add', path: '/list/5', value: 1 }], /\/list is a list of 3 and has no element "5"/],
    ['a leading zero is no index', [{ op: 'replace', path: '/list/01', value: 1 }], /\/list is a list of 3 and has no element "01"/],
    ['a path through a scalar', [{ op: 'add', path: '/metadata/name/x', value: 1 }], /\/metadata\/name is "x", not an object or a list/],
    ['move from a missing field', [{ op: 'move', from: '/data/nope', path: '/data/x' }], /"from": \/data has no field "nope"/],
    ['a test that fails', [{ op: 'test', path: '/data/k', value: 'other' }], /"test \/data\/k" .*the value there is "v", not "other"/],
  ];
  test.each(bad)('%s is an error naming the operation and the pointer', (_name, ops, message) => {
    const o = object();
    expect(() => Overrides.of(o).addJsonPatch(...ops).applyTo(DOC())).toThrow(message);
  });

  const refused: [string, () => void, RegExp][] = [
    ['a pointer without a leading slash', () => Overrides.of(object()).addOverride('spec/x', 1), /\[C\/Obj\] spec\/x: "spec\/x" is not a JSON pointer: it starts with "\/"/],
    ['a bad escape', () => Overrides.of(object()).addOverride('/metadata/annotations/a~2b', 'x'), /a~2b: .*has a "~" that is not "~0" \(for "~"\) or "~1" \(for "\/"\)/],
    ['an unknown operation', () => Overrides.of(object()).addJsonPatch({ op: 'merge', path: '/x' } as any), /\[0\]\.op: "merge" is not a JSON Patch operation; use add, remove, replace, move, copy or test/],
    ['add without a value', () => Overrides.of(object()).addJsonPatch({ op: 'add', path: '/x' } as any), /\/x: add needs a value/],
    ['undefined as a value', () => Overrides.of(object()).addOverride('/x', undefined), /\/x: value undefined is not JSON .*use removeOverride/],
    ['a function inside a value', () => Overrides.of(object()).addOverride('/x', { f: () => 1 }), /\/x: value\.f is a function is not JSON/],
    ['NaN', () => Overrides.of(object()).addOverride('/x', [NaN]), /value\[0\] NaN is not JSON/],
    ['a class instance', () => Overrides.of(object()).addOverride('/x', new Map()), /\/x: value .* is not JSON/],
    ['removing the whole object', () => Overrides.of(object()).removeOverride(''), /removeOverride cannot remove the whole object/],
    ['moving a field into itself', () => Overrides.of(object()).addJsonPatch({ op: 'move', from: '/data', path: '/data/x' }), /move cannot move \/data into itself/],
    ['a label key that is no label key', () => Overrides.of(object()).addLabel('-bad', 'x'), /metadata\.labels\.-bad: /],
    ['a label value that is no label value', () => Overrides.of(object()).addLabel('team', 'has space'), /metadata\.labels\.team: /],
  ];
  test.each(refused)('%s is refused when added, as one OcpkitError line', (_name, fn, message) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OcpkitError);
    expect((err as OcpkitError).problems).toHaveLength(1);
    expect((err as Error).message).toMatch(message);
  });

  test('addOverride creates missing objects, replaces or appends list elements, and copies its value', () => {
    const value = { a: 1 };
    const o = Overrides.of(object())
      .addOverride('/spec/template/spec/x', value)
      .addOverride('/list/0', 'first')
      .addOverride('/list/-', 'last')
      .addOverride('/size', Quantity.parse('2Gi'));
    value.a = 2;
    const d = o.applyTo(DOC());
    expect(d.spec).toEqual({ template: { spec: { x: { a: 1 } } } });
    expect(d.list).toEqual(['first', 2, 3, 'last']);
    expect(d.size).toBe('2Gi');
    expect(() => Overrides.of(object()).addOverride('/list/x', 1).applyTo(DOC())).toThrow(/\/list is a list of 3 and has no element "x"/);
  });

  test('labels and annotations land sorted by key', () => {
    const d = Overrides.of(object()).addAnnotation('z.io/last', 'z').addAnnotation('0.io/first', '0').addLabel('team', 'web').applyTo(DOC());
    expect(Object.keys(d.metadata.annotations)).toEqual(['0.io/first', 'a.io/one', 'z.io/last']);
    expect(d.metadata.labels).toEqual({ team: 'web' });
  });

  test('escapePointerToken is the inverse of the pointer escapes', () => {
    expect(escapePointerToken('example.com/a~b')).toBe('example.com~1a~0b');
    const d = Overrides.of(object()).addOverride(`/metadata/annotations/${escapePointerToken('example.com/a~b')}`, 'v').applyTo(DOC());
    expect(d.metadata.annotations['example.com/a~b']).toBe('v');
  });
});

/**
 * The default pipeline with schema validation and policies; reference resolution off, since the
 * VM fixtures clone from namespaces they do not create (a failure mode of its own, tested in
 * test/refs).
 */
function synth(cluster: Parameters<typeof synthesize>[0]) {
  return synthesize(cluster, { validator: validator(), references: false });
}

describe('Overrides in the synthesis pipeline', () => {
  test('a misspelt override fails the synth with the construct path (it does not vanish)', () => {
    const { cluster, vms } = vmCluster();
    const vm = new VirtualMachine(vms, 'V', minimal());
    Overrides.of(vm).addOverride('/spec/template/spec/domain/cpu/dedicatedCpuPlacment', true);
    expect(() => synth(cluster)).toThrow(
      /\[Vms\/V\/Resource\] \/spec\/template\/spec\/domain\/cpu: unknown field "dedicatedCpuPlacment" \(not in the schema; the API server would drop it\) \(kubevirt\.io\/v1 VirtualMachine "relay"\)/,
    );
  });

  test('the correct spelling is written, after the construct rendered and before the schema check', () => {
    const { cluster, vms } = vmCluster();
    const vm = new VirtualMachine(vms, 'V', minimal());
    Overrides.of(vm).addOverride('/spec/template/spec/domain/cpu/dedicatedCpuPlacement', true);
    const m = find(synth(cluster), 'VirtualMachine', 'relay');
    expect(m.spec.template.spec.domain.cpu).toMatchObject({ cores: 1, dedicatedCpuPlacement: true });
  });

  test('cdk8s\' own addJsonPatch loses the same field on a generated L1 (why Overrides exists)', () => {
    const { cluster, vms } = vmCluster();
    const vm = new VirtualMachine(vms, 'V', minimal());
    ApiObject.of(vm).addJsonPatch(JsonPatch.add('/spec/template/spec/domain/cpu/dedicatedCpuPlacment', true));
    // cdk8s-team/cdk8s#2172: patched inside toJson(), then filtered by the generated toJson_...
    expect(find(synth(cluster), 'VirtualMachine', 'relay').spec.template.spec.domain.cpu).not.toHaveProperty('dedicatedCpuPlacment');
  });

  test('a patch whose path does not exist fails naming the construct path and the pointer', () => {
    const cluster = testCluster();
    const t = tenant(cluster);
    const web = new ContainerApp(t, 'Web', { name: 'web', image: ExternalImage.tag('quay.io/x/web', '1.0.0') });
    Overrides.of(web).removeOverride('/spec/template/spec/containers/0/livenesProbe');
    expect(() => synth(cluster)).toThrow(
      /\[forum\/Web\/Deployment\] \/spec\/template\/spec\/containers\/0\/livenesProbe: override "remove \/spec\/template\/spec\/containers\/0\/livenesProbe" does not apply to the rendered Deployment "web": \/spec\/template\/spec\/containers\/0 has no field "livenesProbe" \(it has: /,
    );
  });

  test('policies see the overridden manifest', () => {
    const cluster = testCluster();
    const t = tenant(cluster);
    const web = new ContainerApp(t, 'Web', { name: 'web', image: ExternalImage.tag('quay.io/x/web', '1.0.0') });
    Overrides.of(web).addOverride('/spec/template/spec/hostNetwork', true);
    expect(() => synth(cluster)).toThrow(/\[forum\/Web\/Deployment\] \/spec\/template\/spec\/hostNetwork: .*sets hostNetwork: true/);
  });

  test('overrides run after the default transforms: they win over delivery annotations', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'App', { name: 'app', namespace: 'app' });
    const cm = new ApiObject(app, 'Cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    Overrides.of(cm).addAnnotation('argocd.argoproj.io/sync-wave', '42').addOverride('/data', { k: 'v' });
    const m = find(synthesize(cluster, { validator: false, policies: false, references: false }), 'ConfigMap', 'cm');
    expect(m.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('42');
    expect(m.data).toEqual({ k: 'v' });
  });

  test('overrides run after every transform, those given to synthesize and those registered on the cluster included', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'App', { name: 'app', namespace: 'app' });
    const cm = new ApiObject(app, 'Cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    new ApiObject(app, 'Other', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } });
    const label = (id: string, value: string) => ({ id, transform: (m: any) => ({ ...m, metadata: { ...m.metadata, labels: { ...m.metadata.labels, owner: value } } }) });
    cluster.addTransform(label('cluster-owner', 'cluster'));
    Overrides.of(cm).addLabel('owner', 'override');
    const result = synthesize(cluster, { validator: false, policies: false, references: false, transforms: [label('option-owner', 'option')] });
    expect(find(result, 'ConfigMap', 'cm').metadata.labels.owner).toBe('override');
    // without an override, the cluster's transform (registered later than the options') decides
    expect(find(result, 'ConfigMap', 'other').metadata.labels.owner).toBe('cluster');
  });

  test('an L2\'s overrides are stored on its primary object', () => {
    const cluster = testCluster();
    const t = tenant(cluster);
    const web = new ContainerApp(t, 'Web', { name: 'web', image: ExternalImage.tag('quay.io/x/web', '1.0.0') });
    expect(Overrides.of(web)).toBe(Overrides.of(web.deployment));
    expect(Overrides.of(web).target).toBe(web.deployment);
    expect(Overrides.of(t).target).toBe(t.namespaceObject);
    expect(Overrides.tryGet(web.deployment)?.size).toBe(0);
  });

  test('a construct without a primary object: one OcpkitError line naming it and what it renders', () => {
    const cluster = testCluster();
    expect(() => ApiObject.of(cluster)).toThrow(Error);
    expect(() => primaryObject(cluster)).toThrow(OcpkitError);
    expect(() => Overrides.of(cluster)).toThrow(/^1 problem found:\n {2}\[\/\] Cluster has no primary object to override; patch one of the objects it renders instead \(Overrides\.of\(apiObject\)\): AppProject at root\/PlatformProject, Application at root\/RootApplication, ArgoCD at root\/ArgoCd\/Resource, ClusterRole at root\/ArgoCd\/ControllerRole, ClusterRoleBinding at root\/ArgoCd\/ControllerBinding$/);
  });
});
