import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { build } from '../../apps/community/main';
import { Overrides } from '../../lib';
import { APPLICATION_HEALTH_LUA, POSTGRES_CLUSTER_HEALTH_LUA, SUBSCRIPTION_HEALTH_LUA } from '../../lib/gitops/argocd-instance';
import { GITOPS_CONTROLLER_GRANTS } from '../../lib/gitops/controller-grants';
import { allows, defaultRules, resourceOf } from '../../lib/gitops/controller-rbac';
import { isOperatorProvided } from '../../lib/gitops/delivery-annotations';
import { synthesize } from '../../lib/pipeline-defaults';
import { Cluster } from '../../lib/gitops/cluster';
import { main } from '../../lib/cli/main';
import { captureOutput, validator } from '../_helpers';

const PROFILE = path.join(__dirname, '..', '..', '..', 'shared', 'crds', 'profiles', 'ocp-4.14');

function production(): Cluster {
  return build().find((c) => c.environment === 'production')!;
}

describe('dist/<cluster>/bootstrap: applied once, enough to start syncing', () => {
  const result = synthesize(production(), { validator: validator() });
  const boot = result.objects.filter((o) => o.file.startsWith('production/bootstrap/')).map((o) => o.manifest);
  const rootFolder = result.objects.filter((o) => o.file.startsWith('production/root/')).map((o) => o.manifest);
  const of = (kind: string) => boot.filter((m) => m.kind === kind);

  test('holds the root Application, the AppProject it names, the Argo CD instance and the controller RBAC, nothing else', () => {
    expect(boot.map((m) => m.kind).sort()).toEqual(['AppProject', 'Application', 'ArgoCD', 'ClusterRole', 'ClusterRoleBinding']);
    const [root] = of('Application');
    expect(of('AppProject').map((p) => p.metadata.name)).toEqual([root.spec.project]);
    expect(root.spec.source.path).toBe('dist/production/root');
  });

  test('the root Application does not manage itself, and never stops retrying', () => {
    const [root] = of('Application');
    expect(rootFolder.some((m) => m.kind === 'Application' && m.metadata.name === root.metadata.name)).toBe(false);
    expect(rootFolder.some((m) => m.kind === 'AppProject' && m.metadata.name === root.spec.project)).toBe(false);
    expect(root.spec.syncPolicy.retry.limit).toBeLessThan(0);
  });

  test('every AppProject carries the resources finalizer', () => {
    const projects = result.objects.filter((o) => o.manifest.kind === 'AppProject').map((o) => o.manifest);
    expect(projects.length).toBeGreaterThan(40);
    for (const p of projects) expect(p.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
  });

  test('the ArgoCD resource keeps the ApplicationSet controller and carries the health checks the waves rely on', () => {
    const [argo] = of('ArgoCD');
    expect(argo.apiVersion).toBe('argoproj.io/v1beta1');
    expect(argo.spec.applicationSet).toBeDefined();
    expect(argo.spec.resourceHealthChecks.map((c: any) => `${c.group}/${c.kind}`)).toEqual(['argoproj.io/Application', 'operators.coreos.com/Subscription', 'postgres-operator.crunchydata.com/PostgresCluster']);
  });

  test('the controller ClusterRole is bound to the application controller and grants what the review found missing', () => {
    const [role] = of('ClusterRole');
    const [binding] = of('ClusterRoleBinding');
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'openshift-gitops-argocd-application-controller', namespace: 'openshift-gitops' }]);
    for (const [group, resource] of [['', 'resourcequotas'], ['', 'limitranges'], ['nmstate.io', 'nodenetworkconfigurationpolicies'], ['k8s.cni.cncf.io', 'network-attachment-definitions']]) {
      expect(allows(role.rules, group, resource, 'create')).toBe(true);
    }
  });

  test('children whose CRDs come from operators, or that create namespaces, retry forever; the others stop after five', () => {
    const apps = new Map(rootFolder.filter((m) => m.kind === 'Application').map((m) => [m.metadata.name, m.spec.syncPolicy.retry.limit]));
    const operatorKinds = new Set(result.objects.filter((o) => isOperatorProvided(o.manifest.apiVersion) || o.manifest.kind === 'Namespace').map((o) => o.file.split('/')[1]));
    expect(apps.get('platform-operators')).toBe(-1); // HyperConverged, NMState
    expect(apps.get('network')).toBe(-1); // NNCPs
    for (const [name, limit] of apps) expect(`${name}: ${limit}`).toBe(`${name}: ${operatorKinds.has(name) ? -1 : 5}`);
    expect([...apps.values()].filter((l) => l === 5).length).toBeGreaterThan(10);
  });
});

describe('the controller RBAC check', () => {
  test('passes the reference stack, and its derived rules are least privilege: each one is needed', () => {
    const base = synthesize(production(), { validator: validator() });
    const role = base.objects.find((o) => o.file.startsWith('production/bootstrap/clusterrole.'))!.manifest;
    const grants: [string, string][] = role.rules.flatMap((r: any) => r.resources.map((res: string) => [r.apiGroups[0], res]));
    expect(grants.length).toBeGreaterThan(5);
    // none of them is writable under the defaults anywhere the stack writes it
    const defaults = defaultRules(GITOPS_CONTROLLER_GRANTS['1.12'], 'openshift-gitops');
    for (const [group, res] of grants) expect(allows(defaults.cluster, group, res, 'create')).toBe(false);
    // and without each one, the check names exactly that permission
    for (const [group, res] of grants.slice(0, 4)) {
      const cluster = production();
      const rules = role.rules
        .map((r: any) => ({ ...r, resources: r.resources.filter((x: string) => !(r.apiGroups[0] === group && x === res)) }))
        .filter((r: any) => r.resources.length > 0);
      Overrides.of(cluster.root.argoCd.controllerRole).addOverride('/rules', rules);
      let error = '';
      try {
        synthesize(cluster, { validator: validator() });
      } catch (e) {
        error = (e as Error).message;
      }
      const lines = error.split('\n').filter((l) => l.includes('] rbac: '));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`cannot create/update/patch/delete ${group || 'core'}/${res} `);
      expect(lines[0]).toMatch(/^\s*\[production\/bootstrap\] rbac: the Argo CD application controller \(openshift-gitops\/openshift-gitops-argocd-application-controller\)/);
    }
  });

  test('refuses a kind the controller cannot write, one line per permission, naming scope and namespaces', () => {
    const cluster = production();
    Overrides.of(cluster.root.argoCd.controllerRole).addOverride('/rules', []);
    let error = '';
    try {
      synthesize(cluster, { validator: validator() });
    } catch (e) {
      error = (e as Error).message;
    }
    expect(error).toMatch(/cannot create\/update\/patch\/delete core\/resourcequotas \(ResourceQuota\) in \d+ namespaces \(/);
    expect(error).toMatch(/cannot create\/update\/patch\/delete nmstate\.io\/nodenetworkconfigurationpolicies \(NodeNetworkConfigurationPolicy\) cluster-scoped: OpenShift GitOps 1\.12 does not grant it by default/);
  });
});

describe('kind to API resource', () => {
  test('matches the plural of every CRD of the shared schemas (the 4.14 profile and the newest)', () => {
    const shared = path.dirname(path.dirname(PROFILE));
    const files: string[] = [];
    const scan = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) scan(p);
        else if (/\.ya?ml$/.test(e.name) && fs.statSync(p).size < 4_000_000) files.push(p);
      }
    };
    scan(shared);
    const got = new Map<string, string>();
    const want = new Map<string, string>();
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      if (!text.includes('CustomResourceDefinition')) continue;
      let docs: any[];
      try {
        docs = yaml.loadAll(text) as any[];
      } catch {
        continue; // not YAML ocpkit reads (templated chart files)
      }
      for (const doc of docs) {
        if (doc?.kind !== 'CustomResourceDefinition' || typeof doc?.spec?.names?.kind !== 'string') continue;
        got.set(doc.spec.names.kind, resourceOf(doc.spec.names.kind));
        want.set(doc.spec.names.kind, doc.spec.names.plural);
      }
    }
    expect(want.get('NetworkAttachmentDefinition')).toBe('network-attachment-definitions');
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
    expect(want.size).toBeGreaterThan(50);
  });

  test.each([['ResourceQuota', 'resourcequotas'], ['LimitRange', 'limitranges'], ['NetworkPolicy', 'networkpolicies'], ['Ingress', 'ingresses'], ['Endpoints', 'endpoints'], ['ConfigMap', 'configmaps']])('%s -> %s', (kind, resource) => {
    expect(resourceOf(kind)).toBe(resource);
  });
});

/**
 * The health checks run for real in Lua 5.1 (Argo CD runs them in gopher-lua, a Lua 5.1
 * implementation), on status objects shaped as OLM 4.14 and Argo CD write them.
 */
describe('the health checks, run in Lua 5.1', () => {
  function luaValue(v: unknown): string {
    if (v === null || v === undefined) return 'nil';
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return `{${v.map(luaValue).join(', ')}}`;
    return `{${Object.entries(v as object).map(([k, x]) => `[${JSON.stringify(k)}] = ${luaValue(x)}`).join(', ')}}`;
  }
  function run(script: string, obj: unknown): { status: string; message: string } {
    const program = `obj = ${luaValue(obj)}\nlocal function check()\n${script}\nend\nlocal hs = check()\nio.write(hs.status, "\\t", hs.message or "")`;
    const r = spawnSync('lua5.1', ['-'], { input: program, encoding: 'utf8' });
    if (r.error) throw new Error('lua5.1 is needed for this test (.ci/run installs it: apt-get install lua5.1)');
    if (r.status !== 0) throw new Error(r.stderr);
    const [status, message] = r.stdout.split('\t');
    return { status, message };
  }
  const cond = (type: string, status: string, reason?: string, message?: string) => ({ type, status, reason, message });

  describe('PostgresCluster (PGO v5.8.7 status)', () => {
    const spec = { instances: [{ name: 'instance1', replicas: 2 }, { name: 'small' }] };
    const healthy = {
      metadata: { generation: 3 }, spec,
      status: { observedGeneration: 3, patroni: { systemIdentifier: '7312345678901234567' }, instances: [{ name: 'instance1', replicas: 2, readyReplicas: 2, updatedReplicas: 2 }, { name: 'small', replicas: 1, readyReplicas: 1, updatedReplicas: 1 }] },
    };
    const withStatus = (status: object) => ({ ...healthy, status: { ...healthy.status, ...status } });

    test('Healthy when PGO reconciled this generation, Patroni bootstrapped and every requested instance is ready and updated', () => {
      expect(run(POSTGRES_CLUSTER_HEALTH_LUA, healthy)).toEqual({ status: 'Healthy', message: '3 of 3 PostgreSQL instances ready' });
    });

    test('Progressing before PGO wrote a status, for an unreconciled generation, before Patroni bootstraps, with instances not ready or not updated', () => {
      expect(run(POSTGRES_CLUSTER_HEALTH_LUA, { metadata: { generation: 1 }, spec })).toEqual({ status: 'Progressing', message: 'waiting for PGO' });
      expect(run(POSTGRES_CLUSTER_HEALTH_LUA, withStatus({ observedGeneration: 2 }))).toEqual({ status: 'Progressing', message: 'PGO has not reconciled generation 3 yet' });
      expect(run(POSTGRES_CLUSTER_HEALTH_LUA, withStatus({ patroni: {} }))).toEqual({ status: 'Progressing', message: 'Patroni has not initialized the cluster yet' });
      expect(run(POSTGRES_CLUSTER_HEALTH_LUA, withStatus({ instances: [{ name: 'instance1', replicas: 2, readyReplicas: 1, updatedReplicas: 2 }, { name: 'small', replicas: 1, readyReplicas: 1, updatedReplicas: 1 }] })))
        .toEqual({ status: 'Progressing', message: '2 of 3 PostgreSQL instances ready' });
      // the status has only one set yet: the default of one replica for "small" still counts
      expect(run(POSTGRES_CLUSTER_HEALTH_LUA, withStatus({ instances: [{ name: 'instance1', replicas: 2, readyReplicas: 2, updatedReplicas: 2 }] })).message).toBe('2 of 3 PostgreSQL instances ready');
      expect(run(POSTGRES_CLUSTER_HEALTH_LUA, withStatus({ instances: [{ name: 'instance1', replicas: 2, readyReplicas: 2, updatedReplicas: 1 }, { name: 'small', replicas: 1, readyReplicas: 1, updatedReplicas: 1 }] })))
        .toEqual({ status: 'Progressing', message: 'instance set instance1: 1 of 2 pods updated' });
    });

    test('with databaseInitSQL: Progressing until PGO recorded that the SQL succeeded (status.databaseInitSQL = the ConfigMap name), then Healthy', () => {
      const withInit = (status: object) => ({ ...healthy, spec: { ...spec, databaseInitSQL: { name: 'gitlab-db-init-sql', key: 'init.sql' } }, status: { ...healthy.status, ...status } });
      expect(run(POSTGRES_CLUSTER_HEALTH_LUA, withInit({})))
        .toEqual({ status: 'Progressing', message: '3 of 3 PostgreSQL instances ready; the init SQL of ConfigMap gitlab-db-init-sql has not succeeded yet' });
      expect(run(POSTGRES_CLUSTER_HEALTH_LUA, withInit({ databaseInitSQL: '' })).status).toBe('Progressing');
      expect(run(POSTGRES_CLUSTER_HEALTH_LUA, withInit({ databaseInitSQL: 'gitlab-db-init-sql' })))
        .toEqual({ status: 'Healthy', message: '3 of 3 PostgreSQL instances ready' });
      // PGO returns early once the status is set: a renamed ConfigMap never runs, so waiting for it would never end
      expect(run(POSTGRES_CLUSTER_HEALTH_LUA, withInit({ databaseInitSQL: 'old-init-sql' })))
        .toEqual({ status: 'Healthy', message: '3 of 3 PostgreSQL instances ready; init SQL ran from ConfigMap old-init-sql, PGO runs it once, so ConfigMap gitlab-db-init-sql was not run' });
      // the instance checks still come first
      expect(run(POSTGRES_CLUSTER_HEALTH_LUA, withInit({ databaseInitSQL: 'gitlab-db-init-sql', patroni: {} })).message).toBe('Patroni has not initialized the cluster yet');
    });

    test('Suspended while PGO is paused (spec.paused, or backups removed without authorization)', () => {
      expect(run(POSTGRES_CLUSTER_HEALTH_LUA, withStatus({ conditions: [cond('Progressing', 'False', 'Paused', 'No spec changes will be applied and no other statuses will be updated.')] })))
        .toEqual({ status: 'Suspended', message: 'No spec changes will be applied and no other statuses will be updated.' });
      expect(run(POSTGRES_CLUSTER_HEALTH_LUA, withStatus({ conditions: [cond('ProxyAvailable', 'False', 'x')] })).status).toBe('Healthy');
    });
  });

  test('Subscription: an installed operator with an upgrade waiting for approval is Healthy (the built-in check says Progressing)', () => {
    const r = run(SUBSCRIPTION_HEALTH_LUA, { status: { installedCSV: 'op.v1.0.0', currentCSV: 'op.v1.1.0', state: 'UpgradePending', conditions: [cond('InstallPlanPending', 'True', 'RequiresApproval')] } });
    expect(r).toEqual({ status: 'Healthy', message: 'installed op.v1.0.0; upgrade to op.v1.1.0 waits (RequiresApproval)' });
  });

  test('Subscription: before the first install it is Progressing', () => {
    expect(run(SUBSCRIPTION_HEALTH_LUA, { status: { conditions: [cond('InstallPlanPending', 'True', 'RequiresApproval')] } }).status).toBe('Progressing');
    expect(run(SUBSCRIPTION_HEALTH_LUA, {}).status).toBe('Progressing');
  });

  test('Subscription: a failure condition that is True is Degraded, one that is False is not', () => {
    expect(run(SUBSCRIPTION_HEALTH_LUA, { status: { installedCSV: 'op.v1', conditions: [cond('ResolutionFailed', 'True', 'ConstraintsNotSatisfiable', 'no operators found')] } }))
      .toEqual({ status: 'Degraded', message: 'ResolutionFailed: no operators found' });
    expect(run(SUBSCRIPTION_HEALTH_LUA, { status: { installedCSV: 'op.v1', conditions: [cond('InstallPlanMissing', 'False'), cond('CatalogSourcesUnhealthy', 'False')] } }).status).toBe('Healthy');
  });

  test('Application: Progressing until the child\'s first sync completes; never again held back by its health', () => {
    // a new child: nothing yet, or its first sync running
    expect(run(APPLICATION_HEALTH_LUA, {})).toEqual({ status: 'Progressing', message: 'waiting for its first sync' });
    expect(run(APPLICATION_HEALTH_LUA, { status: { sync: { status: 'OutOfSync' }, operationState: { phase: 'Running' } } })).toEqual({ status: 'Progressing', message: 'first sync Running' });
    // synced: Healthy whatever its own health (a degraded tenant must not block later waves)
    expect(run(APPLICATION_HEALTH_LUA, { status: { sync: { status: 'Synced' }, health: { status: 'Degraded' } } })).toEqual({ status: 'Healthy', message: 'synced before (now Synced, health Degraded)' });
    // synced before, now syncing again or out of sync: not held back either
    expect(run(APPLICATION_HEALTH_LUA, { status: { sync: { status: 'OutOfSync' }, health: { status: 'Progressing' }, operationState: { phase: 'Running' }, history: [{ id: 0, revision: 'abc' }] } }).status).toBe('Healthy');
    // a first sync that failed does not hold back the root (the child retries on its own)
    expect(run(APPLICATION_HEALTH_LUA, { status: { sync: { status: 'OutOfSync' }, operationState: { phase: 'Failed', message: 'one or more objects failed to apply' } } }))
      .toEqual({ status: 'Healthy', message: 'first sync Failed: one or more objects failed to apply; not holding back later waves' });
  });
});


describe('ocpkit bootstrap on the committed reference tree', () => {
  const io = captureOutput();
  test('one command applies bootstrap/, and the operator pins need no hand approval', async () => {
    const dist = path.join(__dirname, '..', '..', 'dist');
    expect(await main(['bootstrap', '--env', 'production', dist])).toBe(0);
    const text = io.out();
    expect(text).toMatch(/1\. Install the OpenShift GitOps operator 1\.12 \(OperatorHub, channel gitops-1\.12\)/);
    expect(text).toMatch(/argocd version --client --short   # argocd: v2\.10\.18\+/);
    // one command, in dependency order: health checks and RBAC, then the AppProject, then the root
    // Velero's repository password exists before anything syncs (Velero would create a default one)
    const early = /2\. Before anything syncs, create this object .*\n((?:\s{3}.*\n)+?)\n/.exec(text)![1];
    expect(early).toContain('oc create namespace openshift-adp');
    expect(early).toMatch(/\[ \] Secret openshift-adp\/velero-repo-credentials keys: repository-password/);
    const apply = /3\. Apply the bootstrap folder \(5 objects: .*\), in this order:\n\s+(oc apply .*)\n/.exec(text)![1];
    expect(apply.split(' -f ').slice(1).map((f) => path.basename(f).split('.')[0])).toEqual(['argocd', 'clusterrole', 'clusterrolebinding', 'appproject', 'application']);
    expect(text).toMatch(/4\. Nothing to approve by hand: the InstallPlan approver approves the pinned CSV/);
    // listed once: not again among the objects made once their namespace exists
    expect(text.match(/Secret openshift-adp\/velero-repo-credentials/g)).toHaveLength(1);
    expect(text).toMatch(/5\. Create the \d+ other objects the stack references but does not create/);
    expect(text).toMatch(/\[ \] openshift-cnv: kubevirt-hyperconverged kubevirt-hyperconverged-operator\.v4\.14\.8 /);
    expect(text).not.toMatch(/HyperConverged resource|NMState resource/);
  });
});
