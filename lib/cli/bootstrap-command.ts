import * as path from 'path';
import { readFolderFile, scanFolder } from '../core/read-folder';
import { loadYaml, YamlInputError } from '../core/safe-yaml';
import { EXTERNALS_FILE, ExternalsEntry, isExternalsDocument } from '../refs/externals-file';
import { synthesizedFolder } from './_synthesized-folder';
import { UsageError } from '../core/errors';
import { parseFlags } from './_args';

const HELP = `usage: ocpkit bootstrap [--env ENVIRONMENT] [--json] [DIR]

Prints the ordered checklist of the one-time steps that bring up a new cluster from a synthesized
tree (DIR, default dist): install OpenShift GitOps, apply DIR/<environment>/bootstrap/ (the Argo CD
instance, its controller RBAC, the platform AppProject and the root Application), the operator
pins (approved by the InstallPlan approver, or by hand), the objects the stack references but does
not create (from DIR/<environment>/externals.yaml, written by ocpkit synth), and what ocpkit does
not generate. Without --env, every environment of DIR is printed.

options:
  --env ENVIRONMENT   only this environment
  --json              the checklists as JSON on stdout: {"environments":[{"environment","folder",
                      "steps":[{"step","title","lines"}]}]}, the lines as the text form prints them

exit codes: 0 ok, 2 usage error or unreadable input
`;

/** How each `providedBy` is done. */
const HOW: Readonly<Record<string, string>> = {
  'by-hand': 'create it by hand',
  'sealed-secret': 'seal it with kubeseal and apply the SealedSecret',
  'external-secret': 'create it through External Secrets (an ExternalSecret) or by hand',
  'pre-existing': 'it must already exist: check it',
};

/**
 * `ocpkit bootstrap [--env E] [DIR]`: the bootstrap checklist of one environment (or each) of a
 * synthesized tree, in order. Reads only files of DIR, through the shared safe readers.
 */
export async function bootstrapCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const { positional, options } = parseFlags('ocpkit bootstrap', args, ['env'], ['json']);
  const dir = synthesizedFolder('bootstrap', positional, '');
  const tree = readTree(dir);
  const envs = [...tree.keys()].sort();
  if (envs.length === 0) throw new UsageError(`${dir} holds no environment folder with an ${EXTERNALS_FILE}; synthesize it with \`ocpkit synth\``);
  const env = typeof options.env === 'string' ? options.env : undefined;
  if (env !== undefined && !tree.has(env)) throw new UsageError(`environment ${JSON.stringify(env)} is not in ${dir} (found: ${envs.join(', ')})`);
  const lists = (env ? [env] : envs).map((e) => checklist(dir, e, tree.get(e)!));
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ environments: lists }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(lists.map(renderChecklist).join('\n'));
  return 0;
}

/** What the checklist needs from one environment folder. */
interface EnvTree {
  externals?: readonly ExternalsEntry[];
  /** Relative paths (to DIR) of every manifest file. */
  readonly files: string[];
  readonly docs: Map<string, any>;
}

function readTree(dir: string): Map<string, EnvTree> {
  const scan = scanFolder(dir);
  if (scan.problems.length) throw new UsageError(`${path.join(dir, scan.problems[0].rel)}: ${scan.problems[0].message}`);
  const envs = new Map<string, EnvTree>();
  const envOf = (e: string) => {
    let t = envs.get(e);
    if (!t) envs.set(e, (t = { files: [], docs: new Map() }));
    return t;
  };
  for (const f of scan.files) {
    const parts = f.rel.split('/');
    if (parts.length === 2 && parts[1] === EXTERNALS_FILE) {
      const doc = parse(dir, f);
      if (!isExternalsDocument(doc)) throw new UsageError(`${path.join(dir, f.rel)} is not an externals list written by ocpkit synth`);
      envOf(parts[0]).externals = doc.externals;
      continue;
    }
    if (parts.length !== 3) continue;
    const t = envOf(parts[0]);
    t.files.push(f.rel);
    // only the files the checklist reads are parsed: the Subscriptions and the ArgoCD resource
    if (parts[2].startsWith('subscription.') || (parts[1] === 'bootstrap' && parts[2].startsWith('argocd.'))) t.docs.set(f.rel, parse(dir, f));
  }
  for (const [e, t] of envs) if (!t.externals) envs.delete(e);
  return envs;
}

function parse(dir: string, f: { rel: string; abs: string }): any {
  const read = readFolderFile(f);
  if ('problem' in read) throw new UsageError(`${path.join(dir, read.problem.rel)}: ${read.problem.message}`);
  try {
    return loadYaml(read.text);
  } catch (e) {
    if (e instanceof YamlInputError) throw new UsageError(e.at(path.join(dir, f.rel)));
    throw e;
  }
}

/** One step of a checklist: its number, what to do, and the commands or items below it. */
export interface ChecklistStep {
  readonly step: number;
  readonly title: string;
  readonly lines: readonly string[];
}

/** The checklist of one environment, as `bootstrap --json` prints it. */
export interface Checklist {
  readonly environment: string;
  /** The environment's folder (DIR/<environment>). */
  readonly folder: string;
  readonly steps: readonly ChecklistStep[];
}

/** The text form: a heading, then each step numbered with its lines indented. */
function renderChecklist(c: Checklist): string {
  const lines: string[] = [`Bootstrap checklist of environment "${c.environment}" (${c.folder})`, ''];
  for (const s of c.steps) {
    lines.push(`${s.step}. ${s.title}`);
    for (const b of s.lines) lines.push(`   ${b}`);
    lines.push('');
  }
  return lines.join('\n');
}

function checklist(dir: string, env: string, t: EnvTree): Checklist {
  const steps: ChecklistStep[] = [];
  const step = (title: string, body: string[] = []) => {
    steps.push({ step: steps.length + 1, title, lines: body });
  };

  // the declared versions, recorded on the ArgoCD resource of bootstrap/
  const argocd = [...t.docs.values()].find((d) => d?.kind === 'ArgoCD');
  const gitops = argocd?.metadata?.annotations?.['ocpkit.io/gitops-version'];
  const argoCd = argocd?.metadata?.annotations?.['ocpkit.io/argocd-version'];
  step(`Install the OpenShift GitOps operator${gitops ? ` ${gitops} (OperatorHub, channel gitops-${gitops})` : ' from OperatorHub'}.`, [
    'It creates the default Argo CD instance (openshift-gitops) that the next step configures.',
    ...(argoCd ? [
      `The stack declares Argo CD ${argoCd} (platform.argoCd); check what runs, and fix the declaration if it differs:`,
      `oc -n openshift-gitops exec deploy/openshift-gitops-server -- argocd version --client --short   # argocd: v${argoCd}+...`,
    ] : []),
  ]);

  // everything the root Application needs before it can sync, in one folder no Application syncs;
  // applied in dependency order (oc applies -f arguments in the order given, a folder alphabetically,
  // which would create the root Application before its AppProject and the health checks)
  // Objects a controller would otherwise create with a default in their place (Velero's repository
  // password): made before anything syncs, in namespaces created here for them.
  const line = (e: ExternalsEntry) => {
    const where = e.namespace ? `${e.namespace}/${e.name}` : e.name;
    const keys = e.keys.length ? ` keys: ${e.keys.join(', ')}` : '';
    return [`[ ] ${e.kind} ${where}${keys} (${e.providedBy}: ${HOW[e.providedBy] ?? e.providedBy})`, `      ${e.note}`];
  };
  const early = (t.externals ?? []).filter((e) => e.beforeFirstSync === true);
  if (early.length) {
    const namespaces = [...new Set(early.map((e) => e.namespace).filter((n): n is string => typeof n === 'string'))].sort();
    step(`Before anything syncs, create ${early.length === 1 ? 'this object' : `these ${early.length} objects`} (a controller the stack installs would otherwise create ${early.length === 1 ? 'it' : 'them'} with a default value):`, [
      ...namespaces.map((n) => `oc create namespace ${n}   # Argo CD adopts it when its application syncs`),
      ...early.flatMap(line),
    ]);
  }

  const boot = t.files.filter((rel) => rel.split('/')[1] === 'bootstrap');
  if (boot.length) {
    const order = ['argocd.', 'clusterrole.', 'clusterrolebinding.', 'appproject.', 'application.'];
    const rank = (rel: string) => {
      const i = order.findIndex((p) => rel.split('/')[2].startsWith(p));
      return i < 0 ? order.length : i;
    };
    const files = [...boot].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    step(`Apply the bootstrap folder (${boot.length} objects: the Argo CD instance and its controller RBAC, the platform AppProject, the root Application), in this order:`, [
      `oc apply ${files.map((f) => `-f ${path.join(dir, f)}`).join(' ')}`,
      'The root Application then syncs every application folder. No Application syncs bootstrap/ itself:',
      'apply it again whenever a change touches it (`ocpkit diff` lists the files).',
    ]);
  } else {
    step('Apply the root Application.', [`no ${path.join(dir, env, 'bootstrap')} folder found; synthesize with a current ocpkit`]);
  }

  const approver = t.files.some((rel) => /\/cronjob\.[^/]*installplan-approver/.test(rel));
  const manual = [...t.docs.entries()].filter(([, d]) => d?.kind === 'Subscription' && d?.spec?.installPlanApproval === 'Manual');
  if (manual.length && approver) {
    step('Nothing to approve by hand: the InstallPlan approver approves the pinned CSV of each operator (Manual approval):', manual.map(([, d]) => `[ ] ${d.metadata?.namespace}: ${d.spec?.name} ${d.spec?.startingCSV ?? ''}   # check: oc -n ${d.metadata?.namespace} get subscription ${d.metadata?.name} -o jsonpath='{.status.installedCSV}'`.trimEnd()));
  } else if (manual.length) {
    step('Approve the first InstallPlan of each operator (Manual approval; operands sync once their operator runs):', manual.map(([, d]) => {
      const ns = d.metadata?.namespace;
      return `oc -n ${ns} get installplan   # ${d.spec?.name} ${d.spec?.startingCSV ?? ''}: oc -n ${ns} patch installplan <name> --type merge -p '{"spec":{"approved":true}}'`.trimEnd();
    }));
  }

  const ext = (t.externals ?? []).filter((e) => e.beforeFirstSync !== true);
  if (ext.length) {
    const body: string[] = ['Once their namespace exists (created by the synced applications or by the platform):', ...ext.flatMap(line)];
    step(`Create the ${ext.length} ${early.length ? 'other ' : ''}object${ext.length === 1 ? '' : 's'} the stack references but does not create (${path.join(dir, env, EXTERNALS_FILE)}):`, body);
  }

  // operands ocpkit does not generate yet: listed unless the tree contains them
  const has = (prefix: string) => t.files.some((rel) => rel.split('/')[2].startsWith(prefix));
  const operands: string[] = [];
  if (!has('hyperconverged.')) operands.push('the HyperConverged resource of OpenShift Virtualization');
  if (!has('nmstate.')) operands.push('the NMState resource of the NMState operator');
  operands.push("cert-manager's openshift-routes add-on (a Helm chart), which issues the Route certificates");
  step('Install what ocpkit does not generate:', operands.map((o) => `[ ] ${o}`));
  return { environment: env, folder: path.join(dir, env), steps };
}
