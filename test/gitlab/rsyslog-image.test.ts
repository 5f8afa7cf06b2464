import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { RELAY_CONTAINERFILE, RELAY_IMAGE_DRIVERS, SyslogStreamDriver } from '../../lib/gitlab';

/**
 * The package that ships each stream driver module, in Debian and in the Adiscon Ubuntu packages the
 * rsyslog images use (rsyslog/rsyslog-pkg-ubuntu@c71e3a2: rsyslog/noble/v8-stable/debian/
 * rsyslog-gnutls.install -> lmnsd_gtls.so, rsyslog-openssl.install -> lmnsd_ossl.so).
 */
const DRIVER_PACKAGE: Record<SyslogStreamDriver, string> = {
  [SyslogStreamDriver.GTLS]: 'rsyslog-gnutls',
  [SyslogStreamDriver.OSSL]: 'rsyslog-openssl',
};

const containerfile = fs.readFileSync(path.join(__dirname, '..', '..', RELAY_CONTAINERFILE), 'utf8');

/** Instructions of the Containerfile, continuation lines joined, comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const out: { op: string; args: string }[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && current === '')) continue;
    current += (current ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (!line.endsWith('\\')) {
      if (current) {
        const m = /^([A-Za-z]+)\s+(.*)$/.exec(current);
        if (m) out.push({ op: m[1].toUpperCase(), args: m[2] });
      }
      current = '';
    }
  }
  return out;
}

/** Package names given to `apt-get install` in RUN instructions (version pins stripped). */
function aptInstalled(text: string): string[] {
  const pkgs: string[] = [];
  for (const ins of instructions(text).filter((i) => i.op === 'RUN')) {
    for (const cmd of ins.args.split(/;|&&/)) {
      const m = /apt-get\s+install\s+(.*)$/.exec(cmd.trim());
      if (!m) continue;
      for (const word of m[1].split(/\s+/)) {
        const w = word.replace(/^["']|["']$/g, '');
        if (!w || w.startsWith('-')) continue;
        pkgs.push(w.split('=')[0]);
      }
    }
  }
  return pkgs;
}

describe('images/rsyslog-relay/Containerfile', () => {
  const ins = instructions(containerfile);

  test('derives from the rsyslog project image, pinned (not latest)', () => {
    const arg = ins.find((i) => i.op === 'ARG' && i.args.startsWith('BASE_IMAGE='));
    expect(arg).toBeDefined();
    const base = arg!.args.slice('BASE_IMAGE='.length);
    expect(base).toMatch(/^docker\.io\/rsyslog\/rsyslog:\d{4}-\d{2}$/);
    expect(ins.filter((i) => i.op === 'FROM').map((i) => i.args)).toEqual(['${BASE_IMAGE}']);
  });

  test('installs the package of every driver RelayImage.derived claims, and no driver it does not claim', () => {
    const installed = aptInstalled(containerfile);
    expect(RELAY_IMAGE_DRIVERS.length).toBeGreaterThan(0);
    for (const driver of RELAY_IMAGE_DRIVERS) expect(installed).toContain(DRIVER_PACKAGE[driver]);
    for (const driver of Object.values(SyslogStreamDriver).filter((d) => !RELAY_IMAGE_DRIVERS.includes(d))) {
      expect(installed).not.toContain(DRIVER_PACKAGE[driver]);
    }
  });

  test('the build checks that the package put the driver module on disk', () => {
    for (const driver of RELAY_IMAGE_DRIVERS) {
      expect(containerfile).toContain(`dpkg -L ${DRIVER_PACKAGE[driver]} | grep -q '/rsyslog/lmnsd_${driver}\\.so$'`);
    }
  });

  test('runs as a non-root user in the end', () => {
    const users = ins.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
  });

  // The driver -> package table above, checked against the real package contents where the
  // packages are installed (Debian: .ci/run installs rsyslog-gnutls).
  const dpkgHas = (pkg: string) => spawnSync('dpkg', ['-s', pkg], { encoding: 'utf8' }).status === 0;
  for (const driver of RELAY_IMAGE_DRIVERS) {
    const pkg = DRIVER_PACKAGE[driver];
    (dpkgHas(pkg) ? test : test.skip)(`${pkg} ships lmnsd_${driver}.so (dpkg -L; skipped if ${pkg} is not installed)`, () => {
      const files = spawnSync('dpkg', ['-L', pkg], { encoding: 'utf8' }).stdout.split('\n');
      expect(files.some((f) => f.endsWith(`/rsyslog/lmnsd_${driver}.so`))).toBe(true);
    });
  }
});
