import { CDI_CLONE_NETWORK } from './cdi-clone-network';
import { CONFINED_PROJECTS } from './confined-projects';
import { ENCRYPTED_BACKUPS } from './encrypted-backups';
import { NAMESPACE_ADMISSION_LABELS } from './namespace-admission-labels';
import { NO_HOST_ACCESS } from './no-host-access';
import { NO_LITERAL_SECRETS } from './no-literal-secrets';
import { PINNED_IMAGES } from './pinned-images';
import type { PolicyRule } from './policy';
import { RESOURCE_REQUESTS } from './resource-requests';
import { RUNNERS_NO_ANYUID } from './runners-no-anyuid';
import { TENANT_NAMESPACE_CONFINEMENT } from './tenant-namespace-confinement';
import { TENANT_NETWORK_ISOLATION } from './tenant-network-isolation';
import { TENANT_POD_SECURITY } from './tenant-pod-security';

/** The built-in policies: every synth and `ocpkit validate --policy` run them. */
export const BUILTIN_POLICIES: readonly PolicyRule[] = [
  NO_LITERAL_SECRETS,
  TENANT_NETWORK_ISOLATION,
  TENANT_POD_SECURITY,
  NO_HOST_ACCESS,
  PINNED_IMAGES,
  ENCRYPTED_BACKUPS,
  CONFINED_PROJECTS,
  RESOURCE_REQUESTS,
  NAMESPACE_ADMISSION_LABELS,
  TENANT_NAMESPACE_CONFINEMENT,
  RUNNERS_NO_ANYUID,
  CDI_CLONE_NETWORK,
];
