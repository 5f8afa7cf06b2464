/**
 * The composition root of synthesis: the only module that knows every layer. It assembles the
 * default pipeline (lib/synth/pipeline.ts) from the domains' plug-ins; the CLI, the benchmarks and
 * the tests synthesize through it. Adding a transform or a check to every synth is a change here;
 * adding one to a single cluster is `Plugins.of(cluster).addCheck(...)` (or `cluster.addCheck`).
 */
import { BACKUP_ISOLATION_CHECK } from './backup/isolation-check';
import { BACKUP_RUNBOOKS } from './backup/runbooks';
import { TENANT_CAPACITY_CHECK } from './capacity/capacity-check';
import { Cluster } from './gitops/cluster';
import { controllerRbacCheck } from './gitops/controller-rbac';
import { Delivery } from './gitops/delivery';
import { applyDeliveryAnnotations } from './gitops/delivery-annotations';
import { APPLICATION_RETRY, GitOpsApp } from './gitops/gitops-app';
import { markManagedNamespace } from './gitops/managed-namespace';
import { ALERT_RUNBOOKS } from './monitoring/alert-rules';
import { POLICY_CHECK, POLICY_STAMPS } from './policy/synth-policy-check';
import { externalsArtifact, referenceCheck } from './refs/resolve-check';
import { normalizeScope } from './schema/scope';
import { SchemaValidator } from './schema/validator';
import { OPERATOR_CATALOG_CHECK } from './olm/catalog-check';
import { ManifestTransform, Pipeline, Placement, SynthCheck, SynthRoot } from './synth/pipeline';
import { APPLY_OVERRIDES } from './synth/overrides';
import { runPipeline, SynthesisResult } from './synth/synthesizer';
import { VerdictStore } from './synth/_verdicts';

/** Options of {@link synthesize} and {@link defaultPipeline}. */
export interface SynthesizeOptions {
  /**
   * Validator to check every object of every cluster with; `false` turns schema validation off
   * (tests of other failure modes only).
   * @default per cluster, the schemas of its declared platform (`platform.openshift` profile plus
   *   its `schemaDirs`): one SchemaValidator per profile and schema folders per synth
   */
  readonly validator?: SchemaValidator | false;
  /**
   * Run the policy checks of lib/policy. Waive single objects with `Policy.waive(construct, id,
   * reason)`; `false` is for tests of other failure modes only.
   * @default true
   */
  readonly policies?: boolean;
  /** Transforms run after the default ones, in every cluster of this synth. @default none */
  readonly transforms?: readonly ManifestTransform[];
  /** Checks run after the default ones, over every cluster of this synth. @default none */
  readonly checks?: readonly SynthCheck[];
  /**
   * Resolve every reference between objects (lib/refs) and write `externals.yaml` per environment;
   * `false` is for tests of other failure modes only.
   * @default true
   */
  readonly references?: boolean;
  /**
   * Keep the verdicts of the schema check and the secret scan between runs, in the per-user cache:
   * a manifest whose exact YAML text passed both before, under the same ocpkit code, schema files,
   * js-yaml, ajv and Node.js, is not checked again (every other check still runs; a custom
   * validator, a subclass of SchemaValidator, is always asked). `ocpkit synth` turns it on;
   * `OCPKIT_VERDICT_CACHE=off` turns it off everywhere.
   * @default false
   */
  readonly verdictCache?: boolean;
}

/** Cluster-scoped kinds come out of cdk8s with the namespace of their chart; drop it. */
const NORMALIZE_SCOPE: ManifestTransform = { id: 'normalize-scope', transform: (m) => normalizeScope(m) };

/** Every Namespace is labelled for the cluster's OpenShift GitOps instance. */
const MANAGED_NAMESPACES: ManifestTransform = {
  id: 'managed-namespaces',
  transform: (m, { root }) => markManagedNamespace(m, (root as Cluster).argoNamespace),
};

/** Sync waves and sync options: what the object's constructs chose (`Delivery.of`), else by kind. */
const DELIVERY_ANNOTATIONS: ManifestTransform = { id: 'delivery-annotations', transform: (m, { source }) => applyDeliveryAnnotations(m, Delivery.resolve(source)) };

/** Each object lands in the folder of the GitOpsApp (or Tenant) it is defined in. */
const GITOPS_FOLDERS: Placement = {
  id: 'gitops-folders',
  folderOf(source) {
    const folder = GitOpsApp.folderOf(source);
    return folder
      ? { folder }
      : { problem: 'object is not inside a GitOpsApp, so no Argo CD Application would sync it; define it under a GitOpsApp (or a Tenant)' };
  },
};

/** Every reference resolves (resolve phase); the externals of each environment go to externals.yaml. */
const REFERENCES = referenceCheck();
const EXTERNALS = externalsArtifact();

/** Every kind an Application writes is writable by the Argo CD application controller. */
const CONTROLLER_RBAC = controllerRbacCheck();

/**
 * A validator per root, for the OpenShift version and the schema folders the cluster declares;
 * clusters declaring the same share one (schemas compile once per synth).
 */
function platformValidators(): (root: SynthRoot) => SchemaValidator {
  const made = new Map<string, SchemaValidator>();
  return (root) => {
    const c = root instanceof Cluster ? root : undefined;
    const key = c ? `${c.platform.schemasDir}\0${c.platform.openshift}\0${c.schemaDirs.join('\0')}` : '';
    let v = made.get(key);
    if (!v) {
      v = c
        ? new SchemaValidator({ schemasDir: c.platform.schemasDir, platform: c.platform.openshift, kubernetes: c.platform.kubernetes, extraCrds: c.schemaDirs })
        : new SchemaValidator();
      made.set(key, v);
    }
    return v;
  };
}

/** The default pipeline: what `ocpkit synth` runs. */
export function defaultPipeline(options: SynthesizeOptions = {}): Pipeline {
  return {
    validator: options.validator === false ? false : options.validator ?? platformValidators(),
    transforms: [POLICY_STAMPS, NORMALIZE_SCOPE, MANAGED_NAMESPACES, DELIVERY_ANNOTATIONS, APPLICATION_RETRY, ...(options.transforms ?? []), APPLY_OVERRIDES],
    placement: GITOPS_FOLDERS,
    checks: [...(options.policies === false ? [] : [POLICY_CHECK]), TENANT_CAPACITY_CHECK, OPERATOR_CATALOG_CHECK, BACKUP_ISOLATION_CHECK, CONTROLLER_RBAC, ...(options.references === false ? [] : [REFERENCES]), ...(options.checks ?? [])],
    // externals.yaml (with reference resolution), then the runbooks no Application syncs: disaster
    // recovery and restore drills (lib/backup), one page per alert (lib/monitoring).
    artifacts: [...(options.references === false ? [] : [EXTERNALS]), BACKUP_RUNBOOKS, ALERT_RUNBOOKS],
    verdicts: options.verdictCache && options.validator !== false ? VerdictStore.open() : undefined,
  };
}

/**
 * Synthesizes clusters with the default pipeline into YAML files (nothing is written here; see
 * `writeTree`), or throws one OcpkitError listing every problem of every cluster.
 */
export function synthesize(clusters: Cluster | readonly Cluster[], options: SynthesizeOptions = {}): SynthesisResult {
  return runPipeline(clusters, defaultPipeline(options));
}
