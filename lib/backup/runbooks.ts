import { IConstruct } from 'constructs';
import { Cluster } from '../gitops/cluster';
import { Artifact, ArtifactProducer, SynthesizedObject, SynthRoot, walk } from '../synth/pipeline';
import { Tenant } from '../tenancy/tenant';
import { BackupExemption } from './backup-exemption';
import { VeleroSnapshotClass, VELERO_SNAPSHOT_CLASS_LABEL } from './snapshot-class';
import { TenantRestore } from './tenant-restore';
import { DRILL_EXCLUDED_RESOURCES, DRILL_OPERATOR_RESOURCES } from './_drill';
import { VELERO_REPOSITORY_PASSWORD } from './data-protection';

const REPO_SECRET = VELERO_REPOSITORY_PASSWORD.secretName;

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
 * - With SSE-C, `velero backup describe --details`, `velero backup logs` and their restore
 *   counterparts fail: the CLI downloads those files through a presigned GET URL, and the AWS
 *   plugin OADP 1.4 ships presigns it without the customer key headers
 *   (openshift/velero-plugin-for-aws@oadp-1.4 velero-plugin-for-aws/object_store.go
 *   CreateSignedURL), which S3 refuses for an SSE-C object (a GET must carry the same key:
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-s3-c-encryption.html). The runbooks then read the Backup or
 *   Restore status with `oc get -o yaml` and fetch the logs object with `aws s3 cp --sse-c`, at
 *   Velero's layout `<prefix>/backups/<b>/<b>-logs.gz` and `<prefix>/restores/<r>/restore-<r>-logs.gz`
 *   (vmware-tanzu/velero@v1.14.0 pkg/persistence/object_store_layout.go). OADP mounts the
 *   location's Secret at /credentials, so the key named by `customerKeyEncryptionFile` is a key of
 *   that Secret (see data-protection.ts).
 * - Deleting the PVC of a DataVolume that still exists makes CDI create it again and import the
 *   source again (kubevirt/containerized-data-importer@v1.57.0 pkg/controller/datavolume/
 *   controller-base.go handlePvcCreation: a DataVolume without its PVC, not pre-populated, gets a
 *   new one), and a VM re-creates the DataVolumes of its `dataVolumeTemplates`; the restore then
 *   skips the re-created claim (`existingResourcePolicy: none`) and the disk comes back as the
 *   image, not the data. So an in-place restore halts each VM, deletes it, its DataVolumes and
 *   their claims first; the restored DataVolumes carry `cdi.kubevirt.io/storage.prePopulated`
 *   (kubevirt-velero-plugin DVBackupItemAction adds it at backup time), so CDI leaves the restored
 *   claim alone.
 * - Velero creates `velero-repo-credentials` with the fixed password `static-passw0rd` at startup
 *   when it is missing (vmware-tanzu/velero@v1.14.0 pkg/repository/keys/keys.go
 *   EnsureCommonRepositoryKey, called from pkg/cmd/server/server.go), and kopia repositories keep
 *   the password they were created with: the Secret must exist before Velero first starts.
 * - PGO stops a PostgresCluster with `spec.shutdown: true` and the Percona operator a
 *   PerconaXtraDBCluster with `spec.pause: true` (their CRDs in the ocp-4.14 reference profile).
 */

interface Location {
  name: string; provider: string; bucket: string; prefix: string; endpoint: string;
  /** Key of the credentials Secret holding the SSE-C key, when the location uses SSE-C. */
  customerKey?: string;
  credential?: { name: string; key: string };
  region: string; pathStyle: boolean; profile: string;
}
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
        out.push({ name: l?.name ?? `${m.metadata.name}-${i + 1}`, provider: v.provider ?? '', bucket: v.objectStorage?.bucket ?? '', prefix: v.objectStorage?.prefix ?? '', ...locationAccess(v.config, v.credential) });
      });
    }
    if (m.kind === 'BackupStorageLocation' && String(m.apiVersion).startsWith('velero.io/')) {
      const s = m.spec ?? {};
      out.push({ name: m.metadata.name, provider: s.provider ?? '', bucket: s.objectStorage?.bucket ?? '', prefix: s.objectStorage?.prefix ?? '', ...locationAccess(s.config, s.credential) });
    }
  }
  return out.sort(byName);
}

/** Endpoint, credentials and SSE-C key of a location's `config` and `credential`. */
function locationAccess(config: any, credential: any): Pick<Location, 'endpoint' | 'customerKey' | 'credential' | 'region' | 'pathStyle' | 'profile'> {
  const c = config ?? {};
  const file = typeof c.customerKeyEncryptionFile === 'string' ? c.customerKeyEncryptionFile : undefined;
  return {
    endpoint: c.s3Url ?? '',
    customerKey: file ? file.split('/').pop() : undefined,
    credential: credential?.name ? { name: String(credential.name), key: String(credential.key ?? 'cloud') } : undefined,
    region: c.region ?? '',
    pathStyle: String(c.s3ForcePathStyle) === 'true',
    profile: c.profile ?? 'default',
  };
}

/**
 * How to read a Backup's or Restore's outcome and logs from one location. Without SSE-C, the
 * Velero CLI in the Velero pod; with SSE-C, the status with `oc` and the logs object from the
 * bucket with the customer key (the CLI cannot download it, see the facts above).
 */
export function logReading(l: Location, velero: string): string[] {
  const L: string[] = [];
  if (!l.customerKey) {
    L.push(`Location \`${l.name}\`:`, '', '```sh');
    L.push(`oc -n ${velero} exec deploy/velero -c velero -- ./velero backup describe $BACKUP --details`);
    L.push(`oc -n ${velero} exec deploy/velero -c velero -- ./velero backup logs $BACKUP | grep -iE 'error|warn'`);
    L.push(`oc -n ${velero} exec deploy/velero -c velero -- ./velero restore describe $RESTORE --details`);
    L.push(`oc -n ${velero} exec deploy/velero -c velero -- ./velero restore logs $RESTORE | grep -iE 'error|warn'`, '```', '');
    return L;
  }
  const secret = l.credential?.name ?? 'cloud-credentials';
  const credKey = l.credential?.key ?? 'cloud';
  const base = `s3://${l.bucket}${l.prefix ? `/${l.prefix}` : ''}`;
  const flags = [l.endpoint ? `--endpoint-url ${l.endpoint}` : '', l.profile && l.profile !== 'default' ? `--profile ${l.profile}` : '', `--sse-c AES256 --sse-c-key fileb://$KEYS/${l.customerKey}`].filter((x) => x).join(' ');
  L.push(`Location \`${l.name}\` uses SSE-C: \`velero backup describe --details\`, \`velero backup logs\` and the restore counterparts fail on it (Velero downloads those files through presigned URLs without the customer key). Read the outcome from the objects, and the logs from the bucket with the key (kept in a private temporary folder, deleted after):`, '', '```sh');
  L.push(`oc -n ${velero} get backups.velero.io $BACKUP -o yaml    # .status: phase, errors, warnings, failureReason, validationErrors`);
  L.push(`oc -n ${velero} get restores.velero.io $RESTORE -o yaml  # .status: phase, errors, warnings, failureReason`);
  L.push(`umask 077; KEYS=$(mktemp -d)`);
  L.push(`oc -n ${velero} extract secret/${secret} --keys=${[...new Set([credKey, l.customerKey])].join(',')} --to=$KEYS`);
  L.push(`export AWS_SHARED_CREDENTIALS_FILE=$KEYS/${credKey}${l.region ? ` AWS_DEFAULT_REGION=${l.region}` : ''}${l.pathStyle ? ' AWS_CONFIG_FILE=$KEYS/config' : ''}`);
  if (l.pathStyle) L.push(`printf '[${l.profile && l.profile !== 'default' ? `profile ${l.profile}` : 'default'}]\\ns3 =\\n    addressing_style = path\\n' > $KEYS/config`);
  L.push(`aws s3 cp ${flags} ${base}/backups/$BACKUP/$BACKUP-logs.gz - | gunzip | grep -iE 'error|warn'`);
  L.push(`aws s3 cp ${flags} ${base}/restores/$RESTORE/restore-$RESTORE-logs.gz - | gunzip | grep -iE 'error|warn'`);
  L.push('rm -rf "$KEYS"; unset KEYS AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE', '```', '');
  return L;
}

const BY_NAMESPACE = new WeakMap<readonly SynthesizedObject[], Map<unknown, any[]>>();

/** The manifests of a synth by namespace, made once per object list (a runbook asks for every namespace of every schedule). */
function byNamespace(objects: readonly SynthesizedObject[]): Map<unknown, any[]> {
  let index = BY_NAMESPACE.get(objects);
  if (!index) {
    index = new Map();
    for (const o of objects) {
      const ns = o.manifest?.metadata?.namespace;
      const list = index.get(ns);
      if (list) list.push(o.manifest);
      else index.set(ns, [o.manifest]);
    }
    BY_NAMESPACE.set(objects, index);
  }
  return index;
}

/** The commands that empty one namespace before an in-place restore, derived from the stack's objects there. */
export function makeRoom(objects: readonly SynthesizedObject[], ns: string): { before: string[]; after: string[] } {
  const mine = byNamespace(objects).get(ns) ?? [];
  const groupOf = (apiVersion: unknown) => (String(apiVersion).includes('/') ? String(apiVersion).split('/')[0] : '');
  const names = (kind: string, group: string) => mine.filter((m) => m.kind === kind && groupOf(m.apiVersion) === group).map((m) => String(m.metadata.name)).sort();
  const before: string[] = [];
  const after: string[] = [];
  const scaled: [string, string, any][] = [
    ...mine.filter((m) => m.kind === 'Deployment' && m.apiVersion === 'apps/v1').map((m): [string, string, any] => ['deployment', m.metadata.name, m.spec?.replicas]),
    ...mine.filter((m) => m.kind === 'StatefulSet' && m.apiVersion === 'apps/v1').map((m): [string, string, any] => ['statefulset', m.metadata.name, m.spec?.replicas]),
    ...mine.filter((m) => m.kind === 'DeploymentConfig' && String(m.apiVersion).startsWith('apps.openshift.io/')).map((m): [string, string, any] => ['deploymentconfig', m.metadata.name, m.spec?.replicas]),
  ].sort((a, b) => (`${a[0]}/${a[1]}` < `${b[0]}/${b[1]}` ? -1 : 1));
  for (const [kind, name, replicas] of scaled) {
    before.push(`oc -n ${ns} scale ${kind}/${name} --replicas=0`);
    after.push(`oc -n ${ns} scale ${kind}/${name} --replicas=${typeof replicas === 'number' ? replicas : 1}`);
  }
  for (const name of names('PostgresCluster', 'postgres-operator.crunchydata.com')) {
    before.push(`oc -n ${ns} patch postgresclusters.postgres-operator.crunchydata.com ${name} --type merge -p '{"spec":{"shutdown":true}}'`);
    after.push(`oc -n ${ns} patch postgresclusters.postgres-operator.crunchydata.com ${name} --type merge -p '{"spec":{"shutdown":null}}'`);
  }
  for (const name of names('PerconaXtraDBCluster', 'pxc.percona.com')) {
    before.push(`oc -n ${ns} patch perconaxtradbclusters.pxc.percona.com ${name} --type merge -p '{"spec":{"pause":true}}'`);
    after.push(`oc -n ${ns} patch perconaxtradbclusters.pxc.percona.com ${name} --type merge -p '{"spec":{"pause":null}}'`);
  }
  const vms = mine.filter((m) => m.kind === 'VirtualMachine' && String(m.apiVersion).startsWith('kubevirt.io/')).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  const dvs = new Set<string>(names('DataVolume', 'cdi.kubevirt.io'));
  for (const vm of vms) for (const t of vm.spec?.dataVolumeTemplates ?? []) if (t?.metadata?.name) dvs.add(String(t.metadata.name));
  for (const vm of vms) {
    const n = vm.metadata.name;
    before.push(`oc -n ${ns} patch virtualmachines.kubevirt.io ${n} --type merge -p '{"spec":{"runStrategy":"Halted","running":null}}'`);
    before.push(`oc -n ${ns} wait virtualmachineinstances.kubevirt.io/${n} --for=delete --timeout=15m`);
  }
  if (vms.length) before.push(`oc -n ${ns} delete virtualmachines.kubevirt.io ${vms.map((v) => v.metadata.name).join(' ')} --wait=true`);
  const dvList = [...dvs].sort();
  if (dvList.length) before.push(`oc -n ${ns} delete datavolumes.cdi.kubevirt.io ${dvList.join(' ')} --ignore-not-found --wait=true`);
  const claims = [...new Set([...dvList, ...names('PersistentVolumeClaim', '')])].sort();
  if (scaled.length) before.push(`oc -n ${ns} get pods   # wait until the scaled workloads' pods are gone`);
  if (claims.length) before.push(`oc -n ${ns} delete pvc ${claims.join(' ')} --ignore-not-found --wait=true   # keep the claims whose data you do not restore`);
  return { before, after };
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

  if (objects.some((o) => o.manifest.kind === 'DataProtectionApplication')) {
    L.push('', '## Before Velero first starts', '');
    L.push(`Velero creates \`${REPO_SECRET}\` in \`${c.velero}\` with a public default password when it starts without it, and every kopia repository (the volume data in the bucket) keeps the password it was made with. So on a new cluster the Secret comes first, before the backup Application's first sync (the bootstrap checklist lists it, with its namespace, before the bootstrap folder is applied):`, '', '```sh');
    L.push(`oc get namespace ${c.velero} || oc create namespace ${c.velero}`);
    L.push(`# create ${REPO_SECRET} (key ${VELERO_REPOSITORY_PASSWORD.key}) as externals.yaml says, then check it is there before the backup Application syncs:`);
    L.push(`oc -n ${c.velero} get secret ${REPO_SECRET} -o jsonpath='{.metadata.creationTimestamp}{"\\n"}'`, '```', '');
    L.push('If Velero ran first, the Secret it made holds the default password; this runbook does not generate the repair (repositories made since then use that password).');
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
  L.push('3. Make room: Velero restores only what is missing and never writes into an existing volume. Stop what writes to the claims, then delete what you restore (Argo CD never deletes claims itself, they carry `Prune=false,Delete=false`). VMs first halted, then deleted with their DataVolumes, and only then their claims: a DataVolume whose claim is deleted makes CDI create and import it again, and the restore would skip that claim. The commands for each namespace, from the stack, are under "Making room, per namespace" below; check for objects the stack does not know: `oc -n $NS get deploy,sts,vm,dv,pvc`.', '');
  L.push('4. Restore and wait for `Completed`:', '', '```sh');
  L.push(`oc create -f - <<EOF`, 'apiVersion: velero.io/v1', 'kind: Restore', 'metadata:', '  name: $NS-dr-$(date -u +%Y%m%d%H%M)', `  namespace: ${c.velero}`, 'spec:', '  backupName: $BACKUP', '  includedNamespaces: [$NS]', '  restorePVs: true', '  existingResourcePolicy: none', 'EOF');
  L.push(`oc -n ${c.velero} get restores.velero.io -w`, 'RESTORE=<name of the restore>', '```', '');
  L.push('   `PartiallyFailed`: what failed is in the restore\'s status and logs ("Reading outcomes and logs" below).', '');
  L.push('5. Start again what step 3 stopped (the "after the restore" commands of the namespace), then verify: PVCs `Bound`, pods `Ready`, VMs `Running`, and the application\'s own data (log in, look at the newest records).', '');
  L.push('6. Resume Argo CD (above) and check that every Application of `APPS` is `Synced` and `Healthy`.', '');

  L.push('### Making room, per namespace', '');
  const idle: string[] = [];
  for (const r of c.rows) {
    for (const ns of r.namespaces) {
      const room = makeRoom(objects, ns);
      if (room.before.length === 0) {
        idle.push(ns);
        continue;
      }
      L.push(`#### ${ns}`, '');
      L.push('Before the restore:', '', '```sh', ...room.before, '```', '');
      if (room.after.length) L.push('After the restore (Argo CD still paused):', '', '```sh', ...room.after, '```', '');
    }
  }
  if (idle.length) L.push(`Nothing of the stack runs or keeps claims in ${idle.map((n) => `\`${n}\``).join(', ')}: check \`oc -n $NS get deploy,sts,vm,dv,pvc\` for objects made outside Git.`, '');

  L.push('### Reading outcomes and logs', '');
  L.push('Set `BACKUP` or `RESTORE` to the name, then read them for the location of the schedule:', '');
  for (const l of locs) L.push(...logReading(l, c.velero));

  L.push('## Restore the whole cluster (rebuilt cluster)', '');
  L.push(`If only the control plane is damaged, restore etcd instead (README, backup section). For a cluster rebuilt from scratch, Velero goes first and Argo CD last:`, '');
  L.push('1. Install OpenShift and OpenShift Data Foundation; label the VolumeSnapshotClasses above for Velero.');
  L.push(`2. Create the Secrets Velero needs (\`dist/${c.env}/externals.yaml\`, namespace \`${c.velero}\`; \`npx ocpkit bootstrap --env ${c.env}\` lists them), before step 3. \`${REPO_SECRET}\` must hold the password of the lost cluster (its offline copy): the kopia repositories in the bucket were made with it, and a Velero that starts without the Secret creates it with the public default password.`);
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
    const operatorKinds = d.excludedResources().filter((x) => x in DRILL_OPERATOR_RESOURCES || !(x in DRILL_EXCLUDED_RESOURCES));
    L.push(`Restores namespace \`${d.tenantName}\` from ${source} into \`${d.targetNamespace}\`: workloads at 0 replicas, VMs halted, no Routes, CronJobs, Jobs, pods or certificates; no Argo CD tracking label or annotation (the live Application must not adopt the copy); the tenant's quota; no traffic in, no traffic out but DNS.`, '');
    L.push(`Left out as well, so that no operator starts the copy or backs it up into the production repository, and monitoring does not take it for production: ${operatorKinds.map((x) => `\`${x}\``).join(', ')}. The data of operator-managed databases comes back as their PVCs: inspect it with a pod of your own that mounts them.`, '');
    L.push('1. The namespace, then its quota and isolation, then the restore:', '', '```sh');
    for (const f of files(['Namespace'])) L.push(`oc apply -f ${f}`);
    for (const f of files(['ResourceQuota', 'LimitRange', 'NetworkPolicy'])) L.push(`oc apply -f ${f}`);
    for (const f of files(['ConfigMap'])) L.push(`oc apply -f ${f}`);
    for (const f of files(['Restore'])) L.push(`oc apply -f ${f}`);
    L.push('```', '');
    L.push(`2. Wait: \`oc -n ${d.veleroNamespace} get restores.velero.io ${d.restoreName} -w\` until \`Completed\` (\`PartiallyFailed\`: with \`RESTORE=${d.restoreName}\`, read its status and logs as "Reading outcomes and logs" in disaster-recovery.md says for the location).`, '');
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
