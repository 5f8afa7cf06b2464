import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { OcpkitError, Problems } from '../../lib/core/errors';
import { GuestAddress, GuestInterface, GuestNetwork, NON_OWNER_ROUTE_METRIC } from '../../lib/virt';

function problems(ifaces: readonly GuestInterface[]): string[] {
  const p = new Problems('vm');
  GuestNetwork.check(p, 'networks', ifaces);
  return p.all.map((x) => `${x.field}: ${x.message}`);
}

const POD: GuestInterface = { name: 'default', mac: '02:00:00:aa:bb:01', address: GuestAddress.dhcp({ defaultRoute: false, routes: [{ to: '10.128.0.0/14', via: '10.0.2.1' }, { to: '172.30.0.0/16', via: '10.0.2.1' }], dns: ['172.30.0.10'], search: ['svc.cluster.local'] }) };
const PUBLIC: GuestInterface = {
  name: 'public', mac: '02:00:00:AA:BB:02',
  address: GuestAddress.fixed('192.0.2.10/24', { gateway: '192.0.2.1', dns: ['192.0.2.53'], search: ['example.org'], routes: [{ to: '10.0.0.0/8', via: '192.0.2.254' }] }),
};
const INTERNAL: GuestInterface = { name: 'internal', mac: '02:00:00:aa:bb:03', address: GuestAddress.fixed('10.1.0.10/16') };

/** Runs a Debian tool the tests need (.ci/run installs them). */
function tool(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd} is needed for this test (.ci/run installs it: apt-get install cloud-init netplan.io)`);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-guestnet-'));
}

describe('GuestNetwork', () => {
  test('renders netplan v2 matched by MAC, one default route, a non-owning DHCP pod NIC', () => {
    const text = GuestNetwork.render([POD, PUBLIC, INTERNAL], 'Stack/Vms/Bastion');
    expect(yaml.load(text)).toEqual({
      version: 2,
      ethernets: {
        pod: {
          'match': { macaddress: '02:00:00:aa:bb:01' }, 'set-name': 'pod', 'dhcp4': true, 'dhcp4-overrides': { 'use-routes': false, 'route-metric': NON_OWNER_ROUTE_METRIC },
          'routes': [{ to: '10.128.0.0/14', via: '10.0.2.1' }, { to: '172.30.0.0/16', via: '10.0.2.1' }],
          'nameservers': { addresses: ['172.30.0.10'], search: ['svc.cluster.local'] },
        },
        public: {
          'match': { macaddress: '02:00:00:aa:bb:02' }, 'set-name': 'public', 'dhcp4': false, 'addresses': ['192.0.2.10/24'],
          'routes': [{ to: '0.0.0.0/0', via: '192.0.2.1' }, { to: '10.0.0.0/8', via: '192.0.2.254' }],
          'nameservers': { addresses: ['192.0.2.53'], search: ['example.org'] },
        },
        internal: { 'match': { macaddress: '02:00:00:aa:bb:03' }, 'set-name': 'internal', 'dhcp4': false, 'addresses': ['10.1.0.10/16'] },
      },
    });
    expect(text).not.toMatch(/^network:/m); // NoCloud network-config has no top-level network key
  });

  test('a NIC without an address is refused (bridged NADs assign none)', () => {
    expect(problems([{ name: 'public', mac: '02:00:00:00:00:01' }])).toEqual([
      'networks[0].address: interface "public" has no address: bridged networks do not assign addresses to VMs (their NADs use ipam: {}), so the NIC would stay unconfigured; give GuestAddress.fixed("192.0.2.10/24", { gateway }), GuestAddress.dhcp() where the segment runs DHCP, or GuestAddress.none() for a NIC deliberately left without an address',
      'networks: no interface owns the default route, so the guest cannot reach anything beyond its own subnets; give exactly one static address a gateway (GuestAddress.fixed(address, { gateway })) or leave defaultRoute on for one DHCP interface',
    ]);
  });

  test('static addresses only and no gateway: refused', () => {
    expect(problems([INTERNAL])).toEqual([
      'networks: no interface owns the default route, so the guest cannot reach anything beyond its own subnets; give exactly one static address a gateway (GuestAddress.fixed(address, { gateway })) or leave defaultRoute on for one DHCP interface',
    ]);
    expect(problems([{ ...INTERNAL, address: GuestAddress.none() }])[0]).toMatch(/^networks: no interface owns the default route/);
  });

  test('two owners of the default route: refused (DHCP pod network plus a gateway)', () => {
    expect(problems([{ ...POD, address: GuestAddress.dhcp() }, PUBLIC])).toEqual([
      'networks: interface "default" and interface "public" all own the default route; exactly one may (two default routes make replies leave through the wrong NIC); drop the gateway of the others or give their DHCP defaultRoute: false',
    ]);
    expect(problems([POD, PUBLIC])).toEqual([]);
    expect(problems([{ ...POD, address: GuestAddress.dhcp() }])).toEqual([]);
  });

  test('addresses, gateways, routes and DNS are checked', () => {
    const out = problems([
      { name: 'a', mac: '02:00:00:00:00:01', address: GuestAddress.fixed('192.0.2.10', { gateway: '198.51.100.1' }) },
      { name: 'b', mac: '02:00:00:00:00:02', address: GuestAddress.fixed('192.0.2.0/24') },
      { name: 'c', mac: '02:00:00:00:00:03', address: GuestAddress.fixed('192.0.2.20/24', { gateway: '198.51.100.1', dns: ['dns.example.org'], search: ['local'], routes: [{ to: '0.0.0.0/0', via: '192.0.2.1' }, { to: '10.0.0.0/8', via: '10.0.0.1' }] }) },
      { name: 'd', mac: '02:00:00:00:00:04', address: GuestAddress.fixed('2001:db8::10/64') },
    ]);
    expect(out).toEqual([
      'networks[0].address: "192.0.2.10" is not an IPv4 address with prefix length; write it like "192.0.2.10/24" (the address plan is IPv4 only)',
      'networks[0].address.dns: interface "a" owns the default route but names no DNS servers: the only resolver the guest would get (the cluster\'s, from the pod network\'s DHCP) is not reachable without the pod network\'s route, so nothing would resolve; give dns: ["192.0.2.53"]',
      'networks[1].address: "192.0.2.0/24" is the network or broadcast address of its subnet; give the guest a host address',
      'networks[2].address.gateway: "198.51.100.1" is outside "192.0.2.20/24"; the gateway must be on the interface\'s subnet',
      'networks[2].address.dns[0]: "dns.example.org" is not an IPv4 address (for example "192.0.2.1")',
      'networks[2].address.search[0]: "local" is not a DNS host name (for example "forum.example.org")',
      'networks[2].address.routes[0].to: a route to 0.0.0.0/0 is the default route; give it as gateway instead, so the plan knows which interface owns it',
      'networks[2].address.routes[1].via: "10.0.0.1" is outside "192.0.2.20/24"; the next hop must be on the interface\'s subnet',
      'networks[3].address: "2001:db8::10/64" is not an IPv4 address with prefix length; write it like "192.0.2.10/24" (the address plan is IPv4 only)',
      // The gateway on [0] still counts as an owner, so is [2]'s.
      'networks: interface "a" and interface "c" all own the default route; exactly one may (two default routes make replies leave through the wrong NIC); drop the gateway of the others or give their DHCP defaultRoute: false',
    ]);
  });

  test('MACs and guest NIC names are unique and usable', () => {
    const out = problems([
      PUBLIC,
      { name: 'other', mac: '02:00:00:aa:bb:02', address: GuestAddress.none() },
      { name: 'eth0', mac: '02:00:00:00:00:09', address: GuestAddress.none() },
      { name: 'x', guestName: 'public', mac: '02:00:00:00:00:0a', address: GuestAddress.none() },
      { name: 'y', guestName: 'a-very-long-nic-name', mac: '03:00:00:00:00:0b', address: GuestAddress.none() },
    ]);
    expect(out).toEqual([
      'networks[1].mac: MAC address 02:00:00:aa:bb:02 is used by interface "public" and interface "other"; the guest matches its configuration by MAC, so every NIC needs its own',
      'networks[2].guestName: "eth0" cannot name a guest NIC ("default", "all" and "lo" are keywords of ip(8); renaming a NIC to a kernel name such as eth0 races the kernel); pick another name such as "public"',
      'networks[3].guestName: guest NIC name "public" is taken by interface "public"; give one of them another guestName',
      'networks[4].mac: "03:00:00:00:00:0b" is a multicast MAC address (lowest bit of the first octet set); use a unicast address such as "02:..."',
      'networks[4].guestName: "a-very-long-nic-name" is 20 characters long; Linux interface names have at most 15 characters',
    ]);
  });

  test('a static default-route owner must bring its resolvers (the pod network\'s DNS is unreachable without its route); a DHCP owner need not', () => {
    const check = problems;
    expect(check([POD, { ...PUBLIC, address: GuestAddress.fixed('192.0.2.10/24', { gateway: '192.0.2.1' }) }])).toEqual([
      'networks[1].address.dns: interface "public" owns the default route but names no DNS servers: the only resolver the guest would get (the cluster\'s, from the pod network\'s DHCP) is not reachable without the pod network\'s route, so nothing would resolve; give dns: ["192.0.2.53"]',
    ]);
    expect(check([POD, PUBLIC])).toEqual([]);
    expect(check([{ ...PUBLIC, address: GuestAddress.dhcp() }])).toEqual([]);
  });

  test('render throws an OcpkitError naming the construct path; oversized data is refused', () => {
    expect(() => GuestNetwork.render([INTERNAL], 'Stack/Vms/Ns2')).toThrow(OcpkitError);
    expect(() => GuestNetwork.render([INTERNAL], 'Stack/Vms/Ns2')).toThrow(/Stack\/Vms\/Ns2.*networks.*no interface owns the default route/s);
    const routes = Array.from({ length: 40 }, (_, i) => ({ to: `10.${i}.0.0/16`, via: '192.0.2.254' }));
    expect(() => GuestNetwork.render([{ ...PUBLIC, address: GuestAddress.fixed('192.0.2.10/24', { gateway: '192.0.2.1', dns: ['192.0.2.53'], routes }) }], 'Stack/Vms/Big'))
      .toThrow(/the rendered network data is \d+ bytes; KubeVirt accepts at most 2048 bytes inline/);
  });

  describe('the real tools accept the rendered network-config', () => {
    const text = GuestNetwork.render([POD, PUBLIC, INTERNAL, { name: 'spare', mac: '02:00:00:aa:bb:04', address: GuestAddress.none() }], 'vm');

    test('cloud-init 22.4 renders it for RHEL (NetworkManager): the default route only on the owner', () => {
      const dir = tmp();
      fs.writeFileSync(path.join(dir, 'network-config'), text);
      const r = tool('cloud-init', ['devel', 'net-convert', '-p', path.join(dir, 'network-config'), '-k', 'yaml', '-d', path.join(dir, 'out'), '-D', 'rhel', '-O', 'network-manager']);
      expect(r.out).not.toMatch(/Traceback|Error/);
      expect(r.status).toBe(0);
      const conn = (n: string) => fs.readFileSync(path.join(dir, 'out/etc/NetworkManager/system-connections', `cloud-init-${n}.nmconnection`), 'utf8');
      expect(conn('public')).toMatch(/mac-address=02:00:00:AA:BB:02/);
      expect(conn('public')).toMatch(/address1=192\.0\.2\.10\/24/);
      expect(conn('public')).toMatch(/route1=0\.0\.0\.0\/0,192\.0\.2\.1/);
      expect(conn('pod')).toMatch(/method=auto/);
      expect(conn('internal')).not.toMatch(/0\.0\.0\.0\/0/);
    });

    test('cloud-init 22.4 renders it for RHEL (sysconfig): the pod NIC does not take the default route', () => {
      const dir = tmp();
      fs.writeFileSync(path.join(dir, 'network-config'), text);
      const r = tool('cloud-init', ['devel', 'net-convert', '-p', path.join(dir, 'network-config'), '-k', 'yaml', '-d', path.join(dir, 'out'), '-D', 'rhel', '-O', 'sysconfig']);
      expect(r.status).toBe(0);
      const ifcfg = (n: string) => fs.readFileSync(path.join(dir, 'out/etc/sysconfig/network-scripts', `ifcfg-${n}`), 'utf8');
      expect(ifcfg('pod')).toMatch(/DHCLIENT_SET_DEFAULT_ROUTE=no/);
      expect(ifcfg('pod')).toMatch(new RegExp(`METRIC=${NON_OWNER_ROUTE_METRIC}`));
      expect(ifcfg('public')).toMatch(/GATEWAY=192\.0\.2\.1/);
      expect(ifcfg('internal')).not.toMatch(/GATEWAY/);
    });

    test('netplan generate accepts it (as cloud-init writes it, under network:) and keeps the pod NIC off the default route', () => {
      const root = tmp();
      fs.mkdirSync(path.join(root, 'etc/netplan'), { recursive: true });
      const file = path.join(root, 'etc/netplan/50-cloud-init.yaml');
      fs.writeFileSync(file, yaml.dump({ network: yaml.load(text) }), { mode: 0o600 });
      const r = tool('netplan', ['generate', '--root-dir', root]);
      expect(r.out).toBe('');
      expect(r.status).toBe(0);
      const pod = fs.readFileSync(path.join(root, 'run/systemd/network/10-netplan-pod.network'), 'utf8');
      expect(pod).toMatch(/PermanentMACAddress=02:00:00:aa:bb:01/);
      expect(pod).toMatch(/UseRoutes=false/);
      const pub = fs.readFileSync(path.join(root, 'run/systemd/network/10-netplan-public.network'), 'utf8');
      expect(pub).toMatch(/Gateway=192\.0\.2\.1|Destination=0\.0\.0\.0\/0/);
      // The tool does refuse a bad document (so the checks above can fail).
      fs.writeFileSync(file, 'network:\n  version: 2\n  ethernets:\n    x:\n      dhcp4: maybe\n', { mode: 0o600 });
      expect(tool('netplan', ['generate', '--root-dir', root]).status).not.toBe(0);
    });
  });
});
