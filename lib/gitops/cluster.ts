import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { IConstruct } from 'constructs';
import '../core/construct-ids'; // construct ids such as `toString` work (see there)
import { Problems, OcpkitError } from '../core/errors';
import { dnsLabel, gitUrl, httpsUrl, nonEmpty, oneOf } from '../core/rules';
import { RootApp } from './root-app';
import { ManifestTransform, Plugins, SynthCheck } from '../synth/pipeline';
import { Platform, PlatformProps } from '../platform/platform';

/** Properties of a {@link Cluster}. */
export interface ClusterProps {
  /** Short name of the cluster, used in labels (`community`). */
  readonly name: string;
  /** Environment synthesized by this instance; it names the output folder `dist/<environment>/`. */
  readonly environment: string;
  /** Git repository Argo CD reads the synthesized tree from. */
  readonly repoUrl: string;
  /**
   * Git revision Argo CD tracks.
   * @default 'main'
   */
  readonly targetRevision?: string;
  /**
   * Name of this cluster's output folder (`dist/<outputFolder>/`). One cluster per environment
   * keeps the default; a fleet, where several clusters share an environment (a release train),
   * gives every cluster its own folder.
   * @default the environment
   */
  readonly outputFolder?: string;
  /**
   * Path of the synthesized tree inside the repository.
   * @default 'dist'
   */
  readonly distPath?: string;
  /**
   * Namespace of the Argo CD instance (OpenShift GitOps).
   * @default 'openshift-gitops'
   */
  readonly argoNamespace?: string;
  /**
   * API server Argo CD deploys to.
   * @default 'https://kubernetes.default.svc'
   */
  readonly destinationServer?: string;
  /**
   * The platform this cluster runs: OpenShift minor version, network type and OpenShift GitOps
   * version (`{ openshift: '4.14', networkType: 'OpenShiftSDN', gitops: '1.12' }`). Objects are
   * validated against the schema profile of that OpenShift version and operator pins against
   * its operator catalog (lib/platform).
   */
  readonly platform: PlatformProps;
  /**
   * Folders (or files) of CustomResourceDefinition YAML for kinds the platform profile does not
   * have (in-house CRDs, operators you add); their kinds take precedence. Relative paths are
   * resolved against the current directory.
   * @default none
   */
  readonly schemaDirs?: readonly string[];
  /**
   * Whether Workloads of this cluster may follow a moving image tag (`ImageUpdates.followTag()`:
   * an ImageStream imports the tag on a schedule and an image trigger rolls the Deployment out,
   * outside Git and the release train). `'pinned'`: every image runs as written in Git (promoted
   * through the release train); a ContainerApp that follows a tag is refused. Allow `'follow-tags'`
   * only where unreviewed rollouts are acceptable (staging).
   * @default 'pinned'
   */
  readonly imageUpdates?: 'pinned' | 'follow-tags';
}

/**
 * The root of one environment of one cluster: every construct of a stack lives under a Cluster.
 * It never uses cdk8s' own `App.synth()` (which walks the whole tree once per chart); ocpkit's
 * synthesizer walks it once. One Cluster instance per environment.
 *
 * A Cluster has no primary object (it is the whole environment): `Overrides.of(cluster)` says so;
 * override its constructs, or `cluster.root` (the root Application).
 *
 * @example
 * Emits: `dist/production/bootstrap/` (applied once by hand): the OpenShift GitOps `ArgoCD`
 * instance, the ClusterRole and ClusterRoleBinding of its application controller (derived from the
 * stack), the `platform` AppProject and the root Application that syncs `dist/production/root/`;
 * and `dist/production/externals.yaml`, the checklist of what the stack uses but does not create.
 * ```ts
 * import { Cluster } from 'ocpkit';
 *
 * export function build(): Cluster {
 *   return new Cluster({
 *     name: 'community',
 *     environment: 'production',
 *     repoUrl: 'https://gitlab.example.org/infra/cluster.git',
 *     targetRevision: 'release/production',
 *     platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12', argoCd: '2.10.18' },
 *   });
 * }
 * ```
 */
export class Cluster extends App {
  /** Finds the Cluster a construct belongs to. */
  public static of(c: IConstruct): Cluster {
    const root = c.node.root;
    if (!(root instanceof Cluster)) {
      throw new OcpkitError([{ path: c.node.path || '/', field: '', message: 'construct is not inside an ocpkit Cluster; create it under `new Cluster(...)`' }]);
    }
    return root;
  }

  public readonly clusterName: string;
  public readonly environment: string;
  /** The folder below `distPath` this cluster is written to (see {@link ClusterProps.outputFolder}). */
  public readonly outputFolder: string;
  public readonly repoUrl: string;
  public readonly targetRevision: string;
  public readonly distPath: string;
  public readonly argoNamespace: string;
  public readonly destinationServer: string;
  /** The declared platform (OpenShift version, network type, GitOps and Argo CD versions). */
  public readonly platform: Platform;
  /** User schema folders (absolute paths). */
  public readonly schemaDirs: readonly string[];
  /** Whether Workloads may follow moving image tags (see {@link ClusterProps.imageUpdates}). */
  public readonly imageUpdates: 'pinned' | 'follow-tags';
  /**
   * The chart holding the app-of-apps: every GitOpsApp's Argo CD Application and the AppProjects.
   * Its folder is `root`.
   */
  public readonly root: RootApp;

  constructor(props: ClusterProps) {
    super({ outdir: props?.distPath ?? 'dist' });
    const p = new Problems(`cluster ${typeof props?.name === 'string' ? props.name : ''}`.trim());
    if (!props || typeof props !== 'object') {
      p.add('props', `${JSON.stringify(props)} is not a ClusterProps object ({ name, environment, repoUrl })`);
      p.throwIfAny();
    }
    p.check('name', props.name, dnsLabel);
    p.check('environment', props.environment, dnsLabel);
    p.check('repoUrl', props.repoUrl, gitUrl);
    if (props.targetRevision !== undefined) p.check('targetRevision', props.targetRevision, nonEmpty);
    if (props.outputFolder !== undefined) p.check('outputFolder', props.outputFolder, dnsLabel);
    if (props.distPath !== undefined) p.check('distPath', props.distPath, nonEmpty);
    if (props.argoNamespace !== undefined) p.check('argoNamespace', props.argoNamespace, dnsLabel);
    if (props.destinationServer !== undefined) p.check('destinationServer', props.destinationServer, httpsUrl);
    if (props.imageUpdates !== undefined) p.check('imageUpdates', props.imageUpdates, oneOf(['pinned', 'follow-tags']));
    if (props.platform === undefined) p.add('platform', "is required: declare what the cluster runs, e.g. { openshift: '4.14', networkType: 'OpenShiftSDN', gitops: '1.12' }");
    const dirs = props.schemaDirs ?? [];
    if (!Array.isArray(dirs)) p.add('schemaDirs', 'must be a list of folders of CustomResourceDefinition YAML');
    else dirs.forEach((d, i) => { if (typeof d !== 'string' || !fs.existsSync(d)) p.add(`schemaDirs[${i}]`, `${JSON.stringify(d)} is not a folder or file of CustomResourceDefinition YAML`); });
    p.throwIfAny();
    this.platform = Platform.declare(props.platform, `cluster ${props.name}`);
    this.schemaDirs = dirs.map((d) => path.resolve(d));
    this.imageUpdates = props.imageUpdates ?? 'pinned';
    this.clusterName = props.name;
    this.environment = props.environment;
    this.outputFolder = props.outputFolder ?? props.environment;
    this.repoUrl = props.repoUrl;
    this.targetRevision = props.targetRevision ?? 'main';
    this.distPath = props.distPath ?? 'dist';
    this.argoNamespace = props.argoNamespace ?? 'openshift-gitops';
    this.destinationServer = props.destinationServer ?? 'https://kubernetes.default.svc';
    this.root = new RootApp(this);
  }

  private readonly apps = new Map<string, string>();

  /**
   * Records that a GitOpsApp owns a folder name; a second owner is an error naming both.
   * @internal
   */
  public _claimFolder(name: string, path: string): void {
    const owner = this.apps.get(name);
    if (owner !== undefined) {
      throw new OcpkitError([{ path, field: 'name', message: `"${name}" is already used by ${owner}; every tenant and GitOpsApp needs its own name` }]);
    }
    this.apps.set(name, path);
  }

  /**
   * Adds a check that runs when this cluster (only) is synthesized, after the default ones; see
   * `SynthCheck` in lib/synth/pipeline.ts.
   */
  public addCheck(check: SynthCheck): void {
    Plugins.of(this).addCheck(check);
  }

  /** Adds a manifest transform that runs on every object of this cluster (only), after the default ones. */
  public addTransform(transform: ManifestTransform): void {
    Plugins.of(this).addTransform(transform);
  }

  /** Repository path of one output folder of this environment. */
  public folderPath(folder: string): string {
    return `${this.distPath}/${this.outputFolder}/${folder}`;
  }

  /**
   * Synthesizes this cluster the way `ocpkit synth` does, not cdk8s' way: ocpkit's default pipeline
   * (`synthesize` of lib/pipeline-defaults: schema validation, policies, references, externals.yaml,
   * runbooks) and the atomic writer (`writeTree`), into `$CDK8S_OUTDIR` when set (as `cdk8s synth`
   * sets it), else `this.outdir` (`distPath`, default `dist`), which is replaced only when
   * everything passed. Throws an OcpkitError listing every problem
   * otherwise. A stack run by `cdk8s synth` or plain `node` that ends with `cluster.synth()` thus
   * gets the same output as `ocpkit synth`. Several clusters in one folder: use `ocpkit synth`;
   * this writes this cluster's environment only and the writer replaces the whole folder, so it
   * refuses a folder that holds another environment (it would remove it).
   */
  public override synth(): void {
    // Lazy requires: lib/pipeline-defaults imports every domain, lib/gitops among them, so a static
    // import would be a cycle; both modules are loaded only when a stack calls synth().
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { synthesize } = require('../pipeline-defaults') as typeof import('../pipeline-defaults');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { writeTree } = require('../synth/write-tree') as typeof import('../synth/write-tree');
    const outdir = process.env.CDK8S_OUTDIR || this.outdir;
    let others: string[] = [];
    try {
      others = fs.readdirSync(outdir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== this.outputFolder).map((e) => e.name);
    } catch {
      // no folder yet: nothing to lose
    }
    if (others.length) {
      throw new OcpkitError([{ path: this.node.path || this.outputFolder, field: 'synth()', message: `${outdir} also holds ${others.map((o) => `"${o}"`).join(', ')}, which writing this cluster's "${this.outputFolder}" alone would remove; synthesize every cluster together with \`ocpkit synth\` (a stack module exporting build(): Cluster[])` }]);
    }
    writeTree(synthesize(this).files, outdir);
  }
}
