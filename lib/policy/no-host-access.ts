import { containersOf, describe, podSpecOf } from './_pod-specs';
import type { Finding, PolicyRule } from './policy';

/**
 * `no-host-access`: no privileged container, host network, host PID, host IPC or host path
 * volume outside the platform's declared system namespaces ({@link SystemNamespaces}). Such pods
 * can take over the node; only platform components with a written reason (the etcd backup) get
 * them.
 */
export const NO_HOST_ACCESS: PolicyRule = {
  id: 'no-host-access',
  title: 'no privileged container, hostNetwork, hostPID, hostIPC or hostPath outside declared system namespaces',
  check(obj, ctx): Finding[] {
    const m = obj.manifest;
    const pod = podSpecOf(m);
    if (!pod) return [];
    const ns = m.metadata?.namespace;
    if (ctx.isSystemNamespace(ns)) return [];
    const where = `${describe(m)} in namespace "${ns ?? '(none)'}"`;
    const fix = 'only declared system namespaces allow host access (SystemNamespaces.declare(cluster, namespace, reason))';
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
    for (const c of containersOf(pod)) {
      if (c.container?.securityContext?.privileged === true) {
        out.push({ pointer: `${c.pointer}/securityContext/privileged`, message: `${where}: ${c.label} is privileged; ${fix}` });
      }
    }
    return out;
  },
};
