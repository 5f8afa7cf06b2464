/**
 * Property-based tests (fast-check, fixed seed): random valid tenant, network and VM
 * specifications always synthesize with every object valid against the schemas and the policies;
 * random invalid ones always give an OcpkitError, never a crash.
 */
import * as fc from 'fast-check';
import * as yaml from 'js-yaml';
import { OcpkitError } from '../../lib/core/errors';
import { Quantity } from '../../lib/core/quantity';
import { DataFile } from '../../lib/data/data-file';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { BondMode, BridgeNetwork, HostBridge, Ipam } from '../../lib/network';
import { synthesize } from '../../lib/pipeline-defaults';
import { readTenants, Tenant } from '../../lib/tenancy';
import { DiskSource, VirtualMachine } from '../../lib/virt';
import { testCluster, validator } from '../_helpers';

fc.configureGlobal({ seed: 42, numRuns: 80 });

const synthOf = (c: ReturnType<typeof testCluster>) => synthesize(c, { validator: validator(), references: false });

/** Runs `fn`; passes when it succeeds or throws an OcpkitError, fails on anything else. */
function cleanOutcome(fn: () => unknown): 'ok' | 'refused' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof OcpkitError) return 'refused';
    throw new Error(`crashed with ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  }
}

// ---- valid tenant specifications, as tenants.yaml entries -------------------------------------------

const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
const dnsLabel = fc
  .tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split('')), fc.array(fc.oneof(alnum, fc.constant('-')), { maxLength: 20 }), alnum)
  .map(([a, mid, z]) => `${a}${mid.join('')}${z}`)
  .filter((n) => !/^(openshift|kube-|default)/.test(n) && !['root', 'tenancy'].includes(n));
const groupName = fc.tuple(fc.constantFrom('a', 'B', 'ops', 'x9'), fc.stringMatching(/^[-A-Za-z0-9_.@]{0,12}$/)).map(([a, b]) => `${a}${b}`);
const cpu = fc.oneof(fc.integer({ min: 1, max: 64 }).map(String), fc.integer({ min: 100, max: 64000 }).map((m) => `${m}m`));
const memory = fc.oneof(fc.integer({ min: 1, max: 512 }).map((g) => `${g}Gi`), fc.integer({ min: 512, max: 65536 }).map((m) => `${m}Mi`));
const storage = fc.oneof(fc.integer({ min: 0, max: 10000 }).map((g) => `${g}Gi`), fc.integer({ min: 1, max: 50 }).map((t) => `${t}Ti`));
const labelValue = fc.stringMatching(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?)?$/);

const tenantEntry = (name: string) =>
  fc.record(
    {
      name: fc.constant(name),
      displayName: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0),
      description: fc.string({ maxLength: 60 }),
      requester: fc.stringMatching(/^[a-z][-a-z0-9]{0,15}$/),
      groups: fc.record({
        admin: fc.uniqueArray(groupName, { minLength: 1, maxLength: 3 }),
        edit: fc.uniqueArray(groupName, { maxLength: 3 }),
        view: fc.uniqueArray(groupName, { maxLength: 3 }),
      }, { requiredKeys: ['admin'] }),
      quota: fc.record({
        cpu, memory, storage,
        pods: fc.integer({ min: 1, max: 10000 }),
        persistentVolumeClaims: fc.integer({ min: 0, max: 10000 }),
      }, { requiredKeys: ['cpu', 'memory', 'storage'] }),
      podSecurity: fc.constantFrom('restricted', 'baseline', 'privileged'),
      network: fc.record({ allowSameNamespace: fc.boolean(), allowIngressRouters: fc.boolean(), allowMonitoring: fc.boolean() }, { requiredKeys: [] }),
      labels: fc.dictionary(fc.stringMatching(/^([a-z]{1,8}\.example\.org\/)?[a-z][-a-z0-9]{0,10}[a-z0-9]$/), labelValue, { maxKeys: 3 }),
    },
    { requiredKeys: ['name', 'displayName', 'groups', 'quota'] },
  );

const tenantsFile = fc
  .uniqueArray(dnsLabel, { minLength: 1, maxLength: 4 })
  .chain((names) => fc.tuple(...names.map(tenantEntry)))
  .map((tenants) => ({ tenants }));

describe('random valid tenant files', () => {
  test('always load, synthesize, validate against the schemas and pass every policy', () => {
    fc.assert(fc.property(tenantsFile, (file) => {
      const text = yaml.dump(file);
      const props = readTenants(DataFile.parse('tenants.yaml', text));
      expect(props.map((p) => p.name)).toEqual(file.tenants.map((t) => t.name));
      const cluster = testCluster();
      for (const p of props) new Tenant(cluster, p.name, p);
      const result = synthOf(cluster);
      for (const t of file.tenants) {
        const ns = result.objects.find((o) => o.manifest.kind === 'Namespace' && o.manifest.metadata.name === t.name)!.manifest;
        expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe(t.podSecurity ?? 'restricted');
        expect(result.objects.some((o) => o.manifest.kind === 'NetworkPolicy' && o.manifest.metadata.namespace === t.name && o.manifest.metadata.name === 'deny-by-default')).toBe(true);
        const quota = result.objects.find((o) => o.manifest.kind === 'ResourceQuota' && o.manifest.metadata.namespace === t.name)!.manifest;
        expect(quota.spec.hard['requests.cpu']).toBe(t.quota.cpu);
      }
    }));
  });
});

// ---- invalid tenant files: one targeted corruption of a valid file -------------------------------------

type Corruption = [string, (entry: any) => void];
const corruptions: fc.Arbitrary<Corruption> = fc.oneof(
  fc.constantFrom<Corruption>(
    ['name upper case', (e) => { e.name = e.name.toUpperCase() + 'X'; }],
    ['name reserved', (e) => { e.name = `openshift-${e.name}`; }],
    ['name too long', (e) => { e.name = 'a'.repeat(64); }],
    ['no admin', (e) => { e.groups.admin = []; }],
    ['groups missing', (e) => { delete e.groups; }],
    ['quota missing', (e) => { delete e.quota; }],
    ['memory in GB', (e) => { e.quota.memory = '8GB'; }],
    ['negative storage', (e) => { e.quota.storage = '-1Gi'; }],
    ['pods zero', (e) => { e.quota.pods = 0; }],
    ['pods fractional', (e) => { e.quota.pods = 1.5; }],
    ['unknown field', (e) => { e.podsecurity = 'baseline'; }],
    ['unknown quota field', (e) => { e.quota.gpu = 1; }],
    ['bad pod security', (e) => { e.podSecurity = 'open'; }],
    ['network flag string', (e) => { e.network = { allowMonitoring: 'yes' }; }],
    ['bad label key', (e) => { e.labels = { 'has space': 'x' }; }],
    ['reserved label', (e) => { e.labels = { 'ocpkit.io/tenant': 'other' }; }],
    ['zero cpu', (e) => { e.quota.cpu = '0'; }],
    ['tiny cpu below the default request', (e) => { e.quota.cpu = '10m'; }],
    ['entry not a mapping', (e) => { for (const k of Object.keys(e)) delete e[k]; e.__scalar = true; }],
  ),
  // Any value at all in place of one field.
  fc.tuple(fc.constantFrom('name', 'displayName', 'groups', 'quota', 'podSecurity', 'network', 'labels'), fc.anything({ withNullPrototype: false }))
    .filter(([, v]) => v !== undefined && typeof v !== 'string' && !(typeof v === 'object' && v !== null && !Array.isArray(v)))
    .map(([field, v]): Corruption => [`${field} := ${JSON.stringify(v)}`, (e) => { e[field] = v; }]),
);

describe('random invalid tenant files', () => {
  test('are always refused with an OcpkitError naming the entry, never a crash', () => {
    fc.assert(fc.property(tenantsFile, fc.nat(), corruptions, (file, pick, [, corrupt]) => {
      const i = pick % file.tenants.length;
      const entry: any = structuredClone(file.tenants[i]);
      corrupt(entry);
      const tenants: unknown[] = file.tenants.map((t, j) => (j === i ? (entry.__scalar ? 'just-a-name' : entry) : t));
      let error: unknown;
      try {
        const props = readTenants(DataFile.parse('tenants.yaml', yaml.dump({ tenants })));
        const cluster = testCluster();
        for (const p of props) new Tenant(cluster, p.name, p);
        synthOf(cluster);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OcpkitError);
      // The problem names the corrupted entry: its data-file location, or the Tenant built from it.
      const names = (p: { path: string }) => p.path.startsWith(`tenants.yaml: tenants[${i}]`) || p.path.split('/')[0] === entry.name;
      expect((error as OcpkitError).problems.some(names)).toBe(true);
    }));
  });

  test('random values in Tenant props directly give OcpkitError or pass, never crash', () => {
    const props = fc.record({
      name: fc.oneof(dnsLabel, fc.anything()),
      displayName: fc.oneof(fc.constant('Forum'), fc.anything()),
      groups: fc.oneof(fc.constant({ admin: ['a'] }), fc.anything(), fc.record({ admin: fc.anything() })),
      quota: fc.oneof(
        fc.constant({ cpu: Quantity.parse('1'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi') }),
        fc.anything(),
        fc.record({ cpu: fc.anything(), memory: fc.anything(), storage: fc.anything(), pods: fc.anything() }),
      ),
      podSecurity: fc.oneof(fc.constant(undefined), fc.anything()),
      labels: fc.oneof(fc.constant(undefined), fc.anything()),
      network: fc.oneof(fc.constant(undefined), fc.anything()),
    }, { requiredKeys: [] });
    fc.assert(fc.property(props, (p) => {
      cleanOutcome(() => {
        const cluster = testCluster();
        new Tenant(cluster, 'T', p as any);
        synthOf(cluster);
      });
    }), { numRuns: 150 });
  });
});

// ---- networks and VMs --------------------------------------------------------------------------------------

const octet = fc.integer({ min: 0, max: 255 });
const mac = fc.tuple(fc.integer({ min: 0, max: 63 }).map((n) => (n << 2) | 2), octet, octet, octet, octet, octet)
  .map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':'));
const cidr = fc.tuple(fc.integer({ min: 1, max: 223 }), octet, fc.integer({ min: 8, max: 28 }))
  .map(([a, b, prefix]) => {
    const addr = ((a << 24) | (b << 16)) >>> 0;
    const masked = prefix === 0 ? 0 : (addr & (~0 << (32 - prefix))) >>> 0;
    return `${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${prefix}`;
  });

const networkSpec = fc.record({
  name: dnsLabel,
  mtu: fc.option(fc.integer({ min: 576, max: 9000 }), { nil: undefined }),
  vlan: fc.option(fc.integer({ min: 1, max: 4094 }), { nil: undefined }),
  macSpoofCheck: fc.option(fc.boolean(), { nil: undefined }),
  range: fc.option(cidr, { nil: undefined }),
});
const vmSpec = fc.record({
  name: dnsLabel,
  cpu: fc.integer({ min: 1, max: 16 }),
  memoryGi: fc.integer({ min: 1, max: 64 }),
  diskGi: fc.integer({ min: 10, max: 500 }),
  macs: fc.uniqueArray(mac, { minLength: 0, maxLength: 2 }),
});

function networkStack() {
  const cluster = testCluster();
  const net = new GitOpsApp(cluster, 'Network', { name: 'network' });
  const bridge = new HostBridge(net, 'Internal', { bridgeName: 'br0-internal', mtu: 9000, bond: { name: 'bond0', ports: ['ens1f0', 'ens1f1'], mode: BondMode.LACP }, nodeSelector: { 'node-role.kubernetes.io/worker': '' } });
  const vms = new GitOpsApp(cluster, 'Vms', { name: 'vms', namespace: 'infra-vms' });
  return { cluster, bridge, vms };
}

describe('random valid networks and VMs', () => {
  test('always synthesize and validate', () => {
    fc.assert(fc.property(
      fc.uniqueArray(networkSpec, { minLength: 1, maxLength: 2, selector: (n) => n.name }),
      fc.uniqueArray(vmSpec, { minLength: 1, maxLength: 3, selector: (v) => v.name }),
      (nets, vmList) => {
        const macs = vmList.flatMap((v) => v.macs);
        fc.pre(new Set(macs).size === macs.length);
        const { cluster, bridge, vms } = networkStack();
        const networks = nets.map((n, i) => new BridgeNetwork(vms, `Net${i}`, {
          name: n.name, hostBridge: bridge, mtu: n.mtu, vlan: n.vlan, macSpoofCheck: n.macSpoofCheck,
          ipam: n.range ? Ipam.whereabouts({ range: n.range }) : undefined,
        }));
        vmList.forEach((v, i) => new VirtualMachine(vms, `Vm${i}`, {
          name: v.name, cpu: v.cpu, memory: `${v.memoryGi}Gi`,
          rootDisk: { source: DiskSource.pvcClone({ namespace: 'golden-images', name: 'rhel-9' }), size: `${v.diskGi}Gi` },
          networks: v.macs.map((m, j) => ({ network: networks[j % networks.length], macAddress: m })),
        }));
        const result = synthOf(cluster);
        expect(result.objects.filter((o) => o.manifest.kind === 'VirtualMachine')).toHaveLength(vmList.length);
        expect(result.objects.filter((o) => o.manifest.kind === 'NetworkAttachmentDefinition')).toHaveLength(nets.length);
      },
    ), { numRuns: 40 });
  });
});

describe('random invalid networks and VMs', () => {
  const badMac = fc.oneof(
    fc.string({ maxLength: 20 }),
    mac.map((m) => m.replace(/:/g, '-')),
    mac.map((m) => `01${m.slice(2)}`),
    mac.map((m) => m.slice(0, 14)),
  );
  const badNumber = fc.oneof(fc.integer({ min: -100000, max: 0 }), fc.integer({ min: 100000, max: 2 ** 31 }), fc.double({ noInteger: true }), fc.constant(Number.NaN));
  const badCidr = fc.oneof(fc.string({ maxLength: 20 }), cidr.map((c) => c.replace(/\/\d+$/, '/33')), cidr.map((c) => c.split('/')[0]));

  test('are always refused with an OcpkitError, never a crash', () => {
    const corruption = fc.oneof(
      fc.record({ kind: fc.constant('mac' as const), value: badMac }),
      fc.record({ kind: fc.constant('vlan' as const), value: badNumber }),
      fc.record({ kind: fc.constant('mtu' as const), value: badNumber }),
      fc.record({ kind: fc.constant('cpu' as const), value: badNumber }),
      fc.record({ kind: fc.constant('range' as const), value: badCidr }),
      fc.record({ kind: fc.constant('memory' as const), value: fc.oneof(fc.constant('4GB'), fc.constant('-1Gi'), fc.string({ maxLength: 6 }).filter((s) => !/^\d+(\.\d+)?([KMGTPE]i?|[mkMGTPE])?$/.test(s))) }),
      fc.record({ kind: fc.constant('name' as const), value: fc.oneof(fc.constant('Relay'), fc.constant('a'.repeat(64)), fc.constant('-x'), fc.anything()) }),
    );
    fc.assert(fc.property(networkSpec, vmSpec, mac, corruption, (n, v, m, bad) => {
      let error: unknown;
      try {
        const { cluster, bridge, vms } = networkStack();
        const network = new BridgeNetwork(vms, 'Net', {
          name: n.name, hostBridge: bridge,
          mtu: bad.kind === 'mtu' ? (bad.value as number) : n.mtu,
          vlan: bad.kind === 'vlan' ? (bad.value as number) : n.vlan,
          ipam: bad.kind === 'range' ? Ipam.whereabouts({ range: bad.value as string }) : undefined,
        });
        new VirtualMachine(vms, 'Vm', {
          name: bad.kind === 'name' ? (bad.value as string) : v.name,
          cpu: bad.kind === 'cpu' ? (bad.value as number) : v.cpu,
          memory: bad.kind === 'memory' ? (bad.value as string) : `${v.memoryGi}Gi`,
          rootDisk: { source: DiskSource.pvcClone({ namespace: 'golden-images', name: 'rhel-9' }), size: `${v.diskGi}Gi` },
          networks: [{ network, macAddress: bad.kind === 'mac' ? (bad.value as string) : m }],
        });
        synthOf(cluster);
      } catch (e) {
        error = e;
      }
      if (!(error instanceof OcpkitError)) {
        throw new Error(`${bad.kind} = ${JSON.stringify(bad.value)} was not refused cleanly: ${error === undefined ? 'accepted' : `${(error as Error).constructor.name}: ${(error as Error).message}`}`);
      }
      expect((error as OcpkitError).problems.some((p) => /Vms\/(Net|Vm)/.test(p.path))).toBe(true);
    }), { numRuns: 120 });
  });
});
