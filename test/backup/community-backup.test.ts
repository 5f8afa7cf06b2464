import { buildEnvironment } from '../../apps/community/main';
import { environments } from '../../apps/community/environment';
import { loadTenantFile } from '../../lib/tenancy/tenant-file';
import * as path from 'path';
import { find, synth } from '../_helpers';

describe('reference stack backups', () => {
  const env = environments().find((e) => e.name === 'staging')!;
  const result = synth(buildEnvironment(env));

  test('one daily Schedule per tenant plus the GitLab and VM namespaces, each backing up its own namespace, started 02:00-02:59', () => {
    const tenants = loadTenantFile(path.join(__dirname, '../../apps/community/tenants.yaml')).map((t) => t.name);
    expect(tenants).toHaveLength(46);
    const schedules = result.objects.filter((o) => o.manifest.kind === 'Schedule').map((o) => o.manifest);
    const expected = [...tenants, 'gitlab-system', 'infra-vms'].sort();
    expect(schedules.map((s) => s.metadata.name).sort()).toEqual(expected.map((ns) => `daily-${ns}`).sort());
    for (const s of schedules) {
      expect(s.metadata.namespace).toBe('openshift-adp');
      expect(s.spec.template.includedNamespaces).toEqual([s.metadata.name.slice('daily-'.length)]);
      expect(s.spec.schedule).toMatch(/^([0-9]|[1-5][0-9]) 2 \* \* \*$/);
    }
    // spread: not all at the same minute
    expect(new Set(schedules.map((s) => s.spec.schedule)).size).toBeGreaterThan(10);
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
