import { build } from '../../apps/community/main';
import { synthesize } from '../../lib/pipeline-defaults';
import { validator } from '../_helpers';

describe('reference stack: network and VMs', () => {
  test('both environments carry the NMState policies, NADs and VMs, all schema-valid', () => {
    const clusters = build();
    const out = synthesize(clusters, { validator: validator() });
    for (const env of ['production', 'staging']) {
      const of = (kind: string) => out.objects.filter((o) => o.file.startsWith(`${env}/`) && o.manifest.kind === kind);
      expect(of('NodeNetworkConfigurationPolicy').map((o) => o.manifest.metadata.name).sort()).toEqual(['hyperconverged-nodes']);
      const nads = of('NetworkAttachmentDefinition').map((o) => `${o.manifest.metadata.namespace}/${o.manifest.metadata.name}`);
      expect(nads).toEqual(expect.arrayContaining(['infra-vms/internal-network', 'infra-vms/public-network', 'openqa/internal-network']));
      const vms = of('VirtualMachine');
      expect(vms.length).toBeGreaterThanOrEqual(12);
      expect(vms.every((v) => v.manifest.spec.runStrategy && v.manifest.spec.running === undefined)).toBe(true);
      const internal = of('NetworkAttachmentDefinition').find((o) => o.manifest.metadata.name === 'internal-network')!;
      expect(JSON.parse(internal.manifest.spec.config)).toEqual({ name: 'internal-network', cniVersion: '0.3.1', plugins: [{ type: 'cnv-bridge', bridge: 'br0-internal', mtu: 9000, macspoofchk: true, ipam: {} }, { type: 'cnv-tuning' }] });
    }
  });
});
