import { jsonPointer } from '../core/json-pointer';
import { podTemplateOf } from '../core/pod-templates';
import { loadYaml } from '../core/safe-yaml';
import { Provision, Reference, RefKind } from './model';

/**
 * Reading references out of synthesized manifests (so raw ApiObjects are covered as well as the
 * L2 constructs), and the objects a manifest implies besides itself (a VM's DataVolume templates,
 * a SealedSecret's Secret). Pure functions over JSON; one pass per manifest.
 */

/** A DataVolume cloning a PVC, or the volume behind a DataSource, of another namespace: needs `datavolumes/source` RBAC there. */
export interface CrossNamespaceClone {
  /** What the DataVolume names: a PVC, or a DataSource (CDI authorizes the clone in the namespace of the volume behind it). */
  readonly sourceKind: 'PersistentVolumeClaim' | 'DataSource';
  readonly sourceNamespace: string;
  readonly sourceName: string;
  readonly targetNamespace: string;
  readonly field: string;
}

/** What one manifest refers to. */
export interface ManifestRefs {
  readonly refs: Reference[];
  readonly clones: CrossNamespaceClone[];
}

/** Options of `referencesOf`. */
export interface ScanOptions {
  /** Namespace a ClusterIssuer's Secrets are read from (cert-manager's cluster resource namespace). */
  readonly clusterResourceNamespace: string;
}

/** `base` plus the JSON pointer of `parts` (as {@link jsonPointer}; tokens without `~` or `/` are written as they are). */
const ptr = (base: string, ...parts: (string | number)[]): string => {
  let out = base;
  for (const p of parts) out += typeof p === 'string' && (p.includes('~') || p.includes('/')) ? jsonPointer([p]) : `/${p}`;
  return out;
};
const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** Every reference a manifest makes. */
export function referencesOf(m: any, options: ScanOptions): ManifestRefs {
  const out: ManifestRefs = { refs: [], clones: [] };
  if (!isObj(m) || !isObj(m.metadata)) return out;
  const ns: string | undefined = str(m.metadata.namespace) ? m.metadata.namespace : undefined;
  const add = (kind: RefKind, namespace: string | undefined, name: unknown, field: string, key?: unknown) => {
    if (!str(name)) return;
    out.refs.push(str(key) ? { kind, namespace, name, field, key } : { kind, namespace, name, field });
  };
  if (ns) add('Namespace', undefined, ns, '/metadata/namespace');

  const pod = m.apiVersion === 'v1' || m.apiVersion === 'apps/v1' || m.apiVersion === 'batch/v1' || m.apiVersion === 'apps.openshift.io/v1' ? podTemplateOf(m) : undefined;
  if (pod && isObj(pod.template)) {
    podSpecRefs(pod.template.spec, ptr(pod.pointer, 'spec'), ns, add);
    networkAnnotationRefs(pod.template.metadata?.annotations, ptr(pod.pointer, 'metadata', 'annotations'), ns, add);
  }

  switch (`${group(m.apiVersion)}/${m.kind}`) {
    case 'kubevirt.io/VirtualMachine': {
      const vmi = m.spec?.template?.spec;
      vmiRefs(vmi, '/spec/template/spec', ns, add);
      networkAnnotationRefs(m.spec?.template?.metadata?.annotations, '/spec/template/metadata/annotations', ns, add);
      arr(m.spec?.dataVolumeTemplates).forEach((d, i) => dataVolumeSpecRefs(d?.spec, ptr('/spec/dataVolumeTemplates', i, 'spec'), ns, add, out.clones));
      break;
    }
    case 'kubevirt.io/VirtualMachineInstance':
      vmiRefs(m.spec, '/spec', ns, add);
      break;
    case 'cdi.kubevirt.io/DataVolume':
      dataVolumeSpecRefs(m.spec, '/spec', ns, add, out.clones);
      break;
    case 'route.openshift.io/Route': {
      const to = m.spec?.to;
      if (isObj(to) && (to.kind ?? 'Service') === 'Service') add('Service', ns, to.name, '/spec/to/name');
      arr(m.spec?.alternateBackends).forEach((b, i) => {
        if ((b?.kind ?? 'Service') === 'Service') add('Service', ns, b?.name, ptr('/spec/alternateBackends', i, 'name'));
      });
      certManagerAnnotationRefs(m.metadata.annotations, '/metadata/annotations', ns, add);
      break;
    }
    case 'networking.k8s.io/Ingress': {
      certManagerAnnotationRefs(m.metadata.annotations, '/metadata/annotations', ns, add);
      add('Service', ns, m.spec?.defaultBackend?.service?.name, '/spec/defaultBackend/service/name');
      arr(m.spec?.rules).forEach((r, i) => arr(r?.http?.paths).forEach((p, j) => add('Service', ns, p?.backend?.service?.name, ptr('/spec/rules', i, 'http', 'paths', j, 'backend', 'service', 'name'))));
      break;
    }
    case 'cert-manager.io/Certificate': {
      const ref = m.spec?.issuerRef;
      if (isObj(ref) && (ref.group ?? 'cert-manager.io') === 'cert-manager.io') {
        if (ref.kind === 'ClusterIssuer') add('ClusterIssuer', undefined, ref.name, '/spec/issuerRef/name');
        else add('Issuer', ns, ref.name, '/spec/issuerRef/name');
      }
      break;
    }
    case 'cert-manager.io/Issuer':
    case 'cert-manager.io/ClusterIssuer':
      issuerSecretRefs(m.spec, '/spec', m.kind === 'ClusterIssuer' ? options.clusterResourceNamespace : ns, add);
      break;
    case 'apps.gitlab.com/GitLab':
      gitLabValueRefs(m.spec?.chart?.values, '/spec/chart/values', ns, add);
      break;
    case 'apps.gitlab.com/Runner':
      // Runner operator: spec.token names the Secret with the runner token, spec.s3.credentials
      // (gcs.credentials, azure.credentials) the Secret with the cache keys, spec.config a
      // ConfigMap with config.toml, spec.env a ConfigMap of environment variables for the manager
      // pod, spec.ca a TLS Secret (apps.gitlab.com_runners CRD descriptions, operator 1.48.3).
      add('Secret', ns, m.spec?.token, '/spec/token');
      add('Secret', ns, m.spec?.s3?.credentials, '/spec/s3/credentials');
      add('Secret', ns, m.spec?.gcs?.credentials, '/spec/gcs/credentials');
      add('Secret', ns, m.spec?.azure?.credentials, '/spec/azure/credentials');
      add('ConfigMap', ns, m.spec?.config, '/spec/config');
      add('ConfigMap', ns, m.spec?.env, '/spec/env');
      add('Secret', ns, m.spec?.ca, '/spec/ca');
      break;
    case 'postgres-operator.crunchydata.com/PostgresCluster':
      pgoRefs(m.spec, ns, add);
      break;
    case 'oadp.openshift.io/DataProtectionApplication':
      arr(m.spec?.backupLocations).forEach((l, i) => {
        for (const kind of ['velero', 'bucket'] as const) {
          const c = l?.[kind]?.credential;
          if (isObj(c) && !c.optional) add('Secret', ns, c.name, ptr('/spec/backupLocations', i, kind, 'credential', 'name'), c.key);
        }
      });
      arr(m.spec?.snapshotLocations).forEach((l, i) => {
        const c = l?.velero?.credential;
        if (isObj(c) && !c.optional) add('Secret', ns, c.name, ptr('/spec/snapshotLocations', i, 'velero', 'credential', 'name'), c.key);
      });
      break;
    case 'velero.io/BackupStorageLocation':
    case 'velero.io/VolumeSnapshotLocation': {
      const c = m.spec?.credential;
      if (isObj(c) && !c.optional) add('Secret', ns, c.name, '/spec/credential/name', c.key);
      break;
    }
    case 'velero.io/Restore':
      add('Schedule', ns, m.spec?.scheduleName, '/spec/scheduleName');
      break;
    case 'argoproj.io/Application': {
      add('AppProject', ns, m.spec?.project, '/spec/project');
      const d = m.spec?.destination;
      const inCluster = d?.server === 'https://kubernetes.default.svc' || d?.name === 'in-cluster';
      const creates = arr(m.spec?.syncPolicy?.syncOptions).includes('CreateNamespace=true');
      if (inCluster && !creates) add('Namespace', undefined, d?.namespace, '/spec/destination/namespace');
      break;
    }
    case 'operators.coreos.com/Subscription':
      add('CatalogSource', m.spec?.sourceNamespace, m.spec?.source, '/spec/source');
      break;
    case 'rbac.authorization.k8s.io/RoleBinding':
    case 'rbac.authorization.k8s.io/ClusterRoleBinding': {
      const r = m.roleRef;
      if (isObj(r) && r.apiGroup === 'rbac.authorization.k8s.io') {
        if (r.kind === 'ClusterRole') add('ClusterRole', undefined, r.name, '/roleRef/name');
        else if (r.kind === 'Role' && m.kind === 'RoleBinding') add('Role', ns, r.name, '/roleRef/name');
      }
      arr(m.subjects).forEach((s, i) => {
        if (s?.kind === 'ServiceAccount') add('ServiceAccount', s.namespace ?? ns, s.name, ptr('/subjects', i, 'name'));
      });
      break;
    }
    default:
      break;
  }
  return out;
}

type Add = (kind: RefKind, namespace: string | undefined, name: unknown, field: string, key?: unknown) => void;

function group(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** References of a pod spec: service account, image pull secrets, volumes, env and envFrom. */
function podSpecRefs(spec: any, base: string, ns: string | undefined, add: Add): void {
  if (!isObj(spec)) return;
  if (str(spec.serviceAccountName)) add('ServiceAccount', ns, spec.serviceAccountName, ptr(base, 'serviceAccountName'));
  else if (str(spec.serviceAccount)) add('ServiceAccount', ns, spec.serviceAccount, ptr(base, 'serviceAccount'));
  arr(spec.imagePullSecrets).forEach((s, i) => add('Secret', ns, s?.name, ptr(base, 'imagePullSecrets', i, 'name')));
  volumeRefs(spec.volumes, ptr(base, 'volumes'), ns, add);
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    arr(spec[list]).forEach((c, i) => {
      const cb = ptr(base, list, i);
      arr(c?.env).forEach((e, j) => {
        const s = e?.valueFrom?.secretKeyRef;
        if (isObj(s) && !s.optional) add('Secret', ns, s.name, ptr(cb, 'env', j, 'valueFrom', 'secretKeyRef', 'name'), s.key);
        const cm = e?.valueFrom?.configMapKeyRef;
        if (isObj(cm) && !cm.optional) add('ConfigMap', ns, cm.name, ptr(cb, 'env', j, 'valueFrom', 'configMapKeyRef', 'name'), cm.key);
      });
      arr(c?.envFrom).forEach((e, j) => {
        if (isObj(e?.secretRef) && !e.secretRef.optional) add('Secret', ns, e.secretRef.name, ptr(cb, 'envFrom', j, 'secretRef', 'name'));
        if (isObj(e?.configMapRef) && !e.configMapRef.optional) add('ConfigMap', ns, e.configMapRef.name, ptr(cb, 'envFrom', j, 'configMapRef', 'name'));
      });
    });
  }
}

/** Pod volumes: Secret, ConfigMap (with item keys), PVC, projected sources. */
function volumeRefs(volumes: unknown, base: string, ns: string | undefined, add: Add): void {
  arr(volumes).forEach((v, i) => {
    const vb = ptr(base, i);
    const secret = (s: any, at: string, nameField: string) => {
      if (!isObj(s) || s.optional) return;
      const items = arr(s.items);
      if (items.length === 0) add('Secret', ns, s[nameField], ptr(at, nameField));
      items.forEach((it) => add('Secret', ns, s[nameField], ptr(at, nameField), it?.key));
    };
    const configMap = (c: any, at: string) => {
      if (!isObj(c) || c.optional) return;
      const items = arr(c.items);
      if (items.length === 0) add('ConfigMap', ns, c.name, ptr(at, 'name'));
      items.forEach((it) => add('ConfigMap', ns, c.name, ptr(at, 'name'), it?.key));
    };
    secret(v?.secret, ptr(vb, 'secret'), 'secretName');
    configMap(v?.configMap, ptr(vb, 'configMap'));
    add('PersistentVolumeClaim', ns, v?.persistentVolumeClaim?.claimName, ptr(vb, 'persistentVolumeClaim', 'claimName'));
    arr(v?.projected?.sources).forEach((s, j) => {
      secret(s?.secret, ptr(vb, 'projected', 'sources', j, 'secret'), 'name');
      configMap(s?.configMap, ptr(vb, 'projected', 'sources', j, 'configMap'));
    });
  });
}

/** Volume projections (`[{ secret: { name, items } } | { configMap: ... }]`), as PGO takes them. */
function projectionRefs(list: unknown, base: string, ns: string | undefined, add: Add): void {
  arr(list).forEach((s, i) => {
    for (const kind of ['secret', 'configMap'] as const) {
      const src = s?.[kind];
      if (!isObj(src) || src.optional) continue;
      const at = ptr(base, i, kind, 'name');
      const items = arr(src.items);
      const refKind = kind === 'secret' ? 'Secret' : 'ConfigMap';
      if (items.length === 0) add(refKind, ns, src.name, at);
      items.forEach((it) => add(refKind, ns, src.name, at, it?.key));
    }
  });
}

/**
 * Secrets and ConfigMaps a Crunchy PostgresCluster (v1beta1, PGO 5.8.7 CRD) names: every list of
 * volume projections (backups.pgbackrest.configuration, dataSource.pgbackrest.configuration,
 * config.files, monitoring.pgmonitor.exporter.configuration, proxy.pgBouncer.config.files,
 * userInterface.pgAdmin.config.files, instrumentation.config.files, the deprecated repoHost
 * sshConfigMap/sshSecret), the custom TLS Secrets (cluster, replication, exporter, PgBouncer),
 * databaseInitSQL (ConfigMap name and key), imagePullSecrets, pgAdmin's ldapBindPassword,
 * instrumentation environment variables, and the env of extra instance/PgBouncer containers.
 */
function pgoRefs(spec: any, ns: string | undefined, add: Add): void {
  if (!isObj(spec)) return;
  const projections: Array<[unknown, string]> = [
    [spec.backups?.pgbackrest?.configuration, '/spec/backups/pgbackrest/configuration'],
    [spec.dataSource?.pgbackrest?.configuration, '/spec/dataSource/pgbackrest/configuration'],
    [spec.config?.files, '/spec/config/files'],
    [spec.monitoring?.pgmonitor?.exporter?.configuration, '/spec/monitoring/pgmonitor/exporter/configuration'],
    [spec.proxy?.pgBouncer?.config?.files, '/spec/proxy/pgBouncer/config/files'],
    [spec.userInterface?.pgAdmin?.config?.files, '/spec/userInterface/pgAdmin/config/files'],
    [spec.instrumentation?.config?.files, '/spec/instrumentation/config/files'],
  ];
  for (const [list, base] of projections) projectionRefs(list, base, ns, add);
  const repoHost = spec.backups?.pgbackrest?.repoHost;
  projectionRefs(isObj(repoHost?.sshConfigMap) ? [{ configMap: repoHost.sshConfigMap }] : [], '/spec/backups/pgbackrest/repoHost/sshConfigMap', ns, add);
  projectionRefs(isObj(repoHost?.sshSecret) ? [{ secret: repoHost.sshSecret }] : [], '/spec/backups/pgbackrest/repoHost/sshSecret', ns, add);
  const tls: Array<[unknown, string]> = [
    [spec.customTLSSecret, '/spec/customTLSSecret'],
    [spec.customReplicationTLSSecret, '/spec/customReplicationTLSSecret'],
    [spec.monitoring?.pgmonitor?.exporter?.customTLSSecret, '/spec/monitoring/pgmonitor/exporter/customTLSSecret'],
    [spec.proxy?.pgBouncer?.customTLSSecret, '/spec/proxy/pgBouncer/customTLSSecret'],
  ];
  for (const [secret, base] of tls) projectionRefs(isObj(secret) ? [{ secret }] : [], base, ns, add);
  if (isObj(spec.databaseInitSQL)) add('ConfigMap', ns, spec.databaseInitSQL.name, '/spec/databaseInitSQL/name', spec.databaseInitSQL.key);
  arr(spec.imagePullSecrets).forEach((s, i) => add('Secret', ns, s?.name, ptr('/spec/imagePullSecrets', i, 'name')));
  const ldap = spec.userInterface?.pgAdmin?.config?.ldapBindPassword;
  if (isObj(ldap) && !ldap.optional) add('Secret', ns, ldap.name, '/spec/userInterface/pgAdmin/config/ldapBindPassword/name', ldap.key);
  arr(spec.instrumentation?.config?.environmentVariables).forEach((e, i) => {
    const at = ptr('/spec/instrumentation/config/environmentVariables', i, 'valueFrom');
    const sk = e?.valueFrom?.secretKeyRef;
    if (isObj(sk) && !sk.optional) add('Secret', ns, sk.name, ptr(at, 'secretKeyRef', 'name'), sk.key);
    const ck = e?.valueFrom?.configMapKeyRef;
    if (isObj(ck) && !ck.optional) add('ConfigMap', ns, ck.name, ptr(at, 'configMapKeyRef', 'name'), ck.key);
  });
  arr(spec.instances).forEach((inst, i) => podSpecRefs({ containers: inst?.containers }, ptr('/spec/instances', i), ns, add));
  podSpecRefs({ containers: spec.proxy?.pgBouncer?.containers }, '/spec/proxy/pgBouncer', ns, add);
}

/**
 * Multus networks of a pod (template) annotation `k8s.v1.cni.cncf.io/networks`: either a comma
 * list of `[namespace/]name[@interface]` or a JSON list of `{name, namespace?}` (NPWG
 * multi-net spec, as Multus reads it).
 */
function networkAnnotationRefs(annotations: unknown, base: string, ns: string | undefined, add: Add): void {
  const value = isObj(annotations) ? annotations['k8s.v1.cni.cncf.io/networks'] : undefined;
  if (!str(value)) return;
  const field = ptr(base, 'k8s.v1.cni.cncf.io/networks');
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(trimmed);
    } catch {
      return; // malformed: Multus refuses the pod; not a reference question
    }
    for (const n of arr(list)) add('NetworkAttachmentDefinition', str(n?.namespace) ? n.namespace : ns, n?.name, field);
    return;
  }
  for (const part of trimmed.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [ref] = part.split('@');
    const [a, b] = ref.split('/');
    if (b !== undefined) add('NetworkAttachmentDefinition', a, b, field);
    else add('NetworkAttachmentDefinition', ns, a, field);
  }
}

/** A KubeVirt VMI spec: volumes, access credentials, Multus networks. */
function vmiRefs(spec: any, base: string, ns: string | undefined, add: Add): void {
  if (!isObj(spec)) return;
  arr(spec.volumes).forEach((v, i) => {
    const vb = ptr(base, 'volumes', i);
    add('DataVolume', ns, v?.dataVolume?.name, ptr(vb, 'dataVolume', 'name'));
    add('PersistentVolumeClaim', ns, v?.persistentVolumeClaim?.claimName, ptr(vb, 'persistentVolumeClaim', 'claimName'));
    add('Secret', ns, v?.secret?.secretName, ptr(vb, 'secret', 'secretName'));
    add('ConfigMap', ns, v?.configMap?.name, ptr(vb, 'configMap', 'name'));
    add('ServiceAccount', ns, v?.serviceAccount?.serviceAccountName, ptr(vb, 'serviceAccount', 'serviceAccountName'));
    for (const ci of ['cloudInitNoCloud', 'cloudInitConfigDrive']) {
      add('Secret', ns, v?.[ci]?.secretRef?.name, ptr(vb, ci, 'secretRef', 'name'));
      add('Secret', ns, v?.[ci]?.networkDataSecretRef?.name, ptr(vb, ci, 'networkDataSecretRef', 'name'));
    }
    add('Secret', ns, v?.sysprep?.secret?.name, ptr(vb, 'sysprep', 'secret', 'name'));
    add('ConfigMap', ns, v?.sysprep?.configMap?.name, ptr(vb, 'sysprep', 'configMap', 'name'));
  });
  arr(spec.accessCredentials).forEach((c, i) => {
    add('Secret', ns, c?.sshPublicKey?.source?.secret?.secretName, ptr(base, 'accessCredentials', i, 'sshPublicKey', 'source', 'secret', 'secretName'));
    add('Secret', ns, c?.userPassword?.source?.secret?.secretName, ptr(base, 'accessCredentials', i, 'userPassword', 'source', 'secret', 'secretName'));
  });
  arr(spec.networks).forEach((n, i) => {
    const name = n?.multus?.networkName;
    if (!str(name)) return;
    const [a, b] = name.split('/');
    const field = ptr(base, 'networks', i, 'multus', 'networkName');
    if (b !== undefined) add('NetworkAttachmentDefinition', a, b, field);
    else add('NetworkAttachmentDefinition', ns, a, field);
  });
}

/**
 * A DataVolume spec (standalone or a VM's template): clone sources (PVC, DataSource), and the
 * Secrets / ConfigMaps of import sources (http, registry, s3, imageio, vddk).
 */
function dataVolumeSpecRefs(spec: any, base: string, ns: string | undefined, add: Add, clones: CrossNamespaceClone[]): void {
  if (!isObj(spec)) return;
  const pvc = spec.source?.pvc;
  if (isObj(pvc) && str(pvc.name)) {
    const sourceNs = str(pvc.namespace) ? pvc.namespace : ns;
    add('PersistentVolumeClaim', sourceNs, pvc.name, ptr(base, 'source', 'pvc', 'name'));
    if (sourceNs) add('Namespace', undefined, sourceNs, ptr(base, 'source', 'pvc', 'namespace'));
    if (sourceNs && ns && sourceNs !== ns) clones.push({ sourceKind: 'PersistentVolumeClaim', sourceNamespace: sourceNs, sourceName: pvc.name, targetNamespace: ns, field: ptr(base, 'source', 'pvc') });
  }
  const ref = spec.sourceRef;
  if (isObj(ref) && ref.kind === 'DataSource') {
    const sourceNs = str(ref.namespace) ? ref.namespace : ns;
    add('DataSource', sourceNs, ref.name, ptr(base, 'sourceRef', 'name'));
    // CDI v1.57.0 authorizes a DataSource clone in the namespace of the PVC or snapshot behind it
    // (pkg/apis/core/v1beta1/authorize_utils.go); a DataImportCron's DataSource points at its own namespace
    if (sourceNs && ns && sourceNs !== ns) clones.push({ sourceKind: 'DataSource', sourceNamespace: sourceNs, sourceName: ref.name, targetNamespace: ns, field: ptr(base, 'sourceRef') });
  }
  for (const kind of ['http', 'registry', 's3', 'gcs', 'imageio', 'vddk']) {
    const s = spec.source?.[kind];
    if (!isObj(s)) continue;
    add('Secret', ns, s.secretRef, ptr(base, 'source', kind, 'secretRef'));
    add('ConfigMap', ns, s.certConfigMap, ptr(base, 'source', kind, 'certConfigMap'));
  }
}

/** `cert-manager.io/*` annotations of Routes (openshift-routes add-on) and Ingresses (ingress-shim). */
function certManagerAnnotationRefs(annotations: unknown, base: string, ns: string | undefined, add: Add): void {
  if (!isObj(annotations)) return;
  const name = annotations['cert-manager.io/issuer-name'];
  if (str(name) && (annotations['cert-manager.io/issuer-group'] ?? 'cert-manager.io') === 'cert-manager.io') {
    const kind = annotations['cert-manager.io/issuer-kind'] ?? 'Issuer';
    if (kind === 'ClusterIssuer') add('ClusterIssuer', undefined, name, ptr(base, 'cert-manager.io/issuer-name'));
    else if (kind === 'Issuer') add('Issuer', ns, name, ptr(base, 'cert-manager.io/issuer-name'));
  }
  add('ClusterIssuer', undefined, annotations['cert-manager.io/cluster-issuer'], ptr(base, 'cert-manager.io/cluster-issuer'));
  add('Issuer', ns, annotations['cert-manager.io/issuer'], ptr(base, 'cert-manager.io/issuer'));
}

/**
 * Secrets an Issuer/ClusterIssuer reads: every `*SecretRef` / `secretRef` object ({name, key}) in
 * its spec (ACME DNS-01 solvers such as rfc2136 `tsigSecretSecretRef`, EAB `keySecretRef`, Vault
 * and Venafi credentials) and CA `secretName`. The ACME account key (`acme.privateKeySecretRef`)
 * is written by cert-manager, so it is no reference.
 */
function issuerSecretRefs(spec: any, base: string, ns: string | undefined, add: Add): void {
  const walk = (v: any, at: string, parentKey: string) => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, ptr(at, i), parentKey));
    if (!isObj(v)) return;
    for (const [k, x] of Object.entries(v)) {
      const here = ptr(at, k);
      if (/secretref$/i.test(k) && isObj(x) && !(k === 'privateKeySecretRef' && parentKey === 'acme')) {
        add('Secret', ns, x.name, ptr(here, 'name'), x.key);
        continue;
      }
      if (k === 'secretName' && parentKey === 'ca') {
        add('Secret', ns, x, here);
        continue;
      }
      walk(x, here, k);
    }
  };
  walk(spec, base, '');
}

const SVC_HOST = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?\.?$/;

/**
 * GitLab chart values (GitLab Operator CR): every `{secret, key}` object is a Secret key the chart
 * mounts (global.psql.password, global.redis.auth, object_store.connection, omniauth providers,
 * gitaly/shell auth tokens; lib/gitlab renders them in this form); `host`/`hostname` values
 * `<service>.<namespace>.svc` name in-cluster Services; `extraVolumes` are YAML strings of pod
 * volumes; `annotations` maps may name cert-manager issuers (the chart puts them on Ingresses).
 * `ingress.tls.secretName` is written by cert-manager, so it is no reference.
 */
function gitLabValueRefs(values: any, base: string, ns: string | undefined, add: Add): void {
  const walk = (v: any, at: string) => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, ptr(at, i)));
    if (!isObj(v)) return;
    if (str(v.secret) && v.enabled !== false) {
      // customCAs entries name their keys as a list (`{ secret, keys }`), the rest one `key`.
      if (Array.isArray(v.keys) && v.key === undefined) v.keys.forEach((k: unknown) => add('Secret', ns, v.secret, ptr(at, 'secret'), k));
      else add('Secret', ns, v.secret, ptr(at, 'secret'), v.key);
    }
    // global.certificates.customCAs `{ configMap, keys }` (chart templates/_certificates.tpl).
    if (str(v.configMap)) {
      const keys = arr(v.keys);
      if (keys.length === 0) add('ConfigMap', ns, v.configMap, ptr(at, 'configMap'));
      keys.forEach((k) => add('ConfigMap', ns, v.configMap, ptr(at, 'configMap'), k));
    }
    for (const [k, x] of Object.entries(v)) {
      const here = ptr(at, k);
      if ((k === 'host' || k === 'hostname') && str(x)) {
        const m = SVC_HOST.exec(x);
        if (m) add('Service', m[3], m[1], here);
      } else if (k === 'extraVolumes' && str(x)) {
        let parsed: unknown;
        try {
          parsed = loadYaml(x);
        } catch {
          parsed = undefined; // not YAML: the chart fails on it; not a reference question
        }
        volumeRefs(parsed, `${here}(yaml)`, ns, add);
      } else if (k === 'annotations' && isObj(x)) {
        certManagerAnnotationRefs(x, here, ns, add);
      } else {
        walk(x, here);
      }
    }
  };
  walk(values, base);
}

/**
 * Objects a manifest implies besides itself: the DataVolumes and PVCs of a VM's templates, the
 * PVC of a DataVolume, the Secret of a SealedSecret / ExternalSecret / Certificate, the Secrets
 * and Service of a Crunchy PostgresCluster.
 */
export function impliedObjects(m: any): Provision[] {
  if (!isObj(m) || !isObj(m.metadata) || !str(m.metadata.name)) return [];
  const ns: string | undefined = m.metadata.namespace;
  const name: string = m.metadata.name;
  const out: Provision[] = [];
  switch (`${group(m.apiVersion)}/${m.kind}`) {
    case 'kubevirt.io/VirtualMachine':
      for (const d of arr(m.spec?.dataVolumeTemplates)) {
        if (!str(d?.metadata?.name)) continue;
        out.push({ kind: 'DataVolume', namespace: ns, name: d.metadata.name, by: `VirtualMachine ${name} (dataVolumeTemplates)` });
        out.push({ kind: 'PersistentVolumeClaim', namespace: ns, name: d.metadata.name, by: `CDI (DataVolume of VirtualMachine ${name})` });
      }
      break;
    case 'cdi.kubevirt.io/DataVolume':
      out.push({ kind: 'PersistentVolumeClaim', namespace: ns, name, by: `CDI (DataVolume ${name})` });
      break;
    case 'bitnami.com/SealedSecret': {
      const keys = [...Object.keys(isObj(m.spec?.encryptedData) ? m.spec.encryptedData : {}), ...Object.keys(isObj(m.spec?.template?.data) ? m.spec.template.data : {})];
      out.push({ kind: 'Secret', namespace: m.spec?.template?.metadata?.namespace ?? ns, name: m.spec?.template?.metadata?.name ?? name, keys, by: `SealedSecret ${name}` });
      break;
    }
    case 'external-secrets.io/ExternalSecret': {
      const target = str(m.spec?.target?.name) ? m.spec.target.name : name;
      // dataFrom and templates can add any key: then any key is accepted
      const open = arr(m.spec?.dataFrom).length > 0 || isObj(m.spec?.target?.template);
      const keys = arr(m.spec?.data).map((d) => d?.secretKey).filter(str);
      out.push({ kind: 'Secret', namespace: ns, name: target, keys: open ? undefined : keys, by: `ExternalSecret ${name}` });
      break;
    }
    case 'cert-manager.io/Certificate':
      if (str(m.spec?.secretName)) out.push({ kind: 'Secret', namespace: ns, name: m.spec.secretName, keys: ['tls.crt', 'tls.key', 'ca.crt'], by: `cert-manager (Certificate ${name})` });
      break;
    case 'postgres-operator.crunchydata.com/PostgresCluster': {
      // PGO user management (https://access.crunchydata.com/documentation/postgres-operator/latest/architecture/user-management/):
      // a Secret <cluster>-pguser-<user> per spec.users entry (without users: one for the user named
      // like the cluster) with user, password, dbname, host, port, uri, jdbc-uri (and verifier);
      // `host` is the <cluster>-primary Service.
      // Keys per user as PGO v5.8.7 writes them (internal/controller/postgrescluster/postgres.go
      // generatePostgresUserSecret): dbname, uri and jdbc-uri only for a user with databases,
      // pgbouncer-* only with PgBouncer. Without spec.users PGO makes one user and one database
      // named like the cluster.
      const by = `Crunchy PGO (PostgresCluster ${name})`;
      const pgbouncer = isObj(m.spec?.proxy?.pgBouncer);
      const users = arr(m.spec?.users).filter((u) => str(u?.name));
      const entries = users.length ? users.map((u) => ({ name: u.name as string, withDb: arr(u.databases).length > 0 })) : [{ name, withDb: true }];
      for (const u of entries) {
        const keys = ['user', 'password', 'host', 'port', 'verifier', ...(u.withDb ? ['dbname', 'uri', 'jdbc-uri'] : [])];
        if (pgbouncer) keys.push('pgbouncer-host', 'pgbouncer-port', ...(u.withDb ? ['pgbouncer-uri', 'pgbouncer-jdbc-uri'] : []));
        out.push({ kind: 'Secret', namespace: ns, name: `${name}-pguser-${u.name}`, keys, by });
      }
      out.push({ kind: 'Service', namespace: ns, name: `${name}-primary`, by });
      break;
    }
    default:
      break;
  }
  return out;
}

/** Keys a Secret or ConfigMap manifest holds (data, stringData, binaryData). */
export function keysOf(m: any): string[] {
  const keys: string[] = [];
  for (const f of ['data', 'stringData', 'binaryData']) if (isObj(m?.[f])) keys.push(...Object.keys(m[f]));
  return keys;
}
