/**
 * The generated stack the benchmark synthesizes: N tenants of realistic content, deterministic.
 *
 * Per tenant: a Tenant (namespace, quota, limit range, group RBAC, default-deny network policies,
 * Argo CD AppProject and Application, an ACME Issuer for its host) and one ContainerApp with a pinned
 * image (Deployment, Service, TLS Route). Every tenth tenant also runs a VirtualMachine (KubeVirt VM with a CDI
 * DataVolume template for its root disk and a Service for SSH).
 */
import { AcmeAccount, Cluster, ExternalImage, Quantity, Tenant, ContainerApp } from '../lib';
import { DiskSource, VirtualMachine } from '../lib/virt';

/** Options of {@link buildBenchCluster}. */
export interface BenchStackOptions {
  /** Number of tenants. */
  readonly tenants: number;
  /**
   * Put a VirtualMachine in every tenth tenant (tenants 0, 10, 20 ...).
   * @default true
   */
  readonly vms?: boolean;
  /**
   * Image version of the workloads of the tenants whose index is in this set get a different tag
   * (used to build a second tree differing in a few objects, for the diff benchmark).
   * @default none
   */
  readonly bumped?: ReadonlySet<number>;
  /** @default 'bench' */
  readonly environment?: string;
  /**
   * Image reference (`repo:tag`) of the first tenant's workload, for a member of the fleet
   * benchmark that takes it from its train's pins.
   * @default the generated tag of tenant 0
   */
  readonly firstImage?: string;
}

/** Zero-padded tenant name, `t0000`, `t0001` ... */
export function tenantName(i: number): string {
  return `t${String(i).padStart(4, '0')}`;
}

/** Number of VMs in a stack of n tenants. */
export function vmCount(n: number): number {
  return Math.ceil(n / 10);
}

/**
 * Tenants whose workload image tag is bumped in the second tree of the diff benchmark: every
 * 6th tenant. A bump changes one object (the Deployment: images are pinned, no ImageStream) of
 * about sixteen per tenant, so about 1% of all objects differ.
 */
export function bumpedTenants(n: number): Set<number> {
  const out = new Set<number>();
  for (let i = 3; i < n; i += 6) out.add(i);
  return out;
}

/** Builds the benchmark cluster. */
export function buildBenchCluster(options: BenchStackOptions): Cluster {
  const cluster = new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12', argoCd: '2.10.18' }, name: 'bench', environment: options.environment ?? 'bench', repoUrl: 'https://git.example.org/infra/bench.git' });
  addBenchContent(cluster, options);
  return cluster;
}

/**
 * Adds the benchmark content to a cluster: N tenants (see the module comment), each with its own
 * ACME Issuer for its host. The fleet benchmark builds its members with it.
 */
export function addBenchContent(cluster: Cluster, options: BenchStackOptions): void {
  const vms = options.vms ?? true;
  const acme = AcmeAccount.rfc2136({ email: 'infra-admins@example.org', nameserver: 'ns1.example.org:53' });
  const sizes = ['1', '2', '4', '500m'];
  const mem = ['1Gi', '2Gi', '4Gi', '8Gi'];
  for (let i = 0; i < options.tenants; i++) {
    const name = tenantName(i);
    const withVm = vms && i % 10 === 0;
    const tenant = new Tenant(cluster, name, {
      name,
      displayName: `Tenant ${i}`,
      description: `Generated tenant number ${i} of the benchmark stack`,
      requester: `team-${i % 17}`,
      groups: {
        admin: [`${name}-admins`],
        edit: i % 2 === 0 ? [`${name}-developers`, 'platform-ops'] : undefined,
        view: i % 3 === 0 ? ['auditors'] : undefined,
      },
      quota: {
        cpu: Quantity.parse(withVm ? '8' : sizes[i % sizes.length]),
        memory: Quantity.parse(withVm ? '16Gi' : mem[i % mem.length]),
        storage: Quantity.parse(withVm ? '200Gi' : '20Gi'),
      },
      labels: { 'community.example.org/tier': i % 5 === 0 ? 'core' : 'community' },
      tls: { hostnames: [`${name}.apps.example.org`], acme },
    });
    const tag = options.bumped?.has(i) ? `1.${i % 7}.1` : `1.${i % 7}.0`;
    new ContainerApp(tenant, 'App', {
      name: 'web',
      image: i === 0 && options.firstImage ? ExternalImage.parse(options.firstImage) : ExternalImage.tag(`quay.io/community/${name}-web`, tag),
      replicas: 1 + (i % 3),
      cpu: Quantity.parse('100m'),
      memory: Quantity.parse('256Mi'),
      env: { LOG_LEVEL: 'info', TENANT: name },
      healthPath: '/healthz',
      route: { host: `${name}.apps.example.org` },
    });
    if (withVm) {
      new VirtualMachine(tenant, 'Vm', {
        name: `${name}-vm`,
        cpu: 2,
        memory: '4Gi',
        rootDisk: { source: DiskSource.registryImage('quay.io/containerdisks/fedora:39'), size: '30Gi' },
        ports: [{ name: 'ssh', port: 22 }],
      });
    }
  }
}


