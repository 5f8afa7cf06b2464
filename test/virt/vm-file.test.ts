import * as path from 'path';
import { DataFile } from '../../lib/data/data-file';
import { ReleaseTrain } from '../../lib/gitops/release-train';
import { AccessMode, loadVmFile, parseVmFile } from '../../lib/virt';

const OPTS = { networks: ['internal-network', 'public-network'], defaultNamespace: 'infra-vms', defaultStorageClass: 'rbd-virt' };
const parse = (text: string) => parseVmFile(DataFile.parse('vms.yaml', text), OPTS);

describe('loadVmFile', () => {
  test('the reference vms.yaml loads', () => {
    const train = ReleaseTrain.load(path.join(__dirname, '../../apps/community/versions.yaml'), 'production');
    const vms = loadVmFile(path.join(__dirname, '../../apps/community/vms.yaml'), { ...OPTS, resolve: (k) => train.lookup(k), environment: 'production' });
    expect(vms.length).toBeGreaterThanOrEqual(12);
    const idm1 = vms.find((v) => v.props.name === 'idm-1')!;
    expect(idm1.props.rootDisk.source.kind).toBe('existingPvc');
    expect(JSON.stringify(vms.map((v) => v.props.rootDisk.source))).not.toContain('${');
    expect(vms.find((v) => v.props.name === 'openqa-worker-1')!.namespace).toBe('openqa');
  });

  test('reference stack: every VM has an address (or a guest that configures itself), a way in and a boot source the cluster resolves', () => {
    const byEnv = (env: string) => {
      const train = ReleaseTrain.load(path.join(__dirname, '../../apps/community/versions.yaml'), env);
      return loadVmFile(path.join(__dirname, '../../apps/community/vms.yaml'), { ...OPTS, resolve: (k) => train.lookup(k), environment: env });
    };
    const [prod, stg] = [byEnv('production'), byEnv('staging')];
    for (const vm of prod) {
      const kind = vm.props.rootDisk.source.kind;
      // Cloned from OpenShift's own boot sources, pulled from a registry, or brought along (migrated disk, ISO install).
      expect({ vm: vm.props.name, kind }).toEqual({ vm: vm.props.name, kind: expect.stringMatching(/^(dataSource|registry|existingPvc|iso)$/) });
      const selfConfigured = kind === 'existingPvc' || kind === 'iso';
      const config = vm.props.cloudInit?.config;
      if (!selfConfigured) {
        expect({ vm: vm.props.name, addressed: vm.networks.every((n) => n.address !== undefined) }).toEqual({ vm: vm.props.name, addressed: true });
        expect({ vm: vm.props.name, keys: config?.sshAuthorizedKeys?.secretName !== undefined, console: config?.consoleLogin !== undefined }).toEqual({ vm: vm.props.name, keys: true, console: true });
      } else {
        expect({ vm: vm.props.name, cloudInit: vm.props.cloudInit }).toEqual({ vm: vm.props.name, cloudInit: undefined });
      }
    }
    // Migrated guests keep the MAC their configuration knows; staging and production addresses differ.
    expect(prod.filter((v) => v.props.rootDisk.source.kind === 'existingPvc').every((v) => v.networks.every((n) => n.macAddress))).toBe(true);
    const addrs = (list: typeof prod) => list.flatMap((v) => v.networks.map((n) => n.address?.address)).filter((a) => a);
    expect(addrs(prod).filter((a) => addrs(stg).includes(a))).toEqual([]);
  });

  test('an entry becomes VirtualMachine props', () => {
    const [vm] = parse(`
vms:
  - name: relay
    cpu: { cores: 2, sockets: 1 }
    memory: 4Gi
    runStrategy: Manual
    disk: { clone: golden/rhel-9, size: 30Gi, access: RWO }
    dataDisks: [{ name: spool, size: 50Gi, storageClass: fast }]
    networks: [internal-network, { network: public-network, mac: "02:00:00:00:00:01" }]
    ports: [{ name: smtp, port: 25 }]
    cloudInit: { users: [ops], sshKeysSecret: ops-keys, packages: [postfix] }
    labels: { role: mail }
    description: relay
`);
    expect(vm.where).toBe('vms.yaml: vms[0] (relay)');
    expect(vm.namespace).toBe('infra-vms');
    expect(vm.props.cpu).toEqual({ cores: 2, sockets: 1, threads: undefined });
    expect(String(vm.props.memory)).toBe('4Gi');
    expect(vm.props.rootDisk).toMatchObject({ size: '30Gi', storageClass: 'rbd-virt', accessMode: AccessMode.READ_WRITE_ONCE });
    expect(vm.props.rootDisk.source.options).toEqual({ namespace: 'golden', name: 'rhel-9' });
    expect(vm.props.dataDisks![0]).toMatchObject({ name: 'spool', size: '50Gi', storageClass: 'fast' });
    expect(vm.networks).toEqual([{ network: 'internal-network' }, { network: 'public-network', macAddress: '02:00:00:00:00:01' }]);
    expect(vm.props.ports).toEqual([{ name: 'smtp', port: 25, targetPort: undefined, protocol: undefined }]);
    expect(vm.props.labels).toEqual({ role: 'mail' });
    expect(vm.props.cloudInit!.config!.users).toEqual([{ name: 'ops', sudo: true, groups: ['wheel'] }]);
  });

  test('instancetype entries and user data from a Secret', () => {
    const [vm] = parse(`
vms:
  - name: idm
    instancetype: u1.large
    preference: rhel.9
    disk: { http: "https://x.example.org/a.qcow2", size: 30Gi }
    cloudInit: { userDataSecret: idm-cloudinit }
`);
    expect(vm.props.instancetype!.instancetypeName).toBe('u1.large');
    expect(vm.props.cpu).toBeUndefined();
    expect(vm.props.cloudInit!.secret!.toString()).toBe('idm-cloudinit/userdata');
  });

  test('bad entries fail with one line per problem naming file, entry and field', () => {
    let msg = '';
    try {
      parse(`
vms:
  - name: relay
    cpu: 2
    memory: 8GB
    disk: { iso: "ftp://mirror.example.org/x.iso", size: 30Gi }
    networks: [dmz-network, { network: internal-network, mac: "zz:00" }]
  - name: Bastion
    cpu: two
    disk: { clone: rhel-9 }
    ports: [{ name: ssh }]
    colour: blue
  - name: idm
    instancetype: u1.large
    memory: 4Gi
    disk: { pvc: idm-root, size: 10Gi, http: "https://x.example.org/a" }
  - name: relay
    cpu: 1
    memory: 1Gi
    disk: { blank: {}, size: 1Gi }
`);
    } catch (e: any) {
      msg = e.message;
    }
    const lines = msg.split('\n').slice(1).map((l) => l.trim());
    expect(msg).toMatch(/^vms.yaml has \d+ problems:/);
    expect(lines).toEqual(expect.arrayContaining([
      '[vms.yaml: vms[0] (relay)] memory: "8GB" is not a Kubernetes quantity; write "8Gi" (binary) or "8G" (decimal)',
      expect.stringMatching(/^\[vms.yaml: vms\[0\] \(relay\)\] disk.iso: "ftp:\/\/mirror.example.org\/x.iso" is not an http\(s\) URL/),
      '[vms.yaml: vms[0] (relay)] networks[0]: unknown network "dmz-network"; known networks are internal-network, public-network',
      expect.stringMatching(/^\[vms.yaml: vms\[0\] \(relay\)\] networks\[1\].mac: "zz:00" is not a MAC address/),
      expect.stringMatching(/^\[vms.yaml: vms\[1\] \(Bastion\)\] name: "Bastion" is not a DNS-1123 label/),
      expect.stringMatching(/^\[vms.yaml: vms\[1\] \(Bastion\)\] colour: unknown field; allowed fields are name, namespace, cpu/),
      expect.stringMatching(/^\[vms.yaml: vms\[1\] \(Bastion\)\] cpu: must be a mapping, got "two"/),
      '[vms.yaml: vms[1] (Bastion)] disk.clone: "rhel-9" must name the PVC to clone as "<namespace>/<name>"',
      '[vms.yaml: vms[1] (Bastion)] disk.size: is required (for example "30Gi")',
      '[vms.yaml: vms[1] (Bastion)] ports[0].port: is required',
      '[vms.yaml: vms[2] (idm)] instancetype: cannot be combined with cpu/memory; give either an instancetype or cpu and memory',
      '[vms.yaml: vms[2] (idm)] disk: give exactly one source of clone, bootSource, dataSource, http, iso, registry, pvc, blank (got http, pvc)',
    ]));
    expect(lines.every((l) => l.startsWith('[vms.yaml: vms['))).toBe(true);
  });

  test('duplicate VMs and bad top level', () => {
    expect(() => parse(`
vms:
  - { name: a, cpu: 1, memory: 1Gi, disk: { blank: {}, size: 1Gi } }
  - { name: a, cpu: 1, memory: 1Gi, disk: { blank: {}, size: 1Gi } }
`)).toThrow(/\[vms.yaml: vms\[1\] \(a\)\] name: VM "infra-vms\/a" is also defined at vms.yaml: vms\[0\] \(a\)/);
    expect(() => parse('vms: nope')).toThrow(/\[vms.yaml\] vms: must be a list of entries/);
    expect(() => parse(`
vms:
  - { name: a, cpu: 1, memory: 1Gi, disk: { blank: {}, size: 1Gi }, networks: [internal-network, internal-network], dataDisks: [{ name: d, size: 1Gi }, { name: d, size: 1Gi }], cloudInit: { userDataSecret: s, users: [x] } }
`)).toThrow(/networks: network "internal-network" is listed twice[\s\S]*dataDisks: disk "d" is listed twice|dataDisks: disk "d" is listed twice[\s\S]*networks: network "internal-network" is listed twice/);
  });
});
