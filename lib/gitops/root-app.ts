import { Chart } from 'cdk8s';
import { AppProject } from '../../imports/argocd-appproject-argoproj.io';
import { Application } from '../../imports/argocd-application-argoproj.io';
import type { Cluster } from './cluster';
import { Delivery } from './delivery';

/** Folder of the app-of-apps in every environment. */
export const ROOT_FOLDER = 'root';
/** AppProject of platform Applications (cluster-scoped kinds allowed). */
export const PLATFORM_PROJECT = 'platform';

/**
 * The app-of-apps of one environment: the root Application (which syncs this folder, itself
 * included, so it is applied by hand once and then manages itself) and the `platform` AppProject.
 * GitOpsApps and tenants add their Applications and AppProjects here.
 *
 * Primary object (`ApiObject.of(cluster.root)`): the root Application.
 */
export class RootApp extends Chart {
  constructor(cluster: Cluster) {
    super(cluster, ROOT_FOLDER, { namespace: cluster.argoNamespace });
    Delivery.of(this).folder(ROOT_FOLDER);
    new AppProject(this, 'PlatformProject', {
      metadata: { name: PLATFORM_PROJECT, namespace: cluster.argoNamespace },
      spec: {
        description: 'Platform components managed by the cluster administrators',
        sourceRepos: [cluster.repoUrl],
        destinations: [{ server: cluster.destinationServer, namespace: '*' }],
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
      },
    });
    const root = new Application(this, 'RootApplication', {
      metadata: { name: `${cluster.clusterName}-${cluster.environment}-root`, namespace: cluster.argoNamespace },
      spec: {
        project: PLATFORM_PROJECT,
        source: { repoUrl: cluster.repoUrl, targetRevision: cluster.targetRevision, path: cluster.folderPath(ROOT_FOLDER) },
        destination: { server: cluster.destinationServer, namespace: cluster.argoNamespace },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    });
    this.node.defaultChild = root;
  }
}
