import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Application, ApplicationSpecIgnoreDifferences } from '../../imports/argocd-application-argoproj.io';
import { Problems } from '../core/errors';
import { dnsLabel, intRange, nonEmpty } from '../core/rules';
import { Cluster } from './cluster';
import { ARGO_CD_FIXES, argoCdHasFix } from './argocd-fixes';
import { Delivery } from './delivery';
import { isOperatorProvided } from './delivery-annotations';
import { PLATFORM_PROJECT, RETRY_FOREVER, ROOT_FOLDER } from './root-app';
import { ManifestTransform, TreeIndex } from '../synth/pipeline';

/** A field Argo CD should not compare (because a controller rewrites it on the live object). */
export interface IgnoreDifference {
  /** API group of the kind (`apps`, `kubevirt.io`; empty for the core group). */
  readonly group: string;
  readonly kind: string;
  /** @default every object of the kind */
  readonly name?: string;
  /** @default every namespace */
  readonly namespace?: string;
  /** jq path expressions of the ignored fields. */
  readonly jqPathExpressions?: readonly string[];
  /** JSON pointers of the ignored fields. */
  readonly jsonPointers?: readonly string[];
  /**
   * Also keep the live value when Argo CD syncs (the Application gets the sync option
   * `RespectIgnoreDifferences=true`). Without it the difference is only hidden from the comparison,
   * and every sync of the Application writes Git's value back: an image-trigger-managed image is
   * reset, which rolls the Deployment out twice. The sync option is Application-wide, so it then
   * applies to every ignore entry of the app; Argo CD copies live values inside arrays correctly
   * only for built-in kinds (for custom resources it copies the whole array), so opt in only for
   * fields of built-in kinds.
   * @default false (compare only)
   */
  readonly respectOnSync?: boolean;
}

/** Properties of a {@link GitOpsApp}. */
export interface GitOpsAppProps {
  /**
   * Name of the Argo CD Application and of its folder (`dist/<env>/<name>/`). A DNS-1123 label.
   */
  readonly name: string;
  /**
   * Default namespace of the objects in this app and destination namespace of the Application.
   * @default no default namespace: objects set their own
   */
  readonly namespace?: string;
  /**
   * The Argo CD AppProject the Application belongs to.
   * @default 'platform' (cluster-scoped kinds allowed)
   */
  readonly project?: string;
  /**
   * Sync wave of the Application inside the app-of-apps. Argo CD waits for the lower waves' apps
   * to be healthy only with an `argoproj.io/Application` health check (see {@link SyncWave}).
   * @default 0
   */
  readonly syncWave?: number;
  /**
   * Let Argo CD prune objects that disappear from the folder. Stateful kinds are protected by
   * per-object annotations whatever this says.
   * @default true
   */
  readonly prune?: boolean;
}

/**
 * One Argo CD Application and the folder it syncs. Every object defined below it lands in
 * `dist/<environment>/<name>/` (one file per object), and an Application pointing at that
 * folder lands in the app-of-apps.
 *
 * Primary object (`ApiObject.of(app)`, `Overrides.of(app)`): the Argo CD Application.
 *
 * @example
 * Emits: the ConfigMap below into `dist/<environment>/cluster-config/` (its namespace filled in
 * from the app's), and into the app-of-apps (`root/`) an Argo CD Application in the `platform`
 * AppProject that syncs that folder in the config sync wave.
 * ```ts
 * import { ApiObject } from 'cdk8s';
 * import { GitOpsApp, SyncWave } from 'ocpkit';
 * import type { Cluster } from 'ocpkit';
 *
 * export function addClusterConfig(cluster: Cluster): GitOpsApp {
 *   const app = new GitOpsApp(cluster, 'ClusterConfig', { name: 'cluster-config', namespace: 'openshift-config', syncWave: SyncWave.CONFIG });
 *   new ApiObject(app, 'LoginBanner', {
 *     apiVersion: 'v1',
 *     kind: 'ConfigMap',
 *     metadata: { name: 'login-banner' },
 *     data: { 'banner.txt': 'Community cluster: read the code of conduct.' },
 *   });
 *   return app;
 * }
 * ```
 */
export class GitOpsApp extends Chart {
  /**
   * cdk8s' Chart answers `instanceof` for every chart (`Chart[Symbol.hasInstance]`), which would
   * make `x instanceof Tenant` true for any Chart. GitOpsApp and its subclasses check the real
   * prototype chain instead.
   */
  public static [Symbol.hasInstance]<T extends Chart>(this: abstract new (...args: any[]) => T, o: unknown): o is T {
    return typeof o === 'object' && o !== null && Object.prototype.isPrototypeOf.call(this.prototype, o);
  }

  /**
   * Nearest construct of this class above (or at) a construct, or undefined:
   * `GitOpsApp.enclosing(c)` finds the GitOpsApp, `Tenant.enclosing(c)` the Tenant.
   */
  public static enclosing<T extends GitOpsApp>(this: abstract new (...args: any[]) => T, c: IConstruct): T | undefined {
    for (let s: IConstruct | undefined = c; s; s = s.node.scope) {
      if (s instanceof this) return s as T;
    }
    return undefined;
  }

  /** Folder an object is written to: its explicit placement, else its GitOpsApp's name. */
  public static folderOf(c: IConstruct): string | undefined {
    // the nearest choice on the path: a Delivery folder, or the GitOpsApp the object is in (which
    // chose its own name as the folder of its subtree)
    return Delivery.folderOf(c);
  }

  public readonly appName: string;
  public readonly cluster: Cluster;
  /** The Argo CD Application object (in the app-of-apps folder). */
  public readonly application: Application;
  private readonly ignores: ApplicationSpecIgnoreDifferences[] = [];
  private respectIgnores = false;

  constructor(scope: Construct, id: string, props: GitOpsAppProps) {
    super(scope, id, { namespace: props?.namespace, disableResourceNameHashes: true });
    const p = new Problems(this.node.path);
    if (!props || typeof props !== 'object') p.add('props', `${JSON.stringify(props)} is not a GitOpsAppProps object ({ name, namespace?, syncWave? })`);
    p.throwIfAny();
    p.check('name', props.name, dnsLabel);
    if (props.namespace !== undefined) p.check('namespace', props.namespace, dnsLabel);
    if (props.syncWave !== undefined) p.check('syncWave', props.syncWave, intRange(-100, 100));
    if (props.name === ROOT_FOLDER) p.add('name', `"${ROOT_FOLDER}" is reserved for the app-of-apps folder`);
    p.throwIfAny();
    this.appName = props.name;
    this.cluster = Cluster.of(this);
    this.cluster._claimFolder(props.name, this.node.path);
    Delivery.of(this).folder(props.name);
    const cluster = this.cluster;
    const prune = props.prune ?? true;
    this.application = new Application(this, 'ArgoApplication', {
      metadata: {
        name: props.name,
        namespace: cluster.argoNamespace,
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        project: props.project ?? PLATFORM_PROJECT,
        source: { repoUrl: cluster.repoUrl, targetRevision: cluster.targetRevision, path: cluster.folderPath(props.name) },
        destination: { server: cluster.destinationServer, namespace: props.namespace },
        syncPolicy: {
          automated: { prune, selfHeal: true },
          syncOptions: Lazy.any({ produce: () => (this.respectIgnores ? ['PruneLast=true', 'RespectIgnoreDifferences=true'] : ['PruneLast=true']) }) as any,
          // five retries; APPLICATION_RETRY makes it unlimited where the folder must wait (at synth time)
          retry: RETRY_FIVE,
        },
        ignoreDifferences: Lazy.any({ produce: () => (this.ignores.length ? this.ignores.map((i) => ({ ...i })) : undefined) }) as any,
      },
    });
    Delivery.of(this.application).folder(ROOT_FOLDER);
    if (props.syncWave !== undefined) Delivery.of(this.application).syncWave(props.syncWave);
    this.node.defaultChild = this.application;
  }

  /**
   * Tells Argo CD to ignore a field that a controller rewrites on the live object: always when it
   * compares (the Application's `ignoreDifferences`), and with `respectOnSync` also when it syncs
   * (sync option `RespectIgnoreDifferences=true`, so a sync never resets the field to Git's value).
   */
  public addIgnoreDifference(diff: IgnoreDifference): void {
    const p = new Problems(`${this.node.path} ignoreDifference`);
    if (!diff || typeof diff !== 'object') {
      p.add('diff', `${JSON.stringify(diff)} is not an IgnoreDifference ({ group, kind, jqPathExpressions? | jsonPointers? })`);
      p.throwIfAny();
    }
    if (typeof diff.group !== 'string') p.add('group', `${JSON.stringify(diff.group)} is not an API group; write "" for the core group, "apps", "kubevirt.io", ...`);
    p.check('kind', diff.kind, nonEmpty);
    if (!diff.jqPathExpressions?.length && !diff.jsonPointers?.length) p.add('jqPathExpressions', 'give at least one jq path expression or JSON pointer; an empty entry would ignore nothing');
    (diff.jsonPointers ?? []).forEach((j, i) => {
      if (typeof j !== 'string' || !j.startsWith('/')) p.add(`jsonPointers[${i}]`, `${JSON.stringify(j)} is not a JSON pointer (it starts with "/", e.g. "/spec/replicas")`);
    });
    (diff.jqPathExpressions ?? []).forEach((j, i) => {
      if (typeof j !== 'string' || !j.trim().startsWith('.')) p.add(`jqPathExpressions[${i}]`, `${JSON.stringify(j)} is not a jq path expression (it starts with ".", e.g. ".spec.template.spec.containers[].image")`);
    });
    if (diff.respectOnSync !== undefined && typeof diff.respectOnSync !== 'boolean') p.add('respectOnSync', `must be true or false, got ${JSON.stringify(diff.respectOnSync)}`);
    if (diff.respectOnSync === true) {
      // The sync option is broken for arrays before these Argo CD releases (lib/gitops/argocd-fixes.ts).
      const argoCd = this.cluster.platform.declaredArgoCd;
      const fix = ARGO_CD_FIXES['respect-ignore-differences'];
      const ok = argoCdHasFix(argoCd, 'respect-ignore-differences');
      if (ok === false) p.add('respectOnSync', `Argo CD ${argoCd} (OpenShift GitOps ${this.cluster.platform.gitops}) has a broken RespectIgnoreDifferences: ${fix.defect}; it is fixed in ${fix.fixedIn.join(' / ')}: upgrade OpenShift GitOps, or pin the image in Git instead of following it`);
      if (ok === undefined) p.add('respectOnSync', `RespectIgnoreDifferences is broken before Argo CD ${fix.fixedIn.join(' / ')} (${fix.defect}), and the cluster does not declare which Argo CD release OpenShift GitOps ${this.cluster.platform.gitops} runs; declare it as platform.argoCd (\`argocd version\`), e.g. '${this.cluster.platform.argoCd ?? '2.10.18'}'`);
    }
    p.throwIfAny();
    if (diff.respectOnSync) this.respectIgnores = true;
    this.ignores.push({
      group: diff.group,
      kind: diff.kind,
      name: diff.name,
      namespace: diff.namespace,
      jqPathExpressions: diff.jqPathExpressions ? [...diff.jqPathExpressions] : undefined,
      jsonPointers: diff.jsonPointers ? [...diff.jsonPointers] : undefined,
    });
  }
}

/** Retries of an Application whose kinds all exist before it syncs: a real error stops after five. */
const RETRY_FIVE = { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } };

/**
 * The synth transform that gives a GitOpsApp's Application unlimited retries when its folder must
 * wait for something outside its control ({@link foldersThatMustWait}). A transform, not a Lazy in
 * the Application: the decision needs the whole tree, which the synthesizer walks once; rendering
 * the Application outside a synth (`toJson()`) keeps the five retries.
 */
export const APPLICATION_RETRY: ManifestTransform = {
  id: 'application-retry',
  transform(m, { source }) {
    if (m?.kind !== 'Application') return m;
    const app = GitOpsApp.enclosing(source);
    if (!app || app.application !== source || !foldersThatMustWait(app.cluster).has(app.appName)) return m;
    // keys in the order cdk8s renders them (sorted), so the file reads like every other
    if (m.spec?.syncPolicy) m.spec.syncPolicy.retry = { backoff: { ...RETRY_FOREVER.backoff }, limit: RETRY_FOREVER.limit };
    return m;
  },
};

const WAITING_FOLDERS = new WeakMap<readonly IConstruct[], ReadonlySet<string>>();

/**
 * Folders whose Applications must wait for something outside their control (one pass over the
 * tree per synth): custom resources whose CRDs an operator installs (right after bootstrap the
 * CRDs do not exist yet; field review M13), and Namespaces (the OpenShift GitOps operator grants
 * the controller its Role in a new managed namespace only when it next reconciles the instance).
 * Their Applications retry forever: one that gave up after five retries would wait for a human.
 */
function foldersThatMustWait(cluster: Cluster): ReadonlySet<string> {
  const all = TreeIndex.all(cluster);
  let folders = WAITING_FOLDERS.get(all);
  if (!folders) {
    const found = new Set<string>();
    for (const c of all) {
      if (c instanceof ApiObject && (isOperatorProvided(c.apiVersion) || (c.kind === 'Namespace' && c.apiVersion === 'v1'))) {
        const f = Delivery.folderOf(c);
        if (f !== undefined) found.add(f);
      }
    }
    WAITING_FOLDERS.set(all, (folders = found));
  }
  return folders;
}
