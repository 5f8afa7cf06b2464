import { Construct } from 'constructs';
import { CatalogSource } from '../olm/catalog-source';
import { ChartRelease } from '../platform/operator-catalog';
import { Platform } from '../platform/platform';
import { InstallPlanApproval, OperatorInstall, OperatorTargets } from '../olm/operator-install';

/**
 * The newest GitLab Operator release of the last GitLab 18 line in the 4.14 operator catalog:
 * bundle `com.redhat.openshift.versions: v4.12-v4.21` (olm.maxOpenShiftVersion 4.21, so it does
 * not hold the cluster at 4.14), whose example CR deploys chart 9.11.4 = GitLab 18.11.4 (the
 * catalog's chart_to_gitlab: chart 9.x.y = GitLab 18.x.y). GitLab 18 runs on PostgreSQL 16,
 * which the pinned Crunchy PGO 5.8.7 ships. The 10.x charts (GitLab 19) have no cited GitLab
 * mapping in the catalog yet.
 */
export const DEFAULT_GITLAB_OPERATOR_CSV = 'gitlab-operator-kubernetes.v2.11.3';
/**
 * The Runner Operator release that ships GitLab Runner 18.11.3 (its CSV description, as the 4.14
 * catalog records it), the same major.minor as the default GitLab server.
 */
export const DEFAULT_RUNNER_OPERATOR_CSV = 'gitlab-runner-operator.v1.48.3';

/** Options of {@link GitLabOperator} and {@link GitLabRunnerOperator}. */
export interface GitLabOperatorProps {
  /** @default 'gitlab-system' (GitLabOperator), 'gitlab-runner-system' (GitLabRunnerOperator) */
  readonly namespace?: string;
  /** @default DEFAULT_GITLAB_OPERATOR_CSV / DEFAULT_RUNNER_OPERATOR_CSV */
  readonly startingCsv?: string;
  /** @default 'stable' */
  readonly channel?: string;
  /** @default CatalogSource.CERTIFIED_OPERATORS */
  readonly catalog?: CatalogSource;
  /** @default InstallPlanApproval.MANUAL */
  readonly approval?: InstallPlanApproval;
}

/**
 * The GitLab Operator (OLM package `gitlab-operator-kubernetes`), watching its own namespace:
 * GitLab CRs go into the same namespace.
 *
 * Emits: what an {@link OperatorInstall} emits, for the package `gitlab-operator-kubernetes` of
 * the certified catalog: the Namespace (`gitlab-system` by default), its OperatorGroup and the
 * Subscription `gitlab-operator-kubernetes`, into the folder of the app it is in.
 */
export class GitLabOperator extends OperatorInstall {
  /**
   * Chart versions this operator release accepts (its `CHART_VERSIONS` file), from the operator
   * catalog of the cluster's platform; undefined when the catalog does not cite them. A GitLab CR
   * asking for another version is rejected by the operator, so ocpkit checks it at synth time.
   */
  public readonly supportedChartVersions?: readonly string[];
  /**
   * The same chart versions with the GitLab release each carries, where the catalog states it as
   * fact (the GitLab release of a chart is otherwise declared on the GitLab construct).
   */
  public readonly chartReleases?: readonly ChartRelease[];

  constructor(scope: Construct, id: string, props: GitLabOperatorProps = {}) {
    const startingCsv = props.startingCsv ?? DEFAULT_GITLAB_OPERATOR_CSV;
    super(scope, id, {
      packageName: 'gitlab-operator-kubernetes',
      namespace: props.namespace ?? 'gitlab-system',
      channel: props.channel ?? 'stable',
      startingCsv,
      catalog: props.catalog ?? CatalogSource.CERTIFIED_OPERATORS,
      approval: props.approval,
      targets: OperatorTargets.ownNamespace(),
    });
    const catalog = Platform.of(this)?.catalog;
    this.supportedChartVersions = catalog?.supportedChartVersions('gitlab-operator-kubernetes', startingCsv);
    this.chartReleases = catalog?.chartReleases('gitlab-operator-kubernetes', startingCsv);
  }
}

/**
 * The GitLab Runner Operator (OLM package `gitlab-runner-operator`), watching its own namespace:
 * Runner CRs go into the same namespace.
 *
 * Emits: what an {@link OperatorInstall} emits, for the package `gitlab-runner-operator`: the
 * Namespace (`gitlab-runner-system` by default), its OperatorGroup and the Subscription
 * `gitlab-runner-operator`, into the folder of the app it is in.
 */
export class GitLabRunnerOperator extends OperatorInstall {
  constructor(scope: Construct, id: string, props: GitLabOperatorProps = {}) {
    super(scope, id, {
      packageName: 'gitlab-runner-operator',
      namespace: props.namespace ?? 'gitlab-runner-system',
      channel: props.channel ?? 'stable',
      startingCsv: props.startingCsv ?? DEFAULT_RUNNER_OPERATOR_CSV,
      catalog: props.catalog ?? CatalogSource.CERTIFIED_OPERATORS,
      approval: props.approval,
      targets: OperatorTargets.ownNamespace(),
    });
  }
}
