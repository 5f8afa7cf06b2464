import * as fs from 'fs';
import * as path from 'path';
import { build } from '../../apps/community/main';
import { validateTree } from '../../lib/check/validate-tree';
import { loadTenantFile } from '../../lib/tenancy/tenant-file';
import { synthesize } from '../../lib/pipeline-defaults';
import { SynthesisResult } from '../../lib/synth/synthesizer';
import { validator } from '../_helpers';

const DIST = path.join(__dirname, '..', '..', 'dist');

describe('reference stack apps/community', () => {
  let result: SynthesisResult;
  beforeAll(() => {
    result = synthesize(build(), { validator: validator() });
  });

  test('tenants.yaml lists 46 tenants', () => {
    expect(loadTenantFile(path.join(__dirname, '..', '..', 'apps', 'community', 'tenants.yaml'))).toHaveLength(46);
  });

  test.each(['production', 'staging'])('%s has every piece for every tenant', (env) => {
    const tenants = loadTenantFile(path.join(__dirname, '..', '..', 'apps', 'community', 'tenants.yaml'));
    const files = new Set(result.objects.map((o) => o.file));
    for (const { name } of tenants) {
      for (const f of [
        `${env}/tenancy/namespace.${name}.yaml`,
        `${env}/tenancy/resourcequota.${name}.tenant-quota.yaml`,
        `${env}/tenancy/limitrange.${name}.tenant-defaults.yaml`,
        `${env}/${name}/rolebinding.${name}.tenant-admin.yaml`,
        `${env}/${name}/networkpolicy.${name}.deny-by-default.yaml`,
        `${env}/root/appproject.openshift-gitops.tenant-${name}.yaml`,
        `${env}/root/application.openshift-gitops.${name}.yaml`,
      ]) {
        expect(files).toContain(f);
      }
    }
  });

  test('environments differ only where their settings say so', () => {
    const route = (env: string) => result.objects.find((o) => o.file === `${env}/discourse/route.discourse.discourse.yaml`)!.manifest;
    expect(route('production').spec.host).toBe('discourse.community.example.org');
    expect(route('staging').spec.host).toBe('discourse.stg.community.example.org');
  });

  test('the committed dist/ is exactly what the stack synthesizes', () => {
    const committed = fs.readdirSync(DIST, { recursive: true }).map(String).filter((f) => /\.(yaml|md)$/.test(f)).sort();
    expect(committed).toEqual([...result.files.keys()]);
    for (const [file, text] of result.files) expect(fs.readFileSync(path.join(DIST, file), 'utf8')).toBe(text);
  });

  test('every object in dist/ passes schema validation (ocpkit validate dist)', () => {
    const report = validateTree(DIST, { platform: '4.14' });
    expect(report.errors).toEqual([]);
    expect(report.documents).toBe(result.objects.length);
  });
});

describe('environments of the reference stack', () => {
  test('staging and production have the same objects; only values differ', () => {
    const result = synthesize(build(), { validator: false });
    // the root Application is named after its environment
    const files = (env: string) => [...result.files.keys()].filter((f) => f.startsWith(`${env}/`)).map((f) => f.slice(env.length + 1).replace(`-${env}-root`, '-ENV-root'));
    // staging follows the moving tags of the services our own CI builds (an ImageStream each,
    // apps/community/tenants.ts `follows`); production runs only pinned images, so has none
    const followed = files('staging').filter((f) => /\/imagestream\./.test(f));
    expect(followed.sort()).toEqual(['planet/imagestream.planet.planet.yaml', 'static-www/imagestream.static-www.www.yaml']);
    expect(files('production').filter((f) => /\/imagestream\./.test(f))).toEqual([]);
    expect(files('staging').filter((f) => !followed.includes(f))).toEqual(files('production'));
    expect(files('production').length).toBeGreaterThan(500);
  });
});
