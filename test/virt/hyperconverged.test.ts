import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { SyncWave } from '../../lib/gitops/sync-wave';
import { OperatorInstall } from '../../lib/olm';
import { Provides } from '../../lib/refs/provides';
import { Overrides } from '../../lib/synth/overrides';
import { CronSchedule } from '../../lib/backup/cron';
import { ClusterEvictionStrategy, GOLDEN_IMAGES_NAMESPACE, HyperConverged, HyperConvergedProps } from '../../lib/virt';
import { fileOf, find, synth, testCluster } from '../_helpers';
import { tenant } from './_fixtures';

const WAIVER = { reason: 'test of the HyperConverged operand; operator pins are checked in test/olm/catalog-check.test.ts' };

function platform(opts: { install?: boolean; namespace?: string } = {}): { cluster: Cluster; app: GitOpsApp } {
  const cluster = testCluster();
  const app = new GitOpsApp(cluster, 'PlatformOperators', { name: 'platform-operators', syncWave: SyncWave.OPERATORS });
  if (opts.install ?? true) {
    new OperatorInstall(app, 'Virtualization', {
      packageName: 'kubevirt-hyperconverged',
      namespace: opts.namespace ?? 'openshift-cnv',
      channel: 'stable',
      startingCsv: 'kubevirt-hyperconverged-operator.v4.14.9',
      catalogWaiver: WAIVER,
    });
  }
  return { cluster, app };
}

function hcOf(props: HyperConvergedProps = {}): any {
  const { cluster, app } = platform();
  new HyperConverged(app, 'HyperConverged', props);
  return find(synth(cluster), 'HyperConverged', 'kubevirt-hyperconverged', 'openshift-cnv');
}

describe('HyperConverged', () => {
  test('minimal: the named singleton in the operator namespace, nothing set that HCO defaults', () => {
    const m = hcOf();
    expect(m.apiVersion).toBe('hco.kubevirt.io/v1beta1');
    expect(m.metadata.name).toBe('kubevirt-hyperconverged');
    expect(m.metadata.namespace).toBe('openshift-cnv');
    expect(m.spec ?? {}).toEqual({});
  });

  test('every setting appears as set and validates against the 4.14 schema', () => {
    const m = hcOf({
      liveMigration: {
        parallelMigrationsPerCluster: 3,
        parallelOutboundMigrationsPerNode: 1,
        bandwidthPerMigration: '512Mi',
        completionTimeoutPerGiB: 300,
        progressTimeout: 120,
        network: 'migration-network',
        allowAutoConverge: true,
        allowPostCopy: false,
      },
      evictionStrategy: ClusterEvictionStrategy.LIVE_MIGRATE_IF_POSSIBLE,
      commonBootImageImport: false,
      hostPassthroughCpuMigration: true,
      defaultCpuModel: 'EPYC',
      bootSources: [
        { name: 'fedora-40', registryUrl: 'docker://quay.io/containerdisks/fedora:40', size: '30Gi', storageClass: 'ocs-storagecluster-ceph-rbd-virtualization', importsToKeep: 2 },
        { name: 'debian-12', registryUrl: 'docker://quay.io/containerdisks/debian:12', size: '20Gi', schedule: CronSchedule.expression('15 3 * * *') },
      ],
    });
    expect(m.spec.liveMigrationConfig).toEqual({
      parallelMigrationsPerCluster: 3,
      parallelOutboundMigrationsPerNode: 1,
      bandwidthPerMigration: '512Mi',
      completionTimeoutPerGiB: 300,
      progressTimeout: 120,
      network: 'migration-network',
      allowAutoConverge: true,
      allowPostCopy: false,
    });
    expect(m.spec.evictionStrategy).toBe('LiveMigrateIfPossible');
    expect(m.spec.featureGates).toEqual({ enableCommonBootImageImport: false, withHostPassthroughCPU: true });
    expect(m.spec.defaultCPUModel).toBe('EPYC');
    expect(m.spec.dataImportCronTemplates).toEqual([
      {
        metadata: { name: 'fedora-40' },
        spec: {
          schedule: '0 */12 * * *',
          managedDataSource: 'fedora-40',
          importsToKeep: 2,
          template: { spec: { source: { registry: { url: 'docker://quay.io/containerdisks/fedora:40' } }, storage: { storageClassName: 'ocs-storagecluster-ceph-rbd-virtualization', resources: { requests: { storage: '30Gi' } } } } },
        },
      },
      {
        metadata: { name: 'debian-12' },
        spec: {
          schedule: '15 3 * * *',
          managedDataSource: 'debian-12',
          template: { spec: { source: { registry: { url: 'docker://quay.io/containerdisks/debian:12' } }, storage: { resources: { requests: { storage: '20Gi' } } } } },
        },
      },
    ]);
  });

  test('the 4.14 schema is applied: a field HCO 1.10 does not have (kubeMacPoolConfiguration, later HCO) is refused', () => {
    const { cluster, app } = platform();
    const hc = new HyperConverged(app, 'HyperConverged');
    Overrides.of(hc).addOverride('/spec/kubeMacPoolConfiguration', { rangeStart: '02:00:00:00:00:00' });
    expect(() => synth(cluster)).toThrow(/unknown field "kubeMacPoolConfiguration"/);
  });

  test('the common boot sources (while boot image import is on) and the custom ones are declared as DataSources the operator provides', () => {
    const declared = (props: object) => {
      const { app } = platform();
      const hc = new HyperConverged(app, 'HyperConverged', { bootSources: [{ name: 'fedora-40', registryUrl: 'docker://quay.io/containerdisks/fedora:40', size: '30Gi' }], ...props });
      return Provides.declaredOn(hc).map((d) => `${d.kind} ${d.namespace}/${d.name}`);
    };
    const ns = GOLDEN_IMAGES_NAMESPACE;
    expect(declared({})).toEqual([`DataSource ${ns}/rhel8`, `DataSource ${ns}/rhel9`, `DataSource ${ns}/fedora`, `DataSource ${ns}/centos-stream9`, `DataSource ${ns}/fedora-40`]);
    expect(declared({ commonBootImageImport: false })).toEqual([`DataSource ${ns}/fedora-40`]);
  });

  test('lands after its operator: Subscription at wave -20, HyperConverged later, skipping dry-run, both in platform-operators', () => {
    const { cluster, app } = platform();
    new HyperConverged(app, 'HyperConverged', { evictionStrategy: ClusterEvictionStrategy.LIVE_MIGRATE });
    const out = synth(cluster);
    const sub = find(out, 'Subscription', 'kubevirt-hyperconverged', 'openshift-cnv');
    const hc = find(out, 'HyperConverged', 'kubevirt-hyperconverged', 'openshift-cnv');
    const wave = (m: any) => Number(m.metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave(sub)).toBe(-20);
    expect(wave(hc)).toBeGreaterThan(wave(sub));
    expect(hc.metadata.annotations['argocd.argoproj.io/sync-options']).toContain('SkipDryRunOnMissingResource=true');
    expect(fileOf(out, 'HyperConverged', 'kubevirt-hyperconverged').split('/').slice(0, 2)).toEqual(fileOf(out, 'Subscription', 'kubevirt-hyperconverged').split('/').slice(0, 2));
  });

  describe('validation', () => {
    const bad: Array<[string, HyperConvergedProps, RegExp]> = [
      ['zero parallel migrations', { liveMigration: { parallelMigrationsPerCluster: 0 } }, /liveMigration\.parallelMigrationsPerCluster: 0 must be an integer from 1/],
      ['fractional per-node limit', { liveMigration: { parallelOutboundMigrationsPerNode: 1.5 } }, /liveMigration\.parallelOutboundMigrationsPerNode: 1\.5 must be an integer/],
      ['per-node limit above the cluster limit', { liveMigration: { parallelMigrationsPerCluster: 2, parallelOutboundMigrationsPerNode: 3 } }, /liveMigration\.parallelOutboundMigrationsPerNode: 3 is more than the 2 migrations/],
      ['per-node limit above the default cluster limit', { liveMigration: { parallelOutboundMigrationsPerNode: 6 } }, /liveMigration\.parallelOutboundMigrationsPerNode: 6 is more than the 5 migrations/],
      ['bandwidth in the wrong unit', { liveMigration: { bandwidthPerMigration: '1GB' } }, /liveMigration\.bandwidthPerMigration: "1GB" is not a Kubernetes quantity; write "1Gi"/],
      ['bandwidth without a unit', { liveMigration: { bandwidthPerMigration: '64' } }, /liveMigration\.bandwidthPerMigration: "64" is below 1Mi per second/],
      ['negative completion timeout', { liveMigration: { completionTimeoutPerGiB: -1 } }, /liveMigration\.completionTimeoutPerGiB: -1 must be an integer from 1 to 86400/],
      ['progress timeout as a string', { liveMigration: { progressTimeout: '150' as any } }, /liveMigration\.progressTimeout: "150" must be an integer/],
      ['migration network not a name', { liveMigration: { network: 'Migration Net' } }, /liveMigration\.network: "Migration Net" is not a DNS-1123 subdomain/],
      ['unknown eviction strategy', { evictionStrategy: 'Migrate' as any }, /evictionStrategy: "Migrate" is not allowed; use one of "LiveMigrate", "LiveMigrateIfPossible", "None", "External"/],
      ['boot import as a string', { commonBootImageImport: 'false' as any }, /commonBootImageImport: "false" must be true or false/],
      ['CPU model with spaces', { defaultCpuModel: 'host model' }, /defaultCpuModel: "host model" is not a CPU model name/],
      ['boot source from http', { bootSources: [{ name: 'fedora', registryUrl: 'https://example.org/fedora.qcow2', size: '30Gi' }] }, /bootSources\[0\]\.registryUrl: "https:\/\/example\.org\/fedora\.qcow2" is not a container disk URL/],
      ['boot source with credentials', { bootSources: [{ name: 'fedora', registryUrl: 'docker://bot:secret@quay.io/x/fedora:40', size: '30Gi' }] }, /bootSources\[0\]\.registryUrl: .* carries credentials/],
      ['boot source too small', { bootSources: [{ name: 'fedora', registryUrl: 'docker://quay.io/containerdisks/fedora:40', size: '512Mi' }] }, /bootSources\[0\]\.size: "512Mi" is below 1Gi/],
      ['boot source bad schedule', { bootSources: [{ name: 'fedora', registryUrl: 'docker://quay.io/containerdisks/fedora:40', size: '30Gi', schedule: '0 25 * * *' }] }, /bootSources\[0\]\.schedule: "0 25 \* \* \*": hour "25" is out of range/],
      ['boot source bad name', { bootSources: [{ name: 'Fedora_40', registryUrl: 'docker://quay.io/containerdisks/fedora:40', size: '30Gi' }] }, /bootSources\[0\]\.name: "Fedora_40" is not a DNS-1123 label/],
      ['boot source twice', { bootSources: [{ name: 'fedora', registryUrl: 'docker://quay.io/a/fedora:40', size: '30Gi' }, { name: 'fedora', registryUrl: 'docker://quay.io/b/fedora:40', size: '30Gi' }] }, /bootSources: boot source "fedora" is defined twice/],
    ];
    test.each(bad)('%s', (_name, props, message) => {
      const { app } = platform();
      // one line: [construct path] field: what is wrong and what is allowed
      expect(() => new HyperConverged(app, 'HyperConverged', props)).toThrow(new RegExp(`\\[PlatformOperators/HyperConverged\\] ${message.source}`));
    });

    test('without the operator install the synth says which install is missing', () => {
      const { cluster, app } = platform({ install: false });
      new HyperConverged(app, 'HyperConverged');
      expect(() => synth(cluster)).toThrow(/\[PlatformOperators\/HyperConverged\] operator: the cluster has no OperatorInstall of package "kubevirt-hyperconverged"/);
    });

    test('in another namespace than the operator, the synth fails', () => {
      const { cluster, app } = platform({ namespace: 'kubevirt-hyperconverged' });
      new HyperConverged(app, 'HyperConverged');
      expect(() => synth(cluster)).toThrow(/\[PlatformOperators\/HyperConverged\] namespace: "openshift-cnv" is not where OpenShift Virtualization is installed \("kubevirt-hyperconverged" by PlatformOperators\/Virtualization\)/);
      const ok = platform({ namespace: 'kubevirt-hyperconverged' });
      new HyperConverged(ok.app, 'HyperConverged', { namespace: 'kubevirt-hyperconverged' });
      expect(find(synth(ok.cluster), 'HyperConverged', 'kubevirt-hyperconverged').metadata.namespace).toBe('kubevirt-hyperconverged');
    });

    test('two HyperConvergeds in one cluster fail', () => {
      const { cluster, app } = platform();
      new HyperConverged(app, 'A');
      new HyperConverged(app, 'B');
      expect(() => synth(cluster)).toThrow(/\[PlatformOperators\/A\] the cluster has another HyperConverged \(PlatformOperators\/B\)/);
    });

    test('not inside a Tenant, not outside a GitOpsApp', () => {
      const { cluster } = platform();
      const t = tenant(cluster, 'forum');
      expect(() => new HyperConverged(t, 'HyperConverged')).toThrow(/\[forum\/HyperConverged\] a HyperConverged configures OpenShift Virtualization for the whole cluster and cannot be defined inside a Tenant/);
      expect(() => new HyperConverged(cluster, 'HyperConverged')).toThrow(/\[HyperConverged\] a HyperConverged must be defined inside a GitOpsApp/);
    });
  });
});
