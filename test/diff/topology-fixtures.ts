import * as yaml from 'js-yaml';
import { TreeFiles } from '../../lib/diff/read-tree';

/* Hand-made manifests of the kinds the topology reads. */

export function nncp(name: string, interfaces: unknown[], nodeSelector: Record<string, string> = { 'node-role.kubernetes.io/worker': '' }): any {
  return { apiVersion: 'nmstate.io/v1', kind: 'NodeNetworkConfigurationPolicy', metadata: { name }, spec: { nodeSelector, desiredState: { interfaces } } };
}

export const bond = (name: string, ports: string[], mode = '802.3ad', mtu = 9000) => ({ name, type: 'bond', state: 'up', mtu, 'link-aggregation': { mode, port: ports } });
export const bridge = (name: string, ports: string[], mtu = 9000) => ({ name, type: 'linux-bridge', state: 'up', mtu, bridge: { options: { stp: { enabled: false } }, port: ports.map((p) => ({ name: p })) } });

export function nad(namespace: string, name: string, bridgeName: string, extra: Record<string, unknown> = {}, tuningMtu?: number): any {
  const config = { name, cniVersion: '0.3.1', plugins: [{ type: 'cnv-bridge', bridge: bridgeName, ipam: {}, ...extra }, { type: 'cnv-tuning', ...(tuningMtu !== undefined ? { mtu: tuningMtu } : {}) }] };
  return { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name, namespace }, spec: { config: JSON.stringify(config) } };
}

export function vm(namespace: string, name: string, networks: Record<string, string>): any {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, namespace },
    spec: { runStrategy: 'Always', template: { spec: { networks: [{ name: 'default', pod: {} }, ...Object.entries(networks).map(([n, ref]) => ({ name: n, multus: { networkName: ref } }))] } } },
  };
}

export function namespace(name: string, display?: string): any {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'ocpkit.io/tenant': name }, ...(display !== undefined ? { annotations: { 'openshift.io/display-name': display } } : {}) } };
}

export function application(name: string, folder: string, dest?: string): any {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'openshift-gitops' },
    spec: { project: 'platform', source: { repoURL: 'https://git.example.org/infra.git', path: `dist/${folder}`, targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', ...(dest ? { namespace: dest } : {}) } },
  };
}

/** A tree in memory: relative path -> manifest (dumped to YAML) or raw text. */
export function tree(files: Record<string, unknown>): TreeFiles {
  return new Map(Object.entries(files).map(([rel, c]) => [rel, typeof c === 'string' ? c : yaml.dump(c, { noRefs: true, lineWidth: -1 })]));
}

/**
 * A small cluster: one policy with two bonds and a bridge on each (one bridge over a VLAN of its
 * bond), a NAD per bridge in `vms`, one in `lab` on the internal bridge, two VMs in `vms` and one
 * in `lab` using the NAD of `vms` across namespaces; root Application syncing the children.
 */
export function smallCluster(): Record<string, unknown> {
  return {
    'prod/network/nncp.yaml': nncp('nodes', [
      bond('bond0', ['ens1f0', 'ens1f1']),
      bridge('br-int', ['bond0']),
      bond('bond1', ['eno1', 'eno2'], 'active-backup', 1500),
      { name: 'bond1.40', type: 'vlan', state: 'up', vlan: { 'base-iface': 'bond1', id: 40 } },
      bridge('br-pub', ['bond1.40'], 1500),
    ]),
    'prod/vms/nad-int.yaml': nad('vms', 'internal', 'br-int', { mtu: 9000 }),
    'prod/vms/nad-pub.yaml': nad('vms', 'public', 'br-pub', { vlan: 40 }, 1500),
    'prod/vms/vm-a.yaml': vm('vms', 'a', { int: 'internal', pub: 'public' }),
    'prod/vms/vm-b.yaml': vm('vms', 'b', { pub: 'public' }),
    'prod/lab/nad-int.yaml': nad('lab', 'internal', 'br-int'),
    'prod/lab/vm-c.yaml': vm('lab', 'c', { int: 'vms/internal' }),
    'prod/tenancy/ns-vms.yaml': namespace('vms', 'Virtual machines'),
    'prod/tenancy/ns-lab.yaml': namespace('lab'),
    'prod/root/app-network.yaml': application('network', 'prod/network'),
    'prod/root/app-vms.yaml': application('vms', 'prod/vms', 'vms'),
    'prod/root/app-lab.yaml': application('lab', 'prod/lab', 'lab'),
    'prod/root/app-tenancy.yaml': application('tenancy', 'prod/tenancy'),
    'prod/bootstrap/app-root.yaml': application('root', 'prod/root', 'openshift-gitops'),
  };
}
