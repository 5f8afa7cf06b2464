import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Problem, Problems } from '../core/errors';
import { dnsLabel, dnsSubdomain } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { GitOpsApp } from '../gitops/gitops-app';
import { ArtifactProducer, Artifact, Plugins, SynthCheck, SynthesizedObject, SynthRoot } from '../synth/pipeline';
import { promqlProblem } from './_promql';
import { ruleEvaluator, RuleEvaluator } from './cluster-monitoring';
import { alertRunbookFile, alertRunbookUrl } from './runbook-url';

/** Severity of an alert: `critical` pages someone now, `warning` is for working hours, `info` is context. */
export type AlertSeverity = 'critical' | 'warning' | 'info';
const SEVERITIES: readonly AlertSeverity[] = ['critical', 'warning', 'info'];

/**
 * What the alert's runbook page says besides what the rule says itself (its summary,
 * description, expression and where it lives). Each entry of `diagnose` and `fix` is one step;
 * commands go in backquotes.
 */
export interface AlertRunbook {
  /** What went wrong when the alert fires, in a sentence or two. */
  readonly meaning: string;
  /** What is at risk while it fires. */
  readonly impact: string;
  readonly diagnose: readonly string[];
  readonly fix: readonly string[];
}

/** One alerting rule. */
export interface AlertRule {
  /** Alert name, PascalCase (`EtcdBackupFailed`); rules sharing a name share one runbook. */
  readonly alert: string;
  readonly expr: string;
  /** How long the condition must hold (`15m`). @default fires at once */
  readonly for?: string;
  readonly severity: AlertSeverity;
  /** One line, with `{{ $labels.x }}` where useful. */
  readonly summary: string;
  /** What to do first; the runbook has the rest. */
  readonly description: string;
  /** Extra labels (`schedule`, `cronjob`, ...). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Metrics the expression must use (checked at synth time). */
  readonly metrics: readonly string[];
}

/** Label that makes user-workload monitoring evaluate a rule in its own Prometheus, not Thanos Ruler. */
export const RULE_EVALUATION_SCOPE_LABEL = 'openshift.io/prometheus-rule-evaluation-scope';

/** Properties of {@link AlertRuleSet}. */
export interface AlertRuleSetProps {
  /** Name of the PrometheusRule. */
  readonly name: string;
  /** Its namespace: the namespace of what it watches (see {@link ClusterMonitoring}). */
  readonly namespace: string;
  /** Name of the rule group. */
  readonly group: string;
  /** The rules, produced when the cluster is synthesized (so they follow the stack). */
  readonly rules: () => readonly AlertRule[];
  /**
   * Whether every metric the rules use is scraped in their own namespace (a ServiceMonitor
   * there). With user-workload monitoring such rules are evaluated by its Prometheus directly
   * (`openshift.io/prometheus-rule-evaluation-scope: leaf-prometheus`); rules over platform
   * metrics (kube-state-metrics) must go through Thanos Ruler and say false.
   */
  readonly ownMetricsOnly: boolean;
  /**
   * Who evaluates the namespace's rules when the stack does not define the namespace (an
   * operator creates it): what its owner is known to do to its labels.
   * @default 'user-workload' (a namespace without labels)
   */
  readonly evaluator?: RuleEvaluator;
  /** The runbook of each alert name the rules use. */
  readonly runbooks: Readonly<Record<string, AlertRunbook>>;
}

const RUNBOOKS = new WeakMap<IConstruct, Map<string, { runbook: AlertRunbook; path: string }>>();

/**
 * One PrometheusRule whose rules are derived from the stack when it is synthesized, each with
 * `severity`, `summary`, `description` and a `runbook_url` pointing at the alert's page in
 * `dist/<env>/_runbooks/alerts/` (written by `ALERT_RUNBOOKS`). Synthesis refuses a
 * rule set in a namespace no Prometheus evaluates (see `ruleEvaluator`).
 *
 * Emits: into the folder of the app it is in a `monitoring.coreos.com/v1` PrometheusRule `name` in
 * `namespace` (labelled for the user-workload Prometheus when its metrics are scraped there), and
 * per alert a runbook page `dist/<environment>/_runbooks/alerts/<Alert>.md`.
 */
export class AlertRuleSet extends Construct {
  /** Registered runbook of an alert name of a cluster, if any. */
  public static runbookOf(cluster: Cluster, alert: string): AlertRunbook | undefined {
    return RUNBOOKS.get(cluster)?.get(alert)?.runbook;
  }

  public readonly resource: ApiObject;
  public readonly namespace: string;
  private readonly produce: () => readonly AlertRule[];

  constructor(scope: Construct, id: string, props: AlertRuleSetProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('name', props.name, dnsSubdomain);
    p.check('namespace', props.namespace, dnsLabel);
    if (!GitOpsApp.enclosing(this)) p.add('scope', 'define alert rules inside a GitOpsApp');
    p.throwIfAny();
    const cluster = Cluster.of(this);
    Plugins.of(cluster).addCheck(ALERT_RULES_CHECK);
    let runbooks = RUNBOOKS.get(cluster);
    if (!runbooks) RUNBOOKS.set(cluster, (runbooks = new Map()));
    for (const [alert, runbook] of Object.entries(props.runbooks)) {
      const known = runbooks.get(alert);
      if (known && JSON.stringify(known.runbook) !== JSON.stringify(runbook)) {
        p.add('runbooks', `alert "${alert}" already has another runbook (${known.path}); one alert name, one runbook`);
      }
      if (!known) runbooks.set(alert, { runbook, path: this.node.path });
    }
    p.throwIfAny();

    this.namespace = props.namespace;
    this.produce = props.rules;
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: props.ownMetricsOnly ? { [RULE_EVALUATION_SCOPE_LABEL]: 'leaf-prometheus' } : undefined,
      },
      spec: Lazy.any({
        produce: () => ({
          groups: [{
            name: props.group,
            rules: this.rules().map((r) => ({
              alert: r.alert,
              expr: r.expr,
              for: r.for,
              labels: { ...r.labels, severity: r.severity },
              annotations: { summary: r.summary, description: r.description, runbook_url: alertRunbookUrl(cluster, r.alert) },
            })),
          }],
        }),
      }),
    });
    this.node.defaultChild = this.resource;
    this.node.addValidation({
      validate: () => {
        const out: string[] = [];
        const e = ruleEvaluator(this, props.namespace, props.evaluator);
        if ('problem' in e) out.push(`namespace: ${e.problem}`);
        for (const r of this.rules()) {
          if (!runbooks!.has(r.alert)) out.push(`rules: alert "${r.alert}" has no runbook; give it one in runbooks`);
          if (!/^[A-Z][A-Za-z0-9]*$/.test(r.alert)) out.push(`rules: alert name "${r.alert}" is not PascalCase letters and digits`);
          const why = promqlProblem(r.expr, r.metrics);
          if (why) out.push(`rules: the expression of ${r.alert} ${why}: ${r.expr}`);
        }
        return out;
      },
    });
  }

  /** The rules now (derived from the stack). */
  public rules(): readonly AlertRule[] {
    return this.produce();
  }
}

/**
 * Every alerting rule of every PrometheusRule of an {@link AlertRuleSet} has a severity, a summary, a
 * description, a runbook_url of this cluster's runbook folder, and a plausible PromQL expression;
 * other PrometheusRules of the stack (an InstallPlanApprover's) are held to the same once they
 * carry a runbook_url.
 */
export const ALERT_RULES_CHECK: SynthCheck = {
  id: 'alert-rules',
  check(objects) {
    const out: Problem[] = [];
    for (const o of objects) {
      if (o.manifest.kind !== 'PrometheusRule' || !o.root) continue;
      const cluster = o.root as Cluster;
      const ours = o.source?.node.scope instanceof AlertRuleSet;
      (o.manifest.spec?.groups ?? []).forEach((g: any, gi: number) => (g.rules ?? []).forEach((r: any, ri: number) => {
        if (!r.alert) return;
        const at = `spec.groups[${gi}].rules[${ri}]`;
        const url = r.annotations?.runbook_url;
        if (!ours && url === undefined) return;
        const add = (field: string, message: string) => out.push({ path: o.path, field: `${at}.${field}`, message: `alert ${r.alert}: ${message}` });
        if (!SEVERITIES.includes(r.labels?.severity)) add('labels.severity', `${JSON.stringify(r.labels?.severity)} is not one of ${SEVERITIES.join(', ')}`);
        for (const k of ['summary', 'description']) if (typeof r.annotations?.[k] !== 'string' || !r.annotations[k].trim()) add(`annotations.${k}`, 'is missing; every alert says what happened and what to do first');
        if (url !== alertRunbookUrl(cluster, r.alert)) add('annotations.runbook_url', `${JSON.stringify(url)} is not the alert's runbook page ${alertRunbookUrl(cluster, r.alert)}`);
        const why = promqlProblem(r.expr);
        if (why) add('expr', `the expression ${why}`);
      }));
    }
    return out;
  },
};

interface Instance {
  readonly rule: any;
  readonly object: SynthesizedObject;
}

function bullets(steps: readonly string[]): string {
  return steps.map((s, i) => `${i + 1}. ${s}`).join('\n');
}

function page(cluster: Cluster, alert: string, instances: readonly Instance[]): string {
  const runbook = AlertRuleSet.runbookOf(cluster, alert);
  const first = instances[0].rule;
  const severities = [...new Set(instances.map((i) => i.rule.labels?.severity))].join(', ');
  const lines = [
    `# ${alert}`,
    '',
    `Cluster \`${cluster.clusterName}\`, environment \`${cluster.environment}\`. Severity: ${severities}.`,
    '',
    `> ${first.annotations?.summary ?? ''}`,
    '',
  ];
  if (runbook) {
    lines.push('## What it means', '', runbook.meaning, '', '## Impact', '', runbook.impact, '', '## Diagnose', '', bullets(runbook.diagnose), '', '## Fix', '', bullets(runbook.fix), '');
  } else {
    // a rule of another construct (the InstallPlanApprover's drift alert): its description is the runbook
    lines.push('## What it means and what to do', '', first.annotations?.description ?? '', '');
  }
  lines.push('## The rules', '');
  for (const { rule, object } of instances) {
    const extra = Object.entries(rule.labels ?? {}).filter(([k]) => k !== 'severity').map(([k, v]) => `${k}=${v}`).join(', ');
    lines.push(`- PrometheusRule \`${object.manifest.metadata.namespace}/${object.manifest.metadata.name}\` (\`${cluster.distPath}/${object.file}\`)`
      + `${extra ? `, labels ${extra}` : ''}, ${rule.for ? `firing after ${rule.for}` : 'firing at once'}:`);
    lines.push('', '  ```promql', ...String(rule.expr).trim().split('\n').map((l) => `  ${l}`), '  ```', '');
  }
  lines.push('Generated by ocpkit from the stack; edit the code, not this page.', '');
  return lines.join('\n');
}

/**
 * Writes one Markdown page per alert name into `dist/<env>/_runbooks/alerts/<Alert>.md` for every
 * alerting rule of the environment whose `runbook_url` is that page: what it means, the impact,
 * how to diagnose and fix (from the {@link AlertRuleSet}'s runbooks), and the rules themselves.
 * Not synced by Argo CD (see ALERT_RUNBOOK_FOLDER).
 */
export const ALERT_RUNBOOKS: ArtifactProducer = {
  id: 'alert-runbooks',
  produce(objects: readonly SynthesizedObject[], root: SynthRoot): Artifact[] {
    if (!(root instanceof Cluster)) return [];
    const byAlert = new Map<string, Instance[]>();
    for (const o of objects) {
      if (o.manifest.kind !== 'PrometheusRule') continue;
      for (const g of o.manifest.spec?.groups ?? []) {
        for (const r of g.rules ?? []) {
          if (!r.alert || r.annotations?.runbook_url !== alertRunbookUrl(root, r.alert)) continue;
          const list = byAlert.get(r.alert) ?? [];
          list.push({ rule: r, object: o });
          byAlert.set(r.alert, list);
        }
      }
    }
    return [...byAlert.keys()].sort().map((alert) => ({ file: alertRunbookFile(alert), text: page(root, alert, byAlert.get(alert)!) }));
  },
};
