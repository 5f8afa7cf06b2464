import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-27';
import { validateTree } from '../../lib/check/validate-tree';
import { main } from '../../lib/cli/main';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { Policy, SystemNamespaces } from '../../lib/policy';
import { writeTree } from '../../lib/synth/write-tree';
import { synth, testCluster } from '../_helpers';
import { deployment } from './_stack';
import { Tenant } from '../../lib/tenancy/tenant';
import { Quantity } from '../../lib/core/quantity';

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-policy-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const quota = { cpu: Quantity.parse('1'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi') };

/** Two environments, a tenant, a waived object and a declared system namespace. */
function syntheticDist(): string {
  const clusters = ['production', 'staging'].map((env) => {
    const c = testCluster(env);
    const t = new Tenant(c, 'Forum', { name: 'forum', displayName: 'Forum', groups: { admin: ['a'] }, quota });
    Policy.waive(deployment(t, 'Web', { image: 'quay.io/x/web:latest' }), 'pinned-images', 'upstream tags only latest');
    const sys = new GitOpsApp(c, 'Etcd', { name: 'etcd-backup', namespace: 'etcd-backup' });
    deployment(sys, 'Backup', { name: 'backup', pod: { hostNetwork: true }, container: { resources: { limits: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('1Gi') } } } });
    SystemNamespaces.declare(c, 'etcd-backup', 'etcd snapshots need the node');
    return c;
  });
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-policy-')), 'dist');
  const files = new Map<string, string>();
  for (const c of clusters) for (const [k, v] of synth(c).files) files.set(k, v);
  writeTree(files, out);
  return out;
}

describe('ocpkit validate --policy', () => {
  let stdout: jest.SpyInstance;
  beforeEach(() => { stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true); });
  afterEach(() => stdout.mockRestore());

  test('a synthesized tree passes, with its waivers and system-namespace stamps honoured', () => {
    const dist = syntheticDist();
    const report = validateTree(dist, { policy: true, platform: '4.14' });
    expect(report.errors).toEqual([]);
    expect(report.documents).toBeGreaterThan(20);
  });

  test('an object added by hand to the synthesized tree is caught, one line with file, index, JSON path and policy', () => {
    const dist = syntheticDist();
    fs.writeFileSync(path.join(dist, 'staging/forum/secret.forum.db.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: forum}\nstringData: {password: hunter2}\n');
    const report = validateTree(dist, { policy: true, platform: '4.14' });
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatch(/staging\/forum\/secret.forum.db.yaml#0 v1\/Secret db: \/stringData: policy no-literal-secrets: Secret "db" has literal values \(keys "password"\)/);
  });

  test('without the system-namespace stamp, host access in a tree fails; environments are checked apart', () => {
    const dist = syntheticDist();
    const nsFile = path.join(dist, 'staging/etcd-backup/deployment.etcd-backup.backup.yaml');
    fs.writeFileSync(nsFile, fs.readFileSync(nsFile, 'utf8').replace(/ {4}ocpkit.io\/system-namespace: .*\n/, ''));
    const report = validateTree(dist, { policy: true, platform: '4.14' });
    expect(report.errors).toEqual([expect.stringMatching(/^.*staging\/etcd-backup\/deployment.etcd-backup.backup.yaml#0 apps\/v1\/Deployment backup: \/spec\/template\/spec\/hostNetwork: policy no-host-access/)]);
  });

  test('any folder of YAML: exit 1 with --policy, 0 without', async () => {
    const dir = folder({
      'apps/web.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: web, image: "nginx:latest"}]\n',
      'base/limits.yaml': 'apiVersion: v1\nkind: LimitRange\nmetadata: {name: d, namespace: shop}\nspec:\n  limits: [{type: Container, defaultRequest: {cpu: 100m, memory: 128Mi}}]\n',
    });
    expect(await main(['validate', dir])).toBe(0);
    stdout.mockClear();
    expect(await main(['validate', dir, '--policy'])).toBe(1);
    const text = stdout.mock.calls.join('');
    expect(text).toMatch(/apps\/web.yaml#0 apps\/v1\/Deployment web: \/spec\/template\/spec\/containers\/0\/image: policy pinned-images: Deployment "web": container "web": "nginx:latest" uses the moving tag "latest"/);
    expect(text).not.toMatch(/resource-requests/);
    expect(text).toMatch(/2 documents in 2 files, 1 error\n/);
  });
});
