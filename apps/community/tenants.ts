import * as path from 'path';
import { Cluster, ExternalImage, loadTenantFile, OcpkitError, Quantity, Tenant, Workload } from '../../lib';
import { Environment } from './environment';
import { Platform } from './platform';

const TENANTS_FILE = path.join(__dirname, 'tenants.yaml');

/** Services built by GitLab CI, pushed to quay.io and followed through ImageStreams. */
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
}

const SERVICES: readonly ServiceSpec[] = [
  { tenant: 'discourse', name: 'discourse', image: 'images.discourse', host: 'discourse', replicas: 2, cpu: '1', memory: '2Gi', port: 3000, healthPath: '/srv/status' },
  { tenant: 'wiki', name: 'mediawiki', image: 'images.wiki', host: 'wiki', replicas: 2, cpu: '500m', memory: '1Gi' },
  { tenant: 'pastebin', name: 'pastebin', image: 'images.pastebin', host: 'paste', memory: '256Mi' },
  { tenant: 'static-www', name: 'www', image: 'images.static-www', host: 'www', replicas: 2, memory: '128Mi', healthPath: '/' },
  { tenant: 'extensions', name: 'extensions', image: 'images.extensions', host: 'extensions', replicas: 2, cpu: '1', memory: '2Gi' },
  { tenant: 'planet', name: 'planet', image: 'images.planet', host: 'planet', memory: '256Mi' },
  { tenant: 'status', name: 'status', image: 'images.status', host: 'status', memory: '256Mi', healthPath: '/' },
  { tenant: 'url-shortener', name: 'shlink', image: 'images.url-shortener', host: 'l', memory: '256Mi' },
  { tenant: 'keycloak', name: 'keycloak', image: 'images.keycloak', host: 'id', replicas: 2, cpu: '1', memory: '2Gi', healthPath: '/health/ready' },
];

/** All 46 tenants from tenants.yaml, and the image-tracked services some of them run. */
export function addTenants(cluster: Cluster, env: Environment, platform: Platform): Map<string, Tenant> {
  const tenants = new Map<string, Tenant>();
  for (const props of loadTenantFile(TENANTS_FILE)) {
    tenants.set(props.name, new Tenant(cluster, props.name, props));
  }
  for (const s of SERVICES) {
    const tenant = tenants.get(s.tenant);
    if (!tenant) throw new OcpkitError([{ path: `apps/community/tenants.ts: ${s.name}`, field: 'tenant', message: `"${s.tenant}" is not a tenant of tenants.yaml` }]);
    new Workload(tenant, s.name, {
      name: s.name,
      image: ExternalImage.parse(env.versions.get(s.image)),
      replicas: env.replicas(s.replicas ?? 1),
      cpu: s.cpu ? Quantity.parse(s.cpu) : undefined,
      memory: s.memory ? Quantity.parse(s.memory) : undefined,
      portNumber: s.port,
      healthPath: s.healthPath,
      route: s.host ? { host: `${s.host}.${env.domain}`, issuer: platform.issuer } : undefined,
    });
  }
  return tenants;
}
