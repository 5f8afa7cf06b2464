/**
 * The cluster of this repository, in code. `npm run synth` writes dist/<environment>/..., one
 * folder per Argo CD Application, validated against the schemas of the OpenShift version below.
 *
 * Tenants (OpenShift projects with quota, RBAC and default-deny network policies) come from
 * tenants.yaml; every pinned version (images, charts, operators) from versions.yaml, one value
 * per environment: promoting staging to production is a change to that file alone.
 */
import * as path from 'path';
import { Cluster, ExternalImage, loadTenantFile, Quantity, ReleaseTrain, Tenant, ContainerApp } from 'ocpkit';

/** The environments this repository deploys; each is its own cluster and folder in dist/. */
const ENVIRONMENTS = [
  { name: 'staging', revision: 'main' },
  { name: 'production', revision: 'main' },
];

/** Git repository Argo CD syncs dist/ from (this repository). */
const REPO_URL = '{{REPO_URL}}';

/** Builds one environment. */
export function buildEnvironment(env: { name: string; revision: string }): Cluster {
  const versions = ReleaseTrain.load(path.join(__dirname, 'versions.yaml'), env.name);
  const cluster = new Cluster({
    name: '{{CLUSTER_NAME}}',
    environment: env.name,
    repoUrl: REPO_URL,
    targetRevision: env.revision,
    // What the cluster runs: its OpenShift version, network type and OpenShift GitOps release.
    platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12', argoCd: '2.10.18' },
  });

  const tenants = new Map<string, Tenant>();
  for (const props of loadTenantFile(path.join(__dirname, 'tenants.yaml'))) {
    tenants.set(props.name, new Tenant(cluster, props.name, props));
  }

  // One service, its image pinned in versions.yaml.
  const web = tenants.get('web');
  if (web) {
    new ContainerApp(web, 'Web', {
      name: 'web',
      image: ExternalImage.parse(versions.get('images.web')),
      memory: Quantity.parse('256Mi'),
    });
  }
  return cluster;
}

/** Entry point of `ocpkit synth`: every environment. */
export function build(): Cluster[] {
  return ENVIRONMENTS.map(buildEnvironment);
}
