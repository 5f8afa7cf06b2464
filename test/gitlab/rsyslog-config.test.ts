import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ExternalImage } from '../../lib/openshift/external-image';
import { GitLabLogRelay, RelayImage, SyslogCa, SyslogProtocol } from '../../lib/gitlab';
import { withGitLab } from './_fixture';

// The generated rsyslog.conf is checked by the real rsyslogd (Debian packages rsyslog and
// rsyslog-gnutls, installed by .ci/run). `rsyslogd -N1` parses the whole configuration and loads
// the modules it names, so an unknown parameter, a bad template or a RainerScript error fails.
const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => fs.existsSync(p));
const describeWithRsyslogd = RSYSLOGD ? describe : describe.skip;
if (!RSYSLOGD) {
  // eslint-disable-next-line no-console
  console.warn('test/gitlab/rsyslog-config.test.ts skipped: rsyslogd is not installed (apt-get install rsyslog rsyslog-gnutls)');
}

const DERIVED = RelayImage.derived(ExternalImage.digest('quay.io/community-infra/rsyslog-relay', `sha256:${'b'.repeat(64)}`));

/** The relay's configuration with its container paths moved under `dir` (work directory, CA file). */
function relayConf(dir: string, tls: boolean, protocol?: SyslogProtocol): string {
  const f = withGitLab();
  const relay = new GitLabLogRelay(f.app, 'Logs', {
    gitlab: f.gitlab,
    image: DERIVED,
    target: { host: 'syslog.example.org', port: tls ? 6514 : 514, protocol, tls: tls ? { ca: SyslogCa.configMapKey('syslog-ca', 'ca.pem') } : undefined },
  });
  fs.mkdirSync(path.join(dir, 'work'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'ca'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'ca', 'ca.pem'), '');
  return relay.rsyslogConf
    .replace('workDirectory="/var/lib/rsyslog-relay"', `workDirectory="${dir}/work"`)
    .replace('"/etc/rsyslog-relay/ca/', `"${dir}/ca/`);
}

function validate(conf: string, dir: string): { status: number | null; output: string } {
  const file = path.join(dir, 'rsyslog.conf');
  fs.writeFileSync(file, conf);
  const r = spawnSync(RSYSLOGD!, ['-N1', '-f', file], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describeWithRsyslogd('generated rsyslog.conf, validated by rsyslogd -N1', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-rsyslog-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    ['plain TCP', false, undefined],
    ['UDP', false, SyslogProtocol.UDP],
    ['TLS with octet-counted framing', true, undefined],
  ])('%s', (_name, tls, protocol) => {
    const conf = relayConf(dir, tls, protocol);
    const r = validate(conf, dir);
    expect(r.output).not.toMatch(/error/i);
    expect(r.status).toBe(0);
  });

  test('the validation run does catch mistakes (an unknown omfwd parameter)', () => {
    const conf = relayConf(dir, true).replace('TCP_Framing=', 'TCP_Framin=');
    const r = validate(conf, dir);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/TCP_Framin/);
  });

  test('the stream driver the TLS configuration names is a module that exists next to imfile', () => {
    const conf = relayConf(dir, true);
    const driver = /streamDriver="([a-z]+)"/.exec(conf)![1];
    // rsyslogd -N1 loads stream drivers lazily, so check the module file itself, where the
    // installed packages put it (dpkg -L rsyslog: imfile.so; the driver from its own package).
    const files = spawnSync('dpkg', ['-L', 'rsyslog'], { encoding: 'utf8' }).stdout.split('\n');
    const imfile = files.find((l) => l.endsWith('/rsyslog/imfile.so'));
    expect(imfile).toBeDefined();
    expect(fs.existsSync(path.join(path.dirname(imfile!), `lmnsd_${driver}.so`))).toBe(true);
  });
});
