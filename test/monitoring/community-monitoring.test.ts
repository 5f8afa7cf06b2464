import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { build } from '../../apps/community/main';
import { ALERT_RUNBOOKS } from '../../lib/monitoring';
import { defaultPipeline } from '../../lib/pipeline-defaults';
import { runPipeline, SynthesisResult } from '../../lib/synth/synthesizer';
import { validator } from '../_helpers';

/** The reference stack with every check on, references included, and the alert runbooks. */
describe('reference stack: monitoring', () => {
  let result: SynthesisResult;
  beforeAll(() => {
    const p = defaultPipeline({ validator: validator() });
    const artifacts = p.artifacts?.includes(ALERT_RUNBOOKS) ? p.artifacts : [...(p.artifacts ?? []), ALERT_RUNBOOKS];
    result = runPipeline(build(), { ...p, artifacts });
  });

  const rules = (env: string) => result.objects.filter((o) => o.file.startsWith(`${env}/`) && o.manifest.kind === 'PrometheusRule');

  test.each(['production', 'staging'])('%s: user-workload monitoring on, one cluster-monitoring-config', (env) => {
    const cms = result.objects.filter((o) => o.file.startsWith(`${env}/`) && o.manifest.kind === 'ConfigMap' && o.manifest.metadata.name === 'cluster-monitoring-config');
    expect(cms).toHaveLength(1);
    expect(yaml.load(cms[0].manifest.data['config.yaml'])).toMatchObject({ enableUserWorkload: true });
  });

  test.each(['production', 'staging'])('%s: every Velero Schedule and the etcd CronJob of the stack is alerted on', (env) => {
    const mine = result.objects.filter((o) => o.file.startsWith(`${env}/`));
    const alerted = rules(env).flatMap((o) => o.manifest.spec.groups.flatMap((g: any) => g.rules));
    const schedules = mine.filter((o) => o.manifest.kind === 'Schedule' && o.manifest.apiVersion === 'velero.io/v1');
    expect(schedules.length).toBeGreaterThan(0);
    for (const s of schedules) {
      const alerts = alerted.filter((r: any) => r.labels?.schedule === s.manifest.metadata.name).map((r: any) => r.alert);
      expect(new Set(alerts)).toEqual(new Set(['VeleroBackupFailed', 'VeleroBackupPartiallyFailed', 'VeleroBackupTooOld']));
    }
    const etcd = mine.filter((o) => o.manifest.kind === 'CronJob' && o.manifest.metadata.namespace === 'etcd-backup');
    expect(etcd).toHaveLength(1);
    expect(alerted.filter((r: any) => r.labels?.cronjob === etcd[0].manifest.metadata.name).map((r: any) => r.alert))
      .toEqual(['EtcdBackupFailed', 'EtcdBackupMissing', 'EtcdBackupMissing']);
  });

  test.each(['production', 'staging'])('%s: every runbook_url is a page of dist/%s/_runbooks/alerts/ on the revision the environment tracks', (env) => {
    const urls = new Set<string>();
    for (const o of rules(env)) for (const g of o.manifest.spec.groups) for (const r of g.rules) if (r.annotations?.runbook_url) urls.add(r.annotations.runbook_url);
    const revision = env === 'production' ? 'release%2Fproduction' : 'main';
    const base = `https://gitlab.community.example.org/infrastructure/openshift-cluster/-/blob/${revision}/dist/`;
    expect(urls.size).toBeGreaterThanOrEqual(8);
    for (const url of urls) {
      expect(url.startsWith(base)).toBe(true);
      expect(result.files.has(decodeURIComponent(url.slice(base.length)))).toBe(true);
    }
  });

  test('promtool accepts every rule of the reference stack', () => {
    const groups = rules('production').flatMap((o) => o.manifest.spec.groups.map((g: any) => ({ ...g, name: `${o.manifest.metadata.namespace}/${g.name}` })));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-rules-'));
    try {
      const file = path.join(dir, 'rules.yaml');
      fs.writeFileSync(file, yaml.dump({ groups }, { lineWidth: -1 }));
      expect(execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toContain('SUCCESS');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
