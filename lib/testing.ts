/**
 * Helpers for testing a stack built with ocpkit: `import { synthInMemory, findObject, expectProblem }
 * from 'ocpkit/testing'`. They do not depend on a test runner (Jest, Vitest, `node:test` and Mocha
 * all treat a thrown error as a failed test), and nothing here writes files.
 *
 * ```ts
 * const result = synthInMemory(build());
 * expect(findObject(result, { kind: 'ResourceQuota', namespace: 'shop' }).spec.hard.cpu).toBe('4');
 * expectProblem(() => synthInMemory(brokenStack()), { field: 'quota.memory', message: /not a Kubernetes quantity/ });
 * ```
 */
import * as assert from 'assert';
import { isOcpkitError, OcpkitError, Problem } from './core/errors';
import { Cluster, ClusterProps } from './gitops/cluster';
import { synthesize } from './pipeline-defaults';
import { SchemaValidator } from './schema/validator';
import { SynthesisResult } from './synth/synthesizer';

export type { Problem } from './core/errors';
export type { SynthesisResult, SynthesizedObject } from './synth/synthesizer';

/** Options of {@link synthInMemory}. */
export interface SynthInMemoryOptions {
  /**
   * Check that every reference between objects resolves (a Secret a Deployment mounts, the
   * Namespace of every object...), as `ocpkit synth` does. Turn it off to test a fragment of a
   * cluster whose neighbours are not part of the test.
   * @default true
   */
  readonly references?: boolean;
}

/**
 * Validators by platform: compiling the schemas is the slow part of a synth, so one test file
 * (one process) compiles each OpenShift profile once, however many stacks it synthesizes.
 */
const validators = new Map<string, SchemaValidator>();

function validatorFor(cluster: Cluster): SchemaValidator {
  const p = cluster.platform;
  const key = [p.schemasDir, p.openshift, p.kubernetes, ...cluster.schemaDirs].join('\0');
  let v = validators.get(key);
  if (!v) {
    v = new SchemaValidator({ schemasDir: p.schemasDir, platform: p.openshift, kubernetes: p.kubernetes, extraCrds: cluster.schemaDirs });
    validators.set(key, v);
  }
  return v;
}

/**
 * Synthesizes clusters exactly as `ocpkit synth` does (schema validation, policies, every check)
 * and returns the objects and file texts instead of writing them. Throws an {@link OcpkitError}
 * listing every problem when the stack is invalid (see {@link expectProblem}).
 */
export function synthInMemory(clusters: Cluster | readonly Cluster[], options: SynthInMemoryOptions = {}): SynthesisResult {
  const list: readonly Cluster[] = Array.isArray(clusters) ? clusters : [clusters as Cluster];
  if (list.length === 0 || !list.every((c) => c instanceof Cluster)) throw new TypeError('synthInMemory takes a Cluster or a list of Clusters');
  const mine = list.map(validatorFor);
  // one validator for the whole synth when every cluster runs the same platform; else the default (one per platform)
  const validator = mine.every((v) => v === mine[0]) ? mine[0] : undefined;
  return synthesize(list, { validator, references: options.references ?? true });
}

/** Which objects {@link findObject} and {@link findObjects} pick: every given field must match. */
export interface ObjectQuery {
  /** `kind` of the manifest (`Deployment`, `ResourceQuota`). */
  readonly kind?: string;
  /** `metadata.name`. */
  readonly name?: string;
  /** `metadata.namespace`; `null` for cluster-scoped objects only. */
  readonly namespace?: string | null;
  /** `apiVersion` (`apps/v1`), when two API groups have the kind. */
  readonly apiVersion?: string;
  /** Environment of the object (the first folder of its file: `production`). */
  readonly environment?: string;
}

function matches(o: { manifest: any; file: string }, q: ObjectQuery): boolean {
  const m = o.manifest;
  if (q.kind !== undefined && m?.kind !== q.kind) return false;
  if (q.apiVersion !== undefined && m?.apiVersion !== q.apiVersion) return false;
  if (q.name !== undefined && m?.metadata?.name !== q.name) return false;
  if (q.namespace !== undefined && (m?.metadata?.namespace ?? null) !== q.namespace) return false;
  if (q.environment !== undefined && o.file.split('/')[0] !== q.environment) return false;
  return true;
}

function describeQuery(q: ObjectQuery): string {
  return Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ') || '(any object)';
}

/** The manifests (plain objects, as written to YAML) that match a query, in file order. */
export function findObjects(result: SynthesisResult, query: ObjectQuery = {}): any[] {
  return result.objects.filter((o) => matches(o, query)).map((o) => o.manifest);
}

/**
 * The one manifest that matches a query. Throws when none or several match, naming the query and
 * (for none) the objects of that kind there are, so a failing test says what it found instead.
 */
export function findObject(result: SynthesisResult, query: ObjectQuery): any {
  const hits = result.objects.filter((o) => matches(o, query));
  if (hits.length === 1) return hits[0].manifest;
  if (hits.length > 1) throw new assert.AssertionError({ message: `expected one object with ${describeQuery(query)}, found ${hits.length}: ${hits.slice(0, 5).map((h) => h.file).join(', ')}${hits.length > 5 ? ', ...' : ''}` });
  const sameKind = query.kind === undefined ? [] : result.objects.filter((o) => o.manifest?.kind === query.kind);
  const near = sameKind.slice(0, 5).map((o) => `${o.manifest?.metadata?.namespace ? `${o.manifest.metadata.namespace}/` : ''}${o.manifest?.metadata?.name}`);
  throw new assert.AssertionError({ message: `no object with ${describeQuery(query)}${query.kind === undefined ? '' : `; ${query.kind} objects there are: ${near.length ? `${near.join(', ')}${sameKind.length > 5 ? ', ...' : ''}` : 'none'}`}` });
}

/** File path (relative to the output folder, e.g. `production/shop/deployment.shop.web.yaml`) of the one object that matches. */
export function fileOf(result: SynthesisResult, query: ObjectQuery): string {
  const manifest = findObject(result, query);
  return result.objects.find((o) => o.manifest === manifest)!.file;
}

/**
 * The problems of a call that fails with an {@link OcpkitError} (bad input found by ocpkit: a
 * construct's props, a data file, a failed synth), or an empty list when it succeeds. Any other
 * error is thrown again: it is a bug, not a reported problem.
 */
export function problemsOf(fn: () => unknown): readonly Problem[] {
  try {
    fn();
  } catch (e) {
    if (isOcpkitError(e)) return e.problems;
    throw e;
  }
  return [];
}

/** What {@link expectProblem} looks for: every given part must match one problem (a string: contained; a RegExp: matches). */
export interface ProblemMatch {
  /** Construct path or data-file entry (`shop/Quota`, `tenants.yaml: tenants[1] (shop)`). */
  readonly path?: string | RegExp;
  /** Field (`quota.memory`, `/spec/template/spec`). */
  readonly field?: string | RegExp;
  /** What is wrong and what is allowed. */
  readonly message?: string | RegExp;
}

function fits(text: string, want: string | RegExp | undefined): boolean {
  return want === undefined || (typeof want === 'string' ? text.includes(want) : want.test(text));
}

/**
 * Asserts that a call fails with an {@link OcpkitError} that has a problem matching `match`, and
 * returns that problem. Throws an AssertionError when the call succeeds or when no problem
 * matches (listing the problems there were, one per line).
 */
export function expectProblem(fn: () => unknown, match: ProblemMatch): Problem {
  const problems = problemsOf(fn);
  const wanted = describeMatch(match);
  if (problems.length === 0) throw new assert.AssertionError({ message: `expected a problem with ${wanted}, but the call succeeded` });
  const hit = problems.find((p) => fits(p.path, match.path) && fits(p.field, match.field) && fits(p.message, match.message));
  if (!hit) throw new assert.AssertionError({ message: `expected a problem with ${wanted}; the problems were:\n  ${problems.map((p) => `[${p.path}] ${p.field}: ${p.message}`).join('\n  ')}` });
  return hit;
}

function describeMatch(m: ProblemMatch): string {
  return (['path', 'field', 'message'] as const).filter((k) => m[k] !== undefined).map((k) => `${k} ${m[k] instanceof RegExp ? String(m[k]) : JSON.stringify(m[k])}`).join(', ') || 'any content';
}

/**
 * A cluster for a test: OpenShift 4.14 on OVN-Kubernetes with OpenShift GitOps 1.12 (Argo CD
 * 2.10.18), unless `props` says otherwise.
 */
export function testCluster(props: Partial<ClusterProps> = {}): Cluster {
  return new Cluster({
    name: 'test',
    environment: 'test',
    repoUrl: 'https://git.example.org/infra/cluster.git',
    ...props,
    platform: props.platform ?? { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12', argoCd: '2.10.18' },
  });
}
