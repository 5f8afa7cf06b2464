import { changedText, formatSeconds, goDurationSeconds, listOf, objectName, podSpecOf, podSpecPath } from './_manifest';
import { describeFrequency, runsPerYear } from './cron';
import { formatPath } from './field-path';
import { includedNamespaces, isVelero } from './risk';
import type { RiskFinding, RiskInput, RiskRule } from './risk';

/**
 * Backups are kept for less time: a Velero Schedule's `spec.template.ttl` or a Backup's
 * `spec.ttl` shorter (Go durations, velero.io/v1 BackupSpec), or a `find ... -mmin +N` /
 * `-mtime +N` pruning step in a command that deletes copies sooner (ocpkit's etcd snapshot job
 * prunes that way).
 */
function retentionShorter(input: RiskInput): RiskFinding[] {
  const out: RiskFinding[] = [];
  const ttlPath = input.kind === 'Schedule' ? ['spec', 'template', 'ttl'] : input.kind === 'Backup' ? ['spec', 'ttl'] : undefined;
  if (ttlPath && isVelero(input.new)) {
    const get = (m: any) => ttlPath.reduce((v: any, k) => v?.[k], m);
    const a = goDurationSeconds(get(input.old));
    const b = goDurationSeconds(get(input.new));
    // an absent ttl is the server's default, 720h (30 days) unless velero runs with --default-backup-ttl
    // (https://velero.io/docs/main/disaster-case/ states the 30-day default)
    const before = a ?? (get(input.old) === undefined ? 720 * 3600 : undefined);
    const after = b ?? (get(input.new) === undefined ? 720 * 3600 : undefined);
    if (before !== undefined && after !== undefined && after < before) {
      out.push({ reason: `${input.kind} ${input.name} keeps backups for ${formatSeconds(after)} instead of ${formatSeconds(before)}: older restore points disappear`, path: ttlPath.join('.') });
    }
  }
  for (const c of input.changes) {
    const t = changedText(c);
    if (!t) continue;
    const minutes = (s: string) => [...s.matchAll(/-(mmin|mtime)\s+\+(\d+)/g)].map((m) => Number(m[2]) * (m[1] === 'mtime' ? 1440 : 1));
    const a = minutes(t[0]);
    const b = minutes(t[1]);
    if (a.length && a.length === b.length && b.some((v, i) => v < a[i])) {
      const i = b.findIndex((v, j) => v < a[j]);
      out.push({ reason: `a pruning command in ${input.kind} ${input.name} deletes copies older than ${formatSeconds(b[i] * 60)} instead of ${formatSeconds(a[i] * 60)}`, path: formatPath(c.path) });
    }
  }
  return out;
}

/** A Velero Schedule or a CronJob runs less often (fewer runs per year), or a CronJob is suspended. */
function scheduleLessOften(input: RiskInput): RiskFinding[] {
  if (input.kind === 'Schedule' && !isVelero(input.new)) return [];
  const out: RiskFinding[] = [];
  const a = runsPerYear(input.old?.spec?.schedule);
  const b = runsPerYear(input.new?.spec?.schedule);
  if (a !== undefined && b !== undefined && b < a) {
    out.push({ reason: `${input.kind} ${input.name} runs less often: "${input.old.spec.schedule}" (${describeFrequency(a)}) -> "${input.new.spec.schedule}" (${describeFrequency(b)})`, path: 'spec.schedule' });
  }
  if (input.kind === 'CronJob' && input.new?.spec?.suspend === true && input.old?.spec?.suspend !== true) {
    out.push({ reason: `suspends CronJob ${input.name}: it no longer runs`, path: 'spec.suspend' });
  }
  return out;
}

/** A Velero Schedule covers less: namespaces taken out or excluded, resources narrowed or excluded, volume snapshots off. */
function coverageNarrowed(input: RiskInput): RiskFinding[] {
  if (!isVelero(input.new)) return [];
  const out: RiskFinding[] = [];
  const before = includedNamespaces(input.old);
  const after = includedNamespaces(input.new);
  if (after && !before) out.push({ reason: `backup schedule ${input.name} covers only ${after.join(', ')} instead of every namespace`, path: 'spec.template.includedNamespaces' });
  if (before && after) {
    const gone = before.filter((n) => !after.includes(n));
    if (gone.length) out.push({ reason: `takes ${gone.join(', ')} out of backup schedule ${input.name}: their next backups are not taken`, path: 'spec.template.includedNamespaces' });
  }
  const grew = (field: string) => {
    const o = listOf(input.old?.spec?.template?.[field]).map(String);
    return listOf(input.new?.spec?.template?.[field]).map(String).filter((n) => !o.includes(n));
  };
  const excluded = grew('excludedNamespaces');
  if (excluded.length) out.push({ reason: `excludes ${excluded.join(', ')} from backup schedule ${input.name}`, path: 'spec.template.excludedNamespaces' });
  const exRes = grew('excludedResources');
  if (exRes.length) out.push({ reason: `backup schedule ${input.name} no longer backs up ${exRes.join(', ')}`, path: 'spec.template.excludedResources' });
  const inc = (m: any) => listOf(m?.spec?.template?.includedResources).map(String);
  const incBefore = inc(input.old);
  const incAfter = inc(input.new);
  if (incAfter.length && !incAfter.includes('*') && (incBefore.length === 0 || incBefore.includes('*') || incBefore.some((r) => !incAfter.includes(r)))) {
    out.push({ reason: `backup schedule ${input.name} backs up only ${incAfter.join(', ')}`, path: 'spec.template.includedResources' });
  }
  if (input.new?.spec?.template?.snapshotVolumes === false && input.old?.spec?.template?.snapshotVolumes !== false) {
    out.push({ reason: `backup schedule ${input.name} stops snapshotting volumes (snapshotVolumes: false): volume data is not in its backups unless file-system backup covers it`, path: 'spec.template.snapshotVolumes' });
  }
  return out;
}

/** Whether a pod spec mounts a service account token (the default unless it says `false`). */
function mountsToken(spec: any, sa?: any): boolean {
  if (spec?.automountServiceAccountToken !== undefined) return spec.automountServiceAccountToken !== false;
  return sa?.automountServiceAccountToken !== false;
}

/**
 * Credentials that live longer or reach further: a certificate's `duration` longer
 * (cert-manager Certificate), a projected service account token's `expirationSeconds` longer, a
 * long-lived token Secret (`type: kubernetes.io/service-account-token`, which never expires:
 * https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets),
 * or service account tokens mounted where they were not (`automountServiceAccountToken`).
 */
function credentialsLonger(input: RiskInput): RiskFinding[] {
  const out: RiskFinding[] = [];
  const m = input.new;
  if (input.kind === 'Secret' && m?.type === 'kubernetes.io/service-account-token' && (input.op === 'added' || input.old?.type !== m.type)) {
    out.push({ reason: `Secret ${objectName(m)} is a long-lived token for ServiceAccount ${m.metadata?.annotations?.['kubernetes.io/service-account.name'] ?? '?'}: it never expires; prefer short-lived projected tokens`, path: 'type' });
  }
  if (input.op !== 'changed') return out;
  if (input.kind === 'Certificate') {
    const a = goDurationSeconds(input.old?.spec?.duration) ?? 90 * 86400; // absent: cert-manager's default, 90 days (DefaultCertificateDuration, jetstack/cert-manager@v0.10.1 pkg/apis/certmanager/v1alpha1/const.go; unchanged since per its docs)
    const b = goDurationSeconds(m?.spec?.duration) ?? 90 * 86400;
    if (b > a) out.push({ reason: `Certificate ${objectName(m)} is valid for ${formatSeconds(b)} instead of ${formatSeconds(a)}: a leaked key stays usable longer`, path: 'spec.duration' });
  }
  if (input.kind === 'ServiceAccount' && input.old?.automountServiceAccountToken === false && m?.automountServiceAccountToken !== false) {
    out.push({ reason: `ServiceAccount ${objectName(m)} tokens are mounted into its pods again (automountServiceAccountToken)`, path: 'automountServiceAccountToken' });
  }
  const prefix = podSpecPath(input.kind);
  if (prefix) {
    const a = podSpecOf(input.old);
    const b = podSpecOf(m);
    if (a && b && !mountsToken(a) && mountsToken(b)) out.push({ reason: `${input.kind} ${input.name} pods get a service account token mounted (automountServiceAccountToken no longer false)`, path: `${prefix.join('.')}.automountServiceAccountToken` });
    const expiry = (spec: any) => {
      const map = new Map<string, number>();
      for (const v of listOf(spec?.volumes)) for (const s of listOf(v?.projected?.sources)) if (s?.serviceAccountToken) map.set(`${v.name}`, Number(s.serviceAccountToken.expirationSeconds ?? 3600));
      return map;
    };
    const ea = expiry(a);
    for (const [vol, secs] of expiry(b)) {
      const was = ea.get(vol);
      if (was !== undefined && secs > was) out.push({ reason: `${input.kind} ${input.name} token in volume ${vol} lives ${formatSeconds(secs)} instead of ${formatSeconds(was)}`, path: `${prefix.join('.')}.volumes[name=${vol}]` });
    }
  }
  return out;
}

/** The weakening rules: safety margins that shrink. */
export const WEAKENING_RULES: readonly RiskRule[] = [
  { id: 'weakening/backup-retention', class: 'weakening', kinds: ['Schedule', 'Backup', 'CronJob'], ops: ['changed'], description: 'backups kept for less time (Velero ttl, pruning age in a backup job)', check: retentionShorter },
  { id: 'weakening/schedule', class: 'weakening', kinds: ['Schedule', 'CronJob'], ops: ['changed'], description: 'a backup Schedule or a CronJob runs less often, or a CronJob is suspended', check: scheduleLessOften },
  { id: 'weakening/backup-coverage', class: 'weakening', kinds: ['Schedule'], ops: ['changed'], description: 'a Velero Schedule covers fewer namespaces or resources, or stops snapshotting volumes', check: coverageNarrowed },
  { id: 'weakening/credentials', class: 'weakening', kinds: ['Secret', 'Certificate', 'ServiceAccount', 'Pod', 'Deployment', 'DeploymentConfig', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Job', 'CronJob'], ops: ['added', 'changed'], description: 'credentials that live longer or reach further: certificate duration, token expiry, long-lived token Secrets, tokens mounted again', check: credentialsLonger },
];
