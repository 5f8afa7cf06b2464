import { TENANT_CAPACITY_CHECK, jobPods, resourceOfKind, surgeOf } from '../../lib/capacity/capacity-check';
import { effectivePod, limitRules } from '../../lib/capacity/pod-resources';
import { Quantity } from '../../lib/core/quantity';
import { defaultPipeline } from '../../lib/pipeline-defaults';
import { SynthesizedObject } from '../../lib/synth/pipeline';
import { runPipeline } from '../../lib/synth/synthesizer';
import { Tenant } from '../../lib/tenancy/tenant';
import { ContainerApp } from '../../lib/openshift/container-app';
import { ExternalImage } from '../../lib/openshift/external-image';
import { launcherPod, vmCost } from '../../lib/virt/_quota';
import { testCluster } from '../_helpers';

const NS = 'forum';
const Gi = 2 ** 30;
const Mi = 2 ** 20;

/** Synthesized objects from bare manifests (namespace forum, environment test unless given). */
function objects(...manifests: any[]): SynthesizedObject[] {
  return manifests.map((m) => {
    const manifest = { ...m, metadata: { namespace: NS, ...m.metadata } };
    const env = manifest.metadata.env ?? 'test';
    delete manifest.metadata.env;
    return { manifest, path: `${manifest.metadata.namespace}/${m.kind}/${m.metadata.name}`, file: `${env}/${manifest.metadata.namespace}/${m.kind}.${m.metadata.name}.yaml` };
  });
}

function messages(...manifests: any[]): string[] {
  return TENANT_CAPACITY_CHECK.check(objects(...manifests), { roots: [], constructsOf: () => [] }).map((p) => `[${p.path}] ${p.field}: ${p.message}`);
}

const quota = (hard: Record<string, string | number>, extra: any = {}) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'tenant-quota', ...extra.metadata }, spec: { hard, ...extra.spec } });
const TENANT_LIMITS = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'tenant-defaults' }, spec: { limits: [{ type: 'Container', default: { memory: '512Mi' }, defaultRequest: { cpu: '50m', memory: '128Mi' } }] } };
const container = (name: string, requests?: Record<string, string>, limits?: Record<string, string>) => ({ name, image: 'x', resources: { requests, limits } });
const podSpec = (...containers: any[]) => ({ containers });
const deployment = (name: string, replicas: number | undefined, c: any, strategy?: any) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas, strategy, template: { spec: podSpec(c) } } });
const pvc = (name: string, storage: string, storageClassName?: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { storageClassName, resources: { requests: { storage } } } });
const mem = (m: string) => container('app', { cpu: '100m', memory: m }, { memory: m });
const vm = (name: string, memory: string, over: any = {}) => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name },
  spec: {
    runStrategy: over.runStrategy ?? 'Always',
    dataVolumeTemplates: [{ metadata: { name: `${name}-root` }, spec: { storage: { resources: { requests: { storage: '20Gi' } }, storageClassName: 'rbd' } } }],
    template: { spec: { evictionStrategy: over.evictionStrategy ?? 'LiveMigrate', domain: { cpu: { cores: over.cores ?? 1, sockets: 1, threads: 1 }, memory: { guest: memory }, resources: { requests: { cpu: '100m', memory }, limits: over.noLimit ? undefined : { memory } } } } },
  },
});

describe('rolling-update surge (maxSurge, default 25% rounded up)', () => {
  test.each([
    [undefined, 1, 1], [undefined, 3, 1], [undefined, 4, 1], [undefined, 5, 2], [undefined, 0, 0],
    ['50%', 3, 2], ['10%', 30, 3], ['0%', 3, 0], [2, 3, 2], [0, 3, 0], ['1', 3, 1],
  ])('maxSurge %p with %p replicas surges %p pods', (maxSurge, replicas, expected) => {
    expect(surgeOf(maxSurge, replicas)).toBe(expected);
  });
});

describe('pods of a Job at once', () => {
  test.each([
    [{}, 1], [{ parallelism: 4 }, 4], [{ parallelism: 4, completions: 2 }, 2], [{ completions: 5 }, 1], [{ parallelism: 3, suspend: true }, 0], [{ parallelism: 0 }, 0],
  ])('%j runs %p pods', (spec, expected) => {
    expect(jobPods(spec)).toBe(expected);
  });
});

describe('resource names of count/ quota keys', () => {
  test.each([['Deployment', 'deployments'], ['NetworkPolicy', 'networkpolicies'], ['Ingress', 'ingresses'], ['Gateway', 'gateways'], ['ConfigMap', 'configmaps']])('%s → %s', (kind, resource) => {
    expect(resourceOfKind(kind)).toBe(resource);
  });
});

describe('LimitRange defaults and bounds (LimitRanger)', () => {
  const rules = limitRules([TENANT_LIMITS]);
  test.each([
    ['no resources: both defaults', container('a'), { cpu: 0.05, memory: 128 * Mi }, { memory: 512 * Mi }, []],
    ['own requests kept, default limit added', container('a', { cpu: '1', memory: '256Mi' }), { cpu: 1, memory: 256 * Mi }, { memory: 512 * Mi }, []],
    ['limits only: requests default to the limits', container('a', undefined, { cpu: '2', memory: '1Gi' }), { cpu: 2, memory: Gi }, { cpu: 2, memory: Gi }, []],
    ['request above the default limit is refused', container('a', { memory: '1Gi' }), { cpu: 0.05, memory: Gi }, { memory: 512 * Mi },
      ['container "a" requests memory 1Gi above its limit 512Mi (the default limit of LimitRange "tenant-defaults"); give it its own memory limit']],
  ])('%s', (_name, c, requests, limits, refusals) => {
    const pod = effectivePod([{ container: c, init: false }], rules);
    expect(pod.requests).toEqual(requests);
    expect(pod.limits).toEqual(limits);
    expect(pod.refusals).toEqual(refusals);
  });

  test('an init container counts as the larger of itself and the sum of the app containers', () => {
    const pod = effectivePod([
      { container: container('migrate', { cpu: '2', memory: '1Gi' }, { memory: '1Gi' }), init: true },
      { container: container('a', { cpu: '500m', memory: '256Mi' }, { memory: '256Mi' }), init: false },
      { container: container('b', { cpu: '500m', memory: '256Mi' }, { memory: '256Mi' }), init: false },
    ], rules);
    expect(pod.requests).toEqual({ cpu: 2, memory: Gi });
  });

  test('LimitRange defaulting: a missing default is the max, a missing defaultRequest the default', () => {
    const r = limitRules([{ metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', max: { memory: '2Gi' }, min: { cpu: '10m' } }] } }]);
    expect(r.defaultLimit).toEqual({ memory: 2 * Gi });
    expect(r.defaultRequest).toEqual({ memory: 2 * Gi, cpu: 0.01 });
  });

  test('max per container and per pod', () => {
    const r = limitRules([{ metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', max: { memory: '1Gi' } }, { type: 'Pod', max: { memory: '1500Mi' } }] } }]);
    const pod = effectivePod([
      { container: container('a', undefined, { memory: '2Gi' }), init: false },
      { container: container('b', undefined, { memory: '1Gi' }), init: false },
    ], r);
    expect(pod.refusals).toEqual([
      'container "a" has a memory limit of 2Gi, above the maximum 1Gi per container of LimitRange "lr"',
      'the pod\'s memory limits add up to 3Gi, above the maximum 1500Mi per pod of LimitRange "lr"',
    ]);
  });
});

describe('KubeVirt 1.0 launcher pod', () => {
  test.each([
    // guest/512 + 210Mi fixed + 8Mi per vCPU + 8Mi IOThread + 16Mi video
    ['2Gi, 1 vCPU', { cpu: { cores: 1 }, memory: { guest: '2Gi' }, resources: { requests: { cpu: '100m', memory: '2Gi' } } }, 246 * Mi, { cpu: 0.1, memory: 2 * Gi + 246 * Mi }, {}],
    ['6Gi, 2 vCPUs, memory limit', { cpu: { cores: 2 }, memory: { guest: '6Gi' }, resources: { requests: { memory: '6Gi' }, limits: { memory: '6Gi' } } }, 262 * Mi, { cpu: 0.2, memory: 6 * Gi + 262 * Mi }, { memory: 6 * Gi + 262 * Mi }],
    ['no graphics device, TPM', { cpu: { cores: 1 }, memory: { guest: '1Gi' }, devices: { autoattachGraphicsDevice: false, tpm: {} } }, 2 * Mi + 226 * Mi + 53 * Mi, { cpu: 0.1, memory: Gi + 281 * Mi }, {}],
    ['overcommitGuestOverhead', { memory: { guest: '1Gi' }, resources: { overcommitGuestOverhead: true } }, 244 * Mi, { cpu: 0.1, memory: Gi }, {}],
    ['dedicated CPUs', { cpu: { cores: 4, dedicatedCpuPlacement: true }, memory: { guest: '4Gi' } }, 8 * Mi + 210 * Mi + 32 * Mi + 24 * Mi, { cpu: 4, memory: 4 * Gi + 274 * Mi }, { cpu: 4, memory: 4 * Gi + 274 * Mi }],
  ])('%s', (_name, domain, overhead, requests, limits) => {
    const pod = launcherPod({ domain });
    expect(pod.overhead).toBe(overhead);
    expect(pod.requests).toEqual(requests);
    expect(pod.limits).toEqual(limits);
  });

  test.each([
    ['Halted VMs run no pod', vm('v', '2Gi', { runStrategy: 'Halted' }), false, true],
    ['evictionStrategy None is not migratable', vm('v', '2Gi', { evictionStrategy: 'None' }), true, false],
    ['unset evictionStrategy is LiveMigrate (HCO default)', { ...vm('v', '2Gi'), spec: { ...vm('v', '2Gi').spec, template: { spec: { domain: { memory: { guest: '1Gi' } } } } } }, true, true],
  ])('%s', (_name, manifest, runs, migratable) => {
    const cost = vmCost(manifest);
    expect(cost.launcher !== undefined).toBe(runs);
    expect(cost.migratable).toBe(migratable);
  });
});

describe('tenant capacity check over manifests', () => {
  test.each<[string, any[], string[]]>([
    ['Deployment with the default surge fits exactly', [quota({ 'requests.memory': '8Gi' }), deployment('web', 3, mem('2Gi'))], []],
    ['Deployment surge does not fit', [quota({ 'requests.memory': '7Gi' }), deployment('web', 3, mem('2Gi'))],
      ['[forum/ResourceQuota/tenant-quota] spec.hard: requests.memory: the workloads of namespace "forum" need 8Gi (web 3×2Gi + surge 1×2Gi) but ResourceQuota "tenant-quota" allows 7Gi']],
    ['Recreate has no surge', [quota({ 'requests.memory': '6Gi' }), deployment('web', 3, mem('2Gi'), { type: 'Recreate' })], []],
    ['explicit maxSurge', [quota({ pods: 4 }), deployment('web', 2, mem('1Gi'), { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3 } })],
      ['[forum/ResourceQuota/tenant-quota] spec.hard: pods: the workloads of namespace "forum" run up to 5 pods (web 2×1 + surge 3×1) but ResourceQuota "tenant-quota" allows 4']],
    ['an HPA counts with maxReplicas', [quota({ 'requests.cpu': '1' }), deployment('web', 1, container('a', { cpu: '200m' }, { cpu: '200m' })), { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 } }],
      ['[forum/ResourceQuota/tenant-quota] spec.hard: requests.cpu: the workloads of namespace "forum" need 1.4 (web 5×0.2 + surge 2×0.2) but ResourceQuota "tenant-quota" allows 1']],
    ['LimitRange defaults count for containers without requests', [quota({ 'requests.cpu': '100m' }), TENANT_LIMITS, deployment('web', 2, container('a'))],
      ['[forum/ResourceQuota/tenant-quota] spec.hard: requests.cpu: the workloads of namespace "forum" need 0.15 (web 2×0.05 + surge 1×0.05) but ResourceQuota "tenant-quota" allows 0.1']],
    ['StatefulSet: replicas, no surge, claim templates × replicas', [quota({ 'requests.memory': '4Gi', 'requests.storage': '25Gi', persistentvolumeclaims: 2 }), {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
      spec: { replicas: 3, template: { spec: podSpec(mem('1Gi')) }, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '10Gi' } } } }] },
    }], [
      '[forum/ResourceQuota/tenant-quota] spec.hard: requests.storage: the workloads of namespace "forum" need 30Gi (db data 3×10Gi) but ResourceQuota "tenant-quota" allows 25Gi',
      '[forum/ResourceQuota/tenant-quota] spec.hard: persistentvolumeclaims: the workloads of namespace "forum" create 3 PersistentVolumeClaims (db data 3×1) but ResourceQuota "tenant-quota" allows 2',
    ]],
    ['CronJob with concurrencyPolicy Allow counts one overlapping run', [quota({ 'requests.cpu': '3' }), {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'sync' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { parallelism: 2, template: { spec: podSpec(container('a', { cpu: '1' }, { cpu: '1' })) } } } },
    }], ['[forum/ResourceQuota/tenant-quota] spec.hard: requests.cpu: the workloads of namespace "forum" need 4 (sync 2×1 + overlapping run 2×1) but ResourceQuota "tenant-quota" allows 3']],
    ['CronJob with Forbid runs once', [quota({ 'requests.cpu': '2' }), {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'sync' }, spec: { concurrencyPolicy: 'Forbid', schedule: '* * * * *', jobTemplate: { spec: { parallelism: 2, template: { spec: podSpec(container('a', { cpu: '1' }, { cpu: '1' })) } } } },
    }], []],
    ['Job parallelism', [quota({ pods: 2 }), { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'import' }, spec: { parallelism: 3, template: { spec: podSpec(mem('1Gi')) } } }],
      ['[forum/ResourceQuota/tenant-quota] spec.hard: pods: the workloads of namespace "forum" run up to 3 pods (import 3×1) but ResourceQuota "tenant-quota" allows 2']],
    ['DeploymentConfig: surge and the deployer pod', [quota({ pods: 3 }), TENANT_LIMITS, { apiVersion: 'apps.openshift.io/v1', kind: 'DeploymentConfig', metadata: { name: 'legacy' }, spec: { replicas: 2, template: { spec: podSpec(mem('1Gi')) } } }],
      ['[forum/ResourceQuota/tenant-quota] spec.hard: pods: the workloads of namespace "forum" run up to 4 pods (legacy 2×1 + surge 1×1 + deployer 1×1) but ResourceQuota "tenant-quota" allows 3']],
    ['PVCs and DataVolumes: storage, count, per StorageClass; one claim per name', [quota({ 'requests.storage': '100Gi', persistentvolumeclaims: 2, 'fast.storageclass.storage.k8s.io/requests.storage': '10Gi' }),
      pvc('a', '50Gi', 'fast'), pvc('shared', '10Gi'),
      { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'shared' }, spec: { storage: { resources: { requests: { storage: '10Gi' } } } } },
      { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'img' }, spec: { pvc: { resources: { requests: { storage: '45Gi' } } } } }],
    [
      '[forum/ResourceQuota/tenant-quota] spec.hard: requests.storage: the workloads of namespace "forum" need 105Gi (a 50Gi, shared 10Gi, img 45Gi) but ResourceQuota "tenant-quota" allows 100Gi',
      '[forum/ResourceQuota/tenant-quota] spec.hard: persistentvolumeclaims: the workloads of namespace "forum" create 3 PersistentVolumeClaims (a 1, shared 1, img 1) but ResourceQuota "tenant-quota" allows 2',
      '[forum/ResourceQuota/tenant-quota] spec.hard: fast.storageclass.storage.k8s.io/requests.storage: the workloads of namespace "forum" need 50Gi (a 50Gi) but ResourceQuota "tenant-quota" allows 10Gi',
    ]],
    ['VMs with the migration headroom of the largest migratable VM', [quota({ 'requests.memory': '12Gi' }), deployment('web', 3, mem('2Gi')), vm('big', '3Gi'), vm('pinned', '4Gi', { evictionStrategy: 'None' })],
      ['[forum/ResourceQuota/tenant-quota] spec.hard: requests.memory: the workloads of namespace "forum" need 19178Mi (web 3×2Gi + surge 1×2Gi, big 3320Mi, pinned 4346Mi, migration headroom (big) 3320Mi) but ResourceQuota "tenant-quota" allows 12Gi']],
    ['a VM without its own memory limit gets the default limit and is refused', [quota({ 'requests.memory': '64Gi' }), TENANT_LIMITS, vm('v', '2Gi', { noLimit: true })],
      ['[forum/VirtualMachine/v] resources: VirtualMachine "v" (virt-launcher pod): container "compute" requests memory 2294Mi above its limit 512Mi (the default limit of LimitRange "tenant-defaults"); give it its own memory limit; the API server would refuse its pods']],
    ['a quota on limits.cpu refuses containers without a cpu limit', [quota({ 'limits.cpu': '10' }), TENANT_LIMITS, deployment('web', 1, container('a'))],
      ['[forum/Deployment/web] resources: Deployment "web": container "a" has no cpu limit and no LimitRange of namespace "forum" gives a default, but ResourceQuota "tenant-quota" tracks limits.cpu, so its pods are refused; set resources.limits.cpu']],
    ['count/ entries count the objects of the stack', [quota({ 'count/deployments.apps': 1, 'count/pods': 10 }), deployment('a', 1, mem('1Gi')), deployment('b', 1, mem('1Gi'))],
      ['[forum/ResourceQuota/tenant-quota] spec.hard: count/deployments.apps: the workloads of namespace "forum" need 2 (objects in the stack 2×1) but ResourceQuota "tenant-quota" allows 1']],
    ['scoped quotas are skipped', [quota({ pods: 1 }, { spec: { scopes: ['BestEffort'] } }), deployment('web', 3, mem('1Gi'))], []],
    ['namespaces of different environments are separate', [quota({ pods: 2 }), { ...deployment('web', 1, mem('1Gi')), metadata: { name: 'web', env: 'prod' } }, deployment('api', 1, mem('1Gi'))], []],
  ])('%s', (_name, manifests, expected) => {
    expect(messages(...manifests)).toEqual(expected);
  });

  test('30,000 objects in 300 namespaces are checked (speed: npm run bench)', () => {
    const many: any[] = [];
    for (let n = 0; n < 300; n++) {
      const namespace = `ns-${n}`;
      many.push({ ...quota({ 'requests.memory': '1Ti', pods: 1000, persistentvolumeclaims: 1000, 'requests.storage': '10Ti' }), metadata: { name: 'q', namespace } });
      many.push({ ...TENANT_LIMITS, metadata: { name: 'l', namespace } });
      for (let i = 0; i < 49; i++) many.push({ ...deployment(`d${i}`, 2, mem('1Gi')), metadata: { name: `d${i}`, namespace } }, { ...pvc(`p${i}`, '1Gi'), metadata: { name: `p${i}`, namespace } });
    }
    expect(messages(...many)).toEqual([]);
  });
});

describe('tenant capacity check in a synth', () => {
  const synthTenant = (memory: string, replicas: number) => {
    const cluster = testCluster();
    const t = new Tenant(cluster, 'Forum', { name: 'forum', displayName: 'Forum', groups: { admin: ['forum-admins'] }, quota: { cpu: Quantity.parse('8'), memory: Quantity.parse(memory), storage: Quantity.parse('10Gi') } });
    new ContainerApp(t, 'web', { name: 'web', image: ExternalImage.parse('quay.io/example/web:1.0'), replicas, cpu: Quantity.parse('500m'), memory: Quantity.parse('2Gi') });
    return () => runPipeline(cluster, { ...defaultPipeline({ validator: false, policies: false }), checks: [TENANT_CAPACITY_CHECK] });
  };

  test('a tenant whose Deployment fits, surge included, synthesizes', () => {
    expect(() => synthTenant('8Gi', 3)()).not.toThrow();
  });

  test('a tenant over its quota names the tenant, the quota field and the numbers', () => {
    expect(synthTenant('7Gi', 3)).toThrow('[Forum] quota: requests.memory: the workloads of tenant "forum" need 8Gi (web 3×2Gi + surge 1×2Gi) but ResourceQuota "tenant-quota" allows 7Gi; raise quota.memory of the tenant or shrink the workloads');
  });
});
