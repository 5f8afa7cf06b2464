import { SecretKey } from '../core/secret-key';

/**
 * What the GitLab CR needs to know about a Gitaly server that runs outside the chart: where
 * Rails reaches Gitaly, where users reach Git over SSH, and the shared secrets. Implemented by
 * {@link ExternalGitaly}, so renaming the VM or changing a port changes the CR.
 */
export interface IGitalyEndpoint {
  /** Storage name GitLab knows this Gitaly by; the chart needs one called `default`. */
  readonly storageName: string;
  /** Host name Rails and Workhorse use for Gitaly (an in-cluster Service name). */
  readonly gitalyHost: string;
  /** Gitaly's gRPC port. */
  readonly gitalyPort: number;
  /** Whether Gitaly's gRPC port speaks TLS. */
  readonly tlsEnabled: boolean;
  /**
   * Secret holding the CA that signed Gitaly's certificate (added to the chart's trusted CAs).
   * Undefined when TLS is off or the certificate comes from a publicly trusted CA.
   */
  readonly caSecretName?: string;
  /** Public host name of Git over SSH (it resolves to the VM's public address). */
  readonly sshHost: string;
  /** Public SSH port. */
  readonly sshPort: number;
  /** Gitaly's authentication token (`global.gitaly.authToken`). */
  readonly authToken: SecretKey;
  /** GitLab Shell's secret, shared with the gitlab-shell on the VM (`global.shell.authToken`). */
  readonly shellSecret: SecretKey;
}

/**
 * Workhorse's port on the webservice pods (charts/gitlab/charts/webservice/values.yaml
 * `service.workhorseInternalPort: 8181`; the Ingress backend is `service.workhorseExternalPort`,
 * webservice templates/_ingress.tpl). Gitaly's hooks and GitLab Shell call the internal API
 * through Workhorse too: both use `gitlab.workhorse.url` (templates/_workhorse.tpl:
 * `http://<release>-webservice-default:8181`; charts/gitlab/charts/gitaly/templates/_configmap_spec.yaml
 * `[gitlab] url`, charts/gitlab/charts/gitlab-shell/templates/configmap.yml `gitlab_url`), not
 * Rails' 8080.
 */
export const WORKHORSE_PORT = 8181;
