/**
 * Which schema file describes which kind. Paths are relative to the shared CRD folder
 * (`../shared/crds`); the files are read from there, never copied into the project.
 *
 * Velero kinds use the copies OADP 1.5 installs on OpenShift (`oadp/velero-bundled`), and the
 * DataProtectionApplication uses the copy cdk8s can import (its one change is harmless for
 * validation). Keys are `group/version/Kind` (`v1/Kind` for the core group).
 */
export const CRD_FILES: Readonly<Record<string, string>> = {
  'argoproj.io/v1alpha1/Application': 'argo-cd/application-crd.yaml',
  'argoproj.io/v1alpha1/ApplicationSet': 'argo-cd/applicationset-crd.yaml',
  'argoproj.io/v1alpha1/AppProject': 'argo-cd/appproject-crd.yaml',
  'cdi.kubevirt.io/v1beta1/DataImportCron': 'cdi/cdi.kubevirt.io_dataimportcrons.yaml',
  'cdi.kubevirt.io/v1beta1/DataSource': 'cdi/cdi.kubevirt.io_datasources.yaml',
  'cdi.kubevirt.io/v1beta1/DataVolume': 'cdi/cdi.kubevirt.io_datavolumes.yaml',
  'cert-manager.io/v1/Certificate': 'cert-manager/cert-manager.io_certificates.yaml',
  'cert-manager.io/v1/ClusterIssuer': 'cert-manager/cert-manager.io_clusterissuers.yaml',
  'cert-manager.io/v1/Issuer': 'cert-manager/cert-manager.io_issuers.yaml',
  'postgres-operator.crunchydata.com/v1/PostgresCluster': 'crunchy-pgo/postgres-operator.crunchydata.com_postgresclusters.yaml',
  'postgres-operator.crunchydata.com/v1beta1/PostgresCluster': 'crunchy-pgo/postgres-operator.crunchydata.com_postgresclusters.yaml',
  'apps.gitlab.com/v1beta1/GitLab': 'gitlab/apps.gitlab.com_gitlabs.yaml',
  'apps.gitlab.com/v1beta2/Runner': 'gitlab/apps.gitlab.com_runners.yaml',
  'nmstate.io/v1/NodeNetworkConfigurationPolicy': 'kubernetes-nmstate/nmstate.io_nodenetworkconfigurationpolicies.yaml',
  'nmstate.io/v1beta1/NodeNetworkConfigurationPolicy': 'kubernetes-nmstate/nmstate.io_nodenetworkconfigurationpolicies.yaml',
  'nmstate.io/v1beta1/NodeNetworkState': 'kubernetes-nmstate/nmstate.io_nodenetworkstates.yaml',
  'nmstate.io/v1beta1/NodeNetworkConfigurationEnactment': 'kubernetes-nmstate/nmstate.io_nodenetworkconfigurationenactments.yaml',
  'instancetype.kubevirt.io/v1beta1/VirtualMachineClusterInstancetype': 'kubevirt/crds/instancetype.kubevirt.io_virtualmachineclusterinstancetypes.yaml',
  'instancetype.kubevirt.io/v1beta1/VirtualMachineClusterPreference': 'kubevirt/crds/instancetype.kubevirt.io_virtualmachineclusterpreferences.yaml',
  'instancetype.kubevirt.io/v1beta1/VirtualMachineInstancetype': 'kubevirt/crds/instancetype.kubevirt.io_virtualmachineinstancetypes.yaml',
  'instancetype.kubevirt.io/v1beta1/VirtualMachinePreference': 'kubevirt/crds/instancetype.kubevirt.io_virtualmachinepreferences.yaml',
  'kubevirt.io/v1/VirtualMachineInstance': 'kubevirt/crds/kubevirt.io_virtualmachineinstances.yaml',
  'kubevirt.io/v1/VirtualMachine': 'kubevirt/crds/kubevirt.io_virtualmachines.yaml',
  'k8s.cni.cncf.io/v1/NetworkAttachmentDefinition': 'multus/k8s.cni.cncf.io_network-attachment-definitions.yaml',
  'oadp.openshift.io/v1alpha1/DataProtectionApplication': 'oadp/cdk8s-patched/oadp.openshift.io_dataprotectionapplications.yaml',
  'velero.io/v1/Backup': 'oadp/velero-bundled/velero.io_backups.yaml',
  'velero.io/v1/BackupStorageLocation': 'oadp/velero-bundled/velero.io_backupstoragelocations.yaml',
  'velero.io/v1/Restore': 'oadp/velero-bundled/velero.io_restores.yaml',
  'velero.io/v1/Schedule': 'oadp/velero-bundled/velero.io_schedules.yaml',
  'velero.io/v1/VolumeSnapshotLocation': 'oadp/velero-bundled/velero.io_volumesnapshotlocations.yaml',
  'operators.coreos.com/v1alpha1/CatalogSource': 'olm/operators.coreos.com_catalogsources.yaml',
  'operators.coreos.com/v1/OperatorGroup': 'olm/operators.coreos.com_operatorgroups.yaml',
  'operators.coreos.com/v1alpha2/OperatorGroup': 'olm/operators.coreos.com_operatorgroups.yaml',
  'operators.coreos.com/v1alpha1/Subscription': 'olm/operators.coreos.com_subscriptions.yaml',
  'apps.openshift.io/v1/DeploymentConfig': 'openshift-api/derived/apps.openshift.io_deploymentconfigs.yaml',
  'image.openshift.io/v1/ImageStream': 'openshift-api/derived/image.openshift.io_imagestreams.yaml',
  'project.openshift.io/v1/ProjectRequest': 'openshift-api/derived/project.openshift.io_projectrequests.yaml',
  'project.openshift.io/v1/Project': 'openshift-api/derived/project.openshift.io_projects.yaml',
  'machineconfiguration.openshift.io/v1/KubeletConfig': 'openshift-api/machineconfiguration.openshift.io_kubeletconfigs.yaml',
  'machineconfiguration.openshift.io/v1/MachineConfigPool': 'openshift-api/machineconfiguration.openshift.io_machineconfigpools-Default.yaml',
  'machineconfiguration.openshift.io/v1/MachineConfig': 'openshift-api/machineconfiguration.openshift.io_machineconfigs.yaml',
  'quota.openshift.io/v1/ClusterResourceQuota': 'openshift-api/quota.openshift.io_clusterresourcequotas.yaml',
  'route.openshift.io/v1/Route': 'openshift-api/route.openshift.io_routes.yaml',
  'security.openshift.io/v1/SecurityContextConstraints': 'openshift-api/security.openshift.io_securitycontextconstraints.yaml',
  'config.openshift.io/v1alpha1/Backup': 'openshift-api/techpreview/config.openshift.io_backups.yaml',
  'operator.openshift.io/v1alpha1/EtcdBackup': 'openshift-api/techpreview/operator.openshift.io_etcdbackups.yaml',
};

/** The Kubernetes 1.27 core schema, relative to the shared CRD folder. */
export const CORE_DEFINITIONS_FILE = 'kubernetes/v1.27.0/_definitions.json';

/** `group/version/Kind` key for an apiVersion and kind. */
export function gvkKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}
