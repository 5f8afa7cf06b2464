import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli/main';
import { defaultStack, DEFAULT_STACK } from '../../lib/diff/git-base';
import { captureOutput } from '../_helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const TEMPLATE = path.join(ROOT, 'templates', 'init');

/**
 * A cluster repository as `ocpkit init` lays it out (cdk8s.yaml naming apps/main.ts, no bin/ of its
 * own): `ocpkit diff --base` must synthesize both sides with the ocpkit that runs, and find the stack
 * from cdk8s.yaml. The stack imports this checkout's lib by path (no package install in a unit test).
 */
function consumerRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-consumer-'));
  fs.mkdirSync(path.join(dir, 'apps'));
  for (const f of ['main.ts', 'tenants.yaml', 'versions.yaml']) {
    let text = fs.readFileSync(path.join(TEMPLATE, 'apps', f), 'utf8');
    if (f === 'main.ts') {
      text = text.replace("from 'ocpkit'", `from ${JSON.stringify(path.join(ROOT, 'lib'))}`)
        .replace('{{REPO_URL}}', 'https://git.example.org/infra/cluster.git').replace('{{CLUSTER_NAME}}', 'c1');
    }
    fs.writeFileSync(path.join(dir, 'apps', f), text);
  }
  fs.copyFileSync(path.join(TEMPLATE, 'cdk8s.yaml'), path.join(dir, 'cdk8s.yaml'));
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  };
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', 'base');
  return dir;
}

describe('ocpkit diff --base in a cluster repository (no bin/ocpkit.js of its own)', () => {
  const io = captureOutput();
  const cwd = process.cwd();
  const env = process.env.OCPKIT_SCHEMAS;
  const made: string[] = [];
  beforeAll(() => {
    // the schemas this checkout's tests use (the repository under test is outside it)
    process.env.OCPKIT_SCHEMAS = process.env.OCPKIT_SCHEMAS ?? path.resolve(ROOT, '..', 'shared', 'crds');
  });
  afterAll(() => {
    process.chdir(cwd);
    if (env === undefined) delete process.env.OCPKIT_SCHEMAS;
    else process.env.OCPKIT_SCHEMAS = env;
    made.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
  });

  test('the stack comes from cdk8s.yaml, both sides synthesize with the running ocpkit, the quota change is reported', async () => {
    const dir = consumerRepo();
    made.push(dir);
    expect(defaultStack(dir)).toBe('apps/main.ts');
    const tenants = path.join(dir, 'apps', 'tenants.yaml');
    fs.writeFileSync(tenants, fs.readFileSync(tenants, 'utf8').replace('quota: { cpu: "2", memory: 4Gi, storage: 20Gi }', 'quota: { cpu: "4", memory: 4Gi, storage: 20Gi }'));
    process.chdir(dir);
    const code = await main(['diff', '--base', 'HEAD', '--format', 'json']);
    const out = io.out();
    expect(io.err()).toBe('');
    expect(code).toBe(1);
    const result = JSON.parse(out);
    const changed = result.changes.filter((c: any) => c.op === 'changed').map((c: any) => `${c.kind} ${c.namespace}/${c.name}`);
    expect(changed).toEqual(expect.arrayContaining(['ResourceQuota web/tenant-quota']));
  }, 120_000);

  test('without cdk8s.yaml (or without a module in its app line) the default stack is kept', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-consumer-'));
    made.push(dir);
    expect(defaultStack(dir)).toBe(DEFAULT_STACK);
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'app: node bin/ocpkit.js synth\n');
    expect(defaultStack(dir)).toBe(DEFAULT_STACK);
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'language: typescript\napp: node bin/ocpkit.js synth apps/community/main.ts --out dist\n');
    expect(defaultStack(dir)).toBe('apps/community/main.ts');
  });
});
