import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Problems, show } from '../core/errors';
import { asQuantity, Quantity, QuantityLike } from '../core/quantity';
import { dnsLabel, dnsSubdomain, intRange } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { NetworkIsolation } from '../tenancy/network-isolation';
import { TenantQuota } from '../tenancy/tenant-quota';
import { JobFootprint, ResolvedBounds } from './_runner-config';

/** Properties of {@link RunnerJobNamespace}. */
export interface RunnerJobNamespaceProps {
  /** Namespace the CI job pods run in. DNS-1123 label. */
  readonly name: string;
  /**
   * What all jobs of the namespace may use together (a ResourceQuota): `requests.cpu`,
   * `requests.memory` and `limits.memory`, and the number of pods. Every runner admitted here
   * is checked at synth time: the sum of `concurrent` x one job's requests and memory limits
   * must fit. The memory is a Quantity or a cdk8s `Size`.
   */
  readonly quota: { readonly cpu: Quantity; readonly memory: QuantityLike; readonly pods?: number };
  /**
   * Largest cpu and memory limit one container may have (a LimitRange `max`, type Container).
   * The runners' build, helper and service limits must sit inside it. The memory is a Quantity
   * or a cdk8s `Size`.
   */
  readonly maxPerContainer: { readonly cpu: Quantity; readonly memory: QuantityLike };
  /**
   * The PriorityClass job pods get: low and non-preempting (`preemptionPolicy: Never`), so that
   * under pressure the scheduler evicts CI jobs before platform and tenant workloads (priority 0)
   * and jobs never evict anything to get scheduled.
   * @default name `<name>-jobs`, value -10
   */
  readonly priorityClass?: { readonly name?: string; readonly value?: number };
}

/**
 * Permissions the runner manager needs in the job namespace to run jobs with the Kubernetes
 * executor, for GitLab Runner 18.11 with default settings and feature flags: the table "Configure
 * runner API permissions" of gitlabhq/gitlab-runner@v18.11.3:docs/executors/kubernetes/_index.md
 * (pods with informers and attach, exec, logs; job Secrets; the service account check; services;
 * events for `print_pod_warning_events`, on by default). Optional features that need more
 * (namespace per job, pod disruption budgets, the pause-pod autoscaler) are not granted.
 */
export const KUBERNETES_EXECUTOR_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['events'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods/attach'], verbs: ['create', 'delete', 'get', 'patch'] },
  { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'delete', 'get', 'patch'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get', 'list'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'delete', 'get', 'update'] },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get'] },
  { apiGroups: [''], resources: ['services'], verbs: ['create', 'get'] },
];

/** A runner admitted to a job namespace, as the fit check counts it. */
interface Admitted {
  readonly path: string;
  readonly concurrent: number;
  readonly job: JobFootprint;
}

/**
 * The namespace CI jobs of one or more {@link GitLabRunner}s run in, bounded: the Namespace
 * (Pod Security `restricted`), a ResourceQuota and default LimitRange (the tenants' builder,
 * {@link TenantQuota}, with no storage and no claims), a LimitRange capping each container, a
 * default-deny ingress NetworkPolicy (the tenants' {@link NetworkIsolation} with every allowance
 * off: a job's services talk to it over localhost inside its pod), a low non-preempting
 * PriorityClass, and, per runner, the Role and RoleBinding its manager's service account needs to
 * run jobs here (`KUBERNETES_EXECUTOR_RULES`).
 *
 * Emits: into the folder of the app it is in the Namespace `name`, a PriorityClass `<name>-jobs`,
 * and in the namespace the ResourceQuota `tenant-quota` and LimitRange `tenant-defaults` (a
 * {@link TenantQuota}), a LimitRange `job-container-max`, the NetworkPolicy `deny-by-default`, the
 * Role `gitlab-runner-executor` and per runner a RoleBinding
 * `gitlab-runner-executor-<runner namespace>-<service account>`.
 */
export class RunnerJobNamespace extends Construct {
  public readonly namespace: string;
  public readonly priorityClassName: string;
  public readonly quota: TenantQuota;
  public readonly maxPerContainer: { readonly cpu: Quantity; readonly memory: Quantity };
  private readonly admitted: Admitted[] = [];
  private readonly bound = new Set<string>();

  constructor(scope: Construct, id: string, given: RunnerJobNamespaceProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    // a cdk8s Size is bytes: the memory fields take one, cpu does not
    const memoryOf = <T extends { readonly memory: QuantityLike }>(o: T): T => (o && typeof o === 'object' && 'memory' in o ? { ...o, memory: asQuantity(o.memory) } : o);
    const props = (given && typeof given === 'object'
      ? { ...given, quota: memoryOf(given.quota), maxPerContainer: memoryOf(given.maxPerContainer) }
      : given) as RunnerJobNamespaceProps & { readonly quota: { readonly memory: Quantity }; readonly maxPerContainer: { readonly memory: Quantity } };
    p.check('name', props.name, dnsLabel);
    if (!props.quota || typeof props.quota !== 'object') p.add('quota', `${show(props.quota)}: give { cpu, memory, pods? } (Quantity)`);
    else {
      for (const f of ['cpu', 'memory'] as const) if (!(props.quota[f] instanceof Quantity)) p.add(`quota.${f}`, `${show(props.quota[f])} must be a Quantity${f === 'memory' ? ' or a cdk8s Size' : ''}`);
      if (props.quota.pods !== undefined) p.check('quota.pods', props.quota.pods, intRange(1, 10000));
    }
    if (!props.maxPerContainer || typeof props.maxPerContainer !== 'object') p.add('maxPerContainer', `${show(props.maxPerContainer)}: give { cpu, memory } (Quantity)`);
    else {
      for (const f of ['cpu', 'memory'] as const) {
        const v = props.maxPerContainer[f];
        if (!(v instanceof Quantity)) p.add(`maxPerContainer.${f}`, `${show(v)} must be a Quantity${f === 'memory' ? ' or a cdk8s Size' : ''}`);
        else if (props.quota?.[f] instanceof Quantity && v.value > props.quota[f].value) p.add(`maxPerContainer.${f}`, `${v} is more than the whole quota ${props.quota[f]}`);
      }
    }
    const pc = props.priorityClass ?? {};
    const pcName = pc.name ?? `${props.name}-jobs`;
    if (pc.name !== undefined) p.check('priorityClass.name', pc.name, dnsSubdomain);
    if (typeof pcName === 'string' && pcName.startsWith('system-')) p.add('priorityClass.name', `"${pcName}": the "system-" prefix is reserved by Kubernetes`);
    // Below 0, the priority of pods without a class: CI jobs go first under pressure.
    if (pc.value !== undefined && !(Number.isInteger(pc.value) && pc.value >= -1000000 && pc.value < 0)) {
      p.add('priorityClass.value', `${show(pc.value)} must be a negative integer (from -1000000 to -1): jobs rank below every workload without a priority class (0)`);
    }
    p.throwIfAny();

    this.namespace = props.name;
    this.priorityClassName = pcName;
    this.maxPerContainer = props.maxPerContainer;
    const restricted = 'restricted';
    const nsObject = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: props.name,
        labels: {
          'pod-security.kubernetes.io/enforce': restricted,
          'pod-security.kubernetes.io/audit': restricted,
          'pod-security.kubernetes.io/warn': restricted,
          'security.openshift.io/scc.podSecurityLabelSync': 'false',
          'argocd.argoproj.io/managed-by': Cluster.of(this).argoNamespace,
        },
        annotations: { 'openshift.io/description': 'GitLab CI job pods (ocpkit RunnerJobNamespace)' },
      },
    });
    // primary object (ApiObject.of(jobNamespace)): the Namespace
    this.node.defaultChild = nsObject;
    this.quota = new TenantQuota(this, 'Quota', {
      namespace: props.name,
      // CI jobs claim no volumes: a job that asks for one is refused by the quota.
      limits: { cpu: props.quota.cpu, memory: props.quota.memory, storage: Quantity.parse('0'), pods: props.quota.pods, persistentVolumeClaims: 0 },
      // The defaults must sit inside the per-container max, or a container without limits is refused.
      containerDefaults: { memoryRequest: smaller(Quantity.parse('128Mi'), props.maxPerContainer.memory), memoryLimit: smaller(Quantity.parse('512Mi'), props.maxPerContainer.memory) },
    });
    new k8s.KubeLimitRange(this, 'ContainerMax', {
      metadata: { name: 'job-container-max', namespace: props.name },
      spec: {
        limits: [{
          type: 'Container',
          max: { cpu: k8s.Quantity.fromString(props.maxPerContainer.cpu.toString()), memory: k8s.Quantity.fromString(props.maxPerContainer.memory.toString()) },
        }],
      },
    });
    new NetworkIsolation(this, 'Network', { namespace: props.name, allowSameNamespace: false, allowIngressRouters: false, allowMonitoring: false });
    new k8s.KubePriorityClass(this, 'Priority', {
      metadata: { name: pcName },
      value: pc.value ?? -10,
      preemptionPolicy: 'Never',
      globalDefault: false,
      description: `GitLab CI jobs in ${props.name}: below every workload without a class, never preempting`,
    });
    new k8s.KubeRole(this, 'ExecutorRole', {
      metadata: { name: 'gitlab-runner-executor', namespace: props.name },
      rules: [...KUBERNETES_EXECUTOR_RULES],
    });
  }

  /**
   * Lets a runner manager run jobs here (a RoleBinding of its service account to the executor
   * Role) and counts the runner's `concurrent` jobs against the quota and LimitRange. Called by
   * {@link GitLabRunner}; the problems name the runner's fields under `runnerPath`.
   * @internal
   */
  public admit(runnerPath: string, runner: { serviceAccount: string; namespace: string; concurrent: number; job: JobFootprint; bounds: Record<string, ResolvedBounds> }): void {
    const p = new Problems(runnerPath);
    for (const [kind, b] of Object.entries(runner.bounds)) {
      for (const f of ['cpu', 'memory'] as const) {
        const limit = f === 'cpu' ? b.cpuLimit : b.memoryLimit;
        const max = this.maxPerContainer[f];
        if (limit.value > max.value) p.add(`jobResources.${kind}.${f}Limit`, `${limit} is above the ${f} max ${max} per container of job namespace "${this.namespace}" (LimitRange job-container-max); the pod would be refused`);
      }
    }
    const all = [...this.admitted, { path: runnerPath, concurrent: runner.concurrent, job: runner.job }];
    const others = all.length > 1 ? ` (with ${all.slice(0, -1).map((a) => `${a.path} ${a.concurrent} x`).join(', ')} already admitted)` : '';
    const total = (f: 'cpuRequest' | 'memoryLimit' | 'memoryRequest') => all.reduce((s, a) => s + a.concurrent * a.job[f], 0);
    const q = this.quota.limits;
    const fmtCpu = (n: number) => `${Number(n.toFixed(3))} cores`;
    const fmtMem = (n: number) => `${Number((n / 2 ** 30).toFixed(3))}Gi`;
    if (total('cpuRequest') > q.cpu.value) {
      p.add('concurrent', `${runner.concurrent} jobs x cpu requests ${fmtCpu(runner.job.cpuRequest)} (${runner.job.explain.cpuRequest})${others} = ${fmtCpu(total('cpuRequest'))}, more than the requests.cpu quota ${q.cpu} of job namespace "${this.namespace}"; lower concurrent or the requests, or raise the quota`);
    }
    if (total('memoryLimit') > q.memory.value) {
      p.add('concurrent', `${runner.concurrent} jobs x memory limits ${fmtMem(runner.job.memoryLimit)} (${runner.job.explain.memoryLimit})${others} = ${fmtMem(total('memoryLimit'))}, more than the limits.memory quota ${q.memory} of job namespace "${this.namespace}"; lower concurrent or the limits, or raise the quota`);
    }
    const pods = all.reduce((s, a) => s + a.concurrent, 0);
    if (pods > q.pods) p.add('concurrent', `${pods} concurrent job pods in job namespace "${this.namespace}"${others}, more than its pods quota ${q.pods}`);
    p.throwIfAny();
    this.admitted.push(all[all.length - 1]);
    const key = `${runner.namespace}/${runner.serviceAccount}`;
    if (this.bound.has(key)) return;
    this.bound.add(key);
    new k8s.KubeRoleBinding(this, `Executor-${runner.namespace}-${runner.serviceAccount}`, {
      metadata: { name: `gitlab-runner-executor-${runner.namespace}-${runner.serviceAccount}`.slice(0, 253), namespace: this.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gitlab-runner-executor' },
      subjects: [{ kind: 'ServiceAccount', name: runner.serviceAccount, namespace: runner.namespace }],
    });
  }
}

function smaller(a: Quantity, b: Quantity): Quantity {
  return a.value <= b.value ? a : b;
}
