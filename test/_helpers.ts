import * as path from 'path';
import { Cluster } from '../lib/gitops/cluster';
import { SchemaValidator } from '../lib/schema/validator';
import { synthesize } from '../lib/pipeline-defaults';
import { SynthesisResult } from '../lib/synth/synthesizer';

/** A fresh cluster for one test. */
export function testCluster(environment = 'test'): Cluster {
  return new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12', argoCd: '2.10.18' }, name: 'test', environment, repoUrl: 'https://git.example.org/infra.git' });
}

let shared: SchemaValidator | undefined;
/** One validator per test file (schemas compile once). */
export function validator(): SchemaValidator {
  shared ??= new SchemaValidator({ platform: '4.14' });
  return shared;
}

/**
 * Synthesizes with schema validation, policies and every check on, except reference resolution:
 * a domain's unit tests build a fragment of a cluster (a DataProtection without its credentials
 * Secret, an app without its Namespace), and what they assert is the domain's output. That every
 * reference resolves is asserted where the world is whole: per reference kind in test/refs, and
 * for the reference stack and the tour (test/apps), which synthesize with resolution on. Use
 * {@link synthClosed} for a test whose stack is meant to be a closed world.
 */
export function synth(cluster: Cluster): SynthesisResult {
  return synthesize(cluster, { validator: validator(), references: false });
}

/** Synthesizes like the CLI: every check on, references included. */
export function synthClosed(cluster: Cluster): SynthesisResult {
  return synthesize(cluster, { validator: validator() });
}

/** Finds one synthesized manifest by kind and name. */
export function find(result: SynthesisResult, kind: string, name: string, namespace?: string): any {
  const hits = result.objects.filter((o) => o.manifest.kind === kind && o.manifest.metadata?.name === name && (namespace === undefined || o.manifest.metadata?.namespace === namespace));
  if (hits.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${hits.length}`);
  return hits[0].manifest;
}

/** File path (relative to the output root) of a manifest. */
export function fileOf(result: SynthesisResult, kind: string, name: string): string {
  const hit = result.objects.find((o) => o.manifest.kind === kind && o.manifest.metadata?.name === name);
  if (!hit) throw new Error(`no ${kind} ${name}`);
  return hit.file;
}

/** stdout and stderr of the current process, captured (and silenced) around every test of a block. */
export interface CapturedOutput {
  readonly stdout: jest.SpyInstance;
  readonly stderr: jest.SpyInstance;
  /** Everything written to stdout by the running test. */
  out(): string;
  /** Everything written to stderr by the running test. */
  err(): string;
}

/** Captures stdout and stderr in every test of the enclosing `describe` (call it at describe level). */
export function captureOutput(): CapturedOutput {
  const spies: { stdout?: jest.SpyInstance; stderr?: jest.SpyInstance } = {};
  beforeEach(() => {
    spies.stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    spies.stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    spies.stdout?.mockRestore();
    spies.stderr?.mockRestore();
  });
  const text = (spy: jest.SpyInstance | undefined) => (spy ? spy.mock.calls.map((c) => String(c[0])).join('') : '');
  return {
    get stdout() { return spies.stdout!; },
    get stderr() { return spies.stderr!; },
    out: () => text(spies.stdout),
    err: () => text(spies.stderr),
  };
}

/**
 * The newest shared schemas (not a platform profile), plus the ArgoCD CRD every cluster's
 * bootstrap folder renders (it exists only in the profiles): for tests showing that a field
 * newer than the cluster passes against newer schemas.
 */
export function newestValidator(): SchemaValidator {
  const argocd = path.join(__dirname, '..', '..', 'shared', 'crds', 'profiles', 'ocp-4.14', 'argocd-operator', 'argoproj.io_argocds.yaml');
  return new SchemaValidator({ extraCrds: [argocd] });
}

/** The problems of a call that fails with an OcpkitError, or none when it succeeds: what users get from `ocpkit/testing`. */
export { problemsOf } from '../lib/testing';
