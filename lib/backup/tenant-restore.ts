import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Restore } from '../../imports/velero-restore-velero.io';
import { Problems, show } from '../core/errors';
import { dnsLabel, dnsSubdomain } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { Delivery } from '../gitops/delivery';
import { TreeIndex } from '../synth/pipeline';
import { Tenant } from '../tenancy/tenant';
import { TenantQuota } from '../tenancy/tenant-quota';
import { CERT_MANAGER_ANNOTATION_PREFIXES, drillExcludedResources, drillModifierRules, groupResourceOf, modifierDocument } from './_drill';
import { OADP_NAMESPACE, clampName } from './_rules';
import { BackupSchedule, VolumeBackup } from './backup-schedule';
import { BackupScheduleSet } from './backup-schedule-set';

/**
 * Output folder of restore drills (`dist/<env>/_restore-drills/`). No Argo CD Application points
 * at it (Application folders are DNS labels, which cannot start with '_'), so a Restore written
 * there is only ever applied by hand.
 */
export const RESTORE_DRILL_FOLDER = '_restore-drills';

/** Label on every object of a drill, and on the drill namespace: the tenant drilled. */
export const RESTORE_DRILL_LABEL = 'ocpkit.io/restore-drill';

/** Properties of {@link TenantRestore}. */
export interface TenantRestoreProps {
  /** The tenant whose namespace is restored. */
  readonly tenant: Tenant;
  /**
   * The schedule whose backups hold the tenant (a {@link BackupScheduleSet}: the tenant's own
   * Schedule of the set); gives the Velero namespace.
   */
  readonly schedule: BackupSchedule | BackupScheduleSet;
  /**
   * Backup to restore from (`daily-discourse-20241118020000`, see `oc get backups -n openshift-adp`).
   * @default the latest successful backup of the schedule
   */
  readonly backupName?: string;
  /**
   * Namespace the tenant's objects are restored into. Any other namespace than the tenant's own
   * makes the restore a drill (see {@link TenantRestore}); the tenant's own namespace is a real,
   * in-place restore (follow the disaster-recovery runbook: Argo CD auto-sync paused first).
   * @default '<tenant>-drill'
   */
  readonly targetNamespace?: string;
  /**
   * Name of the Restore object.
   * @default '<tenant>-from-<backup name or "latest">'
   */
  readonly name?: string;
}

/**
 * A Velero Restore of one tenant, written to `dist/<env>/_restore-drills/`, outside every folder
 * Argo CD syncs, so it never runs by accident. Primary object: the Restore.
 *
 * **A drill** (the default: into `<tenant>-drill`) restores a copy of production data next to
 * the live tenant, and nothing of it may act like production:
 * - the drill namespace is created first, by the drill's own files: the tenant's ResourceQuota and
 *   LimitRange (the copy fits where the original fits), its Pod Security level, and
 *   NetworkPolicies that deny all ingress and all egress but DNS and traffic inside the namespace
 *   (the tenant's own policies, which admit the routers and monitoring, are not restored;
 *   OpenShift SDN ignores the egress rules, and the runbook warns about it). Velero restores into an existing namespace as it is
 *   (vmware-tanzu/velero@v1.14.0 pkg/util/kube/utils.go EnsureNamespaceExistsAndIsReady), so the
 *   copy keeps none of the tenant Namespace's Argo CD labels;
 * - Velero resource modifiers (a ConfigMap next to the Restore) remove Argo CD's tracking label
 *   and annotation from every restored object (else the live tenant Application would adopt the
 *   copy and, with auto-prune, delete it), scale Deployments, StatefulSets and DeploymentConfigs to
 *   0, set VMs to `runStrategy: Halted`, and strip cert-manager annotations from what is restored;
 * - Pods, ReplicaSets, Jobs, CronJobs, Routes, Ingresses, cert-manager's kinds, NetworkPolicies,
 *   quotas, VMIs, the monitoring kinds (PrometheusRule, ServiceMonitor, PodMonitor, Probe) and
 *   operator-managed custom resources (PostgresCluster, PerconaXtraDBCluster and its backups and
 *   restores, GitLab, Runner, and any custom resource of the tenant outside the groups a drill
 *   knows to be inert) are not restored (see `_drill.ts` for each reason): an operator would start
 *   the workloads again and run backups into the production repository. Their data comes back as
 *   PVCs, to be inspected with a pod of your own.
 * A drill of a schedule using file-system backups is refused: their data is restored through the
 * restored pods. The steps and the clean-up are generated into
 * `dist/<env>/_runbooks/restore-drills.md`, in order; {@link TenantRestore.cleanupCommands} lists
 * the clean-up.
 *
 * Emits: into `dist/<environment>/_restore-drills/` (no Application syncs it) a `velero.io/v1`
 * Restore `<tenant>-from-latest` (`-from-<backupName>` for a given backup; `name` overrides) in
 * the Velero namespace; for a drill also its resource-modifier ConfigMap `<restore>-modifiers`
 * there, and the Namespace `<tenant>-drill` with the tenant's ResourceQuota and LimitRange and the
 * NetworkPolicies `drill-deny-all`, `drill-allow-dns` and `drill-allow-same-namespace`, and its
 * steps in `dist/<environment>/_runbooks/restore-drills.md`.
 *
 * @see https://velero.io/docs/v1.14/api-types/restore/
 * @see https://velero.io/docs/v1.14/restore-resource-modifiers/
 */
export class TenantRestore extends Construct {
  public readonly resource: Restore;
  public readonly restoreName: string;
  public readonly targetNamespace: string;
  /** The tenant restored. */
  public readonly tenantName: string;
  /** The Velero Schedule whose backup is restored (undefined when a set has none for the tenant: a synth error). */
  public readonly schedule?: BackupSchedule;
  /** The backup restored, when named. */
  public readonly backupName?: string;
  /** True when restoring next to the tenant (a drill), false for an in-place restore. */
  public readonly isDrill: boolean;
  /** Name of the resource modifier ConfigMap (drills only). */
  public readonly modifiersName?: string;
  /** The Velero namespace. */
  public readonly veleroNamespace: string;

  constructor(scope: Construct, id: string, props: TenantRestoreProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    if (!(props.tenant instanceof Tenant)) p.add('tenant', `${show(props.tenant)} is not a Tenant`);
    if (!(props.schedule instanceof BackupSchedule) && !(props.schedule instanceof BackupScheduleSet)) {
      p.add('schedule', `${show(props.schedule)} is not a BackupSchedule or BackupScheduleSet`);
    }
    if (props.backupName !== undefined) p.check('backupName', props.backupName, dnsSubdomain);
    if (props.targetNamespace !== undefined) p.check('targetNamespace', props.targetNamespace, dnsLabel);
    if (props.name !== undefined) p.check('name', props.name, dnsLabel);
    p.throwIfAny();

    const tenant = props.tenant.tenantName;
    this.tenantName = tenant;
    const schedule = props.schedule instanceof BackupScheduleSet ? props.schedule.scheduleFor(tenant) : props.schedule;
    this.schedule = schedule;
    this.backupName = props.backupName;
    this.targetNamespace = props.targetNamespace ?? clampName(`${tenant}-drill`);
    this.isDrill = this.targetNamespace !== tenant;
    this.restoreName = props.name ?? clampName(`${tenant}-from-${props.backupName ?? 'latest'}`);
    const veleroNamespace = schedule?.veleroNamespace ?? (props.schedule instanceof BackupScheduleSet ? props.schedule.schedules[0]?.veleroNamespace : undefined) ?? OADP_NAMESPACE;
    this.veleroNamespace = veleroNamespace;
    Delivery.of(this).folder(RESTORE_DRILL_FOLDER);
    const labels = { 'ocpkit.io/tenant': tenant, [RESTORE_DRILL_LABEL]: this.isDrill ? 'true' : 'false' };

    if (this.isDrill) {
      this.modifiersName = clampName(`${this.restoreName}-modifiers`);
      this.drillNamespace(props.tenant);
      new k8s.KubeConfigMap(this, 'Modifiers', {
        metadata: { name: this.modifiersName, namespace: veleroNamespace, labels },
        data: Lazy.any({ produce: () => ({ 'drill.yaml': modifierDocument(drillModifierRules(tenant, this.certManagerAnnotations())) }) }) as unknown as Record<string, string>,
      });
    }

    this.resource = new Restore(this, 'Resource', {
      metadata: { name: this.restoreName, namespace: veleroNamespace, labels },
      spec: {
        backupName: props.backupName,
        scheduleName: props.backupName ? undefined : schedule?.scheduleName,
        includedNamespaces: [tenant],
        excludedResources: this.isDrill ? Lazy.any({ produce: () => this.excludedResources() }) as unknown as string[] : undefined,
        namespaceMapping: this.isDrill ? { [tenant]: this.targetNamespace } : undefined,
        restorePVs: true,
        existingResourcePolicy: 'none',
        resourceModifier: this.modifiersName ? { kind: 'ConfigMap', name: this.modifiersName } : undefined,
      },
    });
    this.node.defaultChild = this.resource;

    const given = props.schedule;
    this.node.addValidation({
      validate: () => {
        const out: string[] = [];
        if (given instanceof BackupScheduleSet && !schedule) {
          out.push(`schedule: schedule set "${given.name}" has no Schedule for tenant "${tenant}" (it covers ${given.namespaces().join(', ') || 'nothing'}); restore from a schedule that backs the tenant up`);
        } else if (schedule && !schedule.namespaces().includes(tenant)) {
          out.push(`schedule: schedule "${schedule.scheduleName}" does not back up tenant "${tenant}" (it covers ${schedule.namespaces().join(', ') || 'nothing'}); restore from a schedule that does`);
        }
        if (this.isDrill && schedule?.volumes === VolumeBackup.FILE_SYSTEM) {
          out.push(`schedule: schedule "${schedule.scheduleName}" uses file-system backups, whose volume data Velero restores through the restored pods, so a drill would have to start the application; drill from a schedule using CSI snapshots (VolumeBackup.SNAPSHOT_MOVE_DATA)`);
        }
        if (Cluster.of(props.tenant) !== Cluster.of(this)) out.push(`tenant: tenant "${tenant}" belongs to another cluster`);
        if (this.isDrill) {
          const clash = TreeIndex.all(this).find((c) => c instanceof Tenant && c.tenantName === this.targetNamespace);
          if (clash) out.push(`targetNamespace: "${this.targetNamespace}" is the namespace of tenant "${this.targetNamespace}" (${clash.node.path}); a drill needs a namespace of its own`);
        }
        return out;
      },
    });
  }

  /**
   * The clean-up of a drill, in order: the Restore (Velero then deletes its logs and results from
   * the bucket), the drill namespace (the copies of production data: PVCs, Secrets, VMs) and the
   * modifier ConfigMap. For an in-place restore only the Restore object is removed.
   */
  public cleanupCommands(): string[] {
    const out = [`oc -n ${this.veleroNamespace} delete restore.velero.io ${this.restoreName}`];
    if (this.isDrill) {
      out.push(`oc delete namespace ${this.targetNamespace} --wait=true`);
      out.push(`oc -n ${this.veleroNamespace} delete configmap ${this.modifiersName}`);
    }
    return out;
  }

  /** The drill namespace, its quota and its network isolation (created before the restore). */
  private drillNamespace(tenant: Tenant): void {
    const ns = this.targetNamespace;
    const tenantLabels = tenant.namespaceObject.metadata;
    const keep = ['pod-security.kubernetes.io/enforce', 'pod-security.kubernetes.io/audit', 'pod-security.kubernetes.io/warn', 'security.openshift.io/scc.podSecurityLabelSync'];
    const psa: Record<string, string> = {};
    for (const k of keep) {
      const v = tenantLabels.getLabel(k);
      if (v !== undefined) psa[k] = v;
    }
    new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: ns,
        labels: { ...psa, 'ocpkit.io/tenant': tenant.tenantName, [RESTORE_DRILL_LABEL]: 'true' },
        annotations: {
          'openshift.io/display-name': `Restore drill of ${tenant.tenantName}`,
          'openshift.io/description': `Copy of ${tenant.tenantName}'s production data restored by Velero; delete the namespace after the drill`,
        },
      },
    });
    new TenantQuota(this, 'Quota', { namespace: ns, limits: tenant.quota.limits, containerDefaults: tenant.quota.containerDefaults });

    const policy = (cid: string, name: string, spec: k8s.NetworkPolicySpec) =>
      new k8s.KubeNetworkPolicy(this, cid, { metadata: { name, namespace: ns }, spec });
    policy('DenyAll', 'drill-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    policy('SameNamespace', 'drill-allow-same-namespace', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    });
    // The cluster DNS pods answer on 5353 (openshift/cluster-dns-operator@release-4.14
    // pkg/manifests/assets/dns/daemonset.yaml); policies see the pod port behind the Service's 53.
    policy('Dns', 'drill-allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } }, podSelector: {} }],
        ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(5353) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(5353) }],
      }],
    });
    // OpenShift SDN implements NetworkPolicy ingress only ("OpenShift SDN network plugin" feature
    // matrix, OpenShift 4.14 docs: Kubernetes network policy partially supported, no egress rules):
    // on SDN the egress rules above wait for the migration to OVN-Kubernetes, and the drill's
    // isolation from the outside is that nothing runs (replicas 0, VMs halted). Its egress firewall
    // (EgressNetworkPolicy) has no schema in the 4.14 profile to validate against; the runbook
    // says so where a workload is scaled up for verification.
  }

  /**
   * The resources a drill leaves out (empty for an in-place restore): the fixed list, and the
   * operator-managed custom resources found among the tenant's rendered objects.
   */
  public excludedResources(): string[] {
    if (!this.isDrill) return [];
    return drillExcludedResources(this.tenantManifests().map((m) => groupResourceOf(String(m.apiVersion), String(m.kind))));
  }

  /** The tenant namespace's rendered objects (namespaced ones; the ones that fail to render are reported by the synthesizer). */
  private tenantManifests(): any[] {
    const out: any[] = [];
    for (const c of TreeIndex.all(this)) {
      if (!(c instanceof ApiObject) || c.metadata.namespace !== this.tenantName) continue;
      try {
        out.push(TreeIndex.rendered(c));
      } catch {
        continue;
      }
    }
    return out;
  }

  /** cert-manager annotation keys on the tenant's rendered objects, by Velero group-resource. */
  private certManagerAnnotations(): Map<string, string[]> {
    const out = new Map<string, Set<string>>();
    for (const manifest of this.tenantManifests()) {
      const keys = Object.keys(manifest?.metadata?.annotations ?? {}).filter((k) => CERT_MANAGER_ANNOTATION_PREFIXES.some((x) => k.startsWith(x)));
      if (keys.length === 0) continue;
      const gr = groupResourceOf(String(manifest.apiVersion), String(manifest.kind));
      const set = out.get(gr) ?? new Set<string>();
      keys.forEach((k) => set.add(k));
      out.set(gr, set);
    }
    return new Map([...out.entries()].map(([k, v]) => [k, [...v].sort()]));
  }
}
