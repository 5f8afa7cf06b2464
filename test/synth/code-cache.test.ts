import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Runs ocpkit's TypeScript loader (bin/run-ts.js) in a fresh process with its caches in `cache`:
 * it loads one of ocpkit's own modules (code-cached, no source map) and one dependency (js-yaml)
 * and prints what they compute.
 */
function run(cache: string): string {
  const script = [
    "require('./bin/run-ts.js');",
    "const { fileName } = require('./lib/synth/_object-names.ts');",
    "const yaml = require('js-yaml');",
    "process.stdout.write(fileName({ kind: 'Deployment', metadata: { namespace: 'ns', name: 'web' } }) + ' ' + yaml.dump({ a: [1] }));",
  ].join('\n');
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, OCPKIT_CACHE_DIR: cache, OCPKIT_DEBUG: '' } });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe('V8 code cache of the TypeScript loader', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-code-cache-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const v8Files = () => fs.readdirSync(path.join(dir, 'v8')).filter((f) => f.endsWith('.v8')).sort();

  test('the first run writes private code caches, the next runs use them and compute the same', () => {
    const first = run(dir);
    expect(first).toBe('deployment.ns.web.yaml a:\n  - 1\n');
    const files = v8Files();
    expect(files.length).toBeGreaterThanOrEqual(2); // the own module and js-yaml at least
    for (const f of files) expect(fs.statSync(path.join(dir, 'v8', f)).mode & 0o077).toBe(0);
    const stamps = files.map((f) => fs.statSync(path.join(dir, 'v8', f)).mtimeMs);
    expect(run(dir)).toBe(first);
    // accepted caches are not written again
    expect(v8Files()).toEqual(files);
    expect(files.map((f) => fs.statSync(path.join(dir, 'v8', f)).mtimeMs)).toEqual(stamps);
  });

  test('as an installed package: a dependency beside ocpkit (not in its own node_modules) is code-cached too', () => {
    // consumer/node_modules/{ocpkit (its bin/), js-yaml}: the layout npm makes for a consumer repository
    const consumer = path.join(dir, 'consumer');
    const pkg = path.join(consumer, 'node_modules', 'ocpkit');
    fs.mkdirSync(path.join(pkg, 'bin'), { recursive: true });
    for (const f of fs.readdirSync(path.join(ROOT, 'bin')).filter((f) => f.endsWith('.js'))) fs.copyFileSync(path.join(ROOT, 'bin', f), path.join(pkg, 'bin', f));
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'ocpkit', version: '0.0.0' }));
    fs.cpSync(path.join(ROOT, 'node_modules', 'js-yaml'), path.join(consumer, 'node_modules', 'js-yaml'), { recursive: true });
    const cache = path.join(dir, 'cache');
    const script = "require('./node_modules/ocpkit/bin/run-ts.js'); process.stdout.write(require('js-yaml').dump({ a: 1 }));";
    const once = () => spawnSync(process.execPath, ['-e', script], { cwd: consumer, encoding: 'utf8', env: { ...process.env, OCPKIT_CACHE_DIR: cache, OCPKIT_DEBUG: '' } });
    const r = once();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('a: 1\n');
    const entries = fs.readdirSync(path.join(cache, 'v8')).filter((f) => f.endsWith('.v8'));
    expect(entries.length).toBeGreaterThan(0); // js-yaml's modules
    expect(once().stdout).toBe('a: 1\n');
    expect(fs.readdirSync(path.join(cache, 'v8')).filter((f) => f.endsWith('.v8'))).toEqual(entries);
  });

  test('a damaged code cache is not used: the module still computes the same and its cache is written again', () => {
    run(dir);
    // only what a warm run loads (the first run loads esbuild too, to transpile)
    fs.rmSync(path.join(dir, 'v8'), { recursive: true });
    const first = run(dir);
    for (const f of v8Files()) {
      const file = path.join(dir, 'v8', f);
      const data = fs.readFileSync(file);
      data[data.length >> 1] ^= 0xff;
      fs.writeFileSync(file, data, { mode: 0o600 });
    }
    const damaged = v8Files().map((f) => fs.readFileSync(path.join(dir, 'v8', f)));
    expect(run(dir)).toBe(first);
    const after = v8Files().map((f) => fs.readFileSync(path.join(dir, 'v8', f)));
    after.forEach((data, i) => expect(data.equals(damaged[i])).toBe(false));
  });

  test('OCPKIT_CACHE_DIR=off writes no code cache and changes nothing else', () => {
    expect(run('off')).toBe('deployment.ns.web.yaml a:\n  - 1\n');
    expect(fs.existsSync(path.join(dir, 'v8'))).toBe(false);
  });
});
