import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Problems, show } from '../core/errors';
import { Quantity } from '../core/quantity';
import { dnsLabel, dnsSubdomain, duplicates, intRange, oneOf } from '../core/rules';
import { ExternalImage } from '../openshift/external-image';
import { hostOrIp } from './_rules';
import { renderRsyslogConfig } from './_rsyslog-config';
import { GitLab, GitLabComponent } from './gitlab';
import { SyslogFacility, SyslogProtocol, SyslogSeverity, SyslogTarget, SyslogTlsAuthMode } from './syslog';

/** Where the log volume is mounted in the GitLab pods and in the relay. */
export const GITLAB_LOG_DIR = '/var/log/gitlab';

/**
 * rsyslog image of the relay: the rsyslog project's own image (Ubuntu LTS based), pinned to a
 * monthly release. The TLS stream driver (gtls) must be in the image when `target.tls` is set.
 */
export const DEFAULT_RSYSLOG_IMAGE = ExternalImage.tag('docker.io/rsyslog/rsyslog', '2025-06');

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
  /** @default 20Gi */
  readonly size?: Quantity;
  /** @default DEFAULT_RSYSLOG_IMAGE */
  readonly image?: ExternalImage;
  /** Seconds between polls of the log files. @default 10 */
  readonly pollingIntervalSeconds?: number;
}

const TAG = /^[A-Za-z0-9._/-]{1,32}$/;
const FILE = /^[A-Za-z0-9._-]+\.log$/;

/**
 * Ships GitLab's log files to the central rsyslog:
 *
 * - a ReadWriteMany PVC, mounted at `/var/log/gitlab` in the webservice and sidekiq pods through
 *   the chart's `extraVolumes`/`extraVolumeMounts` (each component in its own sub-folder, so
 *   files both write, such as `application_json.log`, stay apart);
 * - an rsyslog Deployment that mounts the same PVC read-only and forwards every configured file
 *   with its facility, severity and tag, over TCP or UDP, optionally TLS;
 * - its configuration, generated from these props, in a ConfigMap (a hash annotation rolls the
 *   pod when it changes).
 *
 * Zombies: the relay pod shares its process namespace, so the pod's pause process is PID 1 and
 * reaps orphans (what the gpg zombies in the webservice pods lacked); rsyslogd itself starts no
 * children here. The pod runs under the `restricted` SCC (any UID, no capabilities).
 *
 * Primary object (`ApiObject.of(relay)`, `Overrides.of(relay)`): the rsyslog Deployment.
 */
export class GitLabLogRelay extends Construct {
  public readonly relayName: string;
  public readonly claim: k8s.KubePersistentVolumeClaim;
  public readonly config: k8s.KubeConfigMap;
  public readonly deployment: k8s.KubeDeployment;
  /** The generated rsyslog.conf. */
  public readonly rsyslogConf: string;

  constructor(scope: Construct, id: string, props: GitLabLogRelayProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    if (!(props.gitlab instanceof GitLab)) p.add('gitlab', 'must be the GitLab construct whose pods write the logs');
    const name = props.name ?? (props.gitlab instanceof GitLab ? `${props.gitlab.crName}-log-relay` : '');
    p.check('name', name, (v) => (dnsLabel(v) ?? (typeof v === 'string' && v.length > 50 ? `${show(v)} is too long (at most 50 characters, the ConfigMaps add suffixes)` : undefined)));
    const t = props.target;
    if (!t || typeof t !== 'object') p.add('target', 'is required: host and port of the central rsyslog');
    else {
      p.check('target.host', t.host, hostOrIp);
      if (t.port === undefined) p.add('target.port', 'is required; the central rsyslog\'s port (commonly 514 for UDP/TCP, 6514 for TLS)');
      else p.check('target.port', t.port, intRange(1, 65535));
      if (t.protocol !== undefined) p.check('target.protocol', t.protocol, oneOf(Object.values(SyslogProtocol)));
      if (t.tls !== undefined && (t.tls === null || typeof t.tls !== 'object')) {
        p.add('target.tls', `${show(t.tls)} is not a TLS setting; give {} (the cluster's trusted CAs) or { caConfigMap, authMode, permittedPeers }, or leave tls out`);
      } else if (t.tls !== undefined) {
        if (t.protocol === SyslogProtocol.UDP) p.add('target.tls', 'TLS needs TCP; remove tls or use SyslogProtocol.TCP');
        if (t.tls.authMode !== undefined) p.check('target.tls.authMode', t.tls.authMode, oneOf(Object.values(SyslogTlsAuthMode)));
        if (t.tls.caConfigMap !== undefined) {
          p.check('target.tls.caConfigMap.name', t.tls.caConfigMap.name, dnsSubdomain);
          if (typeof t.tls.caConfigMap.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(t.tls.caConfigMap.key)) p.add('target.tls.caConfigMap.key', `${show(t.tls.caConfigMap.key)} is not a ConfigMap key`);
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
    if (props.size !== undefined && !(props.size instanceof Quantity)) p.add('size', `${show(props.size)} must be a Quantity (Quantity.gibibytes(20))`);
    if (props.image !== undefined && !(props.image instanceof ExternalImage)) p.add('image', 'must be an ExternalImage pinned by version tag or digest');
    if (props.pollingIntervalSeconds !== undefined) p.check('pollingIntervalSeconds', props.pollingIntervalSeconds, intRange(1, 300));
    p.throwIfAny();

    const gitlab = props.gitlab;
    const namespace = gitlab.namespace;
    this.relayName = name;
    const claimName = `${name}-logs`;
    const volumeName = 'gitlab-logs';

    this.claim = new k8s.KubePersistentVolumeClaim(this, 'Logs', {
      metadata: {
        name: claimName,
        namespace,
      },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: props.storageClassName ?? 'ocs-storagecluster-cephfs',
        resources: { requests: { storage: k8s.Quantity.fromString((props.size ?? Quantity.gibibytes(20)).toString()) } },
      },
    });
    for (const component of Object.values(GitLabComponent)) {
      gitlab.addExtraVolume(component, { name: volumeName, persistentVolumeClaim: { claimName } }, { name: volumeName, mountPath: GITLAB_LOG_DIR, subPath: component });
    }

    const tls = t.tls;
    let caConfigMap = tls?.caConfigMap;
    if (tls && !caConfigMap) {
      new k8s.KubeConfigMap(this, 'TrustedCa', {
        metadata: { name: `${name}-trusted-ca`, namespace, labels: { 'config.openshift.io/inject-trusted-cabundle': 'true' } },
      });
      caConfigMap = { name: `${name}-trusted-ca`, key: 'ca-bundle.crt' };
    }
    const caDir = '/etc/rsyslog-relay/ca';
    const workDirectory = '/var/lib/rsyslog-relay';
    this.rsyslogConf = renderRsyslogConfig({
      workDirectory,
      pollingIntervalSeconds: props.pollingIntervalSeconds ?? 10,
      inputs: files.map((f) => ({
        path: `${GITLAB_LOG_DIR}/${f.component}/${f.file}`,
        tag: f.tag,
        facility: f.facility ?? props.defaultFacility ?? SyslogFacility.LOCAL0,
        severity: f.severity ?? SyslogSeverity.INFO,
      })),
      target: { host: t.host, port: t.port, protocol: t.protocol ?? SyslogProtocol.TCP },
      tls: tls ? { caFile: `${caDir}/${caConfigMap!.key}`, authMode: tls.authMode ?? SyslogTlsAuthMode.X509_NAME, permittedPeers: tls.permittedPeers ?? [t.host] } : undefined,
      queueMaxDiskSpace: '1g',
    });
    this.config = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${name}-config`, namespace },
      data: { 'rsyslog.conf': this.rsyslogConf },
    });

    const labels = { 'app.kubernetes.io/name': 'rsyslog', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/part-of': gitlab.crName };
    const volumes: k8s.Volume[] = [
      { name: volumeName, persistentVolumeClaim: { claimName, readOnly: true } },
      { name: 'config', configMap: { name: this.config.metadata.name! } },
      { name: 'state', emptyDir: { sizeLimit: k8s.Quantity.fromString('2Gi') } },
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
        // Two relays at once would send every line twice.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels },
        template: {
          metadata: {
            labels,
            annotations: { 'ocpkit.io/config-hash': createHash('sha256').update(this.rsyslogConf).digest('hex').slice(0, 16) },
          },
          spec: {
            // The pause container becomes PID 1 and reaps orphaned children.
            shareProcessNamespace: true,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'rsyslog',
              image: (props.image ?? DEFAULT_RSYSLOG_IMAGE).reference,
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
