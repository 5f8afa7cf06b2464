import * as fs from 'fs';
import * as path from 'path';
import { build } from '../../apps/tour/main';
import { synthesize } from '../../lib/pipeline-defaults';
import { validator } from '../_helpers';

const ROOT = path.join(__dirname, '..', '..');

describe('README tour', () => {
  test('the README shows apps/tour/main.ts verbatim (with the package import)', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const tour = fs.readFileSync(path.join(ROOT, 'apps', 'tour', 'main.ts'), 'utf8').replace("from '../../lib';", "from 'ocpkit';");
    const block = /## A short tour[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    expect(block![1]).toBe(tour);
  });

  test('the tour stack synthesizes and validates', () => {
    const result = synthesize(build(), { validator: validator() });
    const kinds = new Set(result.objects.map((o) => o.manifest.kind));
    for (const k of ['Namespace', 'Deployment', 'Route', 'NodeNetworkConfigurationPolicy', 'NetworkAttachmentDefinition', 'VirtualMachine', 'BackupStorageLocation', 'Schedule', 'Issuer', 'ArgoCD']) {
      expect(kinds).toContain(k);
    }
    // A closed world: its externals are declared, and listed for the bootstrap checklist.
    const externals = result.files.get('production/externals.yaml') ?? '';
    for (const name of ['openshift-adp', 'cloud-credentials', 'ops-ssh-keys', 'acme-dns-tsig']) expect(externals).toContain(`name: ${name}`);
  });
});
