import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { schemasCommand } from '../../lib/cli/schemas-command';
import { UsageError } from '../../lib/cli/main';
import { schemaLock } from '../../lib/schema/lock';
import { captureOutput } from '../_helpers';

const REPO = path.join(__dirname, '..', '..');
const MIRROR = path.join(REPO, '..', 'shared', 'crds');

const made: string[] = [];
function tmp(prefix = 'ocpkit-schemas-cli-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('ocpkit schemas', () => {
  const io = captureOutput();
  const env = { ...process.env };
  afterEach(() => {
    process.env = { ...env };
  });

  test('--help exits 0 on every subcommand; no subcommand is a usage error', async () => {
    for (const args of [['--help'], ['-h'], ['sync', '--help'], ['status', '--help']]) {
      expect(await schemasCommand(args)).toBe(0);
    }
    expect(io.out()).toMatch(/^usage: ocpkit schemas <sync\|status>/);
    expect(io.out()).toContain('sync [--from DIR|URL] [--profile 4.14 ...]');
    expect(await schemasCommand([])).toBe(2);
  });

  test('unknown subcommands, options and profiles are usage errors (exit 2 through main)', async () => {
    await expect(schemasCommand(['pull'])).rejects.toThrow(new UsageError('unknown schemas command "pull"; use `ocpkit schemas sync` or `ocpkit schemas status` (see `ocpkit schemas --help`)'));
    await expect(schemasCommand(['sync', '--form', 'x'])).rejects.toThrow(new UsageError('unknown option --form for ocpkit schemas sync; did you mean --from?'));
    await expect(schemasCommand(['sync', '--from'])).rejects.toBeInstanceOf(UsageError);
    await expect(schemasCommand(['sync', '--profile', '4.99'])).rejects.toThrow('--profile "4.99" has no profile in the schema lock; profiles available: 4.14');
  });

  test('sync --from fills the cache, status verifies it and names it as the schemas in use', async () => {
    const root = tmp();
    process.env.OCPKIT_CACHE_DIR = root;
    delete process.env.OCPKIT_SCHEMAS;
    const dir = path.join(root, 'schemas', schemaLock().hash);
    expect(await schemasCommand(['status'])).toBe(1);
    expect(io.out()).toContain(`ocpkit schemas status: cache: ${dir}: not synced (run \`npx ocpkit schemas sync --from DIR\`)`);

    expect(await schemasCommand(['sync', '--from', MIRROR])).toBe(0);
    expect(io.out()).toMatch(new RegExp(`ocpkit schemas sync: wrote base, profile 4\\.14 \\(${schemaLock().files.length} files, [\\d.]+ MiB, every sha256 checked\\) -> ${dir.replace(/[.]/g, '\\.')}\n`));
    io.stdout.mockClear();
    expect(await schemasCommand(['status'])).toBe(0);
    expect(io.out()).toContain(`ocpkit schemas status: cache: ${dir}: complete, every sha256 verified; profiles 4.14\n`);
    expect(io.out()).toContain(`ocpkit schemas status: in use: ${dir}\n`);
    io.stdout.mockClear();
    expect(await schemasCommand(['status', '--json'])).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ lock: schemaLock().hash, cache: dir, complete: true, profiles: ['4.14'], problems: [], inUse: dir });
    expect(await schemasCommand(['sync', '--check'])).toBe(0);
    fs.rmSync(path.join(dir, 'profiles', 'ocp-4.14', 'index.yaml'));
    io.stdout.mockClear();
    expect(await schemasCommand(['sync', '--check'])).toBe(1);
    expect(io.out()).toContain(`ocpkit schemas status: problem: profiles/ocp-4.14/index.yaml: missing (ENOENT)\n`);
  });

  test('a tampered mirror: exit 1, one line on stderr naming the file and both hashes', async () => {
    const root = tmp();
    process.env.OCPKIT_CACHE_DIR = root;
    const mirror = tmp('ocpkit-mirror-');
    for (const f of schemaLock().files) {
      fs.mkdirSync(path.dirname(path.join(mirror, f.path)), { recursive: true });
      fs.symlinkSync(path.join(MIRROR, f.path), path.join(mirror, f.path));
    }
    const victim = 'kubernetes/v1.27.0/_definitions.json';
    fs.rmSync(path.join(mirror, victim));
    fs.writeFileSync(path.join(mirror, victim), '{"definitions":{}}');
    expect(await schemasCommand(['sync', '--from', mirror])).toBe(1);
    const lines = io.err().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^ocpkit schemas sync: \\[schemas\\] ${victim.replace(/\./g, '\\.')}: sha256 [0-9a-f]{64} does not match the locked sha256 ${schemaLock().files.find((f) => f.path === victim)!.sha256} \\(from .*\\); refused, nothing of it was cached$`));
    expect(fs.readdirSync(path.join(root, 'schemas'))).toEqual([]);
  });

  test('end to end: a stack synthesizes from a folder with no ../shared, OCPKIT_SCHEMAS unset, on the synced cache', () => {
    const root = tmp();
    const work = tmp('ocpkit-consumer-');
    const childEnv: NodeJS.ProcessEnv = { ...process.env, OCPKIT_CACHE_DIR: root };
    delete childEnv.OCPKIT_SCHEMAS;
    // fill the cache through the library, as `ocpkit schemas sync --from` does
    fs.writeFileSync(path.join(work, 'sync.ts'), `import { schemasCommand } from ${JSON.stringify(path.join(REPO, 'lib', 'cli', 'schemas-command'))};\nschemasCommand(['sync', '--from', ${JSON.stringify(MIRROR)}]).then((c) => { process.exitCode = c; });\n`);
    const synced = spawnSync(process.execPath, [path.join(REPO, 'bin', 'run-ts.js'), path.join(work, 'sync.ts')], { cwd: work, env: childEnv, encoding: 'utf8' });
    expect(synced.stderr).toBe('');
    expect(synced.status).toBe(0);

    // the stack reports the schema folder ocpkit locates in that process
    fs.writeFileSync(path.join(work, 'stack.ts'), `import { Cluster } from ${JSON.stringify(path.join(REPO, 'lib', 'gitops', 'cluster'))};
import { Quantity } from ${JSON.stringify(path.join(REPO, 'lib', 'core', 'quantity'))};
import { Tenant } from ${JSON.stringify(path.join(REPO, 'lib', 'tenancy', 'tenant'))};
import { locateSchemas } from ${JSON.stringify(path.join(REPO, 'lib', 'schema', 'locate'))};
export function build(): Cluster {
  process.stderr.write('schemas: ' + locateSchemas() + '\\n');
  const c = new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'consumer', environment: 'production', repoUrl: 'https://git.example.org/infra.git' });
  new Tenant(c, 'Shop', { name: 'shop', displayName: 'Shop', groups: { admin: ['shop-admins'] }, quota: { cpu: Quantity.parse('1'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi') } });
  return c;
}
`);
    const run = spawnSync(process.execPath, [path.join(REPO, 'bin', 'ocpkit.js'), 'synth', 'stack.ts', '--out', 'out'], { cwd: work, env: childEnv, encoding: 'utf8' });
    expect(run.stderr).toBe(`schemas: ${path.join(root, 'schemas', schemaLock().hash)}\n`);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/ocpkit synth: \d+ objects in \d+ files for production -> out\//);
    expect(fs.existsSync(path.join(work, 'out', 'production', 'tenancy', 'namespace.shop.yaml'))).toBe(true);
  }, 180_000); // two cold processes: a fresh cache root has no transpiled code and no compiled validators
});
