/**
 * The reference stack: a GNOME-like community cluster (OpenShift 4 on three hyperconverged
 * bare-metal nodes), synthesized for staging and production from the same code.
 *
 *   npm run synth   ->  dist/<environment>/<argo-cd-application>/*.yaml
 */
import { Cluster, GitOpsApp, InstallPlanApprover, PlatformProps, SyncWave } from '../../lib';
import { environments, Environment } from './environment';
import { addPlatform, waiveRedHatPins } from './platform';
import { addTenants } from './tenants';
import { addGitLab } from './gitlab';
import { addVirtualization } from './vms';
import { addBackups } from './backup';
import { addMonitoring } from './monitoring';
import { addRestoreDrills } from './drills';

/** Git repository Argo CD syncs dist/ from. */
export const REPO_URL = 'https://gitlab.community.example.org/infrastructure/openshift-cluster.git';

/**
 * What the community cluster runs: OpenShift 4.14 (Kubernetes 1.27), upgraded from 4.10 and so
 * still on OpenShift SDN (an upgraded cluster keeps SDN unless migrated; ../shared/CONTEXT.md),
 * with OpenShift GitOps 1.12 (Argo CD 2.10). Objects are validated against the 4.14 schema
 * profile and every operator pin against its catalog. `argoCd` is the release the instance reports
 * (`oc -n openshift-gitops exec deploy/openshift-gitops-server -- argocd version --short`): the
 * newest 1.12 z-stream's (the go.mod of gitops-operator branch v1.12). Early 1.12 z-streams ran
 * 2.10.5, whose RespectIgnoreDifferences drops container changes (lib/gitops/argocd-fixes.ts), so
 * the staging image triggers need at least 2.10.6. Confirm it on the cluster after every GitOps update.
 */
export const PLATFORM: PlatformProps = { openshift: '4.14', networkType: 'OpenShiftSDN', gitops: '1.12', argoCd: '2.10.18' };

/** Builds one environment. */
export function buildEnvironment(env: Environment): Cluster {
  const cluster = new Cluster({ name: 'community', environment: env.name, repoUrl: REPO_URL, targetRevision: env.revision, platform: PLATFORM, imageUpdates: env.imageUpdates });
  const platform = addPlatform(cluster, env);
  const tenants = addTenants(cluster, env, platform);
  void tenants;
  const vms = addVirtualization(cluster, env, tenants);
  addGitLab(cluster, env, platform, vms);
  addRestoreDrills(cluster, env, addBackups(cluster, env));
  waiveRedHatPins(cluster);
  // Operator pins that pin: approves only InstallPlans of the CSVs versions.yaml pins, alerts on
  // drift. Its own app holds no Subscription and syncs before every operator app (the first
  // install of each Manual Subscription waits for it).
  new InstallPlanApprover(new GitOpsApp(cluster, 'OperatorPins', { name: 'operator-pins', syncWave: SyncWave.OPERATOR_PINS }), 'InstallPlanApprover');
  addMonitoring(cluster, env);
  return cluster;
}

/** Entry point of `ocpkit synth`: every environment of the stack. */
export function build(): Cluster[] {
  return environments().map(buildEnvironment);
}
