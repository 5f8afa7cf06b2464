import * as fs from 'fs';
import * as path from 'path';
import { DiffInputError } from '../../lib/diff/diff-input-error';
import { diffTrees, ResourceChange } from '../../lib/diff/diff-trees';
import { IgnoreList } from '../../lib/diff/ignore-list';
import { MASKED } from '../../lib/diff/masking';
import { deployment, pvc, schedule, writeFiles } from './_trees';

const F = 'production/forum';
const one = (oldFiles: Record<string, unknown>, newFiles: Record<string, unknown>, ignore?: IgnoreList) => diffTrees(writeFiles(oldFiles), writeFiles(newFiles), { ignore });
const only = (changes: readonly ResourceChange[]): ResourceChange => {
  expect(changes).toHaveLength(1);
  return changes[0];
};

describe('diffTrees: kinds of change', () => {
  test('identical trees: no changes, everything counted as unchanged', () => {
    const files = { [`${F}/deployment.forum.web.yaml`]: deployment(), [`${F}/pvc.yaml`]: pvc('data') };
    const r = one(files, files);
    expect(r.changes).toEqual([]);
    expect(r.summary).toMatchObject({ added: 0, removed: 0, changed: 0, destructive: 0, unchanged: 2, oldObjects: 2, newObjects: 2 });
  });

  test('formatting and key order are not changes', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: forum\ndata:\n  a: "1"\n  b: x\n';
    const reformatted = '# reformatted\nkind: ConfigMap\napiVersion: v1\ndata: {b: x, a: "1"}\nmetadata: {namespace: forum, name: cfg}\n';
    expect(one({ [`${F}/cm.yaml`]: text }, { [`${F}/cm.yaml`]: reformatted }).changes).toEqual([]);
  });

  test('a changed Deployment lists its fields with old and new values', () => {
    const c = only(one({ [`${F}/d.yaml`]: deployment() }, { [`${F}/d.yaml`]: deployment({ replicas: 3 }) }).changes);
    expect(c).toEqual({
      op: 'changed', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'forum', name: 'web', app: F, file: `${F}/d.yaml`,
      movedFrom: undefined, fields: [{ path: 'spec.replicas', op: 'changed', old: 2, new: 3, masked: false }], risks: [], classes: [], destructive: false,
    });
  });

  test('added and removed resources; objects are matched by identity, not by file name', () => {
    const r = one(
      { [`${F}/a.yaml`]: deployment(), [`${F}/old-name.yaml`]: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'forum' } } },
      { [`${F}/b.yaml`]: deployment(), [`${F}/svc.yaml`]: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'forum' } } },
    );
    expect(r.changes.map((c) => `${c.op} ${c.kind}`)).toEqual(['removed ConfigMap', 'added Service']);
    expect(r.summary).toMatchObject({ added: 1, removed: 1, changed: 0, unchanged: 1 });
  });

  test('the same object in two environments is two resources', () => {
    const r = one(
      { 'staging/forum/d.yaml': deployment(), 'production/forum/d.yaml': deployment() },
      { 'staging/forum/d.yaml': deployment({ replicas: 1 }), 'production/forum/d.yaml': deployment() },
    );
    expect(only(r.changes).app).toBe('staging/forum');
  });

  test('moving an object to another Application is a change', () => {
    const c = only(one({ 'production/a/cm.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'n' } } }, { 'production/b/cm.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'n' } } }).changes);
    expect(c).toMatchObject({ op: 'changed', movedFrom: 'production/a', app: 'production/b', fields: [], destructive: false });
  });

  test('an apiVersion bump within the group is a field change, not delete + add', () => {
    const v1beta1 = { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'root', namespace: 'vms' }, spec: {} };
    const c = only(one({ [`${F}/dv.yaml`]: v1beta1 }, { [`${F}/dv.yaml`]: { ...v1beta1, apiVersion: 'cdi.kubevirt.io/v1' } }).changes);
    expect(c.fields).toEqual([{ path: 'apiVersion', op: 'changed', old: 'cdi.kubevirt.io/v1beta1', new: 'cdi.kubevirt.io/v1', masked: false }]);
    expect(c.destructive).toBe(false);
  });
});

describe('diffTrees: risk classes', () => {
  const risk = (oldFiles: Record<string, unknown>, newFiles: Record<string, unknown>) => {
    const c = only(one(oldFiles, newFiles).changes);
    expect(c.destructive).toBe(true);
    return c.risks.map((r) => r.reason).join(' | ');
  };

  test.each([
    ['PersistentVolumeClaim', pvc('data'), /deletes a PersistentVolumeClaim: the data on it is lost/],
    ['DataVolume', { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'root', namespace: 'vms' } }, /deletes a DataVolume/],
    ['VirtualMachine', { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'gitaly', namespace: 'vms' } }, /deletes a VirtualMachine/],
    ['Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'forum' } }, /deletes a Namespace and everything in it/],
  ])('removing a %s is destructive', (_kind, manifest, reason) => {
    expect(risk({ [`${F}/x.yaml`]: manifest, [`${F}/keep.yaml`]: deployment() }, { [`${F}/keep.yaml`]: deployment() })).toMatch(reason);
  });

  test('removing a protected (Prune=false) PVC is still destructive, and the reason says Argo CD leaves it in place', () => {
    const kept = { ...pvc('data'), metadata: { ...pvc('data').metadata, annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' } } };
    expect(risk({ [`${F}/x.yaml`]: kept }, {})).toMatch(/^deletes a PersistentVolumeClaim: the data on it is lost once an administrator deletes it \(Prune=false: Argo CD leaves it on the cluster, no longer managed\)$/);
    expect(risk({ [`${F}/x.yaml`]: pvc('data') }, {})).not.toMatch(/Prune=false/);
  });

  test('removing a ConfigMap or a Deployment is not destructive', () => {
    const r = one({ [`${F}/d.yaml`]: deployment() }, {});
    expect(only(r.changes)).toMatchObject({ op: 'removed', destructive: false });
  });

  test.each([
    ['storage class', { storageClassName: 'ocs-storagecluster-cephfs' }, 'spec.storageClassName'],
    ['access modes', { accessModes: ['ReadWriteMany'] }, 'spec.accessModes'],
  ])('changing a PVC %s is destructive (immutable)', (_what, spec, field) => {
    const r = one({ [`${F}/p.yaml`]: pvc('data') }, { [`${F}/p.yaml`]: pvc('data', spec) });
    const c = only(r.changes);
    expect(c.risks[0].reason).toMatch(/immutable field of a PersistentVolumeClaim/);
    expect(c.risks[0].path).toMatch(new RegExp(`^${field.replace('.', '\\.')}`));
    expect(c.fields.every((f) => f.risk !== undefined)).toBe(true);
  });

  test('a Deployment selector change is destructive, the replica count next to it is not', () => {
    const c = only(one({ [`${F}/d.yaml`]: deployment() }, { [`${F}/d.yaml`]: deployment({ selector: 'web2', replicas: 4 }) }).changes);
    expect(c.risks).toEqual([{ reason: expect.stringMatching(/immutable field of a Deployment/), path: 'spec.selector.matchLabels.app', class: 'destructive', rule: 'destructive/immutable' }]);
    expect(c.classes).toEqual(['destructive']);
    expect(c.fields.find((f) => f.path === 'spec.replicas')!.risk).toBeUndefined();
  });

  test('Service clusterIP and Job template are immutable (a binding roleRef is an outage: review 17 m10)', () => {
    const svc = (ip: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n' }, spec: { clusterIP: ip } });
    expect(risk({ [`${F}/s.yaml`]: svc('None') }, { [`${F}/s.yaml`]: svc('10.0.0.1') })).toMatch(/immutable field of a Service/);
    const job = (img: string) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'n' }, spec: { template: { spec: { containers: [{ name: 'c', image: img }] } } } });
    expect(risk({ [`${F}/j.yaml`]: job('a') }, { [`${F}/j.yaml`]: job('b') })).toMatch(/immutable field of a Job/);
    const rb = (role: string) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'n' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role } });
    const binding = only(one({ [`${F}/rb.yaml`]: rb('view') }, { [`${F}/rb.yaml`]: rb('edit') }).changes);
    expect(binding.destructive).toBe(false);
    expect(binding.risks.map((r) => r.rule)).toContain('outage/roleref');
  });

  test('changing an immutable ConfigMap is destructive', () => {
    const cm = (v: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, immutable: true, data: { a: v } });
    expect(risk({ [`${F}/c.yaml`]: cm('1') }, { [`${F}/c.yaml`]: cm('2') })).toMatch(/data of an immutable ConfigMap/);
  });

  test('shrinking a PVC or a DataVolume is destructive; growing it is not', () => {
    expect(risk({ [`${F}/p.yaml`]: pvc('data') }, { [`${F}/p.yaml`]: pvc('data', { resources: { requests: { storage: '5Gi' } } }) })).toMatch(/shrinks a disk from 10Gi to 5Gi/);
    const grown = one({ [`${F}/p.yaml`]: pvc('data') }, { [`${F}/p.yaml`]: pvc('data', { resources: { requests: { storage: '20Gi' } } }) });
    expect(only(grown.changes).destructive).toBe(false);
    const dv = (size: string) => ({ apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'root', namespace: 'vms' }, spec: { storage: { resources: { requests: { storage: size } } } } });
    expect(risk({ [`${F}/dv.yaml`]: dv('30Gi') }, { [`${F}/dv.yaml`]: dv('20Gi') })).toMatch(/shrinks a disk from 30Gi to 20Gi/);
  });

  test('a VM dataVolumeTemplate shrink is destructive', () => {
    const vm = (size: string) => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'gitaly', namespace: 'vms' }, spec: { dataVolumeTemplates: [{ metadata: { name: 'root' }, spec: { storage: { resources: { requests: { storage: size } } } } }] } });
    expect(risk({ [`${F}/vm.yaml`]: vm('100Gi') }, { [`${F}/vm.yaml`]: vm('50Gi') })).toMatch(/shrinks a disk/);
  });

  test('a stateful object replaced through Replace=true is destructive', () => {
    const annotated = pvc('data', { resources: { requests: { storage: '20Gi' } } }, { annotations: { 'argocd.argoproj.io/sync-options': 'Replace=true' } });
    expect(risk({ [`${F}/p.yaml`]: pvc('data') }, { [`${F}/p.yaml`]: annotated })).toMatch(/replaces \(deletes and re-creates\)/);
  });

  test('moving a PVC to another Application without Prune=false is destructive; with it, it is not', () => {
    expect(risk({ 'production/a/p.yaml': pvc('data') }, { 'production/b/p.yaml': pvc('data') })).toMatch(/the old Application prunes it/);
    const safe = pvc('data', {}, { annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' } });
    expect(only(one({ 'production/a/p.yaml': safe }, { 'production/b/p.yaml': safe }).changes).destructive).toBe(false);
  });

  test('taking a tenant out of a Velero schedule is a weakening (coverage), not destructive; adding one is neither', () => {
    const out = only(one({ [`${F}/s.yaml`]: schedule(['forum', 'wiki']) }, { [`${F}/s.yaml`]: schedule(['wiki']) }).changes);
    expect(out.destructive).toBe(false);
    expect(out.classes).toEqual(['weakening']);
    expect(out.risks[0]).toMatchObject({ rule: 'weakening/backup-coverage', reason: expect.stringMatching(/takes forum out of backup schedule tenants-daily/) });
    const added = only(one({ [`${F}/s.yaml`]: schedule(['wiki']) }, { [`${F}/s.yaml`]: schedule(['wiki', 'forum']) }).changes);
    expect(added.risks).toEqual([]);
    expect(one({ [`${F}/s.yaml`]: schedule(['wiki', 'forum']) }, { [`${F}/s.yaml`]: schedule(['forum', 'wiki']) }).changes).toEqual([]);
  });

  test('removing or pausing a Velero schedule is destructive', () => {
    expect(risk({ [`${F}/s.yaml`]: schedule(['forum']), [`${F}/k.yaml`]: deployment() }, { [`${F}/k.yaml`]: deployment() })).toMatch(/namespaces forum are no longer backed up/);
    expect(risk({ [`${F}/s.yaml`]: schedule(['forum']) }, { [`${F}/s.yaml`]: schedule(['forum'], { paused: true }) })).toMatch(/pauses backup schedule/);
  });

  test('destructive changes come first', () => {
    const r = one(
      { 'production/a/d.yaml': deployment(), 'production/z/p.yaml': pvc('data') },
      { 'production/a/d.yaml': deployment({ replicas: 5 }) },
    );
    expect(r.changes.map((c) => `${c.destructive} ${c.kind}`)).toEqual(['true PersistentVolumeClaim', 'false Deployment']);
    expect(r.summary.destructive).toBe(1);
    const none = { destructive: 0, security: 0, outage: 0, weakening: 0 };
    expect(r.apps).toEqual([
      { app: 'production/a', added: 0, removed: 0, changed: 1, destructive: 0, classes: none },
      { app: 'production/z', added: 0, removed: 1, changed: 0, destructive: 1, classes: { ...none, destructive: 1 } },
    ]);
  });
});

describe('diffTrees: secrets are masked but reported', () => {
  test('Secret data and stringData values', () => {
    const secret = (v: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, stringData: { password: v }, data: { token: Buffer.from(v).toString('base64') } });
    const c = only(one({ [`${F}/s.yaml`]: secret('hunter2') }, { [`${F}/s.yaml`]: secret('hunter3') }).changes);
    expect(c.fields).toEqual([
      { path: 'stringData.password', op: 'changed', old: MASKED, new: MASKED, masked: true },
      { path: 'data.token', op: 'changed', old: MASKED, new: MASKED, masked: true },
    ]);
    expect(JSON.stringify(c)).not.toMatch(/hunter|aHVudGVy/);
  });

  test('credential-looking fields anywhere, env values by variable name, PEM keys by value', () => {
    const cr = (pw: string, key: string) => ({ apiVersion: 'example.org/v1', kind: 'Thing', metadata: { name: 't', namespace: 'n' }, spec: { db: { password: pw, user: 'admin' }, tls: { 'tls.key': key } } });
    const c = only(one({ [`${F}/t.yaml`]: cr('old-pw', 'k1') }, { [`${F}/t.yaml`]: cr('new-pw', '-----BEGIN RSA PRIVATE KEY-----\nabc') }).changes);
    expect(c.fields.map((f) => [f.path, f.old, f.new, f.masked])).toEqual([
      ['spec.db.password', MASKED, MASKED, true],
      ['spec.tls["tls.key"]', MASKED, MASKED, true],
    ]);
    const env = (v: string) => deployment({ env: [{ name: 'DB_PASSWORD', value: v }, { name: 'LOG_LEVEL', value: v }] });
    const d = only(one({ [`${F}/d.yaml`]: env('a') }, { [`${F}/d.yaml`]: env('b') }).changes);
    expect(d.fields.map((f) => [f.path, f.new])).toEqual([
      ['spec.template.spec.containers[name=web].env[name=DB_PASSWORD].value', MASKED],
      ['spec.template.spec.containers[name=web].env[name=LOG_LEVEL].value', 'b'],
    ]);
  });

  test('references to secrets stay visible; added subtrees are masked member by member', () => {
    const ref = (name: string) => deployment({ env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name, key: 'password' } } }] });
    const c = only(one({ [`${F}/d.yaml`]: ref('db-v1') }, { [`${F}/d.yaml`]: ref('db-v2') }).changes);
    expect(c.fields).toEqual([{ path: 'spec.template.spec.containers[name=web].env[name=DB_PASSWORD].valueFrom.secretKeyRef.name', op: 'changed', old: 'db-v1', new: 'db-v2', masked: false }]);
    const added = only(one({ [`${F}/d.yaml`]: deployment() }, { [`${F}/d.yaml`]: deployment({ env: [{ name: 'A', value: '1' }, { name: 'API_TOKEN', value: 'sekrit' }] }) }).changes);
    expect(added.fields).toEqual([{ path: 'spec.template.spec.containers[name=web].env[name=API_TOKEN]', op: 'added', new: { name: 'API_TOKEN', value: MASKED }, masked: true }]);
  });
});

describe('diffTrees: noise', () => {
  const triggers = JSON.stringify([{ from: { kind: 'ImageStreamTag', name: 'web:latest' }, fieldPath: 'spec.template.spec.containers[?(@.name=="web")].image' }]);

  test('images rewritten by an image-change trigger are ignored; other images are not', () => {
    const d = (img: string, side: string) => deployment({ annotations: { 'image.openshift.io/triggers': triggers }, containers: [{ name: 'web', image: img }, { name: 'side', image: side }] });
    expect(one({ [`${F}/d.yaml`]: d('a', 's') }, { [`${F}/d.yaml`]: d('b', 's') }).changes).toEqual([]);
    const r = one({ [`${F}/d.yaml`]: d('a', 's') }, { [`${F}/d.yaml`]: d('b', 's2') });
    expect(only(r.changes).fields.map((f) => f.path)).toEqual(['spec.template.spec.containers[name=side].image']);
    expect(r.summary.ignoredFields).toBe(1);
  });

  test('without the annotation an image change is reported', () => {
    expect(only(one({ [`${F}/d.yaml`]: deployment() }, { [`${F}/d.yaml`]: deployment({ image: 'quay.io/forum/web:2' }) }).changes).fields[0].path).toBe('spec.template.spec.containers[name=web].image');
  });

  test('VM firmware uuid and serial written in Git are real changes (KubeVirt fills the UUID only when empty, on the VMI)', () => {
    const vm = (uuid: string) => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'v', namespace: 'vms' }, spec: { template: { spec: { domain: { firmware: { uuid, serial: uuid } } } } } });
    const r = one({ [`${F}/vm.yaml`]: vm('1') }, { [`${F}/vm.yaml`]: vm('2') });
    expect(only(r.changes).fields.map((f) => f.path)).toEqual(['spec.template.spec.domain.firmware.uuid', 'spec.template.spec.domain.firmware.serial']);
    expect(r.summary.ignoredFields).toBe(0);
  });

  test('the ignore list drops whole resources or field paths', () => {
    const ignore = IgnoreList.fromDocument({ ignore: [{ kind: 'Deployment', name: 'w*', paths: ['spec.replicas', 'spec.template.spec.containers[name=*].image'] }, { kind: 'ConfigMap', namespace: 'generated' }] });
    const cm = (v: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'generated' }, data: { v } });
    const r = one(
      { [`${F}/d.yaml`]: deployment(), [`${F}/c.yaml`]: cm('1') },
      { [`${F}/d.yaml`]: deployment({ replicas: 9, image: 'x', selector: 'other' }), [`${F}/c.yaml`]: cm('2') },
      ignore,
    );
    expect(only(r.changes).fields.map((f) => f.path)).toEqual(['spec.selector.matchLabels.app']);
    expect(r.summary).toMatchObject({ ignoredFields: 2, ignoredResources: 1 });
  });

  test('a bad ignore list is an input error naming the entry', () => {
    expect(() => IgnoreList.fromDocument({ ignore: [{ kind: 'Deployment', pahts: ['x'] }] })).toThrow(/ignore\[0\]\.pahts: unknown key/);
    expect(() => IgnoreList.fromDocument({ ignore: [{}] })).toThrow(/ignore\[0\]: matches every resource/);
    expect(() => IgnoreList.fromDocument({ ignore: [{ kind: 'X', paths: 'spec' }] })).toThrow(/ignore\[0\]\.paths: expected a non-empty list/);
    expect(() => IgnoreList.fromDocument(['x'])).toThrow(DiffInputError);
    const file = path.join(writeFiles({ 'i.yaml': 'ignore: [' }), 'i.yaml');
    expect(() => IgnoreList.load(file)).toThrow(/i\.yaml: YAML does not parse/);
    expect(IgnoreList.load('/nonexistent/.ocpkit-diff-ignore.yaml', true).size).toBe(0);
  });
});

describe('diffTrees: bad inputs', () => {
  const good = () => writeFiles({ [`${F}/d.yaml`]: deployment() });

  test('a missing folder or a file', () => {
    expect(() => diffTrees('/nonexistent/tree', good())).toThrow(/\/nonexistent\/tree does not exist/);
    const file = path.join(good(), F, 'd.yaml');
    expect(() => diffTrees(good(), file)).toThrow(/is not a folder/);
  });

  test('a folder without YAML is not a tree; an empty folder is an empty tree', () => {
    const notTree = writeFiles({ 'README.md': '# hi', 'src/x.ts': 'export {}' });
    expect(() => diffTrees(good(), notTree)).toThrow(new RegExp(`${notTree} holds 2 files but no YAML manifests`));
    const empty = writeFiles({});
    const r = diffTrees(empty, good());
    expect(r.summary.added).toBe(1);
  });

  test('YAML that does not parse names the file and line', () => {
    const bad = writeFiles({ [`${F}/d.yaml`]: 'apiVersion: v1\nkind: [unclosed\n' });
    expect(() => diffTrees(good(), bad)).toThrow(DiffInputError);
    expect(() => diffTrees(good(), bad)).toThrow(/production\/forum\/d\.yaml: YAML does not parse: .*\(3:1\)/);
  });

  test('documents that are not Kubernetes objects, and duplicates', () => {
    const bad = writeFiles({ [`${F}/a.yaml`]: { kind: 'ConfigMap', metadata: {} }, [`${F}/b.yaml`]: 'just a string\n', [`${F}/d1.yaml`]: deployment(), [`${F}/d2.yaml`]: deployment() });
    let message = '';
    try {
      diffTrees(good(), bad);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/3 problems in /);
    expect(message).toMatch(/a\.yaml: not a Kubernetes object \(missing apiVersion, metadata\.name\)/);
    expect(message).toMatch(/b\.yaml: not a Kubernetes object \(missing a mapping/);
    expect(message).toMatch(/d2\.yaml: Deployment forum\/web is also defined in .*d1\.yaml/);
  });

  test('an unchanged file that is not a manifest is still checked', () => {
    const junk = { [`${F}/x.yaml`]: 'hello: world\n' };
    expect(() => diffTrees(writeFiles(junk), writeFiles(junk))).toThrow(/not a Kubernetes object/);
  });
});

describe('diffTrees: scale', () => {
  test('two 20,000-object trees with 100 changes', () => {
    const build = (variant: number) => {
      const dir = writeFiles({});
      for (let t = 0; t < 2000; t++) {
        const d = path.join(dir, 'production', `t${t}`);
        fs.mkdirSync(d, { recursive: true });
        for (let i = 0; i < 10; i++) {
          const replicas = variant && t % 20 === 0 && i === 0 ? 3 : 2;
          fs.writeFileSync(path.join(d, `deployment.t${t}.app${i}.yaml`), `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app${i}\n  namespace: t${t}\nspec:\n  replicas: ${replicas}\n  template:\n    spec:\n      containers:\n        - name: web\n          image: quay.io/x/web:1\n`);
        }
      }
      return dir;
    };
    const a = build(0);
    const b = build(1);
    const r = diffTrees(a, b);
    expect(r.summary).toMatchObject({ changed: 100, unchanged: 19900, oldObjects: 20000, newObjects: 20000 });
  });
});
