/**
 * The reference stack: a GNOME-like community cluster (OpenShift 4 on three hyperconverged
 * bare-metal nodes), synthesized for staging and production from the same code.
 *
 *   npm run synth   ->  dist/<environment>/<argo-cd-application>/*.yaml
 */
import { Cluster } from '../../lib';
import { environments, Environment } from './environment';
import { addPlatform } from './platform';
import { addTenants } from './tenants';
import { addGitLab } from './gitlab';
import { addVirtualization } from './vms';
import { addBackups } from './backup';

/** Git repository Argo CD syncs dist/ from. */
export const REPO_URL = 'https://gitlab.community.example.org/infrastructure/openshift-cluster.git';

/** Builds one environment. */
export function buildEnvironment(env: Environment): Cluster {
  const cluster = new Cluster({ name: 'community', environment: env.name, repoUrl: REPO_URL });
  const platform = addPlatform(cluster, env);
  const tenants = addTenants(cluster, env, platform);
  void tenants;
  addVirtualization(cluster, env, tenants);
  addGitLab(cluster, env, platform);
  addBackups(cluster, env);
  return cluster;
}

/** Entry point of `ocpkit synth`: every environment of the stack. */
export function build(): Cluster[] {
  return environments().map(buildEnvironment);
}
