import { execSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SecretKey } from '../../lib/core/secret-key';
import { ExternalImage } from '../../lib/openshift/external-image';
import {
  BucketEncryption, EtcdBackup, EtcdSnapshotRecipient, OPERATOR_PROGRESSING_MESSAGE, snapshotDecryptionCommand, snapshotEncryptionCommand,
} from '../../lib/backup';
import { find, synth, testCluster } from '../_helpers';
import { backupApp, storage } from './_fixtures';
import { makeKeyPair, TestKeyPair } from './_etcd-keys';

/**
 * The generated job scripts, run for real with bash against a fake node root in a temp folder:
 * `chroot <root> cmd args` is a shell function that runs `cmd` here with absolute arguments moved
 * under <root>, cluster-backup.sh is a test double, `sleep` only records, and `aws` records its
 * calls. openssl, tar, sha256sum, find and date are the real Debian tools.
 */

const FAKE_CHROOT = [
  'chroot() { local root="$1"; shift; if [ -n "${NO_OPENSSL:-}" ] && [ "$1" = openssl ]; then return 127; fi',
  '  local args=(); for a in "$@"; do if [[ "$a" == /* ]]; then args+=("${root}${a}"); else args+=("$a"); fi; done; "${args[@]}"; }',
  'sleep() { echo "sleep $*" >> "${SLEEPS}"; }',
].join('\n');

/** cluster-backup.sh stand-in: refuses FAIL_PROGRESSING times as if an operator were progressing, then writes two files. */
const FAKE_CLUSTER_BACKUP = [
  '#!/bin/bash',
  'set -e',
  'n=$(cat "${COUNTER}" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "${COUNTER}"',
  `if [ "$n" -le "\${FAIL_PROGRESSING:-0}" ]; then echo "test double: the etcd ${OPERATOR_PROGRESSING_MESSAGE}"; exit 1; fi`,
  'if [ -n "${FAIL_OTHER:-}" ]; then echo "test double: no static pod manifests"; exit 1; fi',
  'mkdir -p "$1"',
  'cp "${SNAPSHOT_SRC}" "$1/snapshot_test.db"',
  'echo "static pod resources" > "$1/static_kuberesources_test.tar.gz"',
].join('\n');

interface Run { status: number | null; out: string; root: string; backup: string; counter: () => number; sleeps: () => string[] }

function jobScripts(recipient: EtcdSnapshotRecipient, retry?: { attempts?: number; intervalMinutes?: number }) {
  const cluster = testCluster();
  const app = backupApp(cluster);
  const s = storage(app, { encryption: BucketEncryption.customerKey('/credentials/customer-key') });
  new EtcdBackup(app, 'Etcd', {
    encryptTo: recipient,
    retry,
    retentionDays: 3,
    copyTo: {
      storage: s, credentials: SecretKey.of('etcd-s3', 'cloud'), customerKey: SecretKey.of('etcd-s3', 'customer-key'),
      image: ExternalImage.parse('public.ecr.aws/aws-cli/aws-cli:2.22.35'), prefix: 'etcd/test', retentionDays: 10,
    },
  });
  const pod = find(synth(cluster), 'CronJob', 'etcd-backup').spec.jobTemplate.spec.template.spec;
  return { snapshot: pod.initContainers[0].command[2] as string, upload: pod.containers[0].command[2] as string };
}

/** Moves the container paths of a script under a temp root. */
function rebase(script: string, tmp: string): string {
  return script.split('/tmp/cluster-backup.log').join(`${tmp}/cluster-backup.log`).split('/backup').join(`${tmp}/backup`).split('/host').join(`${tmp}/host`).split('/recipient/').join(`${tmp}/recipient/`);
}

function runSnapshot(script: string, keys: TestKeyPair, env: Record<string, string> = {}): Run {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-etcd-job-'));
  const root = path.join(tmp, 'host');
  fs.mkdirSync(path.join(root, 'usr/local/bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'var/tmp'), { recursive: true });
  fs.mkdirSync(path.join(tmp, 'backup'));
  fs.mkdirSync(path.join(tmp, 'recipient'));
  fs.copyFileSync(keys.certFile, path.join(tmp, 'recipient/recipient.pem'));
  fs.writeFileSync(path.join(root, 'usr/local/bin/cluster-backup.sh'), FAKE_CLUSTER_BACKUP, { mode: 0o755 });
  const snapshotSrc = path.join(tmp, 'snapshot-source.db');
  fs.writeFileSync(snapshotSrc, Buffer.from(Array.from({ length: 300000 }, (_, i) => (i * 7919) % 251)));
  const counter = path.join(tmp, 'attempts');
  const sleeps = path.join(tmp, 'sleeps');
  const r = spawnSync('bash', ['-c', `${FAKE_CHROOT}\n${rebase(script, tmp)}`], {
    env: { PATH: process.env.PATH!, COUNTER: counter, SLEEPS: sleeps, SNAPSHOT_SRC: snapshotSrc, ...env },
    encoding: 'utf8',
  });
  return {
    status: r.status,
    out: `${r.stdout}${r.stderr}`,
    root,
    backup: path.join(tmp, 'backup'),
    counter: () => (fs.existsSync(counter) ? Number(fs.readFileSync(counter, 'utf8').trim()) : 0),
    sleeps: () => (fs.existsSync(sleeps) ? fs.readFileSync(sleeps, 'utf8').trim().split('\n') : []),
  };
}

describe('etcd snapshot job, run for real', () => {
  const keys = makeKeyPair('rsa:3072');
  const recipient = EtcdSnapshotRecipient.certificate(keys.certPem);

  test('waits out a progressing operator, then keeps only the encrypted snapshot, which the offline key decrypts', () => {
    const { snapshot } = jobScripts(recipient);
    const run = runSnapshot(snapshot, keys, { FAIL_PROGRESSING: '2' });
    expect(run.status).toBe(0);
    expect(run.counter()).toBe(3);
    expect(run.sleeps()).toEqual(['sleep 600', 'sleep 600']);
    expect(run.out).toContain('attempt 1/12: a control-plane operator is progressing');

    const stamp = fs.readFileSync(path.join(run.backup, '.latest'), 'utf8').trim();
    expect(stamp).toMatch(/^\d{8}-\d{6}$/);
    const folder = path.join(run.backup, stamp);
    expect(fs.readdirSync(folder).sort()).toEqual([`etcd-${stamp}.tar.cms`, `etcd-${stamp}.tar.cms.sha256`]);
    // The staging folder and the recipient copy are gone from the node.
    expect(fs.readdirSync(path.join(run.root, 'var/tmp'))).toEqual([]);
    // The checksum file verifies the ciphertext.
    execSync(`sha256sum -c "etcd-${stamp}.tar.cms.sha256"`, { cwd: folder, stdio: 'pipe' });
    // The ciphertext does not contain the snapshot bytes.
    const cipher = fs.readFileSync(path.join(folder, `etcd-${stamp}.tar.cms`));
    const plain = fs.readFileSync(path.join(path.dirname(run.backup), 'snapshot-source.db'));
    expect(cipher.includes(plain.subarray(1000, 1064))).toBe(false);

    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-etcd-restore-'));
    execSync(snapshotDecryptionCommand({ input: path.join(folder, `etcd-${stamp}.tar.cms`), key: keys.keyFile, certificate: keys.certFile, targetDir: out }), { stdio: 'pipe', shell: '/bin/bash' });
    expect(fs.readdirSync(out).sort()).toEqual(['snapshot_test.db', 'static_kuberesources_test.tar.gz']);
    expect(fs.readFileSync(path.join(out, 'snapshot_test.db')).equals(plain)).toBe(true);
  });

  test('another key cannot decrypt it', () => {
    const { snapshot } = jobScripts(recipient);
    const run = runSnapshot(snapshot, keys);
    expect(run.status).toBe(0);
    const stamp = fs.readFileSync(path.join(run.backup, '.latest'), 'utf8').trim();
    const other = makeKeyPair('ec');
    const r = spawnSync('bash', ['-c', snapshotDecryptionCommand({ input: path.join(run.backup, stamp, `etcd-${stamp}.tar.cms`), key: other.keyFile, certificate: other.certFile, targetDir: other.dir })], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(fs.existsSync(path.join(other.dir, 'snapshot_test.db'))).toBe(false);
  });

  test('gives up after the last attempt while the operator keeps progressing', () => {
    const { snapshot } = jobScripts(recipient, { attempts: 3, intervalMinutes: 1 });
    const run = runSnapshot(snapshot, keys, { FAIL_PROGRESSING: '99' });
    expect(run.status).toBe(1);
    expect(run.counter()).toBe(3);
    expect(run.sleeps()).toEqual(['sleep 60', 'sleep 60']);
    expect(run.out).toContain('cluster-backup.sh failed (attempt 3/3)');
    expect(fs.existsSync(path.join(run.backup, '.latest'))).toBe(false);
  });

  test('any other failure fails at once, without waiting', () => {
    const { snapshot } = jobScripts(recipient);
    const run = runSnapshot(snapshot, keys, { FAIL_OTHER: '1' });
    expect(run.status).toBe(1);
    expect(run.counter()).toBe(1);
    expect(run.sleeps()).toEqual([]);
  });

  test('no openssl on the node: fails before taking a snapshot', () => {
    const { snapshot } = jobScripts(recipient);
    const run = runSnapshot(snapshot, keys, { NO_OPENSSL: '1' });
    expect(run.status).toBe(1);
    expect(run.counter()).toBe(0);
    expect(run.out).toContain('openssl is missing on this node');
  });

  test('local retention deletes only folders older than retentionDays', () => {
    const { snapshot } = jobScripts(recipient);
    const tmpRun = runSnapshot(snapshot, keys); // first run makes the layout
    const old = path.join(tmpRun.backup, '20200101-010000');
    const recent = path.join(tmpRun.backup, '20991231-010000');
    fs.mkdirSync(old);
    fs.mkdirSync(recent);
    const fourDaysAgo = new Date(Date.now() - 4 * 86400 * 1000);
    fs.utimesSync(old, fourDaysAgo, fourDaysAgo);
    const r = spawnSync('bash', ['-c', `${FAKE_CHROOT}\n${rebase(snapshot, path.dirname(tmpRun.backup))}`], {
      env: { PATH: process.env.PATH!, COUNTER: path.join(path.dirname(tmpRun.backup), 'attempts'), SLEEPS: '/dev/null', SNAPSHOT_SRC: path.join(path.dirname(tmpRun.backup), 'snapshot-source.db') },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(fs.existsSync(old)).toBe(false);
    expect(fs.existsSync(recent)).toBe(true);
  });

  test('the job encrypts with the very command the round trip ran', () => {
    const { snapshot } = jobScripts(recipient);
    expect(snapshot).toContain(snapshotEncryptionCommand({
      sourceDir: '/host/var/tmp/ocpkit-etcd-backup',
      recipient: '/var/tmp/ocpkit-etcd-backup-recipient.pem',
      output: '/backup/${stamp}/etcd-${stamp}.tar.cms.partial',
      opensslPrefix: 'chroot /host',
    }));
  });
});

describe('etcd copy job, run for real against a recording aws', () => {
  const recipient = EtcdSnapshotRecipient.certificate(makeKeyPair('ec').certPem);
  const FAKE_AWS = (failCp: boolean) => [
    'aws() { echo "aws $*" >> "${AWSLOG}"',
    `  if [ "$1 $2" = "s3 cp" ] && ${failCp ? 'true' : 'false'}; then return 1; fi`,
    '  if [ "$1 $2" = "s3 ls" ]; then printf "                           PRE %s/\\n" 20200101-010000 20991231-010000 not-a-stamp; printf "2024-01-01 00:00:00  12 stray-object\\n"; fi; }',
  ].join('\n');

  function runUpload(failCp: boolean) {
    const { upload } = jobScripts(recipient);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-etcd-copy-'));
    fs.mkdirSync(path.join(tmp, 'backup/20260101-010000'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'backup/.latest'), '20260101-010000\n');
    const log = path.join(tmp, 'aws.log');
    const r = spawnSync('bash', ['-c', `${FAKE_AWS(failCp)}\n${rebase(upload, tmp)}`], { env: { PATH: process.env.PATH!, AWSLOG: log }, encoding: 'utf8' });
    return { status: r.status, calls: fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [], tmp };
  }

  test('uploads the new folder with SSE-C, then deletes bucket folders older than the bucket retention', () => {
    const run = runUpload(false);
    expect(run.status).toBe(0);
    expect(run.calls[0]).toBe('aws configure set default.s3.addressing_style path');
    expect(run.calls[1]).toBe(`aws s3 cp --recursive --only-show-errors --endpoint-url https://minio.example.org:9000 --sse-c AES256 --sse-c-key fileb:///sse-c/key ${run.tmp}/backup/20260101-010000 s3://community-backups/etcd/test/20260101-010000/`);
    expect(run.calls[2]).toBe('aws s3 ls --endpoint-url https://minio.example.org:9000 s3://community-backups/etcd/test/');
    const removed = run.calls.filter((c) => c.startsWith('aws s3 rm'));
    expect(removed).toEqual(['aws s3 rm --recursive --only-show-errors --endpoint-url https://minio.example.org:9000 s3://community-backups/etcd/test/20200101-010000/']);
  });

  test('a failed upload deletes nothing in the bucket', () => {
    const run = runUpload(true);
    expect(run.status).not.toBe(0);
    expect(run.calls.filter((c) => c.startsWith('aws s3 rm') || c.startsWith('aws s3 ls'))).toEqual([]);
  });
});
