import { synthesize } from '../../lib/pipeline-defaults';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { ClusterInstancetype, ClusterPreference, Firmware } from '../../lib/virt';
import { find, newestValidator, synth, testCluster } from '../_helpers';
import { tenant } from './_fixtures';

describe('ClusterInstancetype and ClusterPreference', () => {
  test('nodeSelector came after KubeVirt 1.0: refused on OpenShift 4.14, rendered for a newer schema', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'VmTypes', { name: 'vm-types' });
    new ClusterInstancetype(app, 'Medium', { name: 'infra.medium', guestCpus: 2, memory: '8Gi', nodeSelector: { 'node-role.kubernetes.io/worker': '' } });
    expect(() => synth(cluster)).toThrow(/\[VmTypes\/Medium\/Resource\] \/spec: unknown field "nodeSelector"/);
    const newest = synthesize(cluster, { validator: newestValidator(), references: false });
    expect(find(newest, 'VirtualMachineClusterInstancetype', 'infra.medium').spec.nodeSelector).toEqual({ 'node-role.kubernetes.io/worker': '' });
  });

  test('render cluster-scoped objects', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'VmTypes', { name: 'vm-types' });
    const it = new ClusterInstancetype(app, 'Medium', { name: 'infra.medium', guestCpus: 2, memory: '8Gi' });
    new ClusterPreference(app, 'Linux', { name: 'infra.linux' });
    new ClusterPreference(app, 'Efi', { name: 'infra.efi', firmware: Firmware.EFI_SECURE_BOOT, diskBus: 'scsi', cpuTopology: 'preferCores' });
    const out = synth(cluster);
    const m = find(out, 'VirtualMachineClusterInstancetype', 'infra.medium');
    expect(m.apiVersion).toBe('instancetype.kubevirt.io/v1beta1');
    expect(m.metadata.namespace).toBeUndefined();
    expect(m.spec).toEqual({ cpu: { guest: 2 }, memory: { guest: '8Gi' } });
    expect(it.memory.value).toBe(8 * 2 ** 30);
    expect(find(out, 'VirtualMachineClusterPreference', 'infra.linux').spec).toEqual({
      cpu: { preferredCPUTopology: 'preferSockets' },
      devices: { preferredDiskBus: 'virtio', preferredInterfaceModel: 'virtio' },
      firmware: { preferredUseBios: true },
    });
    const efi = find(out, 'VirtualMachineClusterPreference', 'infra.efi').spec;
    expect(efi.firmware).toEqual({ preferredUseEfi: true, preferredUseSecureBoot: true });
    expect(efi.features).toEqual({ preferredSmm: {} });
    expect(efi.devices.preferredDiskBus).toBe('scsi');
  });

  test('fromName', () => {
    expect(ClusterInstancetype.fromName('u1.medium').instancetypeName).toBe('u1.medium');
    expect(ClusterInstancetype.fromName('u1.medium', { guestCpus: 1, memory: '4Gi' }).memory!.toString()).toBe('4Gi');
    expect(ClusterPreference.fromName('rhel.9')).toEqual({ preferenceName: 'rhel.9' });
    expect(() => ClusterInstancetype.fromName('U1', { guestCpus: 0, memory: '4GB' })).toThrow(/name: "U1" is not a DNS-1123 subdomain[\s\S]*guestCpus: 0 must be an integer from 1 to 512[\s\S]*memory: "4GB" is not a Kubernetes quantity; write "4Gi"/);
    expect(() => ClusterPreference.fromName('')).toThrow(/name: "" is not a DNS-1123 subdomain/);
  });

  test('refuses bad input and tenants', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'VmTypes', { name: 'vm-types' });
    expect(() => new ClusterInstancetype(app, 'Bad', { name: 'x', guestCpus: 1, memory: '32Mi' })).toThrow(/\[VmTypes\/Bad\] memory: "32Mi" is below 64Mi/);
    expect(() => new ClusterPreference(app, 'Bad2', { name: 'x', diskBus: 'ide' as any, interfaceModel: 'rtl' as any, firmware: 'uefi' as any, cpuTopology: 'x' as any }))
      .toThrow(/diskBus: "ide" is not allowed[\s\S]*interfaceModel: "rtl" is not allowed[\s\S]*firmware: "uefi" is not allowed[\s\S]*cpuTopology: "x" is not allowed/);
    const t = tenant(cluster, 'forum');
    expect(() => new ClusterInstancetype(t, 'It', { name: 'x', guestCpus: 1, memory: '1Gi' })).toThrow(/\[forum\/It\] a ClusterInstancetype is cluster scoped and cannot be defined inside a Tenant/);
    expect(() => new ClusterPreference(cluster, 'P', { name: 'x' })).toThrow(/\[P\] a ClusterPreference must be defined inside a GitOpsApp/);
  });
});
