import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { validateTree } from '../../lib/check/validate-tree';
import { main } from '../../lib/cli/main';
import { diffTrees } from '../../lib/diff/diff-trees';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { synthesize } from '../../lib/pipeline-defaults';
import { External } from '../../lib/refs/provides';
import { captureOutput, testCluster } from '../_helpers';

const NS = 'shop';

/** A small stack: a namespace, a Deployment using a Secret key, and optionally the Secret declared external. */
function stack(secrets: readonly string[]) {
  const cluster = testCluster('prod');
  const app = new GitOpsApp(cluster, 'Shop', { name: 'shop', namespace: NS });
  new ApiObject(app, 'Ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  secrets.forEach((s, i) => {
    new ApiObject(app, `Web${i}`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `web-${s}`, namespace: NS },
      spec: { selector: { matchLabels: { a: s } }, template: { metadata: { labels: { a: s } }, spec: { containers: [{ name: 'c', image: 'x', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: s, key: 'password' } } }] }] } } },
    });
    External.secret(app, s, { keys: ['password'], providedBy: 'sealed-secret', note: `login of ${s}` });
  });
  return synthesize(cluster, { validator: false, policies: false });
}

const dirs: string[] = [];
function write(files: ReadonlyMap<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-refs-'));
  dirs.push(dir);
  for (const [rel, text] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('readers of a tree with externals.yaml', () => {
  test('validate skips externals.yaml and still sees the ocpkit layout (policies per environment)', () => {
    const result = stack(['db']);
    expect(result.files.has('prod/externals.yaml')).toBe(true);
    const dir = write(result.files);
    const report = validateTree(dir, { policy: true });
    expect(report.errors.filter((e) => e.includes('externals'))).toEqual([]);
    expect(report.documents).toBe(result.objects.length);
  });

  test('diff shows a new external object, and changed keys of one, per environment', () => {
    const oldDir = write(stack(['db']).files);
    const newDir = write(stack(['db', 'cache']).files);
    const changes = diffTrees(oldDir, newDir).changes.filter((c) => c.kind === 'External');
    expect(changes.map((c) => [c.op, c.app, c.namespace, c.name])).toEqual([['added', 'prod', NS, 'secret/cache']]);
    expect(diffTrees(newDir, oldDir).changes.filter((c) => c.kind === 'External').map((c) => c.op)).toEqual(['removed']);
  });
});

describe('ocpkit bootstrap', () => {
  const io = captureOutput();
  test.each<[string, (dir: string) => string[], number, RegExp[]]>([
    ['--help', () => ['bootstrap', '--help'], 0, [/usage: ocpkit bootstrap/]],
    ['the checklist of one environment', (d) => ['bootstrap', '--env', 'prod', d], 0, [
      /Bootstrap checklist of environment "prod"/,
      /1\. Install the OpenShift GitOps operator/,
      /2\. Apply the bootstrap folder \(5 objects: .*\), in this order:\n\s+oc apply -f .*\/prod\/bootstrap\/argocd\..* -f .*\/prod\/bootstrap\/application\..*\n/,
      /Create the 2 objects the stack references but does not create/,
      /\[ \] Secret shop\/cache keys: password \(sealed-secret: .*\)\n\s+login of cache/,
      /\[ \] Secret shop\/db keys: password/,
      /the HyperConverged resource/,
    ]],
    ['every environment without --env', (d) => ['bootstrap', d], 0, [/environment "prod"/]],
    ['an unknown environment', (d) => ['bootstrap', '--env', 'nope', d], 2, [/environment "nope" is not in .* \(found: prod\)/]],
    ['a folder that does not exist', (d) => ['bootstrap', path.join(d, 'missing')], 2, [/does not exist/]],
    ['two folders', (d) => ['bootstrap', d, d], 2, [/at most one folder/]],
  ])('%s', async (_n, argv, code, patterns) => {
    const dir = write(stack(['db', 'cache']).files);
    expect(await main(argv(dir))).toBe(code);
    const text = io.out() + io.err();
    for (const p of patterns) expect(text).toMatch(p);
  });

  test('a folder without externals.yaml (not synthesized) is a usage error', async () => {
    const dir = write(new Map([['prod/shop/namespace.shop.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n']]));
    expect(await main(['bootstrap', dir])).toBe(2);
    expect(io.err()).toMatch(/no environment folder with an externals.yaml/);
  });
});
