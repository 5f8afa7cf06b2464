import { Construct } from 'constructs';
import { AppProject } from '../../imports/argocd-appproject-argoproj.io';
import { Cluster } from '../gitops/cluster';
import { Delivery } from '../gitops/delivery';
import type { TenantGroups } from './group-access';
import { ROOT_FOLDER } from '../gitops/root-app';

/** Properties of {@link TenantProject}. */
export interface TenantProjectProps {
  /** AppProject name. */
  readonly name: string;
  /** The only namespace the project may deploy to. */
  readonly namespace: string;
  readonly description?: string;
  /**
   * The tenant's groups: `admin` and `edit` groups may see and sync the tenant's Application in
   * Argo CD, `view` groups may see it; nothing else in Argo CD.
   * @default no Argo CD access for the tenant's groups
   */
  readonly groups?: TenantGroups;
}

/**
 * The Argo CD AppProject that confines a tenant's Applications: sources only from the stack's
 * repository, destination only the tenant namespace, no cluster-scoped kinds at all, and no
 * changes to the guard rails the platform puts in the namespace besides the tenant's own folder.
 *
 * Emits: into the app-of-apps folder (`dist/<environment>/root/`), whatever app it is in, an
 * `argoproj.io/v1alpha1` AppProject `name` in the cluster's Argo CD namespace (with the
 * resources finalizer), and Argo CD project roles `members` and `viewers` for the tenant's groups.
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
        // deleted only once no Application uses it, so offboarding a tenant cannot strand its
        // Application's cascade finalizer (field review m1; argo-cd v2.10.6 docs/operator-manual/project.yaml)
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
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
        roles: projectRoles(props.name, props.groups),
      },
    });
    Delivery.of(project).folder(ROOT_FOLDER);
  }
}

/**
 * Argo CD project roles for the tenant's OpenShift groups (field review m9: OpenShift GitOps'
 * default RBAC gives only cluster-admins any access). The default instance logs users in through
 * Dex's OpenShift connector with `scopes: [groups]`, so OpenShift group names match `groups`
 * (argocd-operator 897025209e7d controllers/argocd/dex.go). Policy lines follow Argo CD v2.10's
 * project role grammar (`p, proj:<project>:<role>, applications, <action>, <project>/*, allow`;
 * argo-cd v2.10.18 pkg/apis/application/v1alpha1/app_project_types.go validatePolicy).
 */
function projectRoles(project: string, groups: TenantGroups | undefined) {
  const roles = [];
  const members = [...(groups?.admin ?? []), ...(groups?.edit ?? [])];
  if (members.length) {
    roles.push({
      name: 'members',
      description: 'see and sync the tenant\'s Applications',
      policies: ['get', 'sync'].map((a) => `p, proj:${project}:members, applications, ${a}, ${project}/*, allow`),
      groups: [...new Set(members)].sort(),
    });
  }
  if (groups?.view?.length) {
    roles.push({
      name: 'viewers',
      description: 'see the tenant\'s Applications',
      policies: [`p, proj:${project}:viewers, applications, get, ${project}/*, allow`],
      groups: [...new Set(groups.view)].sort(),
    });
  }
  return roles.length ? roles : undefined;
}
