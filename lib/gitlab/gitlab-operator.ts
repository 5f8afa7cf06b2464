import { Construct } from 'constructs';
import { CatalogSource } from '../olm/catalog-source';
import { Platform } from '../platform/platform';
import { InstallPlanApproval, OperatorInstall, OperatorTargets } from '../olm/operator-install';

/**
 * The oldest GitLab Operator release that declares OpenShift 4.14 (bundle
 * `com.redhat.openshift.versions: v4.10-v4.14`, per the 4.14 profile's operator catalog;
 * 0.26.x stops at 4.13). It deploys the charts 7.7.2, 7.6.4 and 7.5.6 (its CHART_VERSIONS, as
 * the catalog cites), which carry the fix for CVE-2023-7028.
 */
export const DEFAULT_GITLAB_OPERATOR_CSV = 'gitlab-operator-kubernetes.v0.27.1';
/** The Runner Operator release the Runner schema comes from. */
export const DEFAULT_RUNNER_OPERATOR_CSV = 'gitlab-runner-operator.v1.46.0';

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
 */
export class GitLabOperator extends OperatorInstall {
  /**
   * Chart versions this operator release accepts (its `CHART_VERSIONS` file), from the operator
   * catalog of the cluster's platform; undefined when the catalog does not cite them. A GitLab CR
   * asking for another version is rejected by the operator, so ocpkit checks it at synth time.
   */
  public readonly supportedChartVersions?: readonly string[];

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
    this.supportedChartVersions = Platform.of(this)?.catalog.supportedChartVersions('gitlab-operator-kubernetes', startingCsv);
  }
}

/**
 * The GitLab Runner Operator (OLM package `gitlab-runner-operator`), watching its own namespace:
 * Runner CRs go into the same namespace.
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
