import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { asGoDuration, DurationLike, GoDuration } from '../backup/duration';
import { Problems, show } from '../core/errors';
import { dnsLabel } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { GitOpsApp } from '../gitops/gitops-app';
import { TreeIndex } from '../synth/pipeline';
import { anyOf, promDuration, selector } from './_promql';
import { AlertRuleSet, AlertRunbook } from './alert-rules';
import { prometheusK8sReader } from './backup-alerts';
import { ruleEvaluator, RuleEvaluator } from './cluster-monitoring';

/** Properties of {@link CertificateAlerts}. */
export interface CertificateAlertsProps {
  /**
   * Namespace of the cert-manager controller (the operand namespace of the cert-manager
   * Operator for Red Hat OpenShift).
   * @default 'cert-manager'
   */
  readonly namespace?: string;
  /**
   * Who evaluates rules in that namespace when the stack does not define it: 'platform' once it
   * is labelled `openshift.io/cluster-monitoring: "true"` (the operator's metrics guide does
   * that), else user-workload monitoring.
   * @default 'user-workload'
   */
  readonly evaluator?: RuleEvaluator;
  /** A certificate this close to expiry raises a warning. @default GoDuration.days(14) */
  readonly warnBefore?: DurationLike;
  /** ... and this close a critical alert. @default GoDuration.days(3) */
  readonly criticalBefore?: DurationLike;
}

const CERT_RUNBOOKS: Readonly<Record<string, AlertRunbook>> = {
  CertManagerMetricsMissing: {
    meaning: 'No Prometheus scrapes the cert-manager controller: its always-present clock metric is absent, so the expiry alerts cannot fire.',
    impact: 'Certificates can expire without any alert.',
    diagnose: [
      '`oc -n cert-manager get pods,service cert-manager` (is the controller running, does the Service still have the tcp-prometheus-servicemonitor port?).',
      'Which Prometheus owns the namespace: with `openshift.io/cluster-monitoring: "true"` on `cert-manager`, the platform Prometheus needs a Role to discover the targets (declare the namespace as platform-evaluated: CertificateAlerts `evaluator: \'platform\'`); without the label, user-workload monitoring must be on (ClusterMonitoring).',
      'Observe > Targets in the console, or `oc -n openshift-user-workload-monitoring logs prometheus-user-workload-0 -c prometheus | grep cert-manager`.',
    ],
    fix: ['Make the evaluator match the namespace\'s label (see above) and sync the monitoring app.'],
  },
  CertificateExpiresSoon: {
    meaning: 'A cert-manager Certificate expires soon although cert-manager renews certificates well before (by default a third of the lifetime before expiry: 30 days for Let\'s Encrypt): its renewals have failed for a while.',
    impact: 'When it expires, clients refuse the service (browsers, Git over HTTPS, API clients).',
    diagnose: [
      '`oc -n <exported_namespace> describe certificate <name>`: the Ready condition and the latest CertificateRequest.',
      '`oc -n <exported_namespace> get certificaterequests,orders,challenges`: a DNS-01 challenge that does not propagate (TSIG key, update policy of the zone) or a rate limit of the ACME server.',
      '`oc -n cert-manager logs deploy/cert-manager | grep <name>`.',
    ],
    fix: [
      'Fix the issuer or the DNS update rights, then renew now: `cmctl renew <name> -n <exported_namespace>` (or delete the failed CertificateRequest).',
    ],
  },
};

/**
 * Certificate expiry alerts from cert-manager's `certmanager_certificate_expiration_timestamp_seconds`
 * {name, namespace, issuer_*} (cert-manager v1.13.6 pkg/metrics/metrics.go, the operand of the
 * cert-manager Operator for Red Hat OpenShift 1.13): a warning and a critical alert per
 * Certificate. Scraped with a ServiceMonitor on the controller's Service `cert-manager`, port
 * `tcp-prometheus-servicemonitor` (9402), which the operator creates but, like its metrics guide
 * says, does not monitor; `CertManagerMetricsMissing` fires when that scrape yields nothing
 * (cert-manager's always-present `certmanager_clock_time_seconds_gauge` absent for an hour) (openshift/cert-manager-operator cert-manager-1.13,
 * bindata/cert-manager-deployment/controller/cert-manager-svc.yaml, docs/operand_metrics.md).
 * The metric's own `namespace` clashes with the target's, so Prometheus keeps the
 * Certificate's namespace as `exported_namespace` (honor_labels off, which user-workload
 * monitoring enforces: overrideHonorLabels in cluster-monitoring-operator release-4.14
 * assets/prometheus-user-workload/prometheus.yaml).
 *
 * Only Certificate objects are measured: certificates that cert-manager's openshift-routes
 * add-on v0.5.0 gets for Routes are CertificateRequests without a Certificate (lib/certs), and
 * have no expiry metric.
 *
 * Emits: into the folder of the app it is in, in cert-manager's namespace (`cert-manager`), a
 * PrometheusRule `ocpkit-certificate-alerts` and a ServiceMonitor `ocpkit-cert-manager`, and the
 * runbook pages of its alerts in `dist/<environment>/_runbooks/alerts/`.
 */
export class CertificateAlerts extends Construct {
  public readonly ruleSet: AlertRuleSet;

  constructor(scope: Construct, id: string, props: CertificateAlertsProps = {}) {
    super(scope, id);
    const p = new Problems(this.node.path);
    const namespace = props.namespace ?? 'cert-manager';
    p.check('namespace', namespace, dnsLabel);
    const warn = durationProp(p, 'warnBefore', props.warnBefore ?? GoDuration.days(14));
    const critical = durationProp(p, 'criticalBefore', props.criticalBefore ?? GoDuration.days(3));
    if (warn && critical && critical.seconds >= warn.seconds) p.add('criticalBefore', `${critical.toString()} must be shorter than warnBefore (${warn.toString()})`);
    if (props.evaluator !== undefined && props.evaluator !== 'platform' && props.evaluator !== 'user-workload') p.add('evaluator', `${show(props.evaluator)} must be 'platform' or 'user-workload'`);
    if (!GitOpsApp.enclosing(this)) p.add('scope', 'define CertificateAlerts inside a GitOpsApp');
    p.throwIfAny();

    new ApiObject(this, 'ServiceMonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'ocpkit-cert-manager', namespace },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/instance': 'cert-manager', 'app.kubernetes.io/name': 'cert-manager' } },
        endpoints: [{ port: 'tcp-prometheus-servicemonitor', scheme: 'http', interval: '60s' }],
      },
    });
    const e = ruleEvaluator(this, namespace, props.evaluator);
    if ('evaluator' in e && e.evaluator === 'platform') prometheusK8sReader(this, 'PrometheusRead', namespace);
    const expiry = selector('certmanager_certificate_expiration_timestamp_seconds', { namespace });
    const rule = (severity: 'warning' | 'critical', before: GoDuration) => ({
      alert: 'CertificateExpiresSoon',
      expr: `${expiry} - time() < ${before.seconds}`,
      for: '1h',
      severity,
      summary: `Certificate {{ $labels.exported_namespace }}/{{ $labels.name }} expires in less than ${promDuration(before.seconds)}.`,
      description: 'cert-manager has not renewed it although renewal starts long before expiry. oc -n {{ $labels.exported_namespace }} describe certificate {{ $labels.name }} '
        + 'shows why (issuer {{ $labels.issuer_kind }}/{{ $labels.issuer_name }}); then its CertificateRequests, Orders and Challenges.',
      metrics: ['certmanager_certificate_expiration_timestamp_seconds'],
    });
    this.ruleSet = new AlertRuleSet(this, 'Rules', {
      name: 'ocpkit-certificate-alerts',
      namespace,
      group: 'ocpkit.certificates',
      ownMetricsOnly: true,
      evaluator: props.evaluator,
      runbooks: CERT_RUNBOOKS,
      rules: () => [rule('warning', warn!), rule('critical', critical!), {
        // cert-manager v1.13.6 pkg/metrics/metrics.go: clock_time_seconds_gauge is always exported
        alert: 'CertManagerMetricsMissing',
        expr: `absent(${selector('certmanager_clock_time_seconds_gauge', { namespace })})`,
        for: '1h',
        severity: 'warning',
        summary: `cert-manager's metrics in ${namespace} are not scraped; certificate expiry alerts cannot fire.`,
        description: `No series of certmanager_clock_time_seconds_gauge from ${namespace} for an hour: the controller is down, or no Prometheus scrapes ServiceMonitor ocpkit-cert-manager. Check oc -n ${namespace} get pods,service and the namespace's openshift.io/cluster-monitoring label.`,
        metrics: ['certmanager_clock_time_seconds_gauge'],
      }],
    });
    // Primary object (ApiObject.of, Overrides.of): the PrometheusRule.
    this.node.defaultChild = this.ruleSet;
  }
}

/** Properties of {@link ArgoCdAlerts}. */
export interface ArgoCdAlertsProps {
  /** How long an Application may be Degraded before the alert fires. @default GoDuration.minutes(15) */
  readonly degradedFor?: DurationLike;
}

const ARGO_RUNBOOKS: Readonly<Record<string, AlertRunbook>> = {
  ArgoCdApplicationDegraded: {
    meaning: 'Argo CD reports the health of an Application of the stack as Degraded: one of its resources is failing (a Deployment without available replicas, a failed Job, a custom resource whose health check says so).',
    impact: 'What the Application deploys is broken or only partly running; with sync waves, later waves of the root Application can wait behind it.',
    diagnose: [
      '`oc -n <namespace> get application <name> -o jsonpath=\'{range .status.resources[?(@.health.status=="Degraded")]}{.kind} {.namespace}/{.name}: {.health.message}{"\\n"}{end}\'` lists the degraded resources.',
      'Look at those resources (`oc describe`, pod logs, events).',
    ],
    fix: [
      'Fix the cause in Git (the stack) and let Argo CD sync; a resource changed by hand is reverted by self-heal.',
    ],
  },
};

/**
 * An alert when an Argo CD Application of the stack has been Degraded for `degradedFor`, from
 * Argo CD's `argocd_app_info{name, namespace, health_status, ...}` (argoproj/argo-cd v2.10.18
 * controller/metrics/metrics.go). OpenShift GitOps 1.12 already monitors the instance: for every
 * ArgoCD it labels the namespace `openshift.io/cluster-monitoring: "true"`, lets prometheus-k8s
 * read it, creates the ServiceMonitors of the application controller, API server and repo
 * server, and one PrometheusRule whose only alert is ArgoCDSyncAlert (OutOfSync)
 * (redhat-developer/gitops-operator v1.12.1 controllers/argocd_metrics_controller.go). So this
 * adds only the rule, in the instance's namespace (evaluated by the platform Prometheus), for
 * the Applications the stack defines (its GitOpsApps, tenants and the root), read when the
 * cluster is synthesized.
 *
 * Emits: into the folder of the app it is in a PrometheusRule `ocpkit-argocd-alerts` in the Argo CD
 * namespace (`openshift-gitops`) and the runbook page of its alert in
 * `dist/<environment>/_runbooks/alerts/`.
 */
export class ArgoCdAlerts extends Construct {
  public readonly ruleSet: AlertRuleSet;

  constructor(scope: Construct, id: string, props: ArgoCdAlertsProps = {}) {
    super(scope, id);
    const p = new Problems(this.node.path);
    const degradedFor = durationProp(p, 'degradedFor', props.degradedFor ?? GoDuration.minutes(15));
    if (!GitOpsApp.enclosing(this)) p.add('scope', 'define ArgoCdAlerts inside a GitOpsApp');
    p.throwIfAny();
    const cluster = Cluster.of(this);
    const applications = () => TreeIndex.all(cluster)
      .filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Application' && c.apiVersion === 'argoproj.io/v1alpha1' && c.metadata.namespace === cluster.argoNamespace)
      .map((a) => a.metadata.name!);
    this.ruleSet = new AlertRuleSet(this, 'Rules', {
      name: 'ocpkit-argocd-alerts',
      namespace: cluster.argoNamespace,
      group: 'ocpkit.argocd',
      // evaluated by the platform Prometheus, which ignores the leaf-prometheus label
      ownMetricsOnly: false,
      evaluator: 'platform',
      runbooks: ARGO_RUNBOOKS,
      rules: () => [{
        alert: 'ArgoCdApplicationDegraded',
        expr: `${selector('argocd_app_info', { namespace: cluster.argoNamespace, health_status: 'Degraded', name: ['=~', anyOf(applications())] })} == 1`,
        for: promDuration(degradedFor!.seconds),
        severity: 'warning',
        summary: 'Argo CD Application {{ $labels.name }} has been Degraded for ' + promDuration(degradedFor!.seconds) + '.',
        description: `A resource of Application {{ $labels.name }} (project {{ $labels.project }}) is failing. oc -n ${cluster.argoNamespace} get application {{ $labels.name }} -o yaml shows which under status.resources (health Degraded).`,
        metrics: ['argocd_app_info'],
      }],
    });
    // Primary object (ApiObject.of, Overrides.of): the PrometheusRule.
    this.node.defaultChild = this.ruleSet;
  }
}

function durationProp(p: Problems, field: string, raw: unknown): GoDuration | undefined {
  const d = asGoDuration(raw);
  const why = !(d instanceof GoDuration) ? `${show(d)} must be a GoDuration or a cdk8s Duration (GoDuration.days(14), GoDuration.minutes(15))` : d.problem() ?? (d.seconds < 60 ? `${show(d.toString())} is shorter than a minute` : undefined);
  if (why) {
    p.add(field, why);
    return undefined;
  }
  return d as GoDuration;
}
