/**
 * A fleet of four sites on two release trains, delivered by a hub Argo CD (issue 13).
 *
 *   ocpkit synth apps/fleet/main.ts --out <dir>
 *     <dir>/hub/          the hub: one ApplicationSet per train (fleet/), its own root
 *     <dir>/<site>/       one folder per site, built with the pins of its train
 *
 * The hub's ApplicationSets make one Application `<site>-bootstrap` per site, syncing
 * `dist/<site>/bootstrap` at its train's branch to the site's API server; from there the site's
 * own Argo CD syncs the rest of its folder at the same branch.
 */
import * as path from 'path';
import { AcmeAccount, Cluster, ExternalImage, Fleet, FleetMember, Quantity, ReleaseTrain, Tenant, ContainerApp } from '../../lib';

/** Git repository of the whole tree (hub and sites). */
export const REPO_URL = 'https://gitlab.example.org/infra/fleet.git';

/** Builds one site: two tenants running the images pinned by its train. */
export function buildSite(cluster: Cluster, member: FleetMember, train: ReleaseTrain): void {
  const site = member.name;
  const domain = `apps.${site}.example.org`;
  // every tenant gets its own ACME Issuer, limited to its host names (lib/certs/acme-issuer.ts)
  const acme = AcmeAccount.rfc2136({ email: `infra@example.org`, nameserver: `ns1.${site}.example.org:53` });
  const web = new Tenant(cluster, 'Web', {
    name: 'web',
    displayName: `Public web site (${member.labels.region ?? 'no region'})`,
    groups: { admin: ['web-admins'], edit: ['web-developers'] },
    quota: { cpu: Quantity.parse('4'), memory: Quantity.parse('8Gi'), storage: Quantity.parse('20Gi') },
    tls: { hostnames: [`www.${domain}`], acme },
  });
  new ContainerApp(web, 'Frontend', {
    name: 'frontend',
    image: ExternalImage.parse(train.get('images.web')),
    replicas: member.labels.tier === 'production' ? 3 : 1,
    memory: Quantity.parse('512Mi'),
    route: { host: `www.${domain}` },
  });
  const api = new Tenant(cluster, 'Api', {
    name: 'api',
    displayName: 'Public API',
    groups: { admin: ['api-admins'] },
    quota: { cpu: Quantity.parse('8'), memory: Quantity.parse('16Gi'), storage: Quantity.parse('50Gi') },
    tls: { hostnames: [`api.${domain}`], acme },
  });
  new ContainerApp(api, 'Server', {
    name: 'server',
    image: ExternalImage.parse(train.get('images.api')),
    memory: Quantity.parse('1Gi'),
    route: { host: `api.${domain}` },
  });
}

/** Entry point of `ocpkit synth`: the hub and every site. */
export function build(): Cluster[] {
  return Fleet.load(path.join(__dirname, 'fleet.yaml'), {
    repoUrl: REPO_URL,
    platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12', argoCd: '2.10.18' },
    versions: path.join(__dirname, 'versions.yaml'),
    member: buildSite,
  }).clusters();
}
