import { containersOf, listOf, podCount, podSpecOf } from './_manifest';
import { maskString } from './masking';

const MAX = 300;

function clip(list: readonly string[], n = 6): string {
  return list.length > n ? `${list.slice(0, n).join(', ')}, and ${list.length - n} more` : list.join(', ');
}

function subject(s: any): string {
  return `${s?.kind ?? '?'} ${s?.kind === 'ServiceAccount' && s?.namespace ? `${s.namespace}/` : ''}${s?.name ?? '?'}`;
}

function resources(r: any): string {
  const part = (label: string, o: any) => {
    const e = Object.entries(o ?? {});
    return e.length ? `${label} ${e.map(([k, v]) => `${k}=${v}`).join(' ')}` : '';
  };
  return [part('requests', r?.requests), part('limits', r?.limits)].filter(Boolean).join(', ');
}

function pods(m: any): string | undefined {
  const spec = podSpecOf(m);
  if (!spec) return undefined;
  const images = [...new Set(containersOf(spec).map((c) => String(c.image ?? '?')))];
  const res = listOf(spec.containers).map((c) => resources(c.resources)).filter(Boolean);
  const n = podCount(m);
  const head = m.kind === 'CronJob' ? `schedule "${m.spec?.schedule}"` : m.kind === 'DaemonSet' ? 'one pod per node' : m.kind === 'Job' ? 'runs once' : `${n} replica${n === 1 ? '' : 's'}`;
  return `${head}; images ${clip(images, 4)}${res.length ? `; ${res.length === 1 ? res[0] : clip(res, 3)}` : ''}`;
}

function storage(spec: any): string {
  const size = spec?.resources?.requests?.storage ?? spec?.storage?.resources?.requests?.storage ?? spec?.pvc?.resources?.requests?.storage;
  const s = spec?.storage ?? spec?.pvc ?? spec;
  return `${size ?? '?'}${listOf(s?.accessModes).length ? ` ${listOf(s.accessModes).join(',')}` : ''}${s?.storageClassName ? ` on ${s.storageClassName}` : ''}`;
}

/** Kind -> one line of what an object grants or costs. Values pass through masking. */
const SUMMARIES: Readonly<Record<string, (m: any) => string | undefined>> = {
  RoleBinding: (m) => `grants ${m.roleRef?.kind} ${m.roleRef?.name} in ${m.metadata?.namespace} to ${clip(listOf(m.subjects).map(subject)) || 'nobody'}`,
  ClusterRoleBinding: (m) => `grants ${m.roleRef?.kind} ${m.roleRef?.name} cluster-wide to ${clip(listOf(m.subjects).map(subject)) || 'nobody'}`,
  Role: (m) => `${listOf(m.rules).length} rule(s): ${clip(listOf(m.rules).map((r) => `${listOf(r.verbs).join(',')} ${listOf(r.resources).join(',') || listOf(r.nonResourceURLs).join(',')}`), 4)}`,
  ClusterRole: (m) => (m.aggregationRule ? 'aggregated role' : `${listOf(m.rules).length} rule(s): ${clip(listOf(m.rules).map((r) => `${listOf(r.verbs).join(',')} ${listOf(r.resources).join(',') || listOf(r.nonResourceURLs).join(',')}`), 4)}`),
  ResourceQuota: (m) => `hard ${Object.entries(m.spec?.hard ?? {}).map(([k, v]) => `${k}=${v}`).join(' ')}`,
  LimitRange: (m) => clip(listOf(m.spec?.limits).map((l) => `${l.type}: ${['default', 'defaultRequest', 'max', 'min'].filter((k) => l[k]).map((k) => `${k} ${Object.entries(l[k]).map(([r, v]) => `${r}=${v}`).join(' ')}`).join('; ')}`), 3),
  PersistentVolumeClaim: (m) => storage(m.spec),
  DataVolume: (m) => storage(m.spec),
  VirtualMachine: (m) => {
    const d = m.spec?.template?.spec?.domain ?? {};
    const mem = d.memory?.guest ?? d.resources?.requests?.memory ?? '?';
    const cpu = d.cpu ? `${(d.cpu.sockets ?? 1) * (d.cpu.cores ?? 1) * (d.cpu.threads ?? 1)} vCPU` : '? vCPU';
    const disks = listOf(m.spec?.dataVolumeTemplates).map((t) => `${t.metadata?.name} ${storage(t.spec)}`);
    const nets = listOf(m.spec?.template?.spec?.networks).map((n) => n.multus?.networkName ?? (n.pod ? 'pod' : n.name));
    return `${cpu}, ${mem} memory; disks ${clip(disks, 4) || 'none'}; networks ${clip(nets, 4) || 'none'}; ${m.spec?.runStrategy ?? (m.spec?.running ? 'running' : 'stopped')}`;
  },
  Route: (m) => `host ${m.spec?.host ?? '(generated)'}${m.spec?.path ?? ''} -> Service ${m.spec?.to?.name}${m.spec?.port?.targetPort !== undefined ? `:${m.spec.port.targetPort}` : ''}; TLS ${m.spec?.tls ? `${m.spec.tls.termination}${m.spec.tls.insecureEdgeTerminationPolicy ? ` (insecure: ${m.spec.tls.insecureEdgeTerminationPolicy})` : ''}` : 'none'}`,
  Ingress: (m) => `hosts ${clip(listOf(m.spec?.rules).map((r) => String(r.host ?? '*')))}; TLS for ${clip(listOf(m.spec?.tls).flatMap((t) => listOf(t.hosts))) || 'none'}`,
  Service: (m) => `${m.spec?.type ?? 'ClusterIP'} ports ${clip(listOf(m.spec?.ports).map((p) => `${p.port}->${p.targetPort ?? p.port}/${p.protocol ?? 'TCP'}`))}`,
  NetworkPolicy: (m) => `selects ${JSON.stringify(m.spec?.podSelector ?? {})}; ${listOf(m.spec?.policyTypes).join('+') || 'Ingress'}; ${listOf(m.spec?.ingress).length} ingress rule(s), ${listOf(m.spec?.egress).length} egress rule(s)`,
  AppProject: (m) => `destinations ${clip(listOf(m.spec?.destinations).map((d) => `${d.server ?? d.name ?? '*'} ${d.namespace ?? '*'}`), 4)}; cluster resources ${clip(listOf(m.spec?.clusterResourceWhitelist).map((r) => `${r.group || 'core'}/${r.kind}`), 4) || 'none'}`,
  Application: (m) => `syncs ${m.spec?.source?.path ?? m.spec?.source?.chart ?? '?'} into ${m.spec?.destination?.namespace ?? '(per object)'} (project ${m.spec?.project})`,
  Subscription: (m) => `operator ${m.spec?.name} from ${m.spec?.source}, channel ${m.spec?.channel}${m.spec?.startingCSV ? `, ${m.spec.startingCSV}` : ''}, ${m.spec?.installPlanApproval ?? 'Automatic'} approval`,
  NetworkAttachmentDefinition: (m) => {
    try {
      const c = JSON.parse(m.spec?.config ?? '{}');
      const p = listOf(c.plugins)[0] ?? c;
      return `${p.type}${p.bridge ? ` on bridge ${p.bridge}` : ''}${p.vlan !== undefined ? ` VLAN ${p.vlan}` : ''}${p.mtu !== undefined ? ` MTU ${p.mtu}` : ''}`;
    } catch {
      return undefined;
    }
  },
  Secret: (m) => `${m.type ?? 'Opaque'} with keys ${clip([...Object.keys(m.data ?? {}), ...Object.keys(m.stringData ?? {})]) || 'none'} (values not shown)`,
  ConfigMap: (m) => `keys ${clip(Object.keys(m.data ?? {})) || 'none'}`,
  Namespace: (m) => `namespace${m.metadata?.labels?.['pod-security.kubernetes.io/enforce'] ? ` (pod security ${m.metadata.labels['pod-security.kubernetes.io/enforce']})` : ''}`,
  Schedule: (m) => `schedule "${m.spec?.schedule}", ttl ${m.spec?.template?.ttl ?? '(default)'}, namespaces ${clip(listOf(m.spec?.template?.includedNamespaces), 5) || 'all'}`,
  NodeNetworkConfigurationPolicy: (m) => `interfaces ${clip(listOf(m.spec?.desiredState?.interfaces).map((i) => `${i.name} (${i.type}${i.mtu ? ` MTU ${i.mtu}` : ''}${i['link-aggregation']?.mode ? ` ${i['link-aggregation'].mode}` : ''})`), 4)} on nodes ${JSON.stringify(m.spec?.nodeSelector ?? {})}`,
  ServiceAccount: () => 'service account',
};

/**
 * One line of what an added or removed object grants or costs (subjects and role, quota values,
 * images and replicas, hosts, sizes), or undefined for kinds without one. Secret values never
 * appear (key names only), and the line passes through the content masking.
 */
export function summarize(m: any): string | undefined {
  let line: string | undefined;
  const kind = typeof m?.kind === 'string' ? m.kind : '';
  try {
    line = Object.prototype.hasOwnProperty.call(SUMMARIES, kind) ? SUMMARIES[kind](m) : pods(m);
  } catch {
    return undefined;
  }
  if (!line) return undefined;
  const safe = maskString(line);
  return safe.length > MAX ? `${safe.slice(0, MAX - 3)}...` : safe;
}
