import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Problems, show } from '../core/errors';
import { asQuantity, Quantity, QuantityLike } from '../core/quantity';
import { dnsLabel, dnsSubdomain, duplicates, intRange, oneOf } from '../core/rules';
import { ExternalImage } from '../openshift/external-image';
import { hostOrIp } from './_rules';
import { renderRsyslogConfig } from './_rsyslog-config';
import { GitLab, GitLabComponent } from './gitlab';
import { RelayImage } from './relay-image';
import { SyslogCa, SyslogFacility, SyslogProtocol, SyslogSeverity, SyslogStreamDriver, SyslogTarget, SyslogTlsAuthMode } from './syslog';

export * from './relay-image';

/** Where the log volume is mounted in the GitLab pods and in the relay. */
export const GITLAB_LOG_DIR = '/var/log/gitlab';

/**
 * The environment variable the webservice and sidekiq containers get their pod name in (downward
 * API), for the per-pod `subPathExpr` of the log volume.
 */
export const POD_NAME_ENV = 'POD_NAME';

/**
 * gitlab-logger (the CNG images' log tailer) truncates the files under /var/log/gitlab when this
 * is "true"; disabled by default (gitlab-logger MR 10, "Periodically truncate log files",
 * https://gitlab.com/gitlab-org/cloud-native/gitlab-logger/-/merge_requests/10; the chart names
 * the variables in doc/charts/globals.md "Log rotation", gitlab-org/charts/gitlab master of
 * 2026-03-02). Its companions GITLAB_LOGGER_TRUNCATE_INTERVAL and GITLAB_LOGGER_MAX_FILESIZE keep
 * gitlab-logger's defaults: their units and defaults are documented only in gitlab-logger's
 * README, which could not be read here (not verified); set them through the GitLab construct's
 * `values` (gitlab.<component>.extraEnv) once checked.
 */
export const GITLAB_LOGGER_TRUNCATE_ENV = 'GITLAB_LOGGER_TRUNCATE_LOGS';

/** One GitLab log file the relay forwards. */
export interface GitLabLogFile {
  /** Component whose pods write the file. */
  readonly component: GitLabComponent;
  /** File name inside `/var/log/gitlab` (`production_json.log`). */
  readonly file: string;
  /** Syslog tag (APP-NAME), 1-32 of letters, digits and `._-/`. */
  readonly tag: string;
  /** @default the relay's `defaultFacility` */
  readonly facility?: SyslogFacility;
  /** @default SyslogSeverity.INFO */
  readonly severity?: SyslogSeverity;
}

/** The files forwarded when `files` is not given. */
export const DEFAULT_GITLAB_LOG_FILES: readonly GitLabLogFile[] = [
  { component: GitLabComponent.WEBSERVICE, file: 'production_json.log', tag: 'gitlab-rails', severity: SyslogSeverity.INFO },
  { component: GitLabComponent.WEBSERVICE, file: 'api_json.log', tag: 'gitlab-api', severity: SyslogSeverity.INFO },
  { component: GitLabComponent.WEBSERVICE, file: 'application_json.log', tag: 'gitlab-application', severity: SyslogSeverity.NOTICE },
  { component: GitLabComponent.WEBSERVICE, file: 'auth_json.log', tag: 'gitlab-auth', facility: SyslogFacility.AUTHPRIV, severity: SyslogSeverity.WARNING },
  { component: GitLabComponent.WEBSERVICE, file: 'exceptions_json.log', tag: 'gitlab-exceptions', severity: SyslogSeverity.ERR },
  { component: GitLabComponent.SIDEKIQ, file: 'application_json.log', tag: 'gitlab-sidekiq-application', severity: SyslogSeverity.NOTICE },
  { component: GitLabComponent.SIDEKIQ, file: 'exceptions_json.log', tag: 'gitlab-sidekiq-exceptions', severity: SyslogSeverity.ERR },
];

/** Properties of {@link GitLabLogRelay}. */
export interface GitLabLogRelayProps {
  /** The GitLab whose webservice and sidekiq pods write their logs to the shared volume. */
  readonly gitlab: GitLab;
  /** The central rsyslog. */
  readonly target: SyslogTarget;
  /**
   * Name of the Deployment; also prefixes the PVC and ConfigMaps.
   * @default `<gitlab name>-log-relay`
   */
  readonly name?: string;
  /** @default DEFAULT_GITLAB_LOG_FILES */
  readonly files?: readonly GitLabLogFile[];
  /** @default SyslogFacility.LOCAL0 */
  readonly defaultFacility?: SyslogFacility;
  /**
   * StorageClass of the ReadWriteMany log volume.
   * @default 'ocs-storagecluster-cephfs' (OpenShift Data Foundation CephFS)
   */
  readonly storageClassName?: string;
  /** Size of the log volume: a Quantity or a cdk8s `Size`. @default 20Gi */
  readonly size?: QuantityLike;
  /**
   * StorageClass of the relay's ReadWriteOnce state volume (imfile state files and the disk
   * queue).
   * @default the cluster's default StorageClass
   */
  readonly stateStorageClassName?: string;
  /**
   * Size of the state volume (a Quantity or a cdk8s `Size`); the disk queue may use up to half of it.
   * @default 2Gi
   */
  readonly stateSize?: QuantityLike;
  /**
   * The rsyslog image, pinned. For a TLS target it must ship the stream driver:
   * `RelayImage.derived(...)` (images/rsyslog-relay/Containerfile). A plain `ExternalImage` is
   * taken as an image without TLS drivers.
   */
  readonly image: RelayImage | ExternalImage;
  /** Seconds between polls of the log files. @default 10 */
  readonly pollingIntervalSeconds?: number;
  /**
   * Largest message in KiB; longer lines are cut (the rest is sent as a further message). GitLab's
   * exception lines carry backtraces; the central rsyslog must accept at least this size
   * (its own `maxMessageSize`; rsyslog's default is 8k, RFC 5425 receivers must take 2048 bytes).
   * @default 256
   */
  readonly maxMessageSizeKiB?: number;
  /** Let each pod's gitlab-logger truncate its log files (GITLAB_LOGGER_TRUNCATE_LOGS). @default true */
  readonly truncateLogs?: boolean;
}

const TAG = /^[A-Za-z0-9._/-]{1,32}$/;
const FILE = /^[A-Za-z0-9._-]+\.log$/;

/**
 * Ships GitLab's log files to the central rsyslog:
 *
 * - a ReadWriteMany PVC, mounted at `/var/log/gitlab` in the webservice and sidekiq containers
 *   through the chart's `extraVolumes`/`extraVolumeMounts`, each pod in its own directory
 *   `<component>/<pod name>` (`subPathExpr: <component>/$(POD_NAME)`, POD_NAME from the downward
 *   API through `extraEnvFrom`). No two pods append to the same file, and each pod's gitlab-logger,
 *   which tails `/var/log/gitlab` to stdout and truncates it, sees only its own files;
 * - an rsyslog Deployment that mounts the log PVC read-only and forwards every configured file of
 *   every pod (imfile wildcards over the pod directories) with its facility, severity and tag, the
 *   pod name as HOSTNAME, over TCP or UDP, optionally TLS with octet-counted framing;
 * - a small ReadWriteOnce PVC for the relay's imfile state files and disk queue, so that a
 *   restarted relay resumes where it stopped;
 * - its configuration, generated from these props, in a ConfigMap (a hash annotation rolls the
 *   pod when it changes).
 *
 * Chart 9.x wiring (gitlab-org/charts/gitlab master of 2026-03-02, chart 9.9.1, mirrored as
 * integratop/gitlab-org-charts-mirror@3403350c8; 9.11.4 itself was not available to read, the
 * lines below are unchanged since 2022): in charts/gitlab/charts/webservice/templates/deployment.yaml
 * the `configure` and `dependencies` init containers and the `webservice` and `gitlab-workhorse`
 * containers each include both `gitlab.extraEnvFrom` and `gitlab.extraVolumeMounts`; in
 * charts/gitlab/charts/sidekiq/templates/deployment.yaml the `configure`, `dependencies` and main
 * containers do the same (extraEnvFrom in the main sidekiq container since chart MR of 2022-09-15).
 * `gitlab.extraEnvFrom` (charts/gitlab/templates/_helpers.tpl) renders each entry as
 * `valueFrom: <entry>`, so a `fieldRef` lands in every container that has the mount, which
 * `subPathExpr` needs; doc/charts/globals.md shows `fieldRef` in `extraEnvFrom`.
 *
 * Processes: rsyslogd is the container's only process and starts no children, so nothing needs
 * reaping here and the pod does not share its process namespace. (The gpg zombies of field
 * review M1 are in the webservice and sidekiq pods; the GitLab construct handles those.) The pod
 * runs under the `restricted-v2` SCC (any UID, no capabilities).
 *
 * Not handled: directories of pods that no longer exist stay on the log volume (their files stop
 * growing once gitlab-logger no longer runs); remove them by hand when the volume fills.
 *
 * Primary object (`ApiObject.of(relay)`, `Overrides.of(relay)`): the rsyslog Deployment.
 *
 * Emits: into GitLab's app folder and namespace, the PVCs `<relay>-logs` (ReadWriteMany) and
 * `<relay>-state`, a ConfigMap `<relay>-config` and the rsyslog Deployment `<relay>` (the relay name
 * defaults to `<gitlab>-log-relay`), and with `SyslogCa.clusterTrustedBundle()` a ConfigMap
 * `<relay>-trusted-ca` that OpenShift fills. It adds the log volume, its mount and `POD_NAME` to the
 * webservice and sidekiq values of the GitLab CR.
 */
export class GitLabLogRelay extends Construct {
  public readonly relayName: string;
  /** The shared ReadWriteMany volume the GitLab pods write to. */
  public readonly claim: k8s.KubePersistentVolumeClaim;
  /** The relay's own ReadWriteOnce volume (imfile state, disk queue). */
  public readonly stateClaim: k8s.KubePersistentVolumeClaim;
  public readonly config: k8s.KubeConfigMap;
  public readonly deployment: k8s.KubeDeployment;
  /** The image the relay runs, with the drivers it ships. */
  public readonly image: RelayImage;
  /** The generated rsyslog.conf. */
  public readonly rsyslogConf: string;

  constructor(scope: Construct, id: string, props: GitLabLogRelayProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    if (!(props.gitlab instanceof GitLab)) p.add('gitlab', 'must be the GitLab construct whose pods write the logs');
    const name = props.name ?? (props.gitlab instanceof GitLab ? `${props.gitlab.crName}-log-relay` : '');
    p.check('name', name, (v) => (dnsLabel(v) ?? (typeof v === 'string' && v.length > 50 ? `${show(v)} is too long (at most 50 characters, the ConfigMaps add suffixes)` : undefined)));
    let image: RelayImage | undefined;
    if (props.image instanceof RelayImage || props.image instanceof ExternalImage) image = RelayImage.of(props.image);
    else p.add('image', `${show(props.image)} is not an image; give RelayImage.derived(ExternalImage.parse(<the image CI builds from images/rsyslog-relay/Containerfile>)), or an ExternalImage for plain TCP/UDP`);
    const t = props.target;
    if (!t || typeof t !== 'object') p.add('target', 'is required: host and port of the central rsyslog');
    else {
      p.check('target.host', t.host, hostOrIp);
      if (t.port === undefined) p.add('target.port', 'is required; the central rsyslog\'s port (commonly 514 for UDP/TCP, 6514 for TLS)');
      else p.check('target.port', t.port, intRange(1, 65535));
      if (t.protocol !== undefined) p.check('target.protocol', t.protocol, oneOf(Object.values(SyslogProtocol)));
      if (t.tls !== undefined && (t.tls === null || typeof t.tls !== 'object')) {
        p.add('target.tls', `${show(t.tls)} is not a TLS setting; give { ca, driver, authMode, permittedPeers }, or leave tls out`);
      } else if (t.tls !== undefined) {
        if (t.protocol === SyslogProtocol.UDP) p.add('target.tls', 'TLS needs TCP; remove tls or use SyslogProtocol.TCP');
        if (!(t.tls.ca instanceof SyslogCa)) {
          p.add('target.tls.ca', `${show(t.tls.ca)} is not a CA source; give SyslogCa.configMapKey(name, key) (declare the ConfigMap External if the stack does not create it) or SyslogCa.clusterTrustedBundle() (only if the syslog CA is in the cluster Proxy's trustedCA)`);
        } else if (t.tls.ca.configMap) {
          p.check('target.tls.ca.name', t.tls.ca.configMap.name, dnsSubdomain);
          if (typeof t.tls.ca.configMap.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(t.tls.ca.configMap.key)) p.add('target.tls.ca.key', `${show(t.tls.ca.configMap.key)} is not a ConfigMap key`);
        }
        if (t.tls.authMode !== undefined) p.check('target.tls.authMode', t.tls.authMode, oneOf(Object.values(SyslogTlsAuthMode)));
        const driver = t.tls.driver ?? SyslogStreamDriver.GTLS;
        if (t.tls.driver !== undefined) p.check('target.tls.driver', t.tls.driver, oneOf(Object.values(SyslogStreamDriver)));
        if (image && Object.values(SyslogStreamDriver).includes(driver)) {
          const missing = image.missingDriver(driver);
          if (missing) p.add('image', `TLS needs the "${driver}" stream driver in the image: ${missing}`);
        }
        (t.tls.permittedPeers ?? []).forEach((peer, i) => p.check(`target.tls.permittedPeers[${i}]`, peer, (v) => (typeof v === 'string' && /^[A-Za-z0-9*.-]+$/.test(v) ? undefined : `${show(v)} is not a certificate name`)));
      }
    }
    const files = props.files ?? DEFAULT_GITLAB_LOG_FILES;
    if (!Array.isArray(files) || files.length === 0) p.add('files', 'must list at least one log file');
    else {
      files.forEach((f, i) => {
        if (!f || typeof f !== 'object') return p.add(`files[${i}]`, `${show(f)} is not a log file; give { component, file, tag }`);
        p.check(`files[${i}].component`, f.component, oneOf(Object.values(GitLabComponent)));
        if (typeof f.file !== 'string' || !FILE.test(f.file)) p.add(`files[${i}].file`, `${show(f.file)} is not a log file name inside ${GITLAB_LOG_DIR} (for example "production_json.log")`);
        if (typeof f.tag !== 'string' || !TAG.test(f.tag)) p.add(`files[${i}].tag`, `${show(f.tag)} is not a syslog tag (1-32 letters, digits, '.', '_', '-', '/')`);
        if (f.facility !== undefined) p.check(`files[${i}].facility`, f.facility, oneOf(Object.values(SyslogFacility)));
        if (f.severity !== undefined) p.check(`files[${i}].severity`, f.severity, oneOf(Object.values(SyslogSeverity)));
      });
      const dup = duplicates(files.filter((f) => f && typeof f === 'object').map((f) => `${f.component}/${f.file}`));
      if (dup.length) p.add('files', `${dup.join(', ')} listed twice`);
    }
    if (props.defaultFacility !== undefined) p.check('defaultFacility', props.defaultFacility, oneOf(Object.values(SyslogFacility)));
    if (props.storageClassName !== undefined) p.check('storageClassName', props.storageClassName, dnsSubdomain);
    if (props.stateStorageClassName !== undefined) p.check('stateStorageClassName', props.stateStorageClassName, dnsSubdomain);
    const size = asQuantity(props.size) as Quantity | undefined;
    if (size !== undefined && !(size instanceof Quantity)) p.add('size', `${show(size)} must be a Quantity (Quantity.gibibytes(20)) or a cdk8s Size (Size.gibibytes(20))`);
    const stateSize = (asQuantity(props.stateSize) ?? Quantity.gibibytes(2)) as Quantity;
    if (!(stateSize instanceof Quantity)) p.add('stateSize', `${show(stateSize)} must be a Quantity (Quantity.gibibytes(2)) or a cdk8s Size (Size.gibibytes(2))`);
    else if (stateSize.compare(Quantity.mebibytes(256)) < 0) p.add('stateSize', `${stateSize} is too small for the disk queue; give at least 256Mi`);
    if (props.pollingIntervalSeconds !== undefined) p.check('pollingIntervalSeconds', props.pollingIntervalSeconds, intRange(1, 300));
    if (props.maxMessageSizeKiB !== undefined) p.check('maxMessageSizeKiB', props.maxMessageSizeKiB, intRange(8, 1024));
    if (props.truncateLogs !== undefined && typeof props.truncateLogs !== 'boolean') p.add('truncateLogs', `${show(props.truncateLogs)} must be true or false`);
    p.throwIfAny();

    const gitlab = props.gitlab;
    const namespace = gitlab.namespace;
    this.relayName = name;
    this.image = image!;
    const claimName = `${name}-logs`;
    const volumeName = 'gitlab-logs';

    this.claim = new k8s.KubePersistentVolumeClaim(this, 'Logs', {
      metadata: { name: claimName, namespace },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: props.storageClassName ?? 'ocs-storagecluster-cephfs',
        resources: { requests: { storage: k8s.Quantity.fromString((size ?? Quantity.gibibytes(20)).toString()) } },
      },
    });
    for (const component of Object.values(GitLabComponent)) {
      gitlab.addExtraEnv(component, POD_NAME_ENV, { valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
      if (props.truncateLogs ?? true) gitlab.addExtraEnv(component, GITLAB_LOGGER_TRUNCATE_ENV, 'true');
      gitlab.addExtraVolume(component, { name: volumeName, persistentVolumeClaim: { claimName } }, { name: volumeName, mountPath: GITLAB_LOG_DIR, subPathExpr: `${component}/$(${POD_NAME_ENV})` });
    }
    this.stateClaim = new k8s.KubePersistentVolumeClaim(this, 'State', {
      metadata: { name: `${name}-state`, namespace },
      spec: {
        accessModes: ['ReadWriteOnce'],
        ...(props.stateStorageClassName ? { storageClassName: props.stateStorageClassName } : {}),
        resources: { requests: { storage: k8s.Quantity.fromString(stateSize.toString()) } },
      },
    });

    const tls = t.tls;
    let caConfigMap = tls?.ca.configMap;
    if (tls && !caConfigMap) {
      new k8s.KubeConfigMap(this, 'TrustedCa', {
        metadata: {
          name: `${name}-trusted-ca`,
          namespace,
          labels: { 'config.openshift.io/inject-trusted-cabundle': 'true' },
          annotations: { 'ocpkit.io/purpose': 'the cluster trusted CA bundle (system CAs + Proxy trustedCA), chosen explicitly as the CA of the central syslog (SyslogCa.clusterTrustedBundle)' },
        },
      });
      caConfigMap = { name: `${name}-trusted-ca`, key: 'ca-bundle.crt' };
    }
    const caDir = '/etc/rsyslog-relay/ca';
    const workDirectory = '/var/lib/rsyslog-relay';
    // The disk queue may take half of the state volume; the rest is for imfile state files.
    const queueMaxDiskSpace = `${Math.max(128, Math.floor(stateSize.value / 2 / 1024 / 1024))}m`;
    this.rsyslogConf = renderRsyslogConfig({
      workDirectory,
      logDirectory: GITLAB_LOG_DIR,
      pollingIntervalSeconds: props.pollingIntervalSeconds ?? 10,
      maxMessageSize: (props.maxMessageSizeKiB ?? 256) * 1024,
      inputs: files.map((f) => ({
        path: `${GITLAB_LOG_DIR}/${f.component}/*/${f.file}`,
        tag: f.tag,
        facility: f.facility ?? props.defaultFacility ?? SyslogFacility.LOCAL0,
        severity: f.severity ?? SyslogSeverity.INFO,
      })),
      target: { host: t.host, port: t.port, protocol: t.protocol ?? SyslogProtocol.TCP },
      tls: tls ? {
        caFile: `${caDir}/${caConfigMap!.key}`,
        driver: tls.driver ?? SyslogStreamDriver.GTLS,
        authMode: tls.authMode ?? SyslogTlsAuthMode.X509_NAME,
        permittedPeers: tls.permittedPeers ?? [t.host],
      } : undefined,
      queueMaxDiskSpace,
    });
    this.config = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${name}-config`, namespace },
      data: { 'rsyslog.conf': this.rsyslogConf },
    });

    const labels = { 'app.kubernetes.io/name': 'rsyslog', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/part-of': gitlab.crName };
    const volumes: k8s.Volume[] = [
      { name: volumeName, persistentVolumeClaim: { claimName, readOnly: true } },
      { name: 'config', configMap: { name: this.config.metadata.name! } },
      { name: 'state', persistentVolumeClaim: { claimName: this.stateClaim.metadata.name! } },
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: volumeName, mountPath: GITLAB_LOG_DIR, readOnly: true },
      { name: 'config', mountPath: '/etc/rsyslog-relay', readOnly: true },
      { name: 'state', mountPath: workDirectory },
    ];
    if (caConfigMap) {
      volumes.push({ name: 'ca', configMap: { name: caConfigMap.name, items: [{ key: caConfigMap.key, path: caConfigMap.key }] } });
      mounts.push({ name: 'ca', mountPath: caDir, readOnly: true });
    }
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name, namespace, labels },
      spec: {
        replicas: 1,
        // Two relays at once would send every line twice, and the state volume is ReadWriteOnce.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels },
        template: {
          metadata: {
            labels,
            annotations: { 'ocpkit.io/config-hash': createHash('sha256').update(this.rsyslogConf).digest('hex').slice(0, 16) },
          },
          spec: {
            automountServiceAccountToken: false,
            // Time for rsyslogd to write the imfile state and save the queue to disk on SIGTERM.
            terminationGracePeriodSeconds: 60,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'rsyslog',
              image: this.image.reference,
              command: ['rsyslogd', '-n', '-iNONE', '-f', '/etc/rsyslog-relay/rsyslog.conf'],
              resources: {
                requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
                limits: { memory: k8s.Quantity.fromString('256Mi') },
              },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: mounts,
            }],
            volumes,
          },
        },
      },
    });
    this.node.defaultChild = this.deployment;
  }
}
