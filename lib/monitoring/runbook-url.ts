import { Cluster } from '../gitops/cluster';

/**
 * Folder of the alert runbooks below the environment folder (`dist/<env>/_runbooks/alerts/`).
 * Like `_restore-drills`, it starts with '_', which no Argo CD Application folder can (they are
 * DNS labels), so nothing syncs it: it is documentation kept next to what it documents.
 */
export const ALERT_RUNBOOK_FOLDER = '_runbooks/alerts';

/** File of an alert's runbook, relative to the environment folder. */
export function alertRunbookFile(alert: string): string {
  return `${ALERT_RUNBOOK_FOLDER}/${alert}.md`;
}

/**
 * Web address of a file of the cluster's Git repository at the revision Argo CD tracks, or
 * undefined when the repository URL has no web form ocpkit knows. GitHub serves files at
 * `<repo>/blob/<rev>/<path>`, GitLab at `<repo>/-/blob/<rev>/<path>` (any other host is taken
 * as a GitLab, the forge of ../shared/CONTEXT.md). SSH remotes (`git@host:group/repo.git`,
 * `ssh://git@host/group/repo.git`) map to `https://host/group/repo`.
 */
export function repositoryFileUrl(repoUrl: string, revision: string, file: string): string | undefined {
  let base: string | undefined;
  let m: RegExpMatchArray | null;
  if ((m = repoUrl.match(/^https?:\/\/(?:git@)?([^\s/@]+)\/(\S+?)(?:\.git)?\/?$/))) base = `https://${m[1]}/${m[2]}`;
  else if ((m = repoUrl.match(/^ssh:\/\/(?:[A-Za-z0-9._-]+@)?([^\s@/:]+)(?::\d+)?\/(\S+?)(?:\.git)?\/?$/))) base = `https://${m[1]}/${m[2]}`;
  else if ((m = repoUrl.match(/^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):(\S+?)(?:\.git)?\/?$/))) base = `https://${m[1]}/${m[2]}`;
  if (!base) return undefined;
  const host = new URL(base).hostname;
  const path = file.split('/').map(encodeURIComponent).join('/');
  const rev = encodeURIComponent(revision);
  return host === 'github.com' || host.endsWith('.github.com') ? `${base}/blob/${rev}/${path}` : `${base}/-/blob/${rev}/${path}`;
}

/**
 * The `runbook_url` of an alert of this cluster: its page in `dist/<env>/_runbooks/alerts/`,
 * in the Git repository and revision the cluster's Argo CD reads.
 */
export function alertRunbookUrl(cluster: Cluster, alert: string): string {
  const file = `${cluster.folderPath(alertRunbookFile(alert))}`;
  return repositoryFileUrl(cluster.repoUrl, cluster.targetRevision, file) ?? `${cluster.repoUrl}#${file}`;
}
