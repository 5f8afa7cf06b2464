import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { SyncWave } from '../../lib/gitops/sync-wave';
import { InstallPlanApprover, OperatorInstall } from '../../lib/olm';
import { APPROVER_SCRIPT, INSTALLPLAN_JSONPATH } from '../../lib/olm/installplan-approver-script';
import { synth, testCluster } from '../_helpers';

/**
 * The approval script, run for real by a POSIX shell with a fake `oc` first on PATH. The fake
 * serves InstallPlans from fixture files, rendering them as kubectl's jsonpath printer renders
 * the script's template (checked by hand against kubectl 1.32: booleans print as true/false, a
 * missing field prints nothing, `[*]` joins with spaces), and records every call.
 */

interface Plan {
  name: string;
  approved?: boolean;
  phase?: string;
  csvs?: string[];
}

const FAKE_OC = `#!${process.execPath}
const fs = require('fs');
const path = require('path');
const dir = process.env.FAKE_OC_DIR;
const args = process.argv.slice(2);
fs.appendFileSync(path.join(dir, 'calls.log'), JSON.stringify(args) + '\\n');
const flag = (f) => { const i = args.indexOf(f); return i < 0 ? undefined : args[i + 1]; };
const ns = flag('-n');
const plansFile = path.join(dir, 'plans', ns + '.json');
const plans = fs.existsSync(plansFile) ? JSON.parse(fs.readFileSync(plansFile, 'utf8')) : [];
if (args[0] === 'get' && args[1] === 'installplans.operators.coreos.com') {
  if (flag('-o') !== 'jsonpath=' + ${JSON.stringify(INSTALLPLAN_JSONPATH)}) { process.stderr.write('fake oc: unexpected output format ' + flag('-o') + '\\n'); process.exit(2); }
  if (fs.existsSync(path.join(dir, 'forbidden', ns))) { process.stderr.write('Error from server (Forbidden): installplans.operators.coreos.com is forbidden\\n'); process.exit(1); }
  for (const p of plans) {
    const s = (v) => (v === undefined ? '' : String(v));
    process.stdout.write(p.name + '|' + s(p.approved) + '|' + s(p.phase) + '|' + (p.csvs || []).join(' ') + '\\n');
  }
  process.exit(0);
}
if (args[0] === 'patch' && args[1] === 'installplans.operators.coreos.com') {
  if (flag('--type') !== 'merge' || flag('-p') !== '{"spec":{"approved":true}}') { process.stderr.write('fake oc: unexpected patch\\n'); process.exit(2); }
  const plan = plans.find((p) => p.name === args[2]);
  if (!plan) { process.stderr.write('Error from server (NotFound)\\n'); process.exit(1); }
  plan.approved = true;
  fs.writeFileSync(plansFile, JSON.stringify(plans));
  fs.appendFileSync(path.join(dir, 'patches.log'), ns + '/' + args[2] + '\\n');
  process.stdout.write('installplan.operators.coreos.com/' + args[2] + ' patched\\n');
  process.exit(0);
}
process.stderr.write('fake oc: unexpected call ' + args.join(' ') + '\\n');
process.exit(3);
`;

/** Shells the script must run under: POSIX sh (dash here) and bash (the image's /bin/sh). */
const SHELLS = ['sh', 'bash'];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** `namespace/name` of every approved plan, in order. */
  patches: string[];
  /** Namespaces the script asked oc about. */
  namespacesRead: string[];
}

function run(shell: string, pins: string, plans: Record<string, Plan[]>, opts: { forbidden?: string[]; script?: string } = {}): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-approver-'));
  try {
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.mkdirSync(path.join(dir, 'plans'));
    fs.mkdirSync(path.join(dir, 'forbidden'));
    fs.writeFileSync(path.join(dir, 'bin', 'oc'), FAKE_OC, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'pins'), pins);
    for (const [ns, list] of Object.entries(plans)) fs.writeFileSync(path.join(dir, 'plans', `${ns}.json`), JSON.stringify(list));
    for (const ns of opts.forbidden ?? []) fs.writeFileSync(path.join(dir, 'forbidden', ns), '');
    const r = spawnSync(shell, ['-c', opts.script ?? APPROVER_SCRIPT], {
      env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, PINS_FILE: path.join(dir, 'pins'), FAKE_OC_DIR: dir },
      encoding: 'utf8',
    });
    const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean) : []);
    const calls = read('calls.log').map((l) => JSON.parse(l) as string[]);
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      patches: read('patches.log'),
      namespacesRead: calls.filter((c) => c[0] === 'get').map((c) => c[c.indexOf('-n') + 1]),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const PINS = [
  'openshift-cnv kubevirt-hyperconverged kubevirt-hyperconverged-operator.v4.14.8',
  'openshift-nmstate kubernetes-nmstate-operator kubernetes-nmstate-operator.4.14.0-202410231636',
  '',
].join('\n');
const CNV_PIN = 'kubevirt-hyperconverged-operator.v4.14.8';
const pending = (name: string, ...csvs: string[]): Plan => ({ name, approved: false, phase: 'RequiresApproval', csvs });

describe.each(SHELLS)('approval script under %s', (shell) => {
  test('approves the plan of the pinned CSV and not the plan of another version', () => {
    const r = run(shell, PINS, {
      'openshift-cnv': [pending('install-head', 'kubevirt-hyperconverged-operator.v4.14.11'), pending('install-pin', CNV_PIN)],
    });
    expect(r.status).toBe(0);
    expect(r.patches).toEqual(['openshift-cnv/install-pin']);
    expect(r.stdout).toContain('refused: openshift-cnv/install-head installs CSVs not pinned in openshift-cnv: kubevirt-hyperconverged-operator.v4.14.11');
    expect(r.stdout).toContain('done: 1 approved, 1 refused');
  });

  test('refuses a plan that installs the pinned CSV together with an unpinned one', () => {
    const r = run(shell, PINS, { 'openshift-cnv': [pending('install-both', CNV_PIN, 'hostpath-provisioner-operator.v4.14.8')] });
    expect(r.status).toBe(0);
    expect(r.patches).toEqual([]);
    expect(r.stdout).toContain('not pinned in openshift-cnv: hostpath-provisioner-operator.v4.14.8');
  });

  test('a CSV pinned in another namespace does not count', () => {
    const r = run(shell, PINS, { 'openshift-nmstate': [pending('install-x', CNV_PIN)] });
    expect(r.patches).toEqual([]);
  });

  test('approves a plan whose CSVs are all pinned in its namespace', () => {
    const pins = `${PINS}openshift-cnv hco-extra hostpath-provisioner-operator.v4.14.8\n`;
    const r = run(shell, pins, { 'openshift-cnv': [pending('install-both', CNV_PIN, 'hostpath-provisioner-operator.v4.14.8')] });
    expect(r.patches).toEqual(['openshift-cnv/install-both']);
  });

  test('leaves approved plans and plans not waiting for approval alone', () => {
    const r = run(shell, PINS, {
      'openshift-cnv': [
        { name: 'install-done', approved: true, phase: 'Complete', csvs: [CNV_PIN] },
        { name: 'install-approved', approved: true, phase: 'RequiresApproval', csvs: [CNV_PIN] },
        { name: 'install-planning', approved: false, csvs: [CNV_PIN] },
        { name: 'install-failed', approved: false, phase: 'Failed', csvs: [CNV_PIN] },
      ],
    });
    expect(r.status).toBe(0);
    expect(r.patches).toEqual([]);
    expect(r.stdout).toContain('skipped: openshift-cnv/install-done is approved already');
    expect(r.stdout).toContain("skipped: openshift-cnv/install-planning is in phase '', not RequiresApproval");
    expect(r.stdout).toContain('done: 0 approved, 0 refused');
  });

  test('refuses a plan that names no CSV', () => {
    const r = run(shell, PINS, { 'openshift-cnv': [pending('install-empty')] });
    expect(r.patches).toEqual([]);
    expect(r.stdout).toContain('refused: openshift-cnv/install-empty names no ClusterServiceVersion');
  });

  test('no plans anywhere: reads each pinned namespace once, patches nothing, succeeds', () => {
    const r = run(shell, `${PINS}openshift-cnv other-sub other-operator.v1.0.0\n`, {});
    expect(r.status).toBe(0);
    expect(r.patches).toEqual([]);
    expect(r.namespacesRead).toEqual(['openshift-cnv', 'openshift-nmstate']);
    expect(r.stdout).toContain('done: 0 approved, 0 refused');
  });

  test('a namespace that is not pinned is never read nor touched', () => {
    const r = run(shell, PINS, { 'gitlab-system': [pending('install-gitlab', 'gitlab-operator-kubernetes.v0.27.1')] });
    expect(r.namespacesRead).not.toContain('gitlab-system');
    expect(r.patches).toEqual([]);
  });

  test('a namespace it cannot read fails the run, after handling the others', () => {
    const r = run(shell, PINS, { 'openshift-nmstate': [pending('install-nm', 'kubernetes-nmstate-operator.4.14.0-202410231636')] }, { forbidden: ['openshift-cnv'] });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error: cannot list InstallPlans in namespace openshift-cnv');
    expect(r.patches).toEqual(['openshift-nmstate/install-nm']);
  });

  test('an empty pins file approves nothing; a missing one fails', () => {
    expect(run(shell, '', { 'openshift-cnv': [pending('install-pin', CNV_PIN)] }).patches).toEqual([]);
    const missing = spawnSync(shell, ['-c', APPROVER_SCRIPT], { env: { PATH: process.env.PATH, PINS_FILE: '/nonexistent/pins' }, encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('pins file /nonexistent/pins is not readable');
  });
});

describe('the synthesized CronJob and ConfigMap', () => {
  test('run as synthesized: the pins of the stack approve the plan of the pinned CSV only', () => {
    const cluster = testCluster();
    const operators = new GitOpsApp(cluster, 'Operators', { name: 'operators', syncWave: SyncWave.OPERATORS });
    new OperatorInstall(operators, 'Virt', {
      packageName: 'kubevirt-hyperconverged', namespace: 'openshift-cnv', channel: 'stable', startingCsv: CNV_PIN,
      catalogWaiver: { reason: 'test of the approver only; pins are checked in test/olm/catalog-check.test.ts' },
    });
    new InstallPlanApprover(new GitOpsApp(cluster, 'Pins', { name: 'operator-pins', syncWave: SyncWave.OPERATOR_PINS }), 'Approver');
    const objects = synth(cluster).objects.map((o) => o.manifest);
    const pins = objects.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'installplan-approver').data.pins;
    const command: string[] = objects.find((m) => m.kind === 'CronJob').spec.jobTemplate.spec.template.spec.containers[0].command;
    expect(command[0]).toBe('/bin/sh');
    const r = run('sh', pins, {
      'openshift-cnv': [pending('install-head', 'kubevirt-hyperconverged-operator.v4.14.11'), pending('install-pin', CNV_PIN)],
    }, { script: command[2] });
    expect(r.status).toBe(0);
    expect(r.patches).toEqual(['openshift-cnv/install-pin']);
  });
});
