import * as path from 'path';
import { Cluster, ExternalImage, ImageUpdates, loadTenantFile, OcpkitError, Quantity, Tenant, ContainerApp } from '../../lib';
import { Environment } from './environment';
import { Platform } from './platform';

const TENANTS_FILE = path.join(__dirname, 'tenants.yaml');

/** Services built by GitLab CI and pushed to quay.io; their versions come from versions.yaml. */
interface ServiceSpec {
  readonly tenant: string;
  readonly name: string;
  /** Key in versions.yaml. */
  readonly image: string;
  /** Sub-domain of the environment domain; no Route when absent. */
  readonly host?: string;
  readonly replicas?: number;
  readonly cpu?: string;
  readonly memory?: string;
  readonly port?: number;
  readonly healthPath?: string;
  /**
   * A tag our own CI moves on every merge to main, which this service follows (ImageStream and
   * trigger) in environments that allow moving tags (staging); elsewhere the versions.yaml pin runs.
   */
  readonly follows?: { readonly tag: string; readonly reason: string };
}

/*
 * Which services follow a tag in staging: the two whose code the community writes and ships
 * continuously (the website, and the planet feed aggregator's theme and feed list), so contributors
 * see a merge on stg within the import interval. Packaged upstream software (Discourse, MediaWiki,
 * Keycloak, ...) is pinned everywhere: its updates are reviewed version bumps in versions.yaml.
 */
const MAIN_BRANCH = 'built by GitLab CI on every merge to main; staging previews merges before a release is pinned in versions.yaml';

const SERVICES: readonly ServiceSpec[] = [
  { tenant: 'discourse', name: 'discourse', image: 'images.discourse', host: 'discourse', replicas: 2, cpu: '1', memory: '2Gi', port: 3000, healthPath: '/srv/status' },
  { tenant: 'wiki', name: 'mediawiki', image: 'images.wiki', host: 'wiki', replicas: 2, cpu: '500m', memory: '1Gi' },
  { tenant: 'pastebin', name: 'pastebin', image: 'images.pastebin', host: 'paste', memory: '256Mi' },
  { tenant: 'static-www', name: 'www', image: 'images.static-www', host: 'www', replicas: 2, memory: '128Mi', healthPath: '/', follows: { tag: 'main', reason: MAIN_BRANCH } },
  { tenant: 'extensions', name: 'extensions', image: 'images.extensions', host: 'extensions', replicas: 2, cpu: '1', memory: '2Gi' },
  { tenant: 'planet', name: 'planet', image: 'images.planet', host: 'planet', memory: '256Mi', follows: { tag: 'main', reason: MAIN_BRANCH } },
  { tenant: 'status', name: 'status', image: 'images.status', host: 'status', memory: '256Mi', healthPath: '/' },
  { tenant: 'url-shortener', name: 'shlink', image: 'images.url-shortener', host: 'l', memory: '256Mi' },
  { tenant: 'keycloak', name: 'keycloak', image: 'images.keycloak', host: 'id', replicas: 2, cpu: '1', memory: '2Gi', healthPath: '/health/ready' },
];

/**
 * All 46 tenants from tenants.yaml, and the services some of them run. A tenant with public
 * services gets certificates for exactly their host names (its `tls` prop: its own Issuer and
 * DNS key), and nothing else.
 */
export function addTenants(cluster: Cluster, env: Environment, platform: Platform): Map<string, Tenant> {
  const tenants = new Map<string, Tenant>();
  const hostnames = new Map<string, string[]>();
  for (const s of SERVICES) if (s.host) hostnames.set(s.tenant, [...(hostnames.get(s.tenant) ?? []), `${s.host}.${env.domain}`]);
  for (const props of loadTenantFile(TENANTS_FILE)) {
    const names = hostnames.get(props.name);
    tenants.set(props.name, new Tenant(cluster, props.name, { ...props, tls: names && platform.acme ? { hostnames: names, acme: platform.acme } : undefined }));
  }
  for (const s of SERVICES) {
    const tenant = tenants.get(s.tenant);
    if (!tenant) throw new OcpkitError([{ path: `apps/community/tenants.ts: ${s.name}`, field: 'tenant', message: `"${s.tenant}" is not a tenant of tenants.yaml` }]);
    const pinned = ExternalImage.parse(env.versions.get(s.image));
    // The cluster (from the environment) decides whether moving tags are allowed at all.
    const follow = s.follows && cluster.imageUpdates === 'follow-tags' ? s.follows : undefined;
    new ContainerApp(tenant, s.name, {
      name: s.name,
      image: follow ? ExternalImage.tag(pinned.repository, follow.tag) : pinned,
      updates: follow ? ImageUpdates.followTag(follow.reason) : ImageUpdates.pinned(),
      replicas: env.replicas(s.replicas ?? 1),
      cpu: s.cpu ? Quantity.parse(s.cpu) : undefined,
      memory: s.memory ? Quantity.parse(s.memory) : undefined,
      portNumber: s.port,
      healthPath: s.healthPath,
      route: s.host ? { host: `${s.host}.${env.domain}` } : undefined,
    });
  }
  return tenants;
}
