import { Chart } from 'cdk8s';
import { AppProject } from '../../imports/argocd-appproject-argoproj.io';
import { Application } from '../../imports/argocd-application-argoproj.io';
import type { Cluster } from './cluster';
import { ArgoCdInstance } from './argocd-instance';
import { BOOTSTRAP_FOLDER } from './controller-rbac';
import { Delivery } from './delivery';

/** Folder of the app-of-apps in every environment. */
export const ROOT_FOLDER = 'root';
/** AppProject of platform Applications (cluster-scoped kinds allowed). */
export const PLATFORM_PROJECT = 'platform';

/** The retry policy of Applications that must never give up (the root, and apps whose CRDs come from operators). */
export const RETRY_FOREVER = { limit: -1, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } };

/**
 * The app-of-apps of one environment.
 *
 * - `dist/<cluster>/root/` (this chart's folder) holds every GitOpsApp's and tenant's Application
 *   and the tenants' AppProjects; the root Application syncs it.
 * - `dist/<cluster>/bootstrap/` holds what the root needs before it can sync anything and so must
 *   not live only inside what it syncs (field review B1): the `platform` AppProject, the root
 *   Application itself and the Argo CD instance with its controller RBAC ({@link ArgoCdInstance}).
 *   It is applied once by hand (`ocpkit bootstrap` prints the command), or delivered by a fleet's hub.
 *
 * The root Application does not manage itself (field review M2, argoproj/argo-cd#9988): a
 * self-managed root judges its own Application object by the Application health check, which
 * aggregates every child, so one degraded tenant app failed every root sync. It retries forever
 * with backoff (a negative `retry.limit` is unlimited: argo-cd v2.10.18 controller/appcontroller.go),
 * so it never stops at "failed previous sync attempt" while operators install their CRDs.
 *
 * Primary object (`ApiObject.of(cluster.root)`): the root Application.
 *
 * Emits: into `dist/<environment>/bootstrap/` the `platform` AppProject, the root Application
 * `<cluster>-<environment>-root` (both in the Argo CD namespace) and the {@link ArgoCdInstance}
 * objects; into `dist/<environment>/root/` one Application per GitOpsApp and Tenant and the
 * tenants' AppProjects, which those constructs add to it. Every Cluster makes one (`cluster.root`).
 */
export class RootApp extends Chart {
  /** The root Application (in `bootstrap/`). */
  public readonly application: Application;
  /** The `platform` AppProject (in `bootstrap/`). */
  public readonly platformProject: AppProject;
  /** The Argo CD instance and its controller RBAC (in `bootstrap/`). */
  public readonly argoCd: ArgoCdInstance;

  constructor(cluster: Cluster) {
    super(cluster, ROOT_FOLDER, { namespace: cluster.argoNamespace });
    Delivery.of(this).folder(ROOT_FOLDER);
    this.platformProject = new AppProject(this, 'PlatformProject', {
      metadata: {
        name: PLATFORM_PROJECT,
        namespace: cluster.argoNamespace,
        // an AppProject is deleted only once no Application uses it (argo-cd v2.10.6
        // docs/operator-manual/project.yaml; field review m1)
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        description: 'Platform components managed by the cluster administrators',
        sourceRepos: [cluster.repoUrl],
        destinations: [{ server: cluster.destinationServer, namespace: '*' }],
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
      },
    });
    Delivery.of(this.platformProject).folder(BOOTSTRAP_FOLDER);
    this.application = new Application(this, 'RootApplication', {
      // named after the cluster's folder, not its environment: in a fleet the environment is the
      // release train, and a promotion must not rename (delete and recreate) the root Application
      metadata: { name: cluster.clusterName === cluster.outputFolder ? `${cluster.clusterName}-root` : `${cluster.clusterName}-${cluster.outputFolder}-root`, namespace: cluster.argoNamespace },
      spec: {
        project: PLATFORM_PROJECT,
        source: { repoUrl: cluster.repoUrl, targetRevision: cluster.targetRevision, path: cluster.folderPath(ROOT_FOLDER) },
        destination: { server: cluster.destinationServer, namespace: cluster.argoNamespace },
        syncPolicy: { automated: { prune: true, selfHeal: true }, retry: RETRY_FOREVER },
      },
    });
    Delivery.of(this.application).folder(BOOTSTRAP_FOLDER);
    this.argoCd = new ArgoCdInstance(this, 'ArgoCd', cluster);
    this.node.defaultChild = this.application;
  }
}
