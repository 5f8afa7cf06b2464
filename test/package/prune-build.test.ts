/**
 * `npm run build` first removes compiled files whose source is gone (scripts/prune-build.js), so a
 * renamed module's old output is not packed with the new one.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

test('outputs without a source go, outputs with one stay, and the build info is dropped when anything went', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-prune-'));
  try {
    const write = (rel: string, text = '') => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    fs.mkdirSync(path.join(root, 'scripts'));
    fs.copyFileSync(path.join(__dirname, '..', '..', 'scripts', 'prune-build.js'), path.join(root, 'scripts', 'prune-build.js'));
    write('lib/openshift/container-app.ts');
    write('bin/safe-message.js');
    for (const f of ['build/lib/openshift/container-app.js', 'build/lib/openshift/container-app.d.ts', 'build/lib/openshift/workload.js', 'build/lib/openshift/workload.d.ts', 'build/lib/gone/only.js', 'build/bin/safe-message.js', 'build/.tsbuildinfo']) write(f);
    const out = execFileSync(process.execPath, [path.join(root, 'scripts', 'prune-build.js')], { encoding: 'utf8' });
    expect(out).toMatch(/removed 3 output file/);
    const exists = (rel: string) => fs.existsSync(path.join(root, rel));
    expect(['build/lib/openshift/container-app.js', 'build/lib/openshift/container-app.d.ts', 'build/bin/safe-message.js'].filter(exists)).toHaveLength(3);
    expect(['build/lib/openshift/workload.js', 'build/lib/openshift/workload.d.ts', 'build/lib/gone', 'build/.tsbuildinfo'].filter(exists)).toEqual([]);
    // nothing to remove: the build info stays
    write('build/.tsbuildinfo');
    expect(execFileSync(process.execPath, [path.join(root, 'scripts', 'prune-build.js')], { encoding: 'utf8' })).toBe('');
    expect(exists('build/.tsbuildinfo')).toBe(true);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
