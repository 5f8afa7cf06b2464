import { buildEnvironment } from '../../apps/community/main';
import { environments } from '../../apps/community/environment';
import { loadTenantFile } from '../../lib/tenancy/tenant-file';
import * as path from 'path';
import { find, synth } from '../_helpers';

describe('reference stack backups', () => {
  const env = environments().find((e) => e.name === 'staging')!;
  const result = synth(buildEnvironment(env));

  test('the daily schedule covers all 46 tenants plus the GitLab and VM namespaces', () => {
    const tenants = loadTenantFile(path.join(__dirname, '../../apps/community/tenants.yaml')).map((t) => t.name);
    expect(tenants).toHaveLength(46);
    const ns: string[] = find(result, 'Schedule', 'daily-tenants', 'openshift-adp').spec.template.includedNamespaces;
    expect(ns).toEqual([...tenants, 'gitlab-system', 'infra-vms'].sort());
  });

  test('one encrypted location inside the OADP DPA, etcd snapshots copied with SSE, a drill outside synced folders', () => {
    const dpa = find(result, 'DataProtectionApplication', 'velero', 'openshift-adp');
    expect(dpa.spec.backupLocations[0].velero.config.serverSideEncryption).toBe('AES256');
    expect(dpa.spec.backupLocations[0].velero.objectStorage.prefix).toBe('velero/staging');
    const cj = find(result, 'CronJob', 'etcd-backup', 'etcd-backup');
    expect(cj.spec.jobTemplate.spec.template.spec.containers[0].command[2]).toContain('--sse AES256');
    const drill = result.objects.find((o) => o.manifest.kind === 'Restore')!;
    expect(drill.file).toBe('staging/_restore-drills/restore.openshift-adp.discourse-from-latest.yaml');
  });
});
