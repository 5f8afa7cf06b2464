import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { OcpkitError, Problem, UsageError } from '../core/errors';
import { ocpkitRoot } from '../core/package-root';
import { shownPath } from './_output';
import { privateCache } from '../core/_private-cache';

/** At most this many diagnostics are printed; the rest are counted. */
export const MAX_DIAGNOSTICS = 20;

/** Format of the cache entries: a change of it makes every entry a miss. */
const CACHE_FORMAT = 'ocpkit-typecheck/3';

/**
 * The stack does not type-check: one line per diagnostic, `file:line:col: TS2345: message`, at most
 * {@link MAX_DIAGNOSTICS}, then `... and N more`. Exit code 2 (an input error); each diagnostic is
 * also a problem (path `file:line:col`, field `TS2345`).
 */
export class TypeCheckError extends OcpkitError {
  public override readonly exitCode: number = 2;

  constructor(problems: readonly Problem[]) {
    super(problems);
    this.name = 'TypeCheckError';
    const shown = problems.slice(0, MAX_DIAGNOSTICS).map((p) => `${p.path}: ${p.field}: ${p.message}`);
    if (problems.length > MAX_DIAGNOSTICS) shown.push(`... and ${problems.length - MAX_DIAGNOSTICS} more`);
    this.withMessage(`the stack does not type-check (fix it, or pass --no-typecheck to synthesize anyway):\n  ${shown.join('\n  ')}`);
  }
}

/** What {@link typecheckStack} did. */
export interface TypeCheckReport {
  /** True when an earlier successful check of the same sources was found: the compiler did not run. */
  readonly cached: boolean;
  /** Milliseconds spent, cache lookup included. */
  readonly ms: number;
  /** Source files of the program outside node_modules (hashed into the cache key). */
  readonly files: number;
  /** The compiler version used. */
  readonly compiler: string;
}

/** Options of {@link typecheckStack}. */
export interface TypeCheckOptions {
  /** The cache root (the `typecheck/` folder goes below it); `false` turns the cache off. @default bin/private-cache.js cacheRoot() */
  readonly cacheRoot?: string | false;
  /** ocpkit's version, part of the cache key. @default "unknown" */
  readonly ocpkitVersion?: string;
}

/** Compiler options used when no tsconfig.json is found above the stack: strict, CommonJS, Node resolution. */
const DEFAULT_OPTIONS = {
  strict: true,
  target: 'ES2022',
  module: 'commonjs',
  moduleResolution: 'node',
  esModuleInterop: true,
  resolveJsonModule: true,
  skipLibCheck: true,
};

/**
 * Type-checks a stack module with the TypeScript compiler API, the way `tsc --noEmit` would check
 * the program rooted at it: `typescript` is resolved from the stack's folder first, then from
 * ocpkit's own; the compiler options come from the tsconfig.json found upward from the stack (of
 * its `include`/`files`, only the declaration files are added: the program is the stack, what it
 * imports and the globals the project declares), else strict defaults. Throws a {@link TypeCheckError} listing the diagnostics, or a {@link UsageError} when no
 * `typescript` can be found.
 *
 * A successful check is cached (see `cacheKey` for what the key covers); the file lists are kept
 * with the key, so an unchanged stack is recognised by hashing those files again, without loading
 * the compiler.
 */
export function typecheckStack(stackFile: string, options: TypeCheckOptions = {}): TypeCheckReport {
  const plan = planCheck(stackFile, options);
  return cacheHit(plan) ?? runCompiler(plan);
}

/**
 * The check without the cache lookup, which {@link startTypecheck} already made (a miss): what its
 * worker thread runs. A success is still written to the cache.
 */
export function typecheckStackUncached(stackFile: string, options: TypeCheckOptions = {}): TypeCheckReport {
  return runCompiler(planCheck(stackFile, options));
}

/** A check in progress in a worker thread (see {@link startTypecheck}). */
export interface PendingTypeCheck {
  /** Resolves with the report, or rejects with the TypeCheckError / UsageError of the check. */
  readonly result: Promise<TypeCheckReport>;
  /** Stops the worker (the synth failed for another reason and exits). */
  cancel(): void;
}

/**
 * {@link typecheckStack} that runs alongside the synth: a cache hit is answered at once (no thread);
 * a miss runs the compiler in a worker thread, so a synth after a change costs about the longer of
 * the two instead of their sum. The worker loads this module again (through bin/run-ts.js when it
 * is TypeScript, in ocpkit's repository) and sends back the report or the error's problems.
 */
export function startTypecheck(stackFile: string, options: TypeCheckOptions = {}): PendingTypeCheck {
  const plan = planCheck(stackFile, options);
  const hit = cacheHit(plan);
  if (hit) return { result: Promise.resolve(hit), cancel: () => undefined };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Worker } = require('worker_threads') as typeof import('worker_threads');
  const loader = __filename.endsWith('.ts') ? path.join(__dirname, '..', '..', 'bin', 'run-ts.js') : undefined;
  const worker = new Worker(WORKER_CODE, { eval: true, workerData: { loader, module: __filename, stackFile, options }, stdout: false, stderr: false });
  let settled = false;
  const result = new Promise<TypeCheckReport>((resolve, reject) => {
    worker.once('message', (m: WorkerAnswer) => {
      settled = true;
      if (m.report) resolve(m.report);
      else if (m.error?.name === 'TypeCheckError') reject(new TypeCheckError(m.error.problems));
      else reject(m.error?.name === 'UsageError' ? new UsageError(m.error.message) : new Error(m.error?.message ?? 'the type-check worker failed'));
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the type-check worker stopped (exit code ${code})`));
    });
  });
  result.catch(() => undefined); // a cancelled or unawaited check is no unhandled rejection
  return {
    result,
    cancel: () => {
      settled = true;
      void worker.terminate();
    },
  };
}

/** What the worker sends back. */
interface WorkerAnswer {
  readonly report?: TypeCheckReport;
  readonly error?: { readonly name: string; readonly message: string; readonly problems: readonly Problem[] };
}

/** The worker: plain JavaScript (eval), so it needs no loader to start. */
const WORKER_CODE = `
const { parentPort, workerData } = require('worker_threads');
try {
  if (workerData.loader) require(workerData.loader);
  const { typecheckStackUncached } = require(workerData.module);
  parentPort.postMessage({ report: typecheckStackUncached(workerData.stackFile, workerData.options) });
} catch (e) {
  const problems = Array.isArray(e && e.problems) ? e.problems.map((p) => ({ path: String(p.path), field: String(p.field), message: String(p.message) })) : [];
  parentPort.postMessage({ error: { name: String(e && e.name), message: String(e && e.message), problems } });
}
`;

/** What a check needs to know before it runs: the compiler, the tsconfig, the cache entry. */
interface CheckPlan {
  readonly started: number;
  readonly abs: string;
  readonly dir: string;
  readonly tsPath: string;
  readonly compiler: string;
  readonly tsconfig: string | undefined;
  readonly version: string;
  readonly entryFile: string | undefined;
}

function planCheck(stackFile: string, options: TypeCheckOptions): CheckPlan {
  const started = Date.now();
  const abs = path.resolve(stackFile);
  const dir = path.dirname(abs);
  const tsPath = resolveTypescript(dir);
  const tsconfig = findUp(dir, 'tsconfig.json');
  const cacheDir = options.cacheRoot === false ? undefined : cacheFolder(options.cacheRoot);
  const entryFile = cacheDir ? path.join(cacheDir, `${sha256(`${abs}\0${tsconfig ?? ''}`).slice(0, 32)}.json`) : undefined;
  return { started, abs, dir, tsPath, compiler: compilerVersion(tsPath), tsconfig, version: options.ocpkitVersion ?? 'unknown', entryFile };
}

/** The report of an earlier successful check of the same files, hashed again; undefined on a miss. */
function cacheHit(plan: CheckPlan): TypeCheckReport | undefined {
  const entry = plan.entryFile ? readEntry(plan.entryFile) : undefined;
  if (!entry) return undefined;
  const key = cacheKey(entry.files, entry.deps, plan.tsconfig, plan.compiler, plan.version);
  return key !== undefined && key === entry.key ? { cached: true, ms: Date.now() - plan.started, files: entry.files.length, compiler: plan.compiler } : undefined;
}

/** Runs the compiler; writes the cache entry on success. */
function runCompiler(plan: CheckPlan): TypeCheckReport {
  const { started, abs, dir, tsPath, compiler, tsconfig, version, entryFile } = plan;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require(tsPath) as typeof import('typescript');
  if (typeof ts.createProgram !== 'function') {
    throw new UsageError(`cannot type-check the stack: ${tsPath} (typescript ${compiler}) has no compiler API (TypeScript 7 ships none); install typescript@5 next to the stack, or pass --no-typecheck`);
  }
  let compilerOptions: import('typescript').CompilerOptions;
  // files the tsconfig includes that declare globals (types/*.d.ts), and the configs it extends
  let declarations: string[] = [];
  let extended: string[] = [];
  if (tsconfig) {
    const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
    if (read.error) throw new UsageError(`${shownPath(tsconfig)}: ${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}`);
    // parsed from its source file, which then lists the configs it extends (extendedSourceFiles)
    const source = ts.readJsonConfigFile(tsconfig, ts.sys.readFile);
    const parsed = ts.parseJsonSourceFileConfigFileContent(source, ts.sys, path.dirname(tsconfig), undefined, tsconfig);
    const fatal = parsed.errors.filter((e) => e.category === ts.DiagnosticCategory.Error && e.code !== 18003); // 18003: no inputs found
    if (fatal.length) throw new UsageError(`${shownPath(tsconfig)}: ${ts.flattenDiagnosticMessageText(fatal[0].messageText, ' ')}`);
    compilerOptions = parsed.options;
    declarations = parsed.fileNames.filter((f) => f.endsWith('.d.ts')).map((f) => path.resolve(f));
    extended = (source.extendedSourceFiles ?? []).map((f) => path.resolve(f));
  } else {
    // no tsconfig: the @types packages (node's) of the stack's folders upward and of the compiler's node_modules
    const typeRoots = [...new Set([...upward(dir).map((d) => path.join(d, 'node_modules', '@types')), path.join(tsPath.split(`${path.sep}node_modules${path.sep}`)[0], 'node_modules', '@types')])].filter((d) => fs.existsSync(d));
    compilerOptions = { ...ts.convertCompilerOptionsFromJson(DEFAULT_OPTIONS, dir).options, typeRoots };
  }
  compilerOptions = { ...compilerOptions, noEmit: true, incremental: false, composite: false, declaration: false, tsBuildInfoFile: undefined };
  const program = ts.createProgram({ rootNames: [abs, ...declarations], options: compilerOptions });
  // The stack's own files are checked in full; ocpkit's sources (when the stack imports them, as in
  // ocpkit's repository) and dependencies only as far as the stack uses them: ocpkit's CI checks
  // ocpkit. This is what keeps a cold check in seconds rather than a whole-library tsc run.
  const root = ocpkitRoot();
  const own = program.getSourceFiles().filter((f) => !isDependency(f.fileName) && !program.isSourceFileDefaultLibrary(f) && !insideOcpkit(root, f.fileName));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...own.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (diagnostics.length) throw new TypeCheckError(diagnostics.map((d) => toProblem(ts, d)));

  const all = program.getSourceFiles().map((f) => path.resolve(f.fileName));
  const files = [...new Set([...all.filter((f) => !isDependency(f)), ...extended])].sort();
  const deps = all.filter((f) => isDependency(f)).sort();
  if (entryFile) {
    const key = cacheKey(files, deps, tsconfig, compiler, version);
    if (key !== undefined) writeEntry(entryFile, { format: CACHE_FORMAT, key, files, deps });
  }
  return { cached: false, ms: Date.now() - started, files: files.length, compiler };
}

/** `typescript` resolved from the stack's folder, else from ocpkit's; a one-line UsageError when neither has it. */
function resolveTypescript(dir: string): string {
  for (const from of [dir, __dirname]) {
    try {
      return require.resolve('typescript', { paths: [from] });
    } catch {
      // next
    }
  }
  throw new UsageError('cannot type-check the stack: the typescript package is not installed next to it or to ocpkit; run `npm install --save-dev typescript`, or pass --no-typecheck');
}

/** The version in the package.json of the resolved compiler, read without loading the compiler. */
function compilerVersion(tsPath: string): string {
  const pkg = findUp(path.dirname(tsPath), 'package.json');
  try {
    const version = pkg ? JSON.parse(fs.readFileSync(pkg, 'utf8')).version : undefined;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** `file:line:col: TS1234: message` as a problem: path `file:line:col`, field `TS1234`, the message on one line. */
function toProblem(ts: typeof import('typescript'), d: import('typescript').Diagnostic): Problem {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  let where = 'tsconfig';
  if (d.file && d.start !== undefined) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    where = `${shownPath(d.file.fileName)}:${line + 1}:${character + 1}`;
  } else if (d.file) {
    where = shownPath(d.file.fileName);
  }
  return { path: where, field: `TS${d.code}`, message };
}

/**
 * sha256 over the program's own files by version (the configs the tsconfig extends among them;
 * `fileStamp`: path, inode, size, modification and change times, so any write of a file changes
 * it and none is read: in this repository the program holds ocpkit's 5 MB of sources), the
 * listing of every folder holding one (a file added beside them can change how an import
 * resolves), the dependencies' declaration files by path, size and modification time (a package
 * upgrade changes them), the tsconfig, the compiler and ocpkit versions; undefined when a file is
 * gone. A file written again with the same content is a miss (the check runs once more).
 */
function cacheKey(files: readonly string[], deps: readonly string[], tsconfig: string | undefined, compiler: string, ocpkit: string): string | undefined {
  const h = crypto.createHash('sha256');
  h.update(`${CACHE_FORMAT}\0${compiler}\0${ocpkit}\0`);
  try {
    h.update(`${tsconfig ?? ''}\0`);
    if (tsconfig) h.update(fs.readFileSync(tsconfig));
    for (const f of files) h.update(`\0${privateCache.fileStamp(f)}\0`);
    for (const d of [...new Set(files.map((f) => path.dirname(f)))].sort()) h.update(`\0dir ${d}\0${fs.readdirSync(d).sort().join('/')}`);
    for (const f of deps) {
      const st = fs.statSync(f);
      h.update(`\0dep ${f}\0${st.size}\0${st.mtimeMs}`);
    }
  } catch {
    return undefined;
  }
  return h.digest('hex');
}

interface CacheEntry {
  readonly format: string;
  readonly key: string;
  readonly files: string[];
  readonly deps: string[];
}

function cacheFolder(root: string | undefined): string | undefined {
  const base = root ?? privateCache.cacheRoot();
  return base ? privateCache.privateDir(path.join(base, 'typecheck')) : undefined;
}

/** The entry under `file`, through the private cache's checks (ours, not writable by others, its sha256 intact). */
function readEntry(file: string): CacheEntry | undefined {
  try {
    const body = privateCache.readEntry(file);
    if (body === undefined) return undefined;
    const e = JSON.parse(body);
    if (e?.format !== CACHE_FORMAT || typeof e.key !== 'string' || !Array.isArray(e.files) || !e.files.every((f: unknown) => typeof f === 'string') || !Array.isArray(e.deps) || !e.deps.every((f: unknown) => typeof f === 'string')) return undefined;
    return e as CacheEntry;
  } catch {
    return undefined;
  }
}

/**
 * Writes the entry as a private cache entry (a temporary file and a rename, with its sha256); best
 * effort: a failed write only means the next check runs the compiler.
 */
function writeEntry(file: string, entry: CacheEntry): void {
  privateCache.writeEntry(file, JSON.stringify(entry));
}

/** True for ocpkit's own sources (lib/, imports/) when a stack imports them directly. */
function insideOcpkit(root: string, file: string): boolean {
  const r = path.relative(root, path.resolve(file));
  return !r.startsWith('..') && !path.isAbsolute(r) && /^(lib|imports|build)[\\/]/.test(r);
}

function isDependency(file: string): boolean {
  return file.split(path.sep).includes('node_modules');
}

/** `dir` and every folder above it. */
function upward(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    out.push(d);
    if (d === path.dirname(d)) return out;
  }
}

function findUp(dir: string, name: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const f = path.join(d, name);
    if (fs.existsSync(f)) return f;
    if (d === path.dirname(d)) return undefined;
  }
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}
