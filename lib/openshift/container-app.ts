import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IIssuer } from '../certs/issuer';
import { Problems, show } from '../core/errors';
import { asQuantity, Quantity, QuantityLike } from '../core/quantity';
import { dnsLabel, hostname, intRange } from '../core/rules';
import { detectSecret, isCredentialKey, isLiteralValue } from '../core/secret-scan';
import { Cluster } from '../gitops/cluster';
import { GitOpsApp } from '../gitops/gitops-app';
import { Policy } from '../policy/policy';
import { ExternalImage } from './external-image';
import { ImageUpdates, TrackedImageStream } from './image-stream';
import { IServicePort, Route, RouteTls } from './route';

/** Where a re-encrypt ContainerApp finds its service-serving certificate (`tls.crt`, `tls.key`). */
export const SERVING_CERT_DIR = '/etc/tls/serving-cert';

/** The OpenShift annotation that turns ImageStream changes into rollouts. */
export const IMAGE_TRIGGER_ANNOTATION = 'image.openshift.io/triggers';

/** Public exposure of a {@link ContainerApp}. */
export interface ContainerAppRouteOptions {
  /** Public host name. */
  readonly host: string;
  /**
   * cert-manager issuer of the certificate. Inside a Tenant: only the tenant's own Issuer (the
   * default), for its declared host names.
   * @default the Issuer of the enclosing Tenant (its `tls` prop)
   */
  readonly issuer?: IIssuer;
  /**
   * EDGE: the router talks plain HTTP to the pods. REENCRYPT: the router talks TLS to the pods;
   * the ContainerApp then gets an OpenShift service-serving certificate (which the router trusts),
   * mounted at {@link SERVING_CERT_DIR} (`tls.crt`, `tls.key`), its port is named `https` and its
   * probes use HTTPS. The image must serve TLS on `portNumber` with those files.
   * @default RouteTls.EDGE
   */
  readonly tls?: RouteTls;
  /** @default '/' */
  readonly path?: string;
}

/** Properties of {@link ContainerApp}. */
export interface ContainerAppProps {
  /** Name of the Deployment, Service, ImageStream and Route. DNS-1123 label. */
  readonly name: string;
  /** Image built elsewhere: a version tag or digest, or the moving tag it follows (see `updates`). */
  readonly image: ExternalImage;
  /**
   * How the image changes on the cluster. `ImageUpdates.pinned()`: the image above is what runs;
   * a new image is a commit (the release train). `ImageUpdates.followTag(reason)`: an ImageStream
   * imports the image's tag on a schedule and an image-change trigger rolls the Deployment out
   * when it moves, outside Git; only in a cluster with `imageUpdates: 'follow-tags'`.
   * @default ImageUpdates.pinned()
   */
  readonly updates?: ImageUpdates;
  /**
   * Port the container listens on.
   * @default 8080
   */
  readonly portNumber?: number;
  /** @default 1 */
  readonly replicas?: number;
  /** CPU request. @default the tenant LimitRange default */
  readonly cpu?: Quantity;
  /** Memory request and limit: a Quantity or a cdk8s `Size`. @default the tenant LimitRange defaults */
  readonly memory?: QuantityLike;
  /** Plain (non-secret) environment variables. @default none */
  readonly env?: Record<string, string>;
  /** HTTP path of the readiness and liveness probes. @default no probes */
  readonly healthPath?: string;
  /** Expose the workload publicly through a Route. @default not exposed */
  readonly route?: ContainerAppRouteOptions;
}

/**
 * An application whose image is built outside the cluster: a Deployment, a Service in front of
 * it, and optionally a TLS Route.
 *
 * The image follows one model ({@link ImageUpdates}). Pinned (the default): the Deployment runs
 * the reference written in Git, and nothing else is created. Follow-tag: an ImageStream tracks the
 * external tag, the Deployment rolls out whenever it moves (OpenShift image-change trigger
 * annotation), and since the trigger rewrites the container image on the live Deployment, the
 * enclosing GitOpsApp's Argo CD Application is told to ignore that field (RespectIgnoreDifferences,
 * which needs a fixed Argo CD release); its objects carry a `pinned-images` waiver with the reason.
 *
 * Primary object (`ApiObject.of(workload)`, `Overrides.of(workload)`): the Deployment.
 *
 * @example
 * Emits: into the folder of the app it is in (a Tenant's own folder `forum/`), in its namespace, a
 * Deployment and a Service `discourse` (port `http`, 8080 unless `portNumber`; `https` with a
 * service serving certificate for a re-encrypt Route) and, with `route`, a {@link Route} of the same
 * name. Following a tag, also a {@link TrackedImageStream} `discourse` and the image-change trigger
 * annotation on the Deployment; the enclosing app's Application gets an `ignoreDifferences` entry
 * for the container image, and the objects a `pinned-images` waiver with the reason.
 * ```ts
 * import { ContainerApp, ExternalImage, Quantity } from 'ocpkit';
 * import type { Tenant } from 'ocpkit';
 *
 * export function addForum(forum: Tenant): ContainerApp {
 *   return new ContainerApp(forum, 'Discourse', {
 *     name: 'discourse',
 *     image: ExternalImage.tag('quay.io/community-infra/discourse', '3.3.2-1'),
 *     memory: Quantity.parse('2Gi'),
 *     route: { host: 'discourse.example.org' },
 *   });
 * }
 * ```
 */
export class ContainerApp extends Construct implements IServicePort {
  public readonly serviceName: string;
  /** `http`, or `https` when the Route re-encrypts. */
  public readonly portName: string;
  /** The ImageStream of a follow-tag ContainerApp (none when pinned). */
  public readonly imageStream?: TrackedImageStream;
  /** The image update model. */
  public readonly updates: ImageUpdates;
  public readonly deployment: k8s.KubeDeployment;

  constructor(scope: Construct, id: string, props: ContainerAppProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    if (!props || typeof props !== 'object') p.add('props', `${JSON.stringify(props)} is not a ContainerAppProps object ({ name, image, ... })`);
    p.throwIfAny();
    p.check('name', props.name, dnsLabel);
    if (!(props.image instanceof ExternalImage)) p.add('image', 'must be an ExternalImage (ExternalImage.tag(repo, version) or ExternalImage.digest(repo, digest))');
    if (props.portNumber !== undefined) p.check('portNumber', props.portNumber, intRange(1, 65535));
    if (props.replicas !== undefined) p.check('replicas', props.replicas, intRange(0, 100));
    if (props.cpu !== undefined && !(props.cpu instanceof Quantity)) p.add('cpu', 'must be a Quantity');
    const memory = asQuantity(props.memory) as Quantity | undefined;
    if (memory !== undefined && !(memory instanceof Quantity)) p.add('memory', 'must be a Quantity or a cdk8s Size');
    for (const [k, v] of Object.entries(props.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) p.add(`env.${k}`, 'is not a valid environment variable name (letters, digits and "_", not starting with a digit)');
      else if (typeof v !== 'string') p.add(`env.${k}`, `${show(v)} must be a string; quote numbers and booleans`);
      else {
        const what = detectSecret(v) ?? (isCredentialKey(k) && isLiteralValue(v) ? 'a literal value for a credential variable' : undefined);
        if (what) p.add(`env.${k}`, `holds ${what}; env holds plain settings only and is written into Git. Keep the credential in a Secret created out of band (or sealed) and read it from there`);
      }
    }
    if (props.healthPath !== undefined && (typeof props.healthPath !== 'string' || !props.healthPath.startsWith('/'))) p.add('healthPath', `${JSON.stringify(props.healthPath)} must start with "/"`);
    if (props.route) p.check('route.host', props.route.host, hostname);
    const namespace = Chart.of(this).namespace;
    if (!namespace) p.add('namespace', 'a ContainerApp must be defined inside a Tenant or a GitOpsApp with a namespace');
    const updates = props.updates ?? ImageUpdates.pinned();
    if (!(updates instanceof ImageUpdates)) p.add('updates', `${show(props.updates)} is not an image update model; use ImageUpdates.pinned() or ImageUpdates.followTag(reason)`);
    else if (updates.mode === 'follow-tag') {
      const cluster = Cluster.of(this);
      if (cluster.imageUpdates !== 'follow-tags') {
        p.add('updates', `follows the moving tag of ${props.image instanceof ExternalImage ? props.image.reference : show(props.image)}, but cluster "${cluster.clusterName}" (environment ${cluster.environment}) pins images (imageUpdates: '${cluster.imageUpdates}'); `
          + 'use ImageUpdates.pinned() with a version tag or digest promoted through the release train, or allow imageUpdates: \'follow-tags\' in that cluster\'s props');
      }
      if (props.image instanceof ExternalImage && props.image.tag === undefined) p.add('updates', `${props.image.reference} is pinned by digest, which never moves; follow a tag, or use ImageUpdates.pinned()`);
    }
    p.throwIfAny();
    this.updates = updates;
    const follow = updates.mode === 'follow-tag';

    const name = props.name;
    const port = props.portNumber ?? 8080;
    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'workload' };
    const reencrypt = props.route?.tls === RouteTls.REENCRYPT;
    const servingCert = `${name}-serving-cert`;
    this.serviceName = name;
    this.portName = reencrypt ? 'https' : 'http';
    // Pinned: no ImageStream. It would only re-import the tag Git already names (m2 of the field
    // review: with immutable tags it adds nothing; with mutable ones a re-push rolls out unreviewed).
    this.imageStream = follow ? new TrackedImageStream(this, 'ImageStream', { name, namespace: namespace!, image: props.image }) : undefined;

    const resources: k8s.ResourceRequirements | undefined = props.cpu || memory
      ? {
        requests: {
          ...(props.cpu ? { cpu: k8s.Quantity.fromString(props.cpu.toString()) } : {}),
          ...(memory ? { memory: k8s.Quantity.fromString(memory.toString()) } : {}),
        },
        limits: memory ? { memory: k8s.Quantity.fromString(memory.toString()) } : undefined,
      }
      : undefined;
    const probe = props.healthPath
      ? { httpGet: { path: props.healthPath, port: k8s.IntOrString.fromString(this.portName), scheme: reencrypt ? 'HTTPS' : undefined }, periodSeconds: 10 }
      : undefined;
    const trigger = this.imageStream
      ? [{ from: { kind: 'ImageStreamTag', name: this.imageStream.imageStreamTag }, fieldPath: `spec.template.spec.containers[?(@.name=="${name}")].image` }]
      : undefined;

    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name, namespace, labels, annotations: trigger ? { [IMAGE_TRIGGER_ANNOTATION]: JSON.stringify(trigger) } : undefined },
      spec: {
        replicas: props.replicas ?? 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [{
              name,
              image: props.image.reference,
              ports: [{ name: this.portName, containerPort: port, protocol: 'TCP' }],
              volumeMounts: reencrypt ? [{ name: 'serving-cert', mountPath: SERVING_CERT_DIR, readOnly: true }] : undefined,
              env: props.env && Object.keys(props.env).length
                ? Object.entries(props.env).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, value]) => ({ name: k, value }))
                : undefined,
              resources,
              readinessProbe: probe,
              livenessProbe: probe ? { ...probe, initialDelaySeconds: 30 } : undefined,
              securityContext: {
                allowPrivilegeEscalation: false,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
            }],
            volumes: reencrypt ? [{ name: 'serving-cert', secret: { secretName: servingCert } }] : undefined,
          },
        },
      },
    });
    this.node.defaultChild = this.deployment;

    new k8s.KubeService(this, 'Service', {
      metadata: {
        name,
        namespace,
        labels,
        annotations: reencrypt ? { 'service.beta.openshift.io/serving-cert-secret-name': servingCert } : undefined,
      },
      spec: {
        selector: labels,
        ports: [{ name: this.portName, port, targetPort: k8s.IntOrString.fromString(this.portName), protocol: 'TCP' }],
      },
    });

    if (props.route) {
      new Route(this, 'Route', { name, namespace: namespace!, host: props.route.host, target: this, tls: props.route.tls, issuer: props.route.issuer, path: props.route.path });
    }

    if (!follow) return;
    // The moving tag is the point of this model: say so on the objects, with the reason.
    Policy.waive(this, 'pinned-images', `follows a moving tag (ImageUpdates.followTag, allowed by the cluster's imageUpdates: 'follow-tags'): ${updates.reason}`);
    GitOpsApp.enclosing(this)?.addIgnoreDifference({
      group: 'apps',
      kind: 'Deployment',
      name,
      namespace,
      // only the container the trigger rewrites; kept on sync too, or every sync of the app
      // would write the tag back over the trigger's digest and roll the Deployment out twice
      jqPathExpressions: [`.spec.template.spec.containers[] | select(.name == "${name}") | .image`],
      respectOnSync: true,
    });
  }
}
