import { IConstruct } from 'constructs';
import { OcpkitError, Problem, show } from '../core/errors';
import { availableProfiles, locateProfile, locateSchemas } from '../schema/locate';
import { compareVersions, GitOpsFacts, OperatorCatalog } from './operator-catalog';

/**
 * Cluster network plugin. OpenShift 4.14 offers both: a cluster upgraded from an older release
 * keeps OpenShift SDN unless migrated, a new install gets OVN-Kubernetes (../shared/CONTEXT.md).
 */
export type NetworkType = 'OVNKubernetes' | 'OpenShiftSDN';

const NETWORK_TYPES: readonly NetworkType[] = ['OVNKubernetes', 'OpenShiftSDN'];

/** What a cluster runs: the facts its objects are checked against. */
export interface PlatformProps {
  /**
   * OpenShift minor version (`'4.14'`). Selects the schema profile
   * (`../shared/crds/profiles/ocp-<version>/`) and the operator catalog every OperatorInstall pin
   * is checked against.
   */
  readonly openshift: string;
  /** Network plugin of the cluster. */
  readonly networkType: NetworkType;
  /**
   * OpenShift GitOps minor version (`'1.12'`); the Argo CD version follows from it (the catalog's
   * `openshift-gitops-operator.versions`: GitOps 1.12 runs Argo CD 2.10.18).
   */
  readonly gitops: string;
  /**
   * The exact Argo CD version the OpenShift GitOps instance runs (`argocd version` in the
   * openshift-gitops-server pod), on the line that GitOps version ships (GitOps 1.12: 2.10.x).
   * The catalog only knows the line's newest patch (the go.mod of the branch), while early
   * z-streams ship older ones (GitOps 1.12.1 pins Argo CD 2.10.5); features that depend on a fixed
   * patch release (RespectIgnoreDifferences, lib/gitops/argocd-fixes.ts) are refused until it is
   * declared.
   * @default undefined: the patch release is unknown
   */
  readonly argoCd?: string;
  /**
   * The cluster's pod network (install-config `networking.clusterNetwork[].cidr`). VMs whose bridged
   * NIC owns the default route route it through the pod NIC, or replies to pods would leave by
   * the bridge.
   * @default '10.128.0.0/14' (the installer's default)
   */
  readonly clusterNetwork?: string;
  /**
   * The Service network (install-config `networking.serviceNetwork`); the cluster DNS Service is
   * its tenth address (`172.30.0.10`).
   * @default '172.30.0.0/16' (the installer's default)
   */
  readonly serviceNetwork?: string;
}

/** The installer's default pod network (install-config `networking.clusterNetwork`). */
export const DEFAULT_CLUSTER_NETWORK = '10.128.0.0/14';
/** The installer's default Service network (install-config `networking.serviceNetwork`). */
export const DEFAULT_SERVICE_NETWORK = '172.30.0.0/16';

/**
 * The declared platform of a cluster (`new Cluster({ platform: { openshift: '4.14', ... } })`),
 * checked against the shared profile when declared: an OpenShift version without a schema
 * profile, or a GitOps version the profile's catalog does not record for that OpenShift, is an
 * error at once. Constructs reach it with {@link Platform.of}.
 */
export class Platform {
  /** The platform of the cluster a construct belongs to, or undefined outside a declared cluster. */
  public static of(c: IConstruct): Platform | undefined {
    const p = (c.node.root as { platform?: unknown }).platform;
    return p instanceof Platform ? p : undefined;
  }

  /**
   * Checks platform props and returns the Platform, or throws one OcpkitError listing every
   * problem under `path` (the cluster's construct path).
   * @param schemasDir shared schema folder (default: located as the validator does)
   */
  public static declare(props: PlatformProps, path: string, schemasDir?: string): Platform {
    const problems: Problem[] = [];
    const add = (field: string, message: string) => problems.push({ path, field: `platform.${field}`, message });
    if (!props || typeof props !== 'object') {
      throw new OcpkitError([{ path, field: 'platform', message: `${show(props)} is not a platform declaration; write { openshift: '4.14', networkType: 'OpenShiftSDN' | 'OVNKubernetes', gitops: '1.12' }` }]);
    }
    const dir = locateSchemas(schemasDir);
    let profileDir: string | undefined;
    if (typeof props.openshift !== 'string' || !/^\d+\.\d+$/.test(props.openshift)) {
      const known = availableProfiles(dir);
      add('openshift', `${show(props.openshift)} is not an OpenShift minor version; write it as "4.14" (profiles available: ${known.join(', ') || 'none'})`);
    } else {
      try {
        profileDir = locateProfile(dir, props.openshift, { path, field: 'platform.openshift' });
      } catch (e) {
        if (!(e instanceof OcpkitError)) throw e;
        problems.push(...e.problems);
      }
    }
    if (!NETWORK_TYPES.includes(props.networkType)) add('networkType', `${show(props.networkType)} is not a network type; one of ${NETWORK_TYPES.join(', ')}`);
    let gitops: GitOpsFacts | undefined;
    if (typeof props.gitops !== 'string' || !/^\d+\.\d+$/.test(props.gitops)) {
      add('gitops', `${show(props.gitops)} is not an OpenShift GitOps minor version; write it as "1.12"`);
    } else if (profileDir) {
      const catalog = OperatorCatalog.load(profileDir);
      const known = catalog.gitops();
      gitops = known.find((g) => g.gitops === props.gitops);
      const forThis = known.filter((g) => g.openshift.includes(props.openshift)).map((g) => g.gitops);
      if (!gitops) {
        add('gitops', `OpenShift GitOps ${props.gitops} is not in the operator catalog of OpenShift ${props.openshift} (${catalog.file}); it records ${forThis.join(', ') || 'none'} for ${props.openshift}`);
      } else if (!gitops.openshift.includes(props.openshift)) {
        add('gitops', `OpenShift GitOps ${props.gitops} supports OpenShift ${gitops.openshift.join(', ')}, not ${props.openshift}${gitops.source ? ` (${gitops.source})` : ''}; the catalog records ${forThis.join(', ') || 'none'} for ${props.openshift}`);
      }
    }
    if (problems.length) throw new OcpkitError(problems, 'invalid platform');
    if (props.argoCd !== undefined) {
      const line = gitops?.argoCd?.split('.').slice(0, 2).join('.');
      if (typeof props.argoCd !== 'string' || !/^\d+\.\d+\.\d+$/.test(props.argoCd)) add('argoCd', `${show(props.argoCd)} is not an Argo CD release; write it as "2.10.18" (see \`argocd version\`)`);
      else if (line && !props.argoCd.startsWith(`${line}.`)) add('argoCd', `Argo CD ${props.argoCd} is not on the ${line} line OpenShift GitOps ${props.gitops} ships (${gitops?.source ?? 'operator catalog'})`);
      if (problems.length) throw new OcpkitError(problems, 'invalid platform');
    }
    return new Platform(props, dir, profileDir!, gitops?.argoCd);
  }

  public readonly openshift: string;
  public readonly networkType: NetworkType;
  public readonly gitops: string;
  /**
   * Argo CD version OpenShift GitOps runs, as precise as the catalog cites it (`2.10.18` for
   * GitOps 1.12: the go.mod of redhat-developer/gitops-operator branch v1.12).
   */
  public readonly argoCd: string | undefined;
  /** The Argo CD release declared in `platform.argoCd`, or undefined (patch release unknown). */
  public readonly declaredArgoCd: string | undefined;
  /** Pod network CIDR (see {@link PlatformProps.clusterNetwork}). */
  public readonly clusterNetwork: string;
  /** Service network CIDR (see {@link PlatformProps.serviceNetwork}). */
  public readonly serviceNetwork: string;

  private constructor(
    props: PlatformProps,
    /** The shared schema folder. */
    public readonly schemasDir: string,
    /** The schema profile of the OpenShift version (`<schemas>/profiles/ocp-4.14`). */
    public readonly profileDir: string,
    argoCd: string | undefined,
  ) {
    this.openshift = props.openshift;
    this.networkType = props.networkType;
    this.gitops = props.gitops;
    this.argoCd = argoCd;
    this.declaredArgoCd = props.argoCd;
    this.clusterNetwork = props.clusterNetwork ?? DEFAULT_CLUSTER_NETWORK;
    this.serviceNetwork = props.serviceNetwork ?? DEFAULT_SERVICE_NETWORK;
  }

  /** The operator catalog of this OpenShift version. */
  public get catalog(): OperatorCatalog {
    return OperatorCatalog.load(this.profileDir);
  }

  /** Kubernetes minor version of this OpenShift (`1.27` for 4.14), from the catalog. */
  public get kubernetes(): string {
    return this.catalog.kubernetes;
  }

  /** True when this platform runs at least the given OpenShift minor (`atLeast('4.15')`). */
  public atLeast(openshift: string): boolean {
    return compareVersions(this.openshift, openshift) >= 0;
  }
}
