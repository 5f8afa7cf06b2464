import { IConstruct } from 'constructs';
import { Cluster } from '../gitops/cluster';
import { Artifact, ArtifactProducer, SynthesizedObject, SynthRoot, walk } from '../synth/pipeline';
import { Tenant } from '../tenancy/tenant';
import { BackupExemption } from './backup-exemption';
import { VeleroSnapshotClass, VELERO_SNAPSHOT_CLASS_LABEL } from './snapshot-class';
import { TenantRestore } from './tenant-restore';

/**
 * Folder of the generated runbooks (`dist/<env>/_runbooks/`): like `_restore-drills`, a folder no
 * Argo CD Application syncs (Application folders are DNS labels, which cannot start with '_').
 */
export const RUNBOOK_FOLDER = '_runbooks';
/** The disaster-recovery runbook of an environment. */
export const DR_RUNBOOK = `${RUNBOOK_FOLDER}/disaster-recovery.md`;
/** The restore-drill runbook of an environment. */
export const DRILL_RUNBOOK = `${RUNBOOK_FOLDER}/restore-drills.md`;

/*
 * Facts the runbooks rely on:
 * - Argo CD 2.10 syncs automatically while `spec.syncPolicy.automated` is set; removing it stops
 *   automated sync and self-heal (argo-cd v2.10 docs/user-guide/auto_sync.md; `argocd app set
 *   --sync-policy none` does the same through the API). The child Applications are objects of the
 *   root Application, which self-heals them, so the root is paused first; re-applying the root
 *   from bootstrap/ restores its policy, and its sync restores the children's.
 * - A Restore with `existingResourcePolicy: none` skips every object that exists, and Velero never
 *   writes volume data into an existing PVC: an Argo CD sync that re-created the PVCs first makes
 *   the restore bring back no data (field review M8; vmware-tanzu/velero@v1.14.0
 *   site/content/docs/v1.14/restore-reference.md, "Restore existing resource policy").
 * - A Restore naming `scheduleName` takes the newest Completed backup labelled
 *   `velero.io/schedule-name=<schedule>` (Velero sets that label on every backup of a schedule);
 *   the Schedule object itself need not exist, so a rebuilt cluster can restore before its
 *   Schedules are applied (vmware-tanzu/velero@v1.14.0 pkg/controller/restore_controller.go
 *   fetchBackupInfo / mostRecentCompletedBackup, pkg/builder/backup_builder.go FromSchedule).
 * - The Velero CLI runs inside OADP's Velero pod as `./velero` (openshift/oadp-operator@oadp-1.4
 *   docs/TROUBLESHOOTING.md).
 */

interface Location { name: string; provider: string; bucket: string; prefix: string; endpoint: string }
interface ScheduleRow { name: string; namespace: string; cron: string; namespaces: string[]; ttl: string; location: string; volumes: string }

const PAUSE = `--type merge -p '{"spec":{"syncPolicy":{"automated":null}}}'`;

/** Escapes a value for a Markdown table cell (names here are Kubernetes names; notes are free text). */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Velero's backup storage locations, from the DataProtectionApplication(s) and BackupStorageLocation objects. */
function locations(objects: readonly SynthesizedObject[]): Location[] {
  const out: Location[] = [];
  for (const o of objects) {
    const m = o.manifest;
    if (m.kind === 'DataProtectionApplication') {
      (m.spec?.backupLocations ?? []).forEach((l: any, i: number) => {
        const v = l?.velero ?? {};
        out.push({ name: l?.name ?? `${m.metadata.name}-${i + 1}`, provider: v.provider ?? '', bucket: v.objectStorage?.bucket ?? '', prefix: v.objectStorage?.prefix ?? '', endpoint: v.config?.s3Url ?? '' });
      });
    }
    if (m.kind === 'BackupStorageLocation' && String(m.apiVersion).startsWith('velero.io/')) {
      const s = m.spec ?? {};
      out.push({ name: m.metadata.name, provider: s.provider ?? '', bucket: s.objectStorage?.bucket ?? '', prefix: s.objectStorage?.prefix ?? '', endpoint: s.config?.s3Url ?? '' });
    }
  }
  return out.sort(byName);
}

function schedules(objects: readonly SynthesizedObject[]): ScheduleRow[] {
  return objects
    .filter((o) => o.manifest.kind === 'Schedule' && String(o.manifest.apiVersion).startsWith('velero.io/'))
    .map((o) => {
      const t = o.manifest.spec?.template ?? {};
      const volumes = t.snapshotMoveData ? 'CSI snapshot, data moved to the bucket' : t.defaultVolumesToFsBackup ? 'file-system (kopia)' : t.snapshotVolumes === false ? 'objects only' : 'CSI snapshot (in the cluster)';
      return { name: o.manifest.metadata.name, namespace: o.manifest.metadata.namespace, cron: o.manifest.spec?.schedule ?? '', namespaces: [...(t.includedNamespaces ?? [])], ttl: t.ttl ?? '', location: t.storageLocation ?? '', volumes };
    })
    .sort(byName);
}

/** Application folder of each synthesized file (`<env>/<folder>/<file>`). */
function folderOf(o: SynthesizedObject): string {
  return o.file.split('/')[1] ?? '';
}

/** The Applications (by name) whose folders hold objects of a namespace, sorted. */
function applicationsOf(objects: readonly SynthesizedObject[], appByFolder: ReadonlyMap<string, string>, namespace: string): string[] {
  const apps = new Set<string>();
  for (const o of objects) {
    const m = o.manifest;
    const ns = m.kind === 'Namespace' ? m.metadata?.name : m.metadata?.namespace;
    if (ns !== namespace) continue;
    const app = appByFolder.get(folderOf(o));
    if (app) apps.add(app);
  }
  return [...apps].sort();
}

/** The runbooks of one environment, or none when the cluster has no Velero schedule. */
export function renderRunbooks(objects: readonly SynthesizedObject[], root: SynthRoot, constructs: readonly IConstruct[] = walk(root)): Artifact[] {
  if (!(root instanceof Cluster)) return [];
  const rows = schedules(objects);
  if (rows.length === 0) return [];
  const env = root.outputFolder;
  const argo = root.argoNamespace;
  const rootApp = objects.find((o) => o.manifest.kind === 'Application' && folderOf(o) === 'bootstrap');
  const rootName: string = rootApp?.manifest.metadata.name ?? `${root.clusterName}-root`;
  const rootFile = rootApp ? `dist/${rootApp.file}` : `dist/${env}/bootstrap/`;
  const appByFolder = new Map<string, string>();
  for (const o of objects) {
    if (o.manifest.kind !== 'Application' || folderOf(o) === 'bootstrap') continue;
    const folder = String(o.manifest.spec?.source?.path ?? '').split('/').pop();
    if (folder) appByFolder.set(folder, o.manifest.metadata.name);
  }
  const tenants = new Set(constructs.filter((c): c is Tenant => c instanceof Tenant).map((t) => t.tenantName));
  const velero = rows[0].namespace;
  const out: Artifact[] = [{ file: DR_RUNBOOK, text: disasterRecovery(objects, constructs, { env, argo, rootName, rootFile, rows, appByFolder, tenants, velero, cluster: root }) }];
  const drills = constructs.filter((c): c is TenantRestore => c instanceof TenantRestore && c.isDrill);
  if (drills.length) out.push({ file: DRILL_RUNBOOK, text: restoreDrills(objects, drills, { env, cluster: root }) });
  return out;
}

interface Context {
  env: string; argo: string; rootName: string; rootFile: string; rows: ScheduleRow[];
  appByFolder: ReadonlyMap<string, string>; tenants: ReadonlySet<string>; velero: string; cluster: Cluster;
}

function disasterRecovery(objects: readonly SynthesizedObject[], constructs: readonly IConstruct[], c: Context): string {
  const L: string[] = [];
  const locs = locations(objects);
  const classes = constructs.filter((x): x is VeleroSnapshotClass => x instanceof VeleroSnapshotClass).sort((a, b) => (a.name < b.name ? -1 : 1));
  const exempt = [...BackupExemption.all(c.cluster).values()].sort((a, b) => (a.namespace < b.namespace ? -1 : 1));
  const excluded = objects
    .filter((o) => o.manifest.kind === 'PersistentVolumeClaim' && o.manifest.metadata?.labels?.['velero.io/exclude-from-backup'] === 'true')
    .map((o) => ({ ns: o.manifest.metadata.namespace as string, name: o.manifest.metadata.name as string, reason: String(o.manifest.metadata.annotations?.['ocpkit.io/backup-exempt-reason'] ?? '') }))
    .sort((a, b) => (`${a.ns}/${a.name}` < `${b.ns}/${b.name}` ? -1 : 1));

  L.push(`# Disaster recovery: ${c.cluster.clusterName} (${c.env})`, '');
  L.push('Generated by ocpkit from the stack (`npm run synth`); edit the stack, not this file. No Argo CD Application syncs this folder.', '');
  L.push('## What is backed up', '');
  L.push(`Velero (OADP) runs in namespace \`${c.velero}\`. Backup locations:`, '');
  L.push('| location | provider | bucket | prefix | endpoint |', '|---|---|---|---|---|');
  for (const l of locs) L.push(`| ${cell(l.name)} | ${cell(l.provider)} | ${cell(l.bucket)} | ${cell(l.prefix)} | ${cell(l.endpoint)} |`);
  L.push('', `Schedules (cron in UTC; backups are named \`<schedule>-<yyyyMMddHHmmss>\` and labelled \`velero.io/schedule-name=<schedule>\`):`, '');
  L.push('| schedule | namespaces | cron | kept | location | volumes |', '|---|---|---|---|---|---|');
  for (const r of c.rows) L.push(`| ${cell(r.name)} | ${cell(r.namespaces.join(', '))} | \`${cell(r.cron)}\` | ${cell(r.ttl)} | ${cell(r.location)} | ${cell(r.volumes)} |`);
  if (classes.length) {
    L.push('', `VolumeSnapshotClasses Velero uses (each must carry the label \`${VELERO_SNAPSHOT_CLASS_LABEL}: "true"\`; \`oc get volumesnapshotclass -l ${VELERO_SNAPSHOT_CLASS_LABEL}\`):`, '');
    L.push('| class | CSI driver | StorageClasses | provided |', '|---|---|---|---|');
    for (const k of classes) L.push(`| ${cell(k.name)} | ${cell(k.driver)} | ${cell([...k.storageClasses, ...(k.servesDefaultStorageClass ? ['(default)'] : [])].join(', '))} | ${cell(`${k.providedBy}: ${k.note}`)} |`);
  }
  if (exempt.length || excluded.length) {
    L.push('', 'Not backed up on purpose (re-created, not restored):', '');
    for (const x of exempt) L.push(`- namespace \`${x.namespace}\`: ${cell(x.reason)}`);
    for (const x of excluded) L.push(`- PersistentVolumeClaim \`${x.ns}/${x.name}\`: ${cell(x.reason)} (comes back empty; refill it)`);
  }

  L.push('', '## The order against Argo CD', '');
  L.push(`Every Application syncs automatically with self-heal. If Argo CD re-creates a namespace's objects before Velero restores them, the restore skips them (\`existingResourcePolicy: none\`) and PVCs come back empty. So: **pause auto-sync, restore, verify, resume**. The Applications are themselves objects of the root Application \`${c.rootName}\`, which would put their auto-sync back: pause the root first.`, '');
  L.push('Pause (root first, then the Applications of the namespace):', '', '```sh');
  L.push(`oc -n ${c.argo} patch applications.argoproj.io ${c.rootName} ${PAUSE}`);
  L.push(`for app in $APPS; do oc -n ${c.argo} patch applications.argoproj.io "$app" ${PAUSE}; done`, '```', '');
  L.push('Resume (the root, as Git has it; its sync puts every Application back as Git has it, auto-sync included):', '', '```sh');
  L.push(`oc apply -f ${c.rootFile}`);
  L.push(`oc -n ${c.argo} get applications.argoproj.io $APPS -o custom-columns=NAME:.metadata.name,SYNC:.status.sync.status,HEALTH:.status.health.status`, '```', '');

  L.push('## Restore one namespace in place', '');
  L.push('Set the variables from the namespace\'s row:', '');
  L.push('| namespace | kind | schedule | Applications to pause (`APPS`) | set |', '|---|---|---|---|---|');
  for (const r of c.rows) {
    for (const ns of r.namespaces) {
      const apps = applicationsOf(objects, c.appByFolder, ns);
      L.push(`| ${ns} | ${c.tenants.has(ns) ? 'tenant' : 'platform'} | ${r.name} | ${apps.join(' ') || '(none)'} | \`NS=${ns} SCHEDULE=${r.name} APPS="${apps.join(' ')}"\` |`);
    }
  }
  L.push('', '1. Pick the backup (newest first; `Completed`, or `PartiallyFailed` only if what failed is not what you need):', '', '```sh');
  L.push(`oc -n ${c.velero} get backups.velero.io -l velero.io/schedule-name=$SCHEDULE --sort-by=.status.startTimestamp -o custom-columns=NAME:.metadata.name,PHASE:.status.phase,STARTED:.status.startTimestamp`);
  L.push('BACKUP=<name from the list>', '```', '');
  L.push('2. Pause Argo CD (above).', '');
  L.push('3. Make room: Velero restores only what is missing and never writes into an existing volume. Scale the namespace\'s workloads down and delete what you restore (for lost data: the PVCs; Argo CD never deletes them itself, they carry `Prune=false,Delete=false`):', '', '```sh');
  L.push('oc -n $NS get deploy,sts,vm,pvc', 'oc -n $NS delete pvc <claims to restore>', '```', '');
  L.push('4. Restore and wait for `Completed`:', '', '```sh');
  L.push(`oc create -f - <<EOF`, 'apiVersion: velero.io/v1', 'kind: Restore', 'metadata:', '  name: $NS-dr-$(date -u +%Y%m%d%H%M)', `  namespace: ${c.velero}`, 'spec:', '  backupName: $BACKUP', '  includedNamespaces: [$NS]', '  restorePVs: true', '  existingResourcePolicy: none', 'EOF');
  L.push(`oc -n ${c.velero} get restores.velero.io -w`);
  L.push(`oc -n ${c.velero} exec deploy/velero -c velero -- ./velero restore describe <restore> --details   # PartiallyFailed: what failed`, '```', '');
  L.push('5. Verify: PVCs `Bound`, pods `Ready`, VMs `Running`, and the application\'s own data (log in, look at the newest records).', '');
  L.push('6. Resume Argo CD (above) and check that every Application of `APPS` is `Synced` and `Healthy`.', '');

  L.push('## Restore the whole cluster (rebuilt cluster)', '');
  L.push(`If only the control plane is damaged, restore etcd instead (README, backup section). For a cluster rebuilt from scratch, Velero goes first and Argo CD last:`, '');
  L.push('1. Install OpenShift and OpenShift Data Foundation; label the VolumeSnapshotClasses above for Velero.');
  L.push(`2. Create the Secrets Velero needs (\`dist/${c.env}/externals.yaml\`, namespace \`${c.velero}\`; \`npx ocpkit bootstrap --env ${c.env}\` lists them).`);
  L.push(`3. Install OADP and Velero from the backup Application's folder, without its Schedules (new, empty backups would become the newest of each schedule): apply every file of that folder except \`schedule.*.yaml\`, approve the OADP InstallPlan (\`oc -n ${c.velero} get installplan\`), and apply again once the CRDs exist.`);
  L.push(`4. Wait until every location is \`Available\` and the backups are listed: \`oc -n ${c.velero} get backupstoragelocations.velero.io,backups.velero.io\`.`);
  L.push('5. Restore every namespace from its schedule\'s newest completed backup (platform namespaces first, then tenants):', '', '```sh');
  const order = [...c.rows].sort((a, b) => {
    const ta = a.namespaces.some((n) => c.tenants.has(n)) ? 1 : 0;
    const tb = b.namespaces.some((n) => c.tenants.has(n)) ? 1 : 0;
    return ta - tb || (a.name < b.name ? -1 : 1);
  });
  for (const r of order) {
    L.push(`oc create -f - <<EOF`, 'apiVersion: velero.io/v1', 'kind: Restore', `metadata: {name: ${r.name}-rebuild, namespace: ${c.velero}}`, `spec: {scheduleName: ${r.name}, includedNamespaces: [${r.namespaces.join(', ')}], restorePVs: true, existingResourcePolicy: none}`, 'EOF');
  }
  L.push('```', '');
  L.push(`6. Wait until every Restore is \`Completed\` (\`oc -n ${c.velero} get restores.velero.io\`), then bootstrap Argo CD (README, "Bootstrapping a cluster from dist/"): \`oc apply -f dist/${c.env}/bootstrap/\`. Argo CD takes over the restored objects; the backup Application creates the Schedules.`);
  L.push('7. Verify every Application is `Synced` and `Healthy`, and run one backup by hand before trusting the schedules again.', '');
  return `${L.join('\n')}\n`;
}

function restoreDrills(objects: readonly SynthesizedObject[], drills: readonly TenantRestore[], c: { env: string; cluster: Cluster }): string {
  const L: string[] = [];
  const sdn = c.cluster.platform.networkType === 'OpenShiftSDN';
  L.push(`# Restore drills: ${c.cluster.clusterName} (${c.env})`, '');
  L.push('Generated by ocpkit from the stack (`npm run synth`). Run a drill once a quarter in staging and after every OADP upgrade. No Argo CD Application syncs these files; they are applied by hand, in this order.', '');
  for (const d of [...drills].sort((a, b) => (a.restoreName < b.restoreName ? -1 : 1))) {
    const mine = objects.filter((o) => o.path === d.node.path || o.path.startsWith(`${d.node.path}/`));
    const files = (kinds: string[]) => mine.filter((o) => kinds.includes(o.manifest.kind)).map((o) => `dist/${o.file}`).sort();
    const source = d.backupName ? `backup \`${d.backupName}\`` : `the newest completed backup of schedule \`${d.schedule?.scheduleName ?? '?'}\``;
    L.push(`## ${d.tenantName} into ${d.targetNamespace}`, '');
    L.push(`Restores namespace \`${d.tenantName}\` from ${source} into \`${d.targetNamespace}\`: workloads at 0 replicas, VMs halted, no Routes, CronJobs, Jobs, pods or certificates; the tenant's quota; no traffic in, no traffic out but DNS.`, '');
    L.push('1. The namespace, then its quota and isolation, then the restore:', '', '```sh');
    for (const f of files(['Namespace'])) L.push(`oc apply -f ${f}`);
    for (const f of files(['ResourceQuota', 'LimitRange', 'NetworkPolicy'])) L.push(`oc apply -f ${f}`);
    for (const f of files(['ConfigMap'])) L.push(`oc apply -f ${f}`);
    for (const f of files(['Restore'])) L.push(`oc apply -f ${f}`);
    L.push('```', '');
    L.push(`2. Wait: \`oc -n ${d.veleroNamespace} get restores.velero.io ${d.restoreName} -w\` until \`Completed\` (\`PartiallyFailed\`: \`oc -n ${d.veleroNamespace} exec deploy/velero -c velero -- ./velero restore describe ${d.restoreName} --details\`).`, '');
    L.push(`3. Check the copy: \`oc -n ${d.targetNamespace} get pvc,deploy,sts,vm\`: every PVC \`Bound\`, every workload at 0, every VM \`Stopped\`. To look at the data, scale one workload to 1 and use \`oc port-forward\`.${sdn ? ' This cluster runs OpenShift SDN, which does not enforce the egress rules of the drill\'s NetworkPolicies: a workload you scale up can reach the outside (mail, webhooks, other services). Scale up only what cannot send anything, and scale it back at once.' : ''}`, '');
    L.push('4. Clean up (the namespace holds copies of production data):', '', '```sh');
    for (const cmd of d.cleanupCommands()) L.push(cmd);
    L.push('```', '');
    L.push('5. Write down the date, the backup used and the time from step 1 to `Completed`.', '');
  }
  return `${L.join('\n')}\n`;
}

/**
 * The artifact producer writing `dist/<env>/_runbooks/disaster-recovery.md` and
 * `restore-drills.md` for every cluster with a Velero schedule, after a synth that passed.
 * Deterministic: tables sorted by name, derived only from the synthesized objects and the tree.
 */
export function backupRunbooks(): ArtifactProducer {
  return { id: 'backup-runbooks', produce: (objects, root) => renderRunbooks(objects, root) };
}

/** The producer of the default pipeline (one instance). */
export const BACKUP_RUNBOOKS: ArtifactProducer = backupRunbooks();
