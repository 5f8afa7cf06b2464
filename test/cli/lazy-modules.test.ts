import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// bin/run-ts.js gives cdk8s a stand-in for its bundled `yaml` package, loaded at first use.
const ROOT = path.resolve(__dirname, '..', '..');

/** Runs a script after the loader; its stdout, and whether cdk8s' `yaml` package was loaded by then. */
function run(script: string, env: Record<string, string> = {}): { out: string; yamlLoaded: boolean } {
  const probe = "process.on('exit', () => process.stderr.write('\\nYAML-LOADED ' + Object.keys(require.cache).some((f) => /node_modules[\\\\/]cdk8s[\\\\/]node_modules[\\\\/]yaml[\\\\/]/.test(f))));";
  const r = spawnSync(process.execPath, ['-e', `require('./bin/run-ts.js');\n${probe}\n${script}`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, OCPKIT_CACHE_DIR: 'off', ...env } });
  if (r.status !== 0) throw new Error(r.stderr);
  return { out: r.stdout, yamlLoaded: /YAML-LOADED true/.test(r.stderr) };
}

describe('cdk8s\' yaml package is loaded when cdk8s uses it', () => {
  test('a synth of a stack does not load it', () => {
    const script = [
      "const { synthesize } = require('./lib/pipeline-defaults.ts');",
      "const { testCluster } = require('./test/_helpers.ts');",
      "const { Tenant, Quantity } = require('./lib/index.ts');",
      'const cluster = testCluster();',
      "new Tenant(cluster, 'T', { name: 'team', displayName: 'Team', groups: { admin: ['team-admins'] }, quota: { cpu: Quantity.parse('1'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('10Gi') } });",
      "process.stdout.write(String(synthesize(cluster, { references: false }).files.size));",
    ].join('\n');
    const lazy = run(script);
    expect(Number(lazy.out)).toBeGreaterThan(5);
    expect(lazy.yamlLoaded).toBe(false);
    const eager = run(script, { OCPKIT_LAZY_MODULES: 'off' });
    expect(eager).toEqual({ out: lazy.out, yamlLoaded: true });
  });

  test('cdk8s\' own YAML (Yaml.stringify, Yaml.load, App.synth) works through the stand-in as without it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-lazy-'));
    try {
      fs.writeFileSync(path.join(dir, 'in.yaml'), 'a: 1\n---\nb: [x, "y"]\n');
      const script = [
        "const { ApiObject, App, Chart, Yaml } = require('cdk8s');",
        `const dir = ${JSON.stringify(dir)};`,
        "const out = [Yaml.stringify({ kind: 'A', list: [1, 'two', { x: null }] }, { b: 'multi\\nline' })];",
        "out.push(JSON.stringify(Yaml.load(require('path').join(dir, 'in.yaml'))));",
        "const app = new App({ outdir: require('path').join(dir, process.env.OUT) });",
        "new ApiObject(new Chart(app, 'c'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { k: 'v' } });",
        'app.synth();',
        "out.push(require('fs').readFileSync(require('path').join(dir, process.env.OUT, 'c.k8s.yaml'), 'utf8'));",
        "process.stdout.write(out.join('\\n=====\\n'));",
      ].join('\n');
      const lazy = run(script, { OUT: 'lazy' });
      const eager = run(script, { OUT: 'eager', OCPKIT_LAZY_MODULES: 'off' });
      expect(lazy).toEqual(eager);
      expect(lazy.out).toContain('kind: A');
      expect(lazy.out).toContain('[{"a":1},{"b":["x","y"]}]');
      expect(lazy.out).toContain('kind: ConfigMap');
      expect(lazy.yamlLoaded).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the stand-in (lazyModule)', () => {
  const { lazyModule } = require('../../bin/run-ts.js') as { lazyModule(load: () => object): any };

  test('loads the module once, at first use, and answers as the module does (flagged as an ES module)', () => {
    let loads = 0;
    const real = { stringify: (x: unknown) => JSON.stringify(x), version: '2' };
    const m = lazyModule(() => {
      loads++;
      return real;
    });
    expect(loads).toBe(0);
    expect(m.__esModule).toBe(true);
    expect(loads).toBe(0); // the flag alone loads nothing
    expect(m.stringify([1])).toBe('[1]');
    expect(Object.keys(m)).toEqual(['stringify', 'version']);
    expect('__esModule' in m && Object.getOwnPropertyNames(m).includes('__esModule')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(m, '__esModule')).toEqual({ value: true, writable: false, enumerable: false, configurable: true });
    m.extra = 1;
    expect(real).toHaveProperty('extra', 1);
    expect(loads).toBe(1);
  });

  test('what a stand-in cannot promise is refused with a TypeError, not broken later', () => {
    const m = lazyModule(() => ({ a: 1 }));
    expect(() => Object.defineProperty(m, 'fixed', { value: 1, configurable: false })).toThrow(TypeError);
    expect(() => Object.preventExtensions(m)).toThrow(TypeError);
    expect(() => Object.freeze(m)).toThrow(TypeError);
    expect(Object.isExtensible(m)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(m, 'a')).toEqual({ value: 1, writable: true, enumerable: true, configurable: true });
  });
});
