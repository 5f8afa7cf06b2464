import type { IngressFlow } from '../core/ingress-flow';

/*
 * Where CDI's host-assisted clone sends its bytes, and who must be let through a namespace's
 * NetworkPolicies for it. Facts read in kubevirt/containerized-data-importer at v1.57.1 (the CDI
 * of OpenShift Virtualization 4.14):
 *
 * - Strategy. A DataVolume clone into a CSI StorageClass goes through the clone populator
 *   (pkg/controller/datavolume/controller-base.go shouldUseCDIPopulator). Its planner
 *   (pkg/controller/clone/planner.go computeStrategyForSourcePVC) takes the CDI-wide
 *   cloneStrategyOverride, else the target StorageProfile's cloneStrategy, else "snapshot"; for ODF
 *   RBD the advised strategy is csi-clone (pkg/storagecapabilities/storagecapabilities.go
 *   CloneStrategyByProvisionerKey "openshift-storage.rbd.csi.ceph.com"). It falls back to the
 *   host-assisted copy when no VolumeSnapshotClass serves the common driver, when source and target
 *   have different provisioners (IncompatibleProvisioners), different volume modes
 *   (IncompatibleVolumeModes: a Filesystem claim copied into a Block one) or the target is larger
 *   than the source on a class without expansion (validateAdvancedClonePVC, fallbackToHostAssisted).
 *   The source claim's provisioner and volume mode are not known at synth time, so a clone may
 *   always take the host-assisted path.
 * - Where its pods run. The VolumeCloneSource is created in the source claim's namespace
 *   (pkg/controller/datavolume/clone-controller-base.go reconcileVolumeCloneSourceCR), the
 *   host-assisted temporary claim `tmp-pvc-<uid>` too (planner.go planHostAssistedFromPVC,
 *   createDesiredClaim; clone/host-clone.go createClaim with the clone-request annotation), and
 *   both pods follow that claim: the upload server pod and its Service in the claim's namespace
 *   (pkg/controller/upload-controller.go makeUploadPodSpec / makeUploadServiceSpec) and the source
 *   pod in the source claim's namespace (pkg/controller/clone-controller.go MakeCloneSourcePodSpec).
 *   So every pod of a host-assisted clone runs in the SOURCE namespace.
 * - The flow. The source pod posts the disk to `https://cdi-upload-<claim>.<ns>.svc` (Service
 *   port 443 -> targetPort 8443 on the upload server pod; upload-controller.go GetUploadServerURL,
 *   makeUploadServiceSpec). Pod labels (pkg/common/common.go): both carry
 *   `app: containerized-data-importer` (CDILabelKey/CDILabelValue); the upload server
 *   `cdi.kubevirt.io: cdi-upload-server` (UploadServerCDILabel), the source
 *   `cdi.kubevirt.io: cdi-clone-source` (ClonerSourcePodName).
 * - Progress. The CDI controller (Deployment `cdi-deployment`, pods labelled
 *   `app: containerized-data-importer`: pkg/operator/resources/namespaced/controller.go
 *   createControllerDeployment) reads the source pod's `metrics` port 8443
 *   (clone-controller.go MakeCloneSourcePodSpec; controller/common/util.go ProgressFromClaim). A
 *   blocked read does not stop the copy but marks the clone phase Error until it ends
 *   (pkg/controller/populators/clone-populator.go planAndExecute), so it is allowed too. OpenShift
 *   Virtualization runs CDI in `openshift-cnv` (OPENSHIFT_CNV_NAMESPACE).
 */

/** Labels of the pod that reads the source claim in a host-assisted clone. */
export const CDI_CLONE_SOURCE_POD_LABELS: Readonly<Record<string, string>> = { 'app': 'containerized-data-importer', 'cdi.kubevirt.io': 'cdi-clone-source' };
/** Labels of the upload server pod that writes the target claim (uploads and host-assisted clones). */
export const CDI_UPLOAD_SERVER_POD_LABELS: Readonly<Record<string, string>> = { 'app': 'containerized-data-importer', 'cdi.kubevirt.io': 'cdi-upload-server' };
/** Port of the upload server pod (its Service's 443 targets it). */
export const CDI_UPLOAD_SERVER_PORT = 8443;
/** The clone source pod's `metrics` port, read by the CDI controller for progress. */
export const CDI_CLONE_SOURCE_METRICS_PORT = 8443;
/** Labels of the CDI controller's pods. */
export const CDI_CONTROLLER_POD_LABELS: Readonly<Record<string, string>> = { app: 'containerized-data-importer' };
/** Namespace of CDI on OpenShift Virtualization. */
const CDI_NAMESPACE = 'openshift-cnv';

/** One ingress flow of a host-assisted clone, as a NetworkPolicy of the source namespace renders it. */
export type CdiCloneFlow = IngressFlow;

/**
 * The flows a namespace with default-deny ingress must allow so that CDI can copy a claim of
 * that namespace host-assisted (the source pod to the upload server, both in the namespace, and
 * the CDI controller's progress reads).
 */
export function cdiHostCloneFlows(): CdiCloneFlow[] {
  const src = 'kubevirt/containerized-data-importer v1.57.1';
  return [
    {
      name: 'cdi-allow-clone-source-to-upload-server',
      to: { ...CDI_UPLOAD_SERVER_POD_LABELS },
      ports: [CDI_UPLOAD_SERVER_PORT],
      from: [{ podSelector: { matchLabels: { ...CDI_CLONE_SOURCE_POD_LABELS } } }],
      why: `CDI host-assisted clone of a claim of this namespace: the clone source pod -> the upload server pod ${CDI_UPLOAD_SERVER_PORT}, both in the source claim's namespace (${src} pkg/controller/clone/planner.go planHostAssistedFromPVC, upload-controller.go makeUploadPodSpec/makeUploadServiceSpec, clone-controller.go MakeCloneSourcePodSpec; labels pkg/common/common.go)`,
    },
    {
      name: 'cdi-allow-controller-to-clone-source',
      to: { ...CDI_CLONE_SOURCE_POD_LABELS },
      ports: [CDI_CLONE_SOURCE_METRICS_PORT],
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': CDI_NAMESPACE } }, podSelector: { matchLabels: { ...CDI_CONTROLLER_POD_LABELS } } }],
      why: `the CDI controller (${CDI_NAMESPACE}) -> the clone source pod's metrics ${CDI_CLONE_SOURCE_METRICS_PORT} for the clone's progress (${src} pkg/controller/common/util.go ProgressFromClaim; operator resources/namespaced/controller.go pod labels)`,
    },
  ];
}

/**
 * The flow an upload into a claim of a namespace with default-deny ingress needs (`virtctl
 * image-upload`): CDI's upload proxy (Deployment `cdi-uploadproxy` in `openshift-cnv`, pods
 * labelled `cdi.kubevirt.io: cdi-uploadproxy`: pkg/operator/resources/namespaced/uploadproxy.go
 * createUploadProxyDeployment, cdiLabel = common.CDIComponentLabel) forwards to the upload server
 * of the claim's namespace (pkg/uploadproxy/uploadproxy.go urlResolver = GetUploadServerURL,
 * Service 443 -> pod 8443), kubevirt/containerized-data-importer v1.57.1.
 */
export function cdiUploadFlow(): CdiCloneFlow {
  return {
    name: 'cdi-allow-uploadproxy-to-upload-server',
    to: { ...CDI_UPLOAD_SERVER_POD_LABELS },
    ports: [CDI_UPLOAD_SERVER_PORT],
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': CDI_NAMESPACE } }, podSelector: { matchLabels: { 'cdi.kubevirt.io': 'cdi-uploadproxy' } } }],
    why: `CDI's upload proxy (${CDI_NAMESPACE}) -> the upload server pod ${CDI_UPLOAD_SERVER_PORT} of a claim uploaded into this namespace (virtctl image-upload; kubevirt/containerized-data-importer v1.57.1 pkg/uploadproxy/uploadproxy.go, operator resources/namespaced/uploadproxy.go pod labels)`,
  };
}

/**
 * Namespaces whose claims an object clones, i.e. where a host-assisted copy would run its pods,
 * with the JSON pointer of each clone: DataVolume templates of a VirtualMachine and DataVolumes
 * with `spec.source.pvc` / `spec.source.snapshot` (namespace defaults to the object's), or a
 * `spec.sourceRef` DataSource (its namespace: DataImportCron sources live beside their DataSource).
 */
export function cloneSourceNamespaces(manifest: any): Array<{ readonly namespace: string; readonly pointer: string; readonly what: string }> {
  const own = manifest?.metadata?.namespace;
  const out: Array<{ namespace: string; pointer: string; what: string }> = [];
  const visit = (dv: any, pointer: string) => {
    const spec = dv?.spec ?? {};
    const name = dv?.metadata?.name ?? '?';
    for (const kind of ['pvc', 'snapshot'] as const) {
      const s = spec.source?.[kind];
      if (s && typeof s === 'object') {
        const ns = typeof s.namespace === 'string' && s.namespace ? s.namespace : own;
        if (typeof ns === 'string') out.push({ namespace: ns, pointer: `${pointer}/spec/source/${kind}`, what: `DataVolume "${name}" clones ${kind === 'pvc' ? 'PVC' : 'VolumeSnapshot'} ${ns}/${s.name}` });
      }
    }
    const ref = spec.sourceRef;
    if (ref && typeof ref === 'object' && ref.kind === 'DataSource') {
      const ns = typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : own;
      if (typeof ns === 'string') out.push({ namespace: ns, pointer: `${pointer}/spec/sourceRef`, what: `DataVolume "${name}" clones DataSource ${ns}/${ref.name}` });
    }
  };
  if (manifest?.kind === 'VirtualMachine' && typeof manifest?.apiVersion === 'string' && manifest.apiVersion.startsWith('kubevirt.io/')) {
    const t = manifest.spec?.dataVolumeTemplates;
    if (Array.isArray(t)) t.forEach((dv: any, i: number) => visit({ ...dv, metadata: dv?.metadata }, `/spec/dataVolumeTemplates/${i}`));
  } else if (manifest?.kind === 'DataVolume' && typeof manifest?.apiVersion === 'string' && manifest.apiVersion.startsWith('cdi.kubevirt.io/')) {
    visit(manifest, '');
  }
  return out;
}
