/**
 * Every construct of ocpkit's public surface says what it emits (issue 18, API reference): the
 * doc comment of each exported class of lib/index.ts that is a construct (extends `Construct`,
 * `ApiObject` or `Chart` of constructs/cdk8s, directly or not) has a paragraph that starts with
 * `Emits:`. Classes are found with the TypeScript compiler's checker, from the exports of
 * lib/index.ts, so a construct added to the surface without saying what it emits fails here.
 */
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const INDEX = path.join(ROOT, 'lib', 'index.ts');

/** The classes every construct derives from, by name, as declared in these packages. */
const CONSTRUCT_BASES = new Set(['Construct', 'ApiObject', 'Chart']);
const BASE_PACKAGES = /[\\/]node_modules[\\/](constructs|cdk8s)[\\/]/;

/** An exported construct class and whether its doc comment says what it emits. */
interface ConstructDoc {
  /** Exported name. */
  readonly name: string;
  /** `lib/tenancy/tenant.ts:98`: where the class is declared. */
  readonly at: string;
  readonly emits: boolean;
}

function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  });
  if (!parsed) throw new Error('tsconfig.json cannot be read');
  return { ...parsed.options, noEmit: true, types: ['node'] };
}

/** The base class a class derives from, followed up the chain: the construct base it reaches, if any. */
function constructBase(checker: ts.TypeChecker, decl: ts.ClassDeclaration): string | undefined {
  let type: ts.Type = checker.getTypeAtLocation(decl);
  for (let depth = 0; depth < 50; depth++) {
    const bases = type.isClassOrInterface() ? checker.getBaseTypes(type) : [];
    if (bases.length === 0) return undefined;
    const base = bases[0];
    const symbol = base.getSymbol();
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName ?? '';
    if (symbol && CONSTRUCT_BASES.has(symbol.name) && BASE_PACKAGES.test(file)) return symbol.name;
    type = base;
  }
  return undefined;
}

/**
 * Whether a doc comment has a paragraph that starts with `Emits:`: a line `Emits: ...` that is the
 * comment's first, follows a blank line, or opens an `@example` tag (the style of the classes with
 * an example: `@example` then `Emits: ...` then the fence).
 */
function hasEmitsParagraph(comment: string): boolean {
  const lines = comment
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, '').trimEnd());
  let previous = '';
  let first = true;
  for (const line of lines) {
    if (first && line.trim() === '') continue;
    const opensParagraph = first || previous.trim() === '' || /^@example\s*$/.test(previous.trim());
    if (opensParagraph && /^Emits:\s*\S/.test(line.trim())) return true;
    previous = line;
    first = false;
  }
  return false;
}

/** The exported construct classes of one entry module of a program, with where they are declared. */
function constructDocs(program: ts.Program, entry: string): ConstructDoc[] {
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry);
  if (!file) throw new Error(`${entry} is not part of the program`);
  const module = checker.getSymbolAtLocation(file);
  if (!module) return [];
  const out: ConstructDoc[] = [];
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = symbol.declarations?.find(ts.isClassDeclaration);
    if (!decl || !constructBase(checker, decl)) continue;
    const source = decl.getSourceFile();
    const text = source.getFullText();
    // the doc comment right above the class (the last /** */ of its leading comments)
    const comments = (ts.getLeadingCommentRanges(text, decl.getFullStart()) ?? [])
      .filter((r) => r.kind === ts.SyntaxKind.MultiLineCommentTrivia && text.startsWith('/**', r.pos));
    const doc = comments.length > 0 ? text.slice(comments[comments.length - 1].pos, comments[comments.length - 1].end) : '';
    const line = source.getLineAndCharacterOfPosition(decl.getStart()).line + 1;
    out.push({ name: exported.name, at: `${path.relative(ROOT, source.fileName).split(path.sep).join('/')}:${line}`, emits: hasEmitsParagraph(doc) });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** A program of one in-memory module (placed in test/docs/, so `constructs` and `cdk8s` resolve). */
function programOf(source: string): { program: ts.Program; entry: string } {
  const entry = path.join(__dirname, '__emits_fixture__.ts');
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (name, target, ...rest) => (path.resolve(name) === entry ? ts.createSourceFile(name, source, target, true) : getSourceFile(name, target, ...rest));
  host.fileExists = (name) => path.resolve(name) === entry || fileExists(name);
  host.readFile = (name) => (path.resolve(name) === entry ? source : readFile(name));
  return { program: ts.createProgram([entry], options, host), entry };
}

describe('every public construct says what it emits', () => {
  let docs: ConstructDoc[];
  beforeAll(() => {
    docs = constructDocs(ts.createProgram([INDEX], compilerOptions()), INDEX);
  }, 120_000);

  test('the constructs of lib/index.ts are found: Charts, Constructs, and subclasses of either', () => {
    const names = docs.map((d) => d.name);
    // Tenant extends GitOpsApp extends Chart; Cluster extends App extends Construct
    for (const name of ['Tenant', 'GitOpsApp', 'Cluster', 'ContainerApp', 'BackupSchedule', 'GitLab']) expect(names).toContain(name);
    // exported classes that are not constructs
    for (const name of ['Quantity', 'OcpkitError', 'Platform', 'Fleet', 'SecretKey']) expect(names).not.toContain(name);
  });

  test('each one\'s doc comment has a paragraph that starts with "Emits:"', () => {
    expect(docs.filter((d) => !d.emits).map((d) => `${d.at} ${d.name}: the class doc comment has no "Emits:" paragraph`)).toEqual([]);
  });
});

describe('how a construct without an "Emits:" paragraph is reported', () => {
  const FIXTURE = [
    "import { ApiObject, Chart } from 'cdk8s';",
    "import { Construct } from 'constructs';",
    '',
    '/** A construct that does not say what it emits. */',
    'export class Silent extends Construct {}',
    '',
    '/**',
    ' * A chart that says it.',
    ' *',
    ' * Emits: a ConfigMap `x` into its folder.',
    ' */',
    'export class Loud extends Chart {}',
    '',
    '/**',
    ' * Inherits from a construct, two levels down; "Emits:" only in the middle of a sentence does',
    ' * not count. Emits: nothing.',
    ' */',
    'export class Quiet extends Loud {}',
    '',
    '/**',
    ' * A raw object.',
    ' * @example',
    ' * Emits: itself.',
    ' * ```ts',
    ' * ```',
    ' */',
    'export class Raw extends ApiObject {}',
    '',
    'export class Bare extends ApiObject {}',
    '',
    '/** Not a construct: never asked. */',
    'export class Value { constructor(public readonly n: number) {} }',
    '',
    '/** Not exported: never asked. */',
    'class Hidden extends Construct {}',
    'export const hidden = Hidden;',
    '',
  ].join('\n');

  test('the constructs without one are listed, the others and non-constructs are not', () => {
    const { program, entry } = programOf(FIXTURE);
    const docs = constructDocs(program, entry);
    expect(docs.map((d) => d.name)).toEqual(['Bare', 'Loud', 'Quiet', 'Raw', 'Silent']);
    expect(docs.filter((d) => !d.emits).map((d) => d.at.replace(/^.*\//, ''))).toEqual([
      '__emits_fixture__.ts:29',
      '__emits_fixture__.ts:18',
      '__emits_fixture__.ts:5',
    ]);
  }, 60_000);

  test('an "Emits:" paragraph: first line, after a blank line, or opening an @example', () => {
    expect(hasEmitsParagraph('/** Emits: a Namespace. */')).toBe(true);
    expect(hasEmitsParagraph('/**\n * Emits: a Namespace.\n */')).toBe(true);
    expect(hasEmitsParagraph('/**\n * A thing.\n *\n * Emits: a Namespace.\n */')).toBe(true);
    expect(hasEmitsParagraph('/**\n * A thing.\n * @example\n * Emits: a Namespace.\n */')).toBe(true);
    expect(hasEmitsParagraph('/**\n * A thing.\n * Emits: a Namespace.\n */')).toBe(false);
    expect(hasEmitsParagraph('/**\n * A thing.\n *\n * Emits:\n */')).toBe(false);
    expect(hasEmitsParagraph('')).toBe(false);
  });
});
