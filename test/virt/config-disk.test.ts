import { Quantity } from '../../lib/core/quantity';
import { SecretKey } from '../../lib/core/secret-key';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { AccessMode, CloudInit, ConfigDisk, ConsoleLogin, DiskSource, VirtualMachine } from '../../lib/virt';
import { find, problemsOf, synth, testCluster } from '../_helpers';

function vm(props: Partial<ConstructorParameters<typeof VirtualMachine>[2]> = {}) {
  const cluster = testCluster();
  const app = new GitOpsApp(cluster, 'App', { name: 'app', namespace: 'apps' });
  const machine = new VirtualMachine(app, 'Vm', {
    name: 'relay', cpu: 1, memory: Quantity.gibibytes(2),
    rootDisk: { source: DiskSource.existingPvc('relay-root') },
    ...props,
  });
  return { cluster, machine };
}

describe('ConfigDisk on a VirtualMachine', () => {
  test('a Secret and a ConfigMap become labelled disks and volumes; the digest lands on the template', () => {
    const { cluster, machine } = vm();
    let content = 'v1';
    machine.addConfigDisk(ConfigDisk.fromConfigMap('settings', 'relay-settings', 'RELAY_CFG'), { contentDigest: () => `sha256:${content}` });
    machine.addConfigDisk(ConfigDisk.fromSecret('creds', 'relay-creds', 'RELAY_SEC'));
    content = 'v2'; // computed at synth time, not when attached
    const spec = find(synth(cluster), 'VirtualMachine', 'relay', 'apps').spec;
    const t = spec.template.spec;
    expect(t.volumes).toEqual(expect.arrayContaining([
      { name: 'settings', configMap: { name: 'relay-settings', volumeLabel: 'RELAY_CFG' } },
      { name: 'creds', secret: { secretName: 'relay-creds', volumeLabel: 'RELAY_SEC' } },
    ]));
    expect(t.domain.devices.disks).toEqual(expect.arrayContaining([
      { name: 'settings', disk: { bus: 'virtio' } },
      { name: 'creds', disk: { bus: 'virtio' } },
    ]));
    expect(spec.template.metadata.annotations).toEqual({ 'config.ocpkit.io/settings': 'sha256:v2' });
  });

  test('config disks do not stop live migration (eviction follows the PVCs only)', () => {
    const { cluster, machine } = vm({ rootDisk: { source: DiskSource.existingPvc('relay-root'), moveToReadWriteMany: true } });
    machine.addConfigDisk(ConfigDisk.fromSecret('creds', 'relay-creds', 'RELAY_SEC'));
    expect(machine.liveMigratable).toBe(true);
    expect(find(synth(cluster), 'VirtualMachine', 'relay', 'apps').spec.template.spec.evictionStrategy).toBe('LiveMigrate');
  });

  test('no annotation without a digest; the console login goes through the same path', () => {
    const login = ConsoleLogin.fromSecret({ user: 'rescue', passwordHash: SecretKey.of('relay-console', 'hash') });
    const { cluster, machine } = vm({ cloudInit: CloudInit.build({ consoleLogin: login }) });
    expect(machine.configDiskList().map((d) => [d.name, d.kind, d.sourceName, d.volumeLabel])).toEqual([['breakglass', 'secret', 'relay-console', 'BREAKGLASS']]);
    const spec = find(synth(cluster), 'VirtualMachine', 'relay', 'apps').spec;
    expect(spec.template.metadata.annotations).toBeUndefined();
    expect(spec.template.spec.volumes).toContainEqual({ name: 'breakglass', secret: { secretName: 'relay-console', volumeLabel: 'BREAKGLASS' } });
  });

  test('bad config disks are refused with the field and what is allowed, and leave the VM unchanged', () => {
    const login = ConsoleLogin.fromSecret({ user: 'rescue', passwordHash: SecretKey.of('relay-console', 'hash') });
    const { machine } = vm({ cloudInit: CloudInit.build({ consoleLogin: login }), dataDisks: [{ name: 'data', size: '1Gi' }] });
    expect(problemsOf(() => machine.addConfigDisk(ConfigDisk.fromSecret('Bad_Name', 'x', 'lower')))).toEqual([
      expect.objectContaining({ path: 'App/Vm', field: 'configDisks[0].name' }),
      { path: 'App/Vm', field: 'configDisks[0].volumeLabel', message: '"lower" is not an ISO volume label (1 to 32 characters from A-Z, 0-9 and \'_\')' },
    ]);
    expect(problemsOf(() => machine.addConfigDisk(ConfigDisk.fromConfigMap('c', 'cm', 'CIDATA')))[0].message).toMatch(/KubeVirt's own cloud-init disk/);
    expect(problemsOf(() => machine.addConfigDisk(ConfigDisk.fromConfigMap('data', 'cm', 'X')))[0]).toMatchObject({ field: 'configDisks[0].name', message: expect.stringMatching(/^disk name "data" is already used on this VM/) });
    expect(problemsOf(() => machine.addConfigDisk(ConfigDisk.fromConfigMap('other', 'cm', 'BREAKGLASS')))[0]).toMatchObject({ field: 'configDisks[0].volumeLabel', message: '"BREAKGLASS" already labels disk "breakglass"; the guest could not tell them apart' });
    expect(problemsOf(() => machine.addConfigDisk({ name: 'x' } as any))[0].message).toMatch(/is not a ConfigDisk; use ConfigDisk.fromSecret/);
    expect(machine.configDiskList()).toHaveLength(1);
  });
});

describe('data disk serials', () => {
  test('a serial reaches the disk and is reported; bad or duplicate serials are refused', () => {
    const { cluster, machine } = vm({ dataDisks: [{ name: 'repos', size: '10Gi', serial: 'repos' }] });
    expect(machine.diskNamed('repos')).toEqual({ name: 'repos', serial: 'repos', accessMode: AccessMode.READ_WRITE_MANY });
    expect(machine.diskNamed('nope')).toBeUndefined();
    const disks = find(synth(cluster), 'VirtualMachine', 'relay', 'apps').spec.template.spec.domain.devices.disks;
    expect(disks.find((d: any) => d.name === 'repos').serial).toBe('repos');
    expect(disks.find((d: any) => d.name === 'rootdisk').serial).toBeUndefined();
    expect(problemsOf(() => machine.addDataDisk({ name: 'more', size: '1Gi', serial: 'a-serial-that-is-too-long' }))).toEqual([
      { path: 'App/Vm', field: 'dataDisks[1].serial', message: '"a-serial-that-is-too-long" is not a disk serial (1 to 20 characters from letters, digits, \'_\', \'.\', \'+\', \'-\')' },
    ]);
    expect(problemsOf(() => machine.addDataDisk({ name: 'more', size: '1Gi', serial: 'repos' }))[0].message).toBe('"repos" is already the serial of disk "repos"');
  });
});
