/**
 * no-host-access runs its generic walk only on manifests the shared secret-scan walk flagged
 * (lib/policy/_manifest-scan.ts). These cases are where a wrong flag would hide host access: each
 * must be refused exactly as the generic walk over the manifest's members refuses it.
 */
import { checkPolicies, PolicyObject } from '../../lib/policy';
import { genericHostAccess, WALK_LIMITS } from '../../lib/policy/_host-access';

const cr = (spec: unknown, extra: object = {}) => ({ apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'team' }, spec, ...extra });

/** Pointers no-host-access reports through checkPolicies (the shared walk). */
function viaPolicies(manifest: any): string[] {
  const objs: PolicyObject[] = [{ manifest, path: 'doc#0', group: 'g' }];
  return checkPolicies(objs).filter((p) => p.message.startsWith('policy no-host-access:')).map((p) => p.field);
}

/** Pointers the generic walk alone reports over the same members. */
function direct(manifest: any): string[] {
  return Object.keys(manifest)
    .filter((k) => !['apiVersion', 'kind', 'metadata', 'status'].includes(k))
    .flatMap((k) => genericHostAccess(manifest[k], `/${k}`, 'w', 'fix').map((f) => f.pointer));
}

function nested(depth: number, leaf: object): any {
  let v: any = leaf;
  for (let i = 0; i < depth; i++) v = { n: v };
  return v;
}

describe('the shared walk never hides host access from no-host-access', () => {
  const shared = { volumes: [{ name: 'h', hostPath: { path: '/' } }] };
  const cases: Array<[string, any, string[]]> = [
    ['a host key deep in a custom resource', cr({ a: [{ b: { privileged: true } }] }), ['/spec/a/0/b/privileged']],
    ['host access inside an embedded Secret with data (the secret scan does not go into it)',
      cr({ items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'dg==' }, extra: { hostNetwork: true } }] }), ['/spec/items/0/extra/hostNetwork']],
    ['YAML text that mentions a host key', cr({ values: 'extraVolumes:\n- name: root\n  hostPath:\n    path: /\n' }), ['/spec/values']],
    ['nesting beyond the walk limit', cr(nested(WALK_LIMITS.depth + 2, { x: 1 })), ['/spec' + '/n'.repeat(WALK_LIMITS.depth + 1)]],
    ['more values than the walk budget', cr({ list: Array.from({ length: WALK_LIMITS.nodes + 5 }, (_, i) => i) }), ['/spec/list/19998']],
    ['a shared (aliased) value under two members', cr({ a: shared, b: shared }), ['/spec/a/volumes/0/hostPath']],
    ['host access in a top-level member other than spec', cr({}, { config: { hostPID: true } }), ['/config/hostPID']],
    ['a clean custom resource', cr({ replicas: 2, image: 'quay.io/a/b:1.0', note: 'host: example.org' }), []],
    ['host keys under metadata and status are not the generic walk\'s', cr({}, { status: { privileged: true } }), []],
  ];
  test.each(cases)('%s', (_name, manifest, expected) => {
    expect(viaPolicies(manifest)).toEqual(expected);
    expect(viaPolicies(manifest)).toEqual(direct(manifest));
  });

  test('a manifest checked again after a change is scanned again (nothing is kept between checks)', () => {
    const m: any = cr({ replicas: 1 });
    expect(viaPolicies(m)).toEqual([]);
    m.spec.hostIPC = true;
    expect(viaPolicies(m)).toEqual(['/spec/hostIPC']);
  });
});
