import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EtcdSnapshotRecipient } from '../../lib/backup';

/** A throw-away key pair made with the local openssl (never committed anywhere). */
export interface TestKeyPair {
  readonly dir: string;
  readonly keyFile: string;
  readonly certFile: string;
  readonly certPem: string;
}

/** Makes a key pair in a new temp folder: `rsa:<bits>` or `ec` (P-256). */
export function makeKeyPair(kind: 'rsa:2048' | 'rsa:3072' | 'ec' = 'ec'): TestKeyPair {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-etcd-key-'));
  const keyFile = path.join(dir, 'recipient.key');
  const certFile = path.join(dir, 'recipient.crt');
  const newkey = kind === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', kind];
  execFileSync('openssl', ['req', '-x509', ...newkey, '-nodes', '-days', '30', '-subj', '/CN=ocpkit-test-recipient', '-keyout', keyFile, '-out', certFile], { stdio: 'pipe' });
  return { dir, keyFile, certFile, certPem: fs.readFileSync(certFile, 'utf8') };
}

let shared: TestKeyPair | undefined;
/** One EC key pair per test file, as a recipient. */
export function testRecipient(): EtcdSnapshotRecipient {
  shared ??= makeKeyPair('ec');
  return EtcdSnapshotRecipient.certificate(shared.certPem);
}
