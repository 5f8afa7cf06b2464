/**
 * Reviewable changes to the reference stack (apps/community), for the diff's tests and the
 * example comments in ci-examples/examples/. Each change edits the stack the way a pull request
 * would (a value in a construct's output, an object taken out) and is then synthesized with the
 * pipeline `ocpkit synth` uses (lib/pipeline-defaults.ts `synthesize`).
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { build } from '../apps/community/main';
import type { Cluster } from '../lib';
import { synthesize } from '../lib/pipeline-defaults';

/** One edit of the production environment, as a reviewer would read it in a pull request. */
export interface ReferenceChange {
  /** What the pull request does, in one line. */
  readonly title: string;
  /** Rule ids the diff must report for it (lib/diff/risk-*.ts). */
  readonly expects: readonly string[];
  readonly apply: (production: Cluster) => void;
}

/** `Kind namespace/name` of every object the last {@link synthReference} edited. */
export const touched: string[] = [];

function objects(cluster: Cluster, kind: string): ApiObject[] {
  return cluster.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && c.kind === kind);
}

function record(o: ApiObject): ApiObject {
  touched.push(`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  return o;
}

/** The ApiObject of `kind` `namespace/name` in a cluster; throws when the stack has none (the scenario is stale). */
export function objectOf(cluster: Cluster, kind: string, name: string, namespace?: string): ApiObject {
  const found = objects(cluster, kind).filter((c) => c.metadata.name === name && (namespace === undefined || c.metadata.namespace === namespace));
  if (found.length !== 1) throw new Error(`reference scenario: expected one ${kind} ${namespace ?? ''}/${name}, found ${found.length}`);
  return record(found[0]);
}

/** The first ApiObject of `kind` that `pick` accepts; throws when there is none. */
function firstOf(cluster: Cluster, kind: string, pick: (json: any) => boolean): ApiObject {
  const found = objects(cluster, kind).find((o) => pick(o.toJson()));
  if (!found) throw new Error(`reference scenario: no ${kind} fits`);
  return record(found);
}

/**
 * A quantity as the imported Kubernetes classes (cdk8s L1s) hold it until they serialize: an
 * object with `value` (their toJson maps each quantity to `.value`, and patches are applied
 * before that mapping).
 */
function quantity(v: string): { value: string } {
  return { value: v };
}

function patch(cluster: Cluster, kind: string, name: string, namespace: string | undefined, ...ops: JsonPatch[]): void {
  objectOf(cluster, kind, name, namespace).addJsonPatch(...ops);
}

/** The changes, each a plausible pull request with the risks it must be flagged for. */
export const REFERENCE_CHANGES: readonly ReferenceChange[] = [
  {
    title: 'bond1 (public VM network) switched to LACP',
    expects: ['outage/node-network'],
    apply: (c) => patch(c, 'NodeNetworkConfigurationPolicy', 'hyperconverged-nodes', undefined, JsonPatch.replace('/spec/desiredState/interfaces/2/link-aggregation/mode', '802.3ad')),
  },
  {
    title: 'public network of infra-vms tagged VLAN 12 (the bastion VM runs on it)',
    expects: ['outage/network-under-vms'],
    apply: (c) => {
      const nad = objectOf(c, 'NetworkAttachmentDefinition', 'public-network', 'infra-vms');
      const config = JSON.parse((nad.toJson() as any).spec.config);
      config.plugins[0].vlan = 12;
      nad.addJsonPatch(JsonPatch.replace('/spec/config', JSON.stringify(config)));
    },
  },
  {
    title: 'discourse served over plain HTTP too',
    expects: ['security/tls'],
    apply: (c) => patch(c, 'Route', 'discourse', 'discourse', JsonPatch.replace('/spec/tls/insecureEdgeTerminationPolicy', 'Allow')),
  },
  {
    title: 'every authenticated user made admin of discourse',
    expects: ['security/rbac-binding'],
    apply: (c) => patch(c, 'RoleBinding', 'tenant-admin', 'discourse', JsonPatch.add('/subjects/-', { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' })),
  },
  {
    title: "discourse's backups weekly, kept 7 days, without its volume claims",
    expects: ['weakening/schedule', 'weakening/backup-retention', 'weakening/backup-coverage'],
    apply: (c) => {
      const s = firstOf(c, 'Schedule', (j) => (j.spec?.template?.includedNamespaces ?? []).includes('discourse'));
      const excluded: string[] = (s.toJson() as any).spec.template.excludedResources ?? [];
      s.addJsonPatch(
        JsonPatch.replace('/spec/schedule', '0 2 * * 0'),
        JsonPatch.add('/spec/template/ttl', '168h0m0s'),
        JsonPatch.add('/spec/template/excludedResources', [...excluded, 'persistentvolumeclaims']),
      );
    },
  },
  {
    title: 'backup bucket without server-side encryption',
    expects: ['security/backup-encryption'],
    apply: (c) => {
      const dpa = objectOf(c, 'DataProtectionApplication', 'velero', 'openshift-adp');
      const config = (dpa.toJson() as any).spec.backupLocations[0].velero.config;
      const keys = ['serverSideEncryption', 'kmsKeyId', 'customerKeyEncryptionFile'].filter((k) => config[k] !== undefined);
      if (keys.length === 0) throw new Error('reference scenario: the backup location is not encrypted to begin with');
      dpa.addJsonPatch(...keys.map((k) => JsonPatch.remove(`/spec/backupLocations/0/velero/config/${k}`)));
      // the encrypted-backups policy refuses this unless waived, as a pull request would have to
      dpa.metadata.addAnnotation('ocpkit.io/waive-encrypted-backups', 'the new bucket encrypts by default (bucket policy)');
    },
  },
  {
    title: 'OADP pinned to 1.5.0',
    expects: ['outage/operator-upgrade'],
    apply: (c) => {
      const cm = objectOf(c, 'ConfigMap', 'installplan-approver', 'installplan-approver');
      const pins: string = (cm.toJson() as any).data.pins;
      cm.addJsonPatch(JsonPatch.replace('/data/pins', pins.replace(/oadp-operator\.v1\.4\.\d+/, 'oadp-operator.v1.5.0')));
    },
  },
  {
    title: 'Gitaly VM stopped',
    expects: ['outage/stops-running'],
    apply: (c) => patch(c, 'VirtualMachine', 'gitaly', 'gitlab-system', JsonPatch.replace('/spec/runStrategy', 'Halted')),
  },
  {
    title: 'a volume shrunk to half its size (the first claim of the stack)',
    expects: ['destructive/shrink'],
    apply: (c) => {
      const pvc = firstOf(c, 'PersistentVolumeClaim', (j) => /^\d+Gi$/.test(j.spec?.resources?.requests?.storage ?? ''));
      const size = Number(/^(\d+)Gi$/.exec((pvc.toJson() as any).spec.resources.requests.storage)![1]);
      pvc.addJsonPatch(JsonPatch.replace('/spec/resources/requests/storage', quantity(`${Math.max(1, Math.floor(size / 2))}Gi`)));
    },
  },
];

/**
 * A hand edit of the synthesized tree (what `--base` reports as a stale dist/): the quota of
 * discourse lowered to 3Gi of memory requests in the YAML itself. The stack could not make this
 * change: its capacity check refuses a tenant quota below the tenant's workloads at synth time;
 * the diff must still see it when someone edits dist/ by hand.
 */
export function handEditQuota(files: ReadonlyMap<string, string>): Map<string, string> {
  const file = 'production/tenancy/resourcequota.discourse.tenant-quota.yaml';
  const text = files.get(file);
  if (text === undefined || !/requests\.memory: \S+/.test(text)) throw new Error(`reference scenario: ${file} has no requests.memory`);
  return new Map([...files].map(([k, v]) => [k, k === file ? v.replace(/requests\.memory: \S+/, 'requests.memory: 3Gi') : v]));
}

/** The production Cluster of a build of the reference stack. */
export function productionOf(clusters: readonly Cluster[]): Cluster {
  const p = clusters.find((c) => c.outputFolder === 'production');
  if (!p) throw new Error('reference scenario: the stack has no production environment');
  return p;
}

/**
 * The reference stack synthesized (relative path -> text, as `ocpkit synth` writes it), with
 * `changes` applied to production first (manifests only: `.yaml`/`.yml`/`.json`). Schema validation is off (the edits are deliberately
 * questionable, not invalid); everything else of the pipeline runs.
 */
export function synthReference(changes: readonly ReferenceChange[] = []): Map<string, string> {
  const clusters = build();
  touched.length = 0;
  for (const ch of changes) ch.apply(productionOf(clusters));
  // the manifests only, as `ocpkit diff` reads a tree (lib/diff/read-tree.ts): runbooks and other artifacts are not objects
  return new Map([...synthesize(clusters, { validator: false }).files].filter(([rel]) => /\.(ya?ml|json)$/.test(rel)));
}
