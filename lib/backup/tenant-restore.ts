import { Construct } from 'constructs';
import { Restore } from '../../imports/velero-restore-velero.io';
import { Problems, show } from '../core/errors';
import { dnsLabel, dnsSubdomain } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { Delivery } from '../gitops/delivery';
import { Tenant } from '../tenancy/tenant';
import { clampName } from './_rules';
import { BackupSchedule } from './backup-schedule';

/**
 * Output folder of restore drills (`dist/<env>/_restore-drills/`). No Argo CD Application points
 * at it (Application folders are DNS labels, which cannot start with '_'), so a Restore written
 * there is only ever applied by hand.
 */
export const RESTORE_DRILL_FOLDER = '_restore-drills';

/** Properties of {@link TenantRestore}. */
export interface TenantRestoreProps {
  /** The tenant whose namespace is restored. */
  readonly tenant: Tenant;
  /** The schedule whose backups hold the tenant; gives the Velero namespace. */
  readonly schedule: BackupSchedule;
  /**
   * Backup to restore from (`daily-tenants-20241118010000`, see `oc get backups -n openshift-adp`).
   * @default the latest successful backup of the schedule
   */
  readonly backupName?: string;
  /**
   * Namespace the tenant's objects are restored into. A drill restores next to the live tenant,
   * so nothing it runs is touched; name the tenant's own namespace only for a real restore.
   * @default '<tenant>-restore-drill'
   */
  readonly targetNamespace?: string;
  /**
   * Name of the Restore object.
   * @default '<tenant>-from-<backup name or "latest">'
   */
  readonly name?: string;
}

/**
 * A Velero Restore of one tenant, for restore drills: written to `dist/<env>/_restore-drills/`,
 * outside every folder Argo CD syncs, so it never runs by accident.
 *
 * The drill, once a quarter per environment:
 * 1. `oc apply -f dist/<env>/_restore-drills/restore.openshift-adp.<name>.yaml`
 * 2. `oc -n openshift-adp get restore <name> -w` until `Completed` (`PartiallyFailed`: read
 *    `velero restore describe <name> --details` / `oc -n openshift-adp logs deploy/velero`).
 * 3. Check the copy in `<tenant>-restore-drill`: PVCs bound, pods running, the application's
 *    data present (log in through a port-forward; Routes of the copy clash with the live hosts
 *    and are not admitted, which is expected).
 * 4. `oc delete restore <name> -n openshift-adp` and `oc delete namespace <tenant>-restore-drill`.
 * 5. Note the date, the backup used and the time to restore in the runbook.
 *
 * @see https://velero.io/docs/main/api-types/restore/
 */
export class TenantRestore extends Construct {
  public readonly resource: Restore;
  public readonly restoreName: string;
  public readonly targetNamespace: string;

  constructor(scope: Construct, id: string, props: TenantRestoreProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    if (!(props.tenant instanceof Tenant)) p.add('tenant', `${show(props.tenant)} is not a Tenant`);
    if (!(props.schedule instanceof BackupSchedule)) p.add('schedule', `${show(props.schedule)} is not a BackupSchedule`);
    if (props.backupName !== undefined) p.check('backupName', props.backupName, dnsSubdomain);
    if (props.targetNamespace !== undefined) p.check('targetNamespace', props.targetNamespace, dnsLabel);
    if (props.name !== undefined) p.check('name', props.name, dnsLabel);
    p.throwIfAny();

    const tenant = props.tenant.tenantName;
    this.targetNamespace = props.targetNamespace ?? clampName(`${tenant}-restore-drill`);
    this.restoreName = props.name ?? clampName(`${tenant}-from-${props.backupName ?? 'latest'}`);
    this.resource = new Restore(this, 'Resource', {
      metadata: {
        name: this.restoreName,
        namespace: props.schedule.veleroNamespace,
        labels: { 'ocpkit.io/tenant': tenant, 'ocpkit.io/restore-drill': 'true' },
      },
      spec: {
        backupName: props.backupName,
        scheduleName: props.backupName ? undefined : props.schedule.scheduleName,
        includedNamespaces: [tenant],
        namespaceMapping: this.targetNamespace !== tenant ? { [tenant]: this.targetNamespace } : undefined,
        restorePVs: true,
        existingResourcePolicy: 'none',
      },
    });
    Delivery.of(this.resource).folder(RESTORE_DRILL_FOLDER);

    const schedule = props.schedule;
    this.node.addValidation({
      validate: () => {
        const out: string[] = [];
        if (!schedule.namespaces().includes(tenant)) {
          out.push(`schedule: schedule "${schedule.scheduleName}" does not back up tenant "${tenant}" (it covers ${schedule.namespaces().join(', ') || 'nothing'}); restore from a schedule that does`);
        }
        if (Cluster.of(props.tenant) !== Cluster.of(this)) out.push(`tenant: tenant "${tenant}" belongs to another cluster`);
        return out;
      },
    });
  }
}
