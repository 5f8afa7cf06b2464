import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DataFile } from '../../lib/data/data-file';
import { ReleaseTrain } from '../../lib/gitops/release-train';

function file(text: string): string {
  const p = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'train-')), 'versions.yaml');
  fs.writeFileSync(p, text);
  return p;
}

describe('ReleaseTrain', () => {
  const good = file('environments:\n  staging:\n    images.web: quay.io/x/web:2\n    charts.gitlab: 7.6.0\n  production:\n    images.web: quay.io/x/web:1\n    charts.gitlab: 7.5.2\n');

  test('gives each environment its pins', () => {
    expect(ReleaseTrain.load(good, 'staging').get('images.web')).toBe('quay.io/x/web:2');
    expect(ReleaseTrain.load(good, 'production').get('charts.gitlab')).toBe('7.5.2');
    expect(ReleaseTrain.load(good, 'production').keys()).toEqual(['charts.gitlab', 'images.web']);
    expect(ReleaseTrain.load(good, 'production').lookup('nope')).toBeUndefined();
  });

  test('an unpinned key is an error naming file, environment and key', () => {
    expect(() => ReleaseTrain.load(good, 'production').get('images.api')).toThrow(/\[versions.yaml\] environments.production.images.api: is not pinned/);
  });

  test('every environment must pin the same keys, so a promotion cannot forget one', () => {
    const bad = file('environments:\n  staging:\n    images.web: quay.io/x/web:2\n    images.api: quay.io/x/api:1\n  production:\n    images.web: quay.io/x/web:1\n');
    expect(() => ReleaseTrain.load(bad, 'production')).toThrow(/environments.production: misses "images.api", which staging pins/);
  });

  test('unknown environment and non-string values', () => {
    expect(() => ReleaseTrain.load(good, 'dev')).toThrow(/has no entry for environment "dev" \(has staging, production\)/);
    const bad = file('environments:\n  production:\n    images.web: 3\n');
    expect(() => ReleaseTrain.load(bad, 'production')).toThrow(/environments.production.images.web: must be a non-empty string, got 3/);
  });
});

describe('DataFile ${key} references', () => {
  test('are resolved in string values, wherever they are', () => {
    const d = DataFile.parse('vms.yaml', 'vms:\n  - name: a\n    disk: { http: "${vm.rhel}" }\n', { resolve: (k) => (k === 'vm.rhel' ? 'https://img.example.org/rhel.qcow2' : undefined) });
    expect((d.content as any).vms[0].disk.http).toBe('https://img.example.org/rhel.qcow2');
    expect(d.allProblems).toEqual([]);
  });

  test('an unknown reference is reported with its location', () => {
    const d = DataFile.parse('vms.yaml', 'vms:\n  - name: a\n    disk: { http: "${vm.nope}" }\n', { resolve: () => undefined });
    expect(d.allProblems).toEqual([{ path: 'vms.yaml', field: 'vms[0].disk.http', message: '${vm.nope} is not defined (not pinned in the release train?)' }]);
  });
});
