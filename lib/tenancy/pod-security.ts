/**
 * Pod Security Admission levels.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export enum PodSecurityLevel {
  /** Hardened pods only (the default for tenants). */
  RESTRICTED = 'restricted',
  /** Prevents known privilege escalations. */
  BASELINE = 'baseline',
  /** Unrestricted; only for platform namespaces that need it. */
  PRIVILEGED = 'privileged',
}
