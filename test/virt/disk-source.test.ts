import { DiskSource, GoldenImage, OPENSHIFT_BOOT_SOURCES } from '../../lib/virt';

describe('DiskSource from a DataSource', () => {
  test('bootSource: OpenShift Virtualization 4.14 boot sources in openshift-virtualization-os-images', () => {
    expect([...OPENSHIFT_BOOT_SOURCES]).toEqual(['rhel8', 'rhel9', 'fedora', 'centos-stream9']);
    const s = DiskSource.bootSource('rhel9');
    expect(s.sourceRef).toEqual({ kind: 'DataSource', namespace: 'openshift-virtualization-os-images', name: 'rhel9' });
    expect(s.toString()).toBe('clone of DataSource openshift-virtualization-os-images/rhel9');
    for (const n of OPENSHIFT_BOOT_SOURCES) expect(DiskSource.bootSource(n).sourceRef?.name).toBe(n);
  });

  test('bootSource refuses names OpenShift does not keep up to date (typos, end-of-life and empty templates)', () => {
    for (const bad of ['rhel-9', 'centos7', 'centos-stream8', 'win2k22']) {
      expect(() => DiskSource.bootSource(bad as any)).toThrow(new RegExp(
        `\\[DiskSource.bootSource\\("${bad}"\\)\\] name: "${bad}" is not a boot source OpenShift Virtualization 4.14 keeps up to date; use one of "rhel8", "rhel9", "fedora", "centos-stream9", or a GoldenImages boot source of your own`,
      ));
    }
  });

  test('dataSource: a golden image or any { namespace, name }', () => {
    const g = new GoldenImage('golden-images', 'rhel-9', undefined as any);
    expect(DiskSource.dataSource(g).sourceRef).toEqual({ kind: 'DataSource', namespace: 'golden-images', name: 'rhel-9' });
    expect(DiskSource.dataSource({ namespace: 'images', name: 'fedora-40' }).sourceRef).toEqual({ kind: 'DataSource', namespace: 'images', name: 'fedora-40' });
    expect(() => DiskSource.dataSource({ namespace: 'Images', name: '' })).toThrow(/\[DiskSource.dataSource\(""\)\] namespace: "Images" is not a DNS-1123 label[\s\S]*name: "" is not a DNS-1123 subdomain/);
  });

  test('the other sources have no sourceRef', () => {
    expect(DiskSource.pvcClone({ namespace: 'a', name: 'b' }).sourceRef).toBeUndefined();
    expect(DiskSource.registryImage('quay.io/containerdisks/fedora:40').sourceRef).toBeUndefined();
    expect(DiskSource.blank().sourceRef).toBeUndefined();
  });
});
