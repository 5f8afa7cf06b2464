import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Problems, show } from '../core/errors';
import { QuantityLike } from '../core/quantity';
import { dnsSubdomain } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { Delivery } from '../gitops/delivery';
import { SyncWave } from '../gitops/sync-wave';
import { ExternalImage } from '../openshift/external-image';
import { ComputeResources, nameAndNamespace, resourcesOf, storageOf } from './_common';

/** Redis's port. */
export const REDIS_PORT = 6379;
/** Where the image keeps its data (sclorg redis-container 7/README.md: `/var/lib/redis/data`). */
export const REDIS_DATA_DIR = '/var/lib/redis/data';

/** Properties of {@link Redis}. */
export interface RedisProps {
  /** Name of the StatefulSet and its Service. DNS label. */
  readonly name: string;
  readonly namespace: string;
  /**
   * Red Hat's Redis 7 image (`registry.redhat.io/rhel9/redis-7`), pinned. It runs as any UID of
   * group 0 (restricted-v2), reads its password from `REDIS_PASSWORD` and keeps its data in
   * `/var/lib/redis/data` (sclorg/redis-container 7/README.md and Dockerfile.rhel9).
   */
  readonly image: ExternalImage;
  /**
   * The password clients authenticate with (`REDIS_PASSWORD`). Required: the image turns
   * protected mode off, so without a password anything that reaches the port may use it.
   */
  readonly password: SecretKey;
  /** Size of the data volume (RDB snapshots), e.g. "10Gi", a Quantity or a cdk8s `Size`. */
  readonly storage: string | QuantityLike;
  /** @default the cluster's default StorageClass */
  readonly storageClass?: string;
  /** @default none: the namespace's LimitRange defaults apply */
  readonly resources?: ComputeResources;
}

/**
 * A single Redis 7 for one application (GitLab's cache, queues and sessions): a StatefulSet of one
 * pod on Red Hat's Redis image with its data on a ReadWriteOnce volume, a password from a Secret
 * and a Service `<name>.<namespace>.svc:6379`. Pass it as `redis` to the GitLab construct, which
 * derives host, port and password from it.
 *
 * Not highly available: a restart (node drain) is a short outage of the sessions and queues, which
 * GitLab survives; Redis's own replication and Sentinel are not modelled. The GitLab chart's
 * bundled Redis is not used: the chart pulls frozen `bitnamilegacy` images since July 2025, GitLab
 * calls it not production ready, and it is removed in GitLab 19.
 *
 * Primary object (`ApiObject.of(redis)`): the StatefulSet.
 *
 * @example
 * Emits: into the folder of the app it is in, in `namespace`, a StatefulSet and a Service named
 * `name` (port 6379), in the sync wave of configuration (applications that use it sync after it is
 * ready); the password Secret is not written: declare it (`External.secret`).
 * ```ts
 * import { ExternalImage, Redis, SecretKey } from 'ocpkit';
 * import type { GitOpsApp } from 'ocpkit';
 *
 * export function addGitLabRedis(gitlabApp: GitOpsApp): Redis {
 *   return new Redis(gitlabApp, 'Redis', {
 *     name: 'gitlab-redis',
 *     namespace: 'gitlab-system',
 *     image: ExternalImage.parse('registry.redhat.io/rhel9/redis-7:9.6'),
 *     password: SecretKey.of('gitlab-redis', 'password'),
 *     storage: '10Gi',
 *     resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } },
 *   });
 * }
 * ```
 */
export class Redis extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly port = REDIS_PORT;
  /** `<name>.<namespace>.svc`. */
  public readonly host: string;
  public readonly password: SecretKey;
  /** Labels of the Redis pod (NetworkPolicies select it with them). */
  public readonly podLabels: Readonly<Record<string, string>>;
  public readonly statefulSet: k8s.KubeStatefulSet;
  public readonly service: k8s.KubeService;

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    nameAndNamespace(p, props?.name, props?.namespace, 52);
    if (!(props?.image instanceof ExternalImage)) p.add('image', `${show(props?.image)} must be an ExternalImage pinned by tag or digest (registry.redhat.io/rhel9/redis-7)`);
    if (!(props?.password instanceof SecretKey)) p.add('password', 'is not a Secret reference (a value given here is never echoed); use SecretKey.of(secretName, key). Redis without a password accepts anyone who reaches it');
    const storage = storageOf(p, 'storage', props?.storage);
    if (props?.storageClass !== undefined) p.check('storageClass', props.storageClass, dnsSubdomain);
    const resources = resourcesOf(p, 'resources', props?.resources);
    p.throwIfAny('invalid Redis');

    this.name = props.name;
    this.namespace = props.namespace;
    // Configuration wave, like the PostgresCluster: Argo CD holds later waves of the Application
    // until a StatefulSet is healthy (its ready replicas), so the GitLab CR (wave 10) starts with
    // Redis up rather than crash-looping its migrations against it (gitops-engine sync_context.go).
    Delivery.of(this).syncWave(SyncWave.CONFIG, 'applications using Redis sync after it is ready');
    this.host = `${this.name}.${this.namespace}.svc`;
    this.password = props.password;
    this.podLabels = { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': this.name };
    const port = { name: 'redis', port: REDIS_PORT, targetPort: k8s.IntOrString.fromNumber(REDIS_PORT) };

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...this.podLabels } },
      spec: { selector: { ...this.podLabels }, ports: [port] },
    });
    const probe = { tcpSocket: { port: k8s.IntOrString.fromNumber(REDIS_PORT) }, periodSeconds: 10 };
    this.statefulSet = new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...this.podLabels } },
      spec: {
        serviceName: this.name,
        replicas: 1,
        selector: { matchLabels: { ...this.podLabels } },
        template: {
          metadata: { labels: { ...this.podLabels } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'redis',
              image: props.image.reference,
              ports: [{ name: 'redis', containerPort: REDIS_PORT }],
              env: [{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: props.password.secretName, key: props.password.key } } }],
              readinessProbe: probe,
              livenessProbe: { ...probe, initialDelaySeconds: 30 },
              resources: resources ? quantities(resources) : undefined,
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'data', mountPath: REDIS_DATA_DIR }],
            }],
          },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: props.storageClass,
            resources: { requests: { storage: k8s.Quantity.fromString(storage!) } },
          },
        }],
      },
    });
    this.node.defaultChild = this.statefulSet;
  }
}

/** `{ requests: { cpu: "1" } }` as the typed Kubernetes resources. */
function quantities(r: Record<string, Record<string, string>>): k8s.ResourceRequirements {
  const out: Record<string, Record<string, k8s.Quantity>> = {};
  for (const [kind, values] of Object.entries(r)) {
    out[kind] = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, k8s.Quantity.fromString(v)]));
  }
  return out;
}
