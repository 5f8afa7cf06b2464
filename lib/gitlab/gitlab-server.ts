/**
 * What a client of a GitLab instance (a runner, a log relay, a policy) needs to know of it: where
 * it answers and which GitLab release it runs. {@link GitLab} implements it; a GitLab outside the
 * stack can be described by hand.
 */
export interface IGitLabServer {
  /** `https://<hostname>`. */
  readonly url: string;
  /** The GitLab release the server runs (`18.11.4`), as the chart version maps to it. */
  readonly gitlabVersion: string;
}
