import { ApiObject } from 'cdk8s';
import { AppProject } from '../../imports/argocd-appproject-argoproj.io';
import { OcpkitError, Problems, show } from '../core/errors';
import { dnsLabel, duplicates, gitUrl, httpsUrl, labelKey, labelValue, nonEmpty } from '../core/rules';
import { DataEntry, DataFile } from '../data/data-file';
import { Cluster } from '../gitops/cluster';
import { GitOpsApp } from '../gitops/gitops-app';
import { ReleaseTrain } from '../gitops/release-train';
import { PlatformProps } from '../platform/platform';
import { Policy } from '../policy/policy';
import { External } from '../refs/provides';

/** The output folder of the hub cluster (`dist/hub/`); no member may be called so. */
export const HUB_FOLDER = 'hub';
/** The folder of a member's output that the hub delivers (written by the member's Cluster). */
export const BOOTSTRAP_FOLDER = 'bootstrap';
/** Label of the hub's Argo CD objects naming the release train they belong to. */
export const TRAIN_LABEL = 'ocpkit.io/train';
/** Label of a generated bootstrap Application naming its member cluster. */
export const MEMBER_LABEL = 'ocpkit.io/cluster';
/** AppProject (on the hub) of the generated bootstrap Applications. */
export const FLEET_PROJECT = 'fleet';

/** A release train of the fleet: a Git revision and the pins of the versions file under its name. */
export interface FleetTrain {
  /** Name of the train (`candidate`, `stable`): the environment of its members and its key in the versions file. */
  readonly name: string;
  /** Git branch or tag the members of this train sync (`trains/stable`). */
  readonly revision: string;
  /** The pins of this train. */
  readonly pins: ReleaseTrain;
  /** Its members, sorted by name. */
  readonly members: readonly FleetMember[];
}

/** One cluster of the fleet, as the fleet file describes it. */
export interface FleetMember {
  /** Cluster name: its output folder `dist/<name>/` and the prefix of its Argo CD objects. */
  readonly name: string;
  /** Name of the release train it follows. */
  readonly train: string;
  /** API server of the cluster, as registered in the hub's Argo CD (the `server` of its cluster Secret). */
  readonly apiUrl: string;
  /** Free labels (`region: eu`) for the member callback. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Settings of the hub cluster. */
export interface FleetHubProps {
  /**
   * Name of the hub cluster.
   * @default 'hub'
   */
  readonly name?: string;
  /**
   * Git revision the hub syncs (its own root and the ApplicationSets). The default keeps every
   * train's snapshot at least as new as the fleet data the hub acts on: trains are listed from
   * the most advanced to the most conservative, and an earlier train's revision always contains
   * the later one's, so a cluster the hub moves to a train finds, at that train's revision, its
   * own folder synthesized for that train (see the module comment).
   * @default the revision of the last train of the fleet file
   */
  readonly revision?: string;
  /**
   * How the member cluster Secrets (credentials of each API server) reach the hub's Argo CD:
   * they are declared as externals of the hub and listed in `dist/hub/externals.yaml`.
   * @default 'sealed-secret'
   */
  readonly credentialsProvidedBy?: 'by-hand' | 'sealed-secret' | 'external-secret' | 'pre-existing';
  /** Adds the hub's own constructs (monitoring, more apps). @default nothing */
  readonly configure?: (hub: Cluster) => void;
}

/** Properties of {@link Fleet.load}. */
export interface FleetProps {
  /** Git repository of the synthesized tree (every cluster and the hub). */
  readonly repoUrl: string;
  /** What every cluster runs (see {@link ClusterProps.platform}). */
  readonly platform: PlatformProps;
  /** The versions file, keyed by train name (`environments: { candidate: ..., stable: ... }`, see {@link ReleaseTrain}). */
  readonly versions: string;
  /**
   * Builds the content of one member cluster. The Cluster already follows its train
   * (`environment` = train name, `targetRevision` = train revision, folder `dist/<name>/`);
   * `train` holds the pins of that train.
   */
  readonly member: (cluster: Cluster, member: FleetMember, train: ReleaseTrain) => void;
  /** @default see {@link FleetHubProps} */
  readonly hub?: FleetHubProps;
  /** @default 'dist' */
  readonly distPath?: string;
  /** @default none (see {@link ClusterProps.schemaDirs}) */
  readonly schemaDirs?: readonly string[];
}

const GIT_REF = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/-]+$/;

/** A branch or tag name (`trains/stable`, `v1.4.0`). */
function gitRevision(v: unknown): string | undefined {
  return typeof v === 'string' && GIT_REF.test(v)
    ? undefined
    : `${show(v)} is not a Git branch or tag name (letters, digits, '.', '_', '-', '/'; for example "trains/stable")`;
}

/**
 * A fleet of OpenShift clusters on release trains, delivered by a hub Argo CD.
 *
 * The fleet file (YAML) lists the trains, from the most advanced to the most conservative, and
 * the clusters:
 *
 * ```yaml
 * trains:
 *   candidate: { revision: trains/candidate }
 *   stable:    { revision: trains/stable }
 * clusters:
 *   - { name: site-a, train: stable, apiUrl: https://api.site-a.example.org:6443, labels: { region: eu } }
 * ```
 *
 * Every member becomes a Cluster written to `dist/<name>/` that follows its train: environment
 * = train name, targetRevision = train revision, pins = the train's entry of the versions file.
 * The hub (`dist/hub/`) holds one GitOpsApp `fleet` with one Argo CD ApplicationSet per train:
 * a list generator with one element per member of the train (sorted by name), and a template
 * making one Application `<member>-bootstrap` that syncs `dist/<member>/bootstrap` at the
 * train's revision to the member's API server. Argo CD distributes; ocpkit only writes Git.
 *
 * Promotion moves clusters to another train: a change of their `train` in the fleet file,
 * reviewed like any other. It changes exactly, for each moved cluster, the generator it is an
 * element of, the revision its bootstrap is synced at, and the pins it is built with.
 * Trade-offs (stated in the README of apps/fleet too):
 * - The hub follows the most conservative train by default, so a promotion merged into the
 *   main branch takes effect when that train's branch is advanced past it: membership changes
 *   ride with a release. A hub that followed `main` would move a cluster to a train whose
 *   snapshot may not yet hold the cluster's folder built for that train.
 * - Moving a cluster between trains hands its Application from one ApplicationSet to another:
 *   the old one deletes it (its resources stay, see below) and the new one creates it; until the
 *   old one has reconciled, the new one reports that the Application is owned by another
 *   ApplicationSet (argo-cd v2.10.18 applicationset/controllers/applicationset_controller.go,
 *   createOrUpdateInCluster, sets a controller owner reference, which controller-runtime refuses
 *   to add next to another controller's). Nothing is deleted on the member meanwhile.
 * - A train is one revision for all its members: two clusters of a train cannot be on different
 *   library versions; a canary is a cluster on the earlier train.
 *
 * @example
 * Emits: one Cluster per member, written to `dist/<member>/` and built with its train's pins, and
 * the hub `dist/hub/`: its bootstrap, and the GitOpsApp `fleet` with the AppProject `fleet` and one
 * ApplicationSet `fleet-<train>` per train (with Application `<member>-bootstrap` per member).
 * ```ts
 * import { Fleet, Quantity, Tenant } from 'ocpkit';
 * import type { Cluster, FleetMember } from 'ocpkit';
 *
 * export function build(): Cluster[] {
 *   return Fleet.load('fleet.yaml', {
 *     repoUrl: 'https://gitlab.example.org/infra/fleet.git',
 *     platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12', argoCd: '2.10.18' },
 *     versions: 'versions.yaml',
 *     member: (cluster: Cluster, member: FleetMember) => {
 *       new Tenant(cluster, 'Web', {
 *         name: 'web',
 *         displayName: `Web site of ${member.name}`,
 *         groups: { admin: ['web-admins'] },
 *         quota: { cpu: Quantity.parse('4'), memory: Quantity.parse('8Gi'), storage: Quantity.parse('20Gi') },
 *       });
 *     },
 *   }).clusters();
 * }
 * ```
 */
export class Fleet {
  /** Reads a fleet file and builds the hub and every member cluster. */
  public static load(file: string, props: FleetProps): Fleet {
    return new Fleet(DataFile.load(file), props);
  }

  /** Like {@link Fleet.load}, from YAML text under a display name (`fleet.yaml`). */
  public static parse(name: string, text: string, props: FleetProps): Fleet {
    return new Fleet(DataFile.parse(name, text), props);
  }

  /** The hub cluster (`dist/hub/`). */
  public readonly hub: Cluster;
  /** The fleet's GitOpsApp on the hub (folder `dist/hub/fleet/`). */
  public readonly app: GitOpsApp;
  /** Trains in file order (most advanced first). */
  public readonly trains: readonly FleetTrain[];
  /** Members in file order. */
  public readonly members: readonly FleetMember[];
  private readonly byName = new Map<string, Cluster>();
  private readonly appSets = new Map<string, ApiObject>();

  private constructor(data: DataFile, props: FleetProps) {
    checkProps(data.name, props);
    const content = (data.content ?? {}) as Record<string, unknown>;
    if (content && typeof content === 'object' && !Array.isArray(content)) {
      for (const k of Object.keys(content)) if (k !== 'trains' && k !== 'clusters') data.report(undefined, k, 'unknown field; allowed fields are trains, clusters');
    }
    const rawTrains = readTrains(data);
    const members = readMembers(data, rawTrains, props.hub?.name ?? HUB_FOLDER);
    data.throwIfAny();

    const trains: FleetTrain[] = rawTrains.map((t) => ({
      name: t.name,
      revision: t.revision,
      pins: ReleaseTrain.load(props.versions, t.name),
      members: members.filter((m) => m.train === t.name).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    }));
    this.trains = trains;
    this.members = members;

    const common = { repoUrl: props.repoUrl, platform: props.platform, distPath: props.distPath, schemaDirs: props.schemaDirs };
    for (const m of members) {
      const train = trains.find((t) => t.name === m.train)!;
      const cluster = new Cluster({ ...common, name: m.name, environment: train.name, outputFolder: m.name, targetRevision: train.revision });
      props.member(cluster, m, train.pins);
      this.byName.set(m.name, cluster);
    }

    const hubName = props.hub?.name ?? HUB_FOLDER;
    this.hub = new Cluster({
      ...common,
      name: hubName,
      environment: HUB_FOLDER,
      outputFolder: HUB_FOLDER,
      targetRevision: props.hub?.revision ?? trains[trains.length - 1].revision,
    });
    const argo = this.hub.platform.argoCd;
    if (argo !== undefined && !atLeast(argo, [2, 5])) {
      // goTemplate in ApplicationSets arrived in Argo CD v2.5.0 (pkg/apis/application/v1alpha1/applicationset_types.go at that tag).
      throw new OcpkitError([{ path: `cluster ${hubName}`, field: 'platform.gitops', message: `OpenShift GitOps ${this.hub.platform.gitops} runs Argo CD ${argo}; the fleet's ApplicationSets use goTemplate, which needs Argo CD 2.5 or later` }]);
    }
    this.app = new GitOpsApp(this.hub, 'Fleet', { name: 'fleet', namespace: this.hub.argoNamespace });
    this.project(members);
    for (const m of members) {
      // Argo CD needs one cluster Secret per member (server URL and credentials), in the hub's
      // Argo CD namespace with the label argocd.argoproj.io/secret-type=cluster
      // (argo-cd v2.10.18 docs/operator-manual/declarative-setup.md, "Clusters"); credentials
      // never go into Git, so they are declared here and listed in dist/hub/externals.yaml.
      External.secret(this.app, `cluster-${m.name}`, {
        namespace: this.hub.argoNamespace,
        keys: ['config', 'name', 'server'],
        providedBy: props.hub?.credentialsProvidedBy ?? 'sealed-secret',
        note: `Argo CD cluster Secret of ${m.name} (label argocd.argoproj.io/secret-type: cluster, server ${m.apiUrl})`,
      });
    }
    for (const t of trains) this.appSets.set(t.name, this.buildApplicationSet(t, props.repoUrl));
    props.hub?.configure?.(this.hub);
  }

  /** Every cluster to synthesize: the hub, then the members in file order (what `build()` returns). */
  public clusters(): Cluster[] {
    return [this.hub, ...this.members.map((m) => this.byName.get(m.name)!)];
  }

  /** The Cluster of a member; an unknown name is an error listing the members. */
  public cluster(name: string): Cluster {
    const c = this.byName.get(name);
    if (!c) throw new OcpkitError([{ path: 'fleet', field: 'cluster', message: `${show(name)} is not a member of the fleet (members: ${this.members.map((m) => m.name).join(', ')})` }]);
    return c;
  }

  /** The ApplicationSet of a train (on the hub). */
  public applicationSet(train: string): ApiObject {
    const a = this.appSets.get(train);
    if (!a) throw new OcpkitError([{ path: 'fleet', field: 'train', message: `${show(train)} is not a train of the fleet (trains: ${this.trains.map((t) => t.name).join(', ')})` }]);
    return a;
  }

  private buildApplicationSet(train: FleetTrain, repoUrl: string): ApiObject {
    const argoNamespace = this.hub.argoNamespace;
    // Field by field against argo-cd v2.10.18 (the Argo CD of OpenShift GitOps 1.12; the 4.14
    // schema profile validates the result): pkg/apis/application/v1alpha1/applicationset_types.go
    // (goTemplate, goTemplateOptions, generators[].list.elements, template, syncPolicy) and
    // docs/operator-manual/applicationset/{Generators-List,GoTemplate}.md. goTemplate exists since
    // v2.5.0 (same file at that tag); "missingkey=error" makes a misspelt parameter an error
    // instead of an empty string.
    return new ApiObject(this.app, `ApplicationSet-${train.name}`, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: `fleet-${train.name}`, namespace: argoNamespace, labels: { [TRAIN_LABEL]: train.name } },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{
          list: {
            elements: train.members.map((m) => {
              const c = this.byName.get(m.name)!;
              return { cluster: m.name, server: m.apiUrl, path: c.folderPath(BOOTSTRAP_FOLDER), namespace: c.argoNamespace };
            }),
          },
        }],
        // Removing a cluster from the fleet (or the train from the file) deletes its generated
        // Application, never what it deployed: with preserveResourcesOnDeletion the controller
        // does not put the resources finalizer on the Applications it generates (v2.10.18
        // applicationset/utils/utils.go RenderTemplateParams, and
        // docs/operator-manual/applicationset/Application-Deletion.md), and the template sets no
        // finalizer of its own. The per-ApplicationSet `applicationsSync` policy is not used: it
        // is ignored unless the controller runs with --enable-policy-override
        // (docs/operator-manual/applicationset/Controlling-Resource-Modification.md).
        syncPolicy: { preserveResourcesOnDeletion: true },
        template: {
          metadata: {
            name: '{{.cluster}}-bootstrap',
            labels: { [TRAIN_LABEL]: train.name, [MEMBER_LABEL]: '{{.cluster}}' },
          },
          spec: {
            project: FLEET_PROJECT,
            source: { repoURL: repoUrl, targetRevision: train.revision, path: '{{.path}}' },
            destination: { server: '{{.server}}', namespace: '{{.namespace}}' },
            syncPolicy: {
              automated: { prune: true, selfHeal: true },
              // A negative limit retries forever (v2.10.18 controller/appcontroller.go, the
              // `Retry.Limit < 0` test): a member that is down at bootstrap time catches up.
              retry: { limit: -1, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
            },
          },
        },
      },
    });
  }

  /** The hub AppProject of the bootstrap Applications: this repository, the members' Argo CD namespaces. */
  private project(members: readonly FleetMember[]): void {
    const project = new AppProject(this.app, 'Project', {
      metadata: { name: FLEET_PROJECT, namespace: this.hub.argoNamespace },
      spec: {
        description: 'Bootstrap of the fleet members (Argo CD instance, controller RBAC, root Application), delivered by the hub',
        sourceRepos: [this.hub.repoUrl],
        destinations: [...members].sort((a, b) => (a.name < b.name ? -1 : 1)).map((m) => ({ server: m.apiUrl, namespace: this.byName.get(m.name)!.argoNamespace })),
        clusterResourceWhitelist: [
          { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
          { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
        ],
      },
    });
    Policy.waive(project, 'confined-projects', 'the fleet project delivers each member\'s bootstrap folder, whose controller RBAC is cluster-scoped (ClusterRole, ClusterRoleBinding only), to the exact API servers and Argo CD namespaces of fleet.yaml');
  }
}

/** True when a dotted version is at least major.minor. */
function atLeast(version: string, [major, minor]: [number, number]): boolean {
  const [a, b] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

function checkProps(file: string, props: FleetProps): void {
  const p = new Problems(`fleet ${file}`);
  if (!props || typeof props !== 'object') {
    p.add('props', `${show(props)} is not a FleetProps object ({ repoUrl, platform, versions, member })`);
    p.throwIfAny();
  }
  p.check('repoUrl', props.repoUrl, gitUrl);
  p.check('versions', props.versions, nonEmpty);
  if (typeof props.member !== 'function') p.add('member', 'must be a function (cluster, member, train) => void that builds one member cluster');
  if (props.hub !== undefined) {
    if (props.hub.name !== undefined) p.check('hub.name', props.hub.name, dnsLabel);
    if (props.hub.revision !== undefined) p.check('hub.revision', props.hub.revision, gitRevision);
    if (props.hub.configure !== undefined && typeof props.hub.configure !== 'function') p.add('hub.configure', 'must be a function (hub: Cluster) => void');
  }
  p.throwIfAny();
}

interface RawTrain {
  readonly name: string;
  readonly revision: string;
}

function readTrains(data: DataFile): RawTrain[] {
  const raw = (data.content as any)?.trains;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || Object.keys(raw).length === 0) {
    data.report(undefined, 'trains', `must map train names to { revision }, from the most advanced to the most conservative, got ${show(raw)}`);
    return [];
  }
  const out: RawTrain[] = [];
  const byRevision = new Map<string, string>();
  for (const name of Object.keys(raw)) {
    const where = (field: string, message: string) => data.report(undefined, `trains.${name}${field ? `.${field}` : ''}`, message);
    const nameProblem = dnsLabel(name);
    if (nameProblem) where('', `the train name ${nameProblem}`);
    if (raw[name] === null || typeof raw[name] !== 'object' || Array.isArray(raw[name])) {
      where('', `must be a mapping { revision: <branch or tag> }, got ${show(raw[name])}`);
      continue;
    }
    for (const k of Object.keys(raw[name])) if (k !== 'revision') where(k, 'unknown field; allowed fields are revision');
    const revision = raw[name].revision;
    const bad = gitRevision(revision);
    if (bad) {
      where('revision', bad);
      continue;
    }
    const other = byRevision.get(revision as string);
    if (other !== undefined) where('revision', `${show(revision)} is also the revision of train ${other}; every train needs its own branch or tag`);
    byRevision.set(revision as string, name);
    if (!nameProblem) out.push({ name, revision: revision as string });
  }
  return out;
}

function readMembers(data: DataFile, trains: readonly RawTrain[], hubName: string): FleetMember[] {
  const entries = data.list('clusters');
  const trainNames = Object.keys(((data.content as any)?.trains ?? {}) as object);
  const out: Array<FleetMember & { entry: DataEntry }> = [];
  for (const e of entries) {
    e.allowOnly(['name', 'train', 'apiUrl', 'labels']);
    const name = e.string('name', { rule: dnsLabel });
    const train = e.string('train', {
      rule: (v) => (trainNames.includes(v) ? undefined : `${show(v)} is not a train of this file; use one of ${trainNames.map((t) => JSON.stringify(t)).join(', ') || '(none declared under trains)'}`),
    });
    const apiUrl = e.string('apiUrl', { rule: httpsUrl });
    const labels = e.stringMap('labels', { optional: true }) ?? {};
    for (const [k, v] of Object.entries(labels)) {
      const kp = labelKey(k);
      if (kp) e.report(`labels.${k}`, kp);
      const vp = labelValue(v);
      if (vp) e.report(`labels.${k}`, vp);
    }
    if (name === HUB_FOLDER || name === hubName) e.report('name', `${show(name)} is the hub's name or folder; give the member another name`);
    if (name !== undefined && train !== undefined && apiUrl !== undefined && trains.some((t) => t.name === train)) {
      out.push({ name, train, apiUrl, labels: { ...labels }, entry: e });
    }
  }
  for (const dup of duplicates(out.map((m) => m.name))) {
    for (const m of out.filter((x) => x.name === dup).slice(1)) m.entry.report('name', `${show(dup)} is already the name of another cluster; every cluster needs its own name (it is its output folder)`);
  }
  for (const dup of duplicates(out.map((m) => m.apiUrl))) {
    const first = out.find((x) => x.apiUrl === dup)!;
    for (const m of out.filter((x) => x.apiUrl === dup).slice(1)) m.entry.report('apiUrl', `${show(dup)} is already the API server of ${first.name}; two members cannot be the same cluster`);
  }
  return out.map(({ entry: _entry, ...m }) => m);
}
