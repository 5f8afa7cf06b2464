import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  DataProtectionApplication,
  DataProtectionApplicationSpecConfigurationNodeAgentUploaderType,
  DataProtectionApplicationSpecConfigurationVeleroDefaultPlugins,
} from '../../imports/oadp-dpa-oadp.openshift.io';
import { Problems, show } from '../core/errors';
import { dnsLabel, dnsSubdomain, duplicates, oneOf } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { TreeIndex } from '../synth/pipeline';
import { External } from '../refs/provides';
import { OADP_NAMESPACE, listProp } from './_rules';
import { BackupCoverage } from './backup-coverage';
import { BackupStorage, UNENCRYPTED_REASON_ANNOTATION } from './backup-storage';

/**
 * Velero plugins OADP installs (`spec.configuration.velero.defaultPlugins`).
 * @see https://docs.openshift.com/container-platform/4.14/backup_and_restore/application_backup_and_restore/installing/about-installing-oadp.html
 */
export enum VeleroPlugin {
  /** OpenShift resources (Routes, ImageStreams, SCC-aware restores). Always needed on OpenShift. */
  OPENSHIFT = 'openshift',
  /** The S3 object store (AWS, Ceph RGW, MinIO). */
  AWS = 'aws',
  /** CSI volume snapshots (and the data mover built on them). */
  CSI = 'csi',
  /** KubeVirt VirtualMachines and their disks. */
  KUBEVIRT = 'kubevirt',
}

/**
 * The Secret Velero reads the password of its kopia/restic repositories from. Velero 1.14 knows
 * only this name and key, in its own namespace, and creates the Secret with the public default
 * password `static-passw0rd` when it is missing at server start
 * (vmware-tanzu/velero@v1.14.0 pkg/repository/keys/keys.go, EnsureCommonRepositoryKey, called from
 * pkg/cmd/server/server.go; unchanged in the openshift/velero fork OADP 1.4 builds,
 * 9ac863aaa452). The OADP 1.4 operator neither creates nor overwrites it (openshift/oadp-operator
 * branch oadp-1.4: no Go code refers to it). Kopia sets the password when it initializes a
 * repository (pkg/repository/udmrepo/kopialib/repo_init.go, repo.Initialize) and needs the same
 * one to connect, so the Secret must exist before Velero first starts and must never change
 * afterwards (existing repositories would become unreadable).
 */
export const VELERO_REPOSITORY_PASSWORD = SecretKey.of('velero-repo-credentials', 'repository-password');

/** The Secret OADP 1.4 mounts at /credentials in the Velero pod for the AWS plugin. */
const OADP_CLOUD_CREDENTIALS = 'cloud-credentials';

/** Properties of {@link DataProtection}. */
export interface DataProtectionProps {
  /**
   * Name of the DataProtectionApplication.
   * @default 'velero'
   */
  readonly name?: string;
  /**
   * Namespace OADP is installed in.
   * @default 'openshift-adp'
   */
  readonly namespace?: string;
  /** Backup locations; exactly one of them is the default. OADP creates their BackupStorageLocations. */
  readonly locations: readonly BackupStorage[];
  /**
   * Velero plugins.
   * @default [OPENSHIFT, AWS, CSI]
   */
  readonly plugins?: readonly VeleroPlugin[];
  /**
   * Run the node agent (kopia) on every node: needed for file-system backups and for moving CSI
   * snapshot data into the bucket (data mover).
   * @default true
   */
  readonly nodeAgent?: boolean;
  /**
   * The per-cluster password of Velero's kopia repositories (which encrypt the volume data they
   * hold with a key derived from it): `VELERO_REPOSITORY_PASSWORD`
   * (`velero-repo-credentials`/`repository-password`), which the stack must declare, with
   * `External.secret(...)` in the Velero namespace (or create as a Secret, SealedSecret or
   * ExternalSecret). Required: without it Velero uses the public default `static-passw0rd`.
   */
  readonly repositoryPassword: SecretKey;
}

/**
 * Velero installed the OpenShift way: an OADP `DataProtectionApplication` listing the backup
 * locations, the plugins and the node agent. The OADP operator (installed with `OperatorInstall`
 * in `openshift-adp`) turns it into the Velero deployment and one BackupStorageLocation per
 * location, named after the {@link BackupStorage}. Locations listed here are rendered into the
 * DPA only; their standalone BackupStorageLocation objects are dropped so OADP is their only owner.
 *
 * @example
 * Emits: into the folder of the app it is in an `oadp.openshift.io/v1alpha1`
 * DataProtectionApplication `velero` in `openshift-adp`, with one backup location per
 * BackupStorage, the plugins and the kopia node agent. The BackupStorageLocations of the listed
 * storages are then not emitted (OADP makes them). The repository password Secret must be declared
 * (External, `beforeFirstSync: true`), as here.
 * ```ts
 * import { DataProtection, External, OADP_NAMESPACE, VELERO_REPOSITORY_PASSWORD, VeleroPlugin } from 'ocpkit';
 * import type { BackupStorage, GitOpsApp } from 'ocpkit';
 *
 * export function addVelero(backup: GitOpsApp, storage: BackupStorage): DataProtection {
 *   External.secret(backup, VELERO_REPOSITORY_PASSWORD.secretName, {
 *     beforeFirstSync: true,
 *     namespace: OADP_NAMESPACE,
 *     keys: [VELERO_REPOSITORY_PASSWORD.key],
 *     providedBy: 'by-hand',
 *     note: 'password of the kopia repositories: random, per cluster, made before the first sync and kept offline',
 *   });
 *   return new DataProtection(backup, 'Velero', {
 *     locations: [storage],
 *     plugins: [VeleroPlugin.OPENSHIFT, VeleroPlugin.AWS, VeleroPlugin.CSI, VeleroPlugin.KUBEVIRT],
 *     repositoryPassword: VELERO_REPOSITORY_PASSWORD,
 *   });
 * }
 * ```
 * @see https://github.com/openshift/oadp-operator/blob/oadp-1.5/docs/API_ref.md
 */
export class DataProtection extends Construct {
  public readonly applicationName: string;
  public readonly veleroNamespace: string;
  public readonly resource: DataProtectionApplication;

  constructor(scope: Construct, id: string, props: DataProtectionProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    if (props.name !== undefined) p.check('name', props.name, dnsSubdomain);
    if (props.namespace !== undefined) p.check('namespace', props.namespace, dnsLabel);
    const namespace = props.namespace ?? OADP_NAMESPACE;
    const locations = Array.isArray(props.locations) ? props.locations : [];
    if (locations.length === 0) p.add('locations', 'at least one BackupStorage is needed');
    locations.forEach((l, i) => {
      if (!(l instanceof BackupStorage)) p.add(`locations[${i}]`, `${show(l)} is not a BackupStorage`);
      else if (l.veleroNamespace !== namespace) p.add(`locations[${i}]`, `backup storage "${l.locationName}" is in namespace "${l.veleroNamespace}", but OADP runs in "${namespace}"`);
    });
    const valid = locations.filter((l) => l instanceof BackupStorage);
    for (const d of duplicates(valid.map((l) => l.locationName))) p.add('locations', `location name "${d}" is listed twice`);
    const defaults = valid.filter((l) => l.isDefault).map((l) => l.locationName);
    if (valid.length > 0 && defaults.length !== 1) {
      p.add('locations', defaults.length === 0
        ? 'no location is the default; set default: true on exactly one BackupStorage'
        : `${defaults.length} locations are the default (${defaults.join(', ')}); OADP allows exactly one`);
    }
    const named = valid.find((l) => l.locationName === 'default' && !l.isDefault);
    if (named) p.add('locations', 'OADP requires the location named "default" to be the default location');
    const plugins = props.plugins === undefined ? [VeleroPlugin.OPENSHIFT, VeleroPlugin.AWS, VeleroPlugin.CSI]
      : listProp(p, 'plugins', props.plugins, '[VeleroPlugin.OPENSHIFT, VeleroPlugin.AWS, VeleroPlugin.CSI]');
    plugins.forEach((pl, i) => p.check(`plugins[${i}]`, pl, oneOf(Object.values(VeleroPlugin))));
    if (!plugins.includes(VeleroPlugin.AWS)) p.add('plugins', 'the AWS plugin is needed to reach S3 backup locations; add VeleroPlugin.AWS');
    if (!plugins.includes(VeleroPlugin.OPENSHIFT)) p.add('plugins', 'the OpenShift plugin is needed on OpenShift; add VeleroPlugin.OPENSHIFT');
    for (const d of duplicates(plugins)) p.add('plugins', `plugin "${d}" is listed twice`);
    // OADP 1.4 mounts one Secret into the Velero pod for the AWS plugin: `cloud-credentials`, all
    // its keys, at /credentials (openshift/oadp-operator@oadp-1.4 pkg/credentials/credentials.go
    // PluginSpecificFields, controllers/velero.go). An SSE-C key file elsewhere does not exist in
    // the pod, and the plugin then fails to start the location (openshift/velero-plugin-for-aws
    // branch oadp-1.4 object_store.go readCustomerKey: the file must hold exactly 32 bytes).
    valid.forEach((l, i) => {
      const file = l.encryption.customerKeyFile;
      if (file !== undefined && !/^\/credentials\/[-._a-zA-Z0-9]+$/.test(file)) {
        p.add(`locations[${i}]`, `backup storage "${l.locationName}" reads its SSE-C key from ${show(file)}, but OADP mounts only the Secret "${OADP_CLOUD_CREDENTIALS}" (every key) at /credentials; put the 32-byte key into that Secret and use BucketEncryption.customerKey("/credentials/<key>")`);
      }
    });
    const rp = props.repositoryPassword;
    const expected = `SecretKey.of("${VELERO_REPOSITORY_PASSWORD.secretName}", "${VELERO_REPOSITORY_PASSWORD.key}")`;
    if (rp === undefined) {
      p.add('repositoryPassword', `is required: Velero otherwise encrypts every kopia repository with the public default password "static-passw0rd"; pass VELERO_REPOSITORY_PASSWORD (${expected}) and declare that Secret with a per-cluster random password`);
    } else if (!(rp instanceof SecretKey) || rp.secretName !== VELERO_REPOSITORY_PASSWORD.secretName || rp.key !== VELERO_REPOSITORY_PASSWORD.key) {
      p.add('repositoryPassword', `${show(rp instanceof SecretKey ? `${rp.secretName}/${rp.key}` : rp)} is not read by Velero 1.14, which knows only ${expected} in its own namespace; pass VELERO_REPOSITORY_PASSWORD`);
    }
    p.throwIfAny();

    this.applicationName = props.name ?? 'velero';
    this.veleroNamespace = namespace;
    for (const l of valid) l._adopt(this.node.path);
    const unencrypted = valid.filter((l) => l.encryption.optOutReason).map((l) => `${l.locationName}: ${l.encryption.optOutReason}`);

    this.resource = new DataProtectionApplication(this, 'Resource', {
      metadata: {
        name: this.applicationName,
        namespace,
        annotations: unencrypted.length ? { [UNENCRYPTED_REASON_ANNOTATION]: unencrypted.join('; ') } : undefined,
      },
      spec: {
        backupLocations: valid.map((l) => ({
          name: l.locationName,
          velero: { ...l.locationSpec(), default: l.isDefault },
        })),
        configuration: {
          velero: {
            defaultPlugins: plugins.map((x) => x as unknown as DataProtectionApplicationSpecConfigurationVeleroDefaultPlugins),
          },
          nodeAgent: (props.nodeAgent ?? true)
            ? { enable: true, uploaderType: DataProtectionApplicationSpecConfigurationNodeAgentUploaderType.KOPIA }
            : undefined,
        },
      },
    });
    BackupCoverage.of(this);
    this.node.addValidation({ validate: () => [...this.repositoryPasswordProblems(), ...this.customerKeyProblems(valid)] });
  }

  /** An SSE-C key file /credentials/<key> must be a key the declared cloud-credentials Secret lists. */
  private customerKeyProblems(locations: readonly BackupStorage[]): string[] {
    const keys = locations.map((l) => l.encryption.customerKeyFile).filter((f): f is string => f !== undefined).map((f) => f.slice('/credentials/'.length));
    if (keys.length === 0) return [];
    const declared = TreeIndex.all(this).filter((c): c is External => c instanceof External).map((c) => c.object)
      .find((o) => o.kind === 'Secret' && o.namespace === this.veleroNamespace && o.name === OADP_CLOUD_CREDENTIALS);
    if (!declared) return [];
    return keys.filter((k) => !declared.keys.includes(k))
      .map((k) => `locations: the SSE-C key file /credentials/${k} comes from Secret "${OADP_CLOUD_CREDENTIALS}", whose External declaration (${declared.path}) does not list the key "${k}"; add it to keys`);
  }

  /** The repository password Secret must be declared (External) or created by the stack, in the Velero namespace. */
  private repositoryPasswordProblems(): string[] {
    const { secretName, key } = VELERO_REPOSITORY_PASSWORD;
    const ns = this.veleroNamespace;
    for (const c of TreeIndex.all(this)) {
      if (c instanceof External) {
        const o = c.object;
        if (o.kind !== 'Secret' || o.namespace !== ns || o.name !== secretName) continue;
        if (!o.keys.includes(key)) return [`repositoryPassword: the External Secret "${secretName}" (${o.path}) does not list the key "${key}"; add keys: ["${key}"]`];
        // Velero creates the Secret with its public default password when it starts without it
        // (velero v1.14.0 pkg/repository/keys/keys.go EnsureCommonRepositoryKey, from server.go):
        // `ocpkit bootstrap` lists it before the first sync only when declared so.
        if (o.beforeFirstSync !== true) return [`repositoryPassword: the External Secret "${secretName}" (${o.path}) must exist before Velero first starts, or Velero creates it with its public default password; declare it with beforeFirstSync: true (ocpkit bootstrap then lists it before the first sync)`];
        return [];
      }
      if (c instanceof ApiObject && ['Secret', 'SealedSecret', 'ExternalSecret'].includes(c.kind) && c.metadata.name === secretName && c.metadata.namespace === ns) return [];
    }
    return [`repositoryPassword: Secret "${secretName}" (key "${key}") in namespace "${ns}" is declared nowhere; declare it with External.secret(scope, "${secretName}", { namespace: "${ns}", keys: ["${key}"], providedBy, note }) holding a per-cluster random password, created before OADP first starts Velero`];
  }
}
