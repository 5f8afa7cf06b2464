/**
 * The public surface of ocpkit is deliberate: lib/index.ts lists every exported name, this test
 * pins that list (test/package/public-api.txt, one `kind name` per line) and refuses a name that
 * cdk8s, cdk8s-plus-27 or constructs also export (a user importing both would get the wrong one).
 *
 * A change to the surface is an edit of public-api.txt in the same commit, seen in review:
 * `UPDATE_PUBLIC_API=1 npx jest test/package/public-api.test.ts` rewrites it.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const PINNED = path.join(__dirname, 'public-api.txt');

/** `kind name` of every export of a module, sorted: kind is class, function, const, enum, type. */
function exportsOf(program: ts.Program, file: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`${file} is not part of the program`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${file} is not a module`);
  return checker.getExportsOfModule(moduleSymbol).map((s) => {
    const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
    const f = target.flags;
    const kind = f & ts.SymbolFlags.Class ? 'class'
      : f & ts.SymbolFlags.Function ? 'function'
        : f & ts.SymbolFlags.Enum ? 'enum'
          : f & ts.SymbolFlags.Variable ? 'const'
            : 'type';
    return `${kind} ${s.name}`;
  }).sort();
}

const files = {
  ocpkit: path.join(ROOT, 'lib', 'index.ts'),
  testing: path.join(ROOT, 'lib', 'testing.ts'),
  diff: path.join(ROOT, 'lib', 'diff-api.ts'),
  // the packages' own declarations (constructs' `exports` map hides its files from require.resolve)
  cdk8s: path.join(ROOT, 'node_modules', 'cdk8s', 'lib', 'index.d.ts'),
  plus: path.join(ROOT, 'node_modules', 'cdk8s-plus-27', 'lib', 'index.d.ts'),
  constructs: path.join(ROOT, 'node_modules', 'constructs', 'lib', 'index.d.ts'),
};
const program = ts.createProgram(Object.values(files), {
  noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true,
});
/** The pinned surface: the main entry's exports, then the 'ocpkit/diff' entry's, prefixed `diff:`. */
const surface = [...exportsOf(program, files.ocpkit), ...exportsOf(program, files.diff).map((e) => e.replace(' ', ' diff:'))];
const nameOf = (entry: string) => entry.split(' ')[1].replace(/^diff:/, '');

describe('the public API of ocpkit', () => {
  test('is exactly the pinned list (UPDATE_PUBLIC_API=1 rewrites it after a deliberate change)', () => {
    if (process.env.UPDATE_PUBLIC_API === '1') fs.writeFileSync(PINNED, `${surface.join('\n')}\n`);
    const pinned = fs.readFileSync(PINNED, 'utf8').trim().split('\n');
    const added = surface.filter((e) => !pinned.includes(e));
    const removed = pinned.filter((e) => !surface.includes(e));
    expect({ added, removed }).toEqual({ added: [], removed: [] });
  });

  test.each([['cdk8s', files.cdk8s], ['cdk8s-plus-27', files.plus], ['constructs', files.constructs]])('shares no name with %s', (_pkg, file) => {
    const theirs = new Set(exportsOf(program, file).map(nameOf));
    expect(theirs.size).toBeGreaterThan(10);
    expect(surface.map(nameOf).filter((n) => theirs.has(n))).toEqual([]);
  });

  test('ocpkit/testing shares no name with the main entry, cdk8s or cdk8s-plus-27 except re-exported types', () => {
    const main = new Set(surface.map(nameOf));
    const others = new Set([...exportsOf(program, files.cdk8s), ...exportsOf(program, files.plus)].map(nameOf));
    const testing = exportsOf(program, files.testing);
    expect(testing.length).toBeGreaterThan(2);
    // the testing entry re-exports a few types of the main entry (Problem, SynthesisResult) for convenience
    expect(testing.filter((e) => others.has(nameOf(e)) || (main.has(nameOf(e)) && !e.startsWith('type ')))).toEqual([]);
  });

  test('the main entry and the diff entry share no name, and a stack does not load the diff', () => {
    const main = new Set(exportsOf(program, files.ocpkit).map(nameOf));
    expect(exportsOf(program, files.diff).map(nameOf).filter((n) => main.has(n))).toEqual([]);
    const imports = (file: string) => [...fs.readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports(files.ocpkit).filter((m) => m.startsWith('./diff'))).toEqual([]);
  });

  test.each([['ocpkit', files.ocpkit], ['ocpkit/diff', files.diff]])('%s exports no internal helper: no module whose file name starts with _ contributes a value', (_entry, file) => {
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(file)!;
    const internal = checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).filter((s) => {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      const decl = target.declarations?.[0];
      return decl !== undefined && (target.flags & ts.SymbolFlags.Value) !== 0 && path.basename(decl.getSourceFile().fileName).startsWith('_');
    }).map((s) => s.name);
    expect(internal).toEqual([]);
  });
});
