/** Namespace OADP installs Velero into on OpenShift; Velero objects (locations, schedules, restores) live here. */
export const OADP_NAMESPACE = 'openshift-adp';
