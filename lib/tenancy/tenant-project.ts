import { Construct } from 'constructs';
import { AppProject } from '../../imports/argocd-appproject-argoproj.io';
import { Cluster } from '../gitops/cluster';
import { Delivery } from '../gitops/delivery';
import { ROOT_FOLDER } from '../gitops/root-app';

/** Properties of {@link TenantProject}. */
export interface TenantProjectProps {
  /** AppProject name. */
  readonly name: string;
  /** The only namespace the project may deploy to. */
  readonly namespace: string;
  readonly description?: string;
}

/**
 * The Argo CD AppProject that confines a tenant's Applications: sources only from the stack's
 * repository, destination only the tenant namespace, no cluster-scoped kinds at all, and no
 * changes to the guard rails the platform puts in the namespace besides the tenant's own folder.
 */
export class TenantProject extends Construct {
  public readonly projectName: string;

  constructor(scope: Construct, id: string, props: TenantProjectProps) {
    super(scope, id);
    const cluster = Cluster.of(this);
    this.projectName = props.name;
    const project = new AppProject(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: cluster.argoNamespace,
      },
      spec: {
        description: props.description,
        sourceRepos: [cluster.repoUrl],
        destinations: [{ server: cluster.destinationServer, namespace: props.namespace }],
        clusterResourceWhitelist: [],
        namespaceResourceBlacklist: [
          { group: '', kind: 'ResourceQuota' },
          { group: '', kind: 'LimitRange' },
        ],
      },
    });
    Delivery.of(project).folder(ROOT_FOLDER);
  }
}
