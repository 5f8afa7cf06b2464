import { genericHostAccess, hostPortFindings, runnerTomlHostAccess, securityContextFindings } from './_host-access';
import { containersOf, describe, podSpecOf, vmiSpecOf } from './_pod-specs';
import { manifestScan } from './_manifest-scan';
import type { Finding, PolicyRule } from './policy';

/** Kinds that carry data, not workloads: never walked for host-access keys (a ConfigMap is, for runner config.toml). */
const DATA_KINDS = new Set(['v1/Secret', 'v1/ConfigMap']);

/**
 * `no-host-access`: nothing outside the platform's declared system namespaces
 * ({@link SystemNamespaces}) gets at the node. Such pods can take over the node; only platform
 * components with a written reason (the etcd backup) get them. Closed by design over every kind
 * that runs code:
 *
 * - pods of every pod-template kind (`_pod-specs.ts`): privileged containers, hostNetwork,
 *   hostPID, hostIPC, hostPath volumes, host ports, added capabilities beyond NET_BIND_SERVICE,
 *   root (`runAsUser: 0`, `runAsNonRoot: false`), `allowPrivilegeEscalation: true`, unmasked
 *   /proc, SELinux user/role/type overrides, unconfined seccomp, Windows host processes, at pod
 *   and container level (the Pod Security Standards "baseline" controls plus the capability and
 *   root rules of OpenShift's restricted-v2 SCC);
 * - KubeVirt VMs (VirtualMachine, VirtualMachineInstance, VirtualMachineInstanceReplicaSet,
 *   VirtualMachinePool): `hostDisk` volumes, `domain.devices.hostDevices` and `.gpus`;
 * - GitLab Runner `config.toml` in ConfigMaps (privileged job pods, host paths, root, caps);
 * - every other kind (operator CRs such as the GitLab CR with `spec.chart.values`, Argo CD
 *   Applications with Helm values, OLM Subscriptions' `spec.config`): a bounded walk over the
 *   whole object for the same keys (`privileged`, `hostNetwork`, `hostPath`, `securityContext`
 *   fields...), including YAML held in strings. Operators render pods from these fields.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export const NO_HOST_ACCESS: PolicyRule = {
  id: 'no-host-access',
  title: 'nothing outside declared system namespaces runs privileged, as root, with added capabilities, or with host network, PID, IPC, ports, paths, disks or devices',
  check(obj, ctx): Finding[] {
    const m = obj.manifest;
    if (!m || typeof m !== 'object') return [];
    const ns = m.metadata?.namespace;
    if (ctx.isSystemNamespace(ns)) return [];
    const where = `${describe(m)} in namespace "${ns ?? '(none)'}"`;
    const fix = 'only declared system namespaces allow host access (SystemNamespaces.declare(cluster, namespace, reason))';
    const pod = podSpecOf(m);
    if (pod) return podFindings(pod, where, fix);
    const vmi = vmiSpecOf(m);
    if (vmi) return vmFindings(vmi, where, fix);
    const key = `${m.apiVersion}/${m.kind}`;
    if (key === 'v1/ConfigMap') {
      const data = m.data;
      const toml = data && typeof data === 'object' ? data['config.toml'] : undefined;
      if (typeof toml === 'string' && /^\s*\[\[?\s*runners[\].]/m.test(toml)) {
        return runnerTomlHostAccess(toml, '/data/config.toml', `${where}: GitLab Runner`, fix);
      }
      return [];
    }
    if (DATA_KINDS.has(key)) return [];
    // the secret scan's walk (shared, see manifestScan) saw nothing the generic walk could report
    if (!manifestScan(obj, ctx, true).hostAccessPossible) return [];
    const out: Finding[] = [];
    for (const k of Object.keys(m)) {
      if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || k === 'status') continue;
      out.push(...genericHostAccess(m[k], `/${k}`, where, fix));
    }
    return out;
  },
};

function podFindings(pod: { spec: any; pointer: string }, where: string, fix: string): Finding[] {
  const out: Finding[] = [];
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (pod.spec[f] === true) out.push({ pointer: `${pod.pointer}/${f}`, message: `${where} sets ${f}: true; ${fix}` });
  }
  if (Array.isArray(pod.spec.volumes)) {
    pod.spec.volumes.forEach((v: any, i: number) => {
      if (v?.hostPath) {
        out.push({ pointer: `${pod.pointer}/volumes/${i}/hostPath`, message: `${where} mounts host path ${JSON.stringify(v.hostPath.path)} (volume "${v.name}"); ${fix}` });
      }
    });
  }
  out.push(...securityContextFindings(pod.spec.securityContext, `${pod.pointer}/securityContext`, `${where}: the pod`, fix, 'pod'));
  for (const c of containersOf(pod)) {
    out.push(...securityContextFindings(c.container?.securityContext, `${c.pointer}/securityContext`, `${where}: ${c.label}`, fix, 'container'));
    out.push(...hostPortFindings(c.container?.ports, `${c.pointer}/ports`, `${where}: ${c.label}`, fix));
  }
  return out;
}

/**
 * Host access of a VM: `hostDisk` volumes (a disk image on the node's file system), and host
 * devices and GPUs passed through from the node (`v1.Devices.hostDevices`, `v1.Devices.gpus`).
 * Field names from the KubeVirt OpenAPI (`v1.Volume.hostDisk`, `v1.Devices`), v1.0.1 and v1.9.0.
 */
function vmFindings(vmi: { spec: any; pointer: string }, where: string, fix: string): Finding[] {
  const out: Finding[] = [];
  if (Array.isArray(vmi.spec.volumes)) {
    vmi.spec.volumes.forEach((v: any, i: number) => {
      if (v?.hostDisk) out.push({ pointer: `${vmi.pointer}/volumes/${i}/hostDisk`, message: `${where} uses the host disk ${JSON.stringify(v.hostDisk.path)} (volume "${v.name}"); use a DataVolume or PVC, or ${fix}` });
    });
  }
  const devices = vmi.spec.domain?.devices;
  for (const list of ['hostDevices', 'gpus']) {
    const items = devices?.[list];
    if (Array.isArray(items)) {
      items.forEach((d: any, i: number) => {
        out.push({ pointer: `${vmi.pointer}/domain/devices/${list}/${i}`, message: `${where} passes the host ${list === 'gpus' ? 'GPU' : 'device'} ${JSON.stringify(d?.deviceName)} through to the VM; ${fix}` });
      });
    }
  }
  return out;
}
