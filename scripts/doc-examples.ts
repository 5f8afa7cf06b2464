/**
 * The code samples of ocpkit's documentation, and the one TypeScript program that compiles them.
 *
 * Two kinds of samples are real code, checked by `test/docs/examples.test.ts` on every `npm test`:
 *
 * - **`@example` blocks** of doc comments in `lib/**\/*.ts`: every ```` ```ts ```` fence inside an
 *   `@example` tag is one module, a complete file a user could write (its own imports, from
 *   `'ocpkit'` or `'ocpkit/testing'`). An `@example` without a fence is reported: TypeDoc would
 *   show it as code, and code that is shown is compiled.
 * - **Guide blocks** of `docs/**\/*.md`: fences whose info string is `ts (guide)` (or
 *   `yaml (guide)`). The first line of each names the file of the user's repository it shows
 *   (`// apps/shop.ts`, `# apps/versions.yaml`); the test writes them over a repository made by
 *   `ocpkit init`, compiles the TypeScript ones with the @examples, and synthesizes the result.
 *
 * Every sample keeps where it came from, so a compile error is reported at the line of the doc
 * comment or Markdown file a reader sees (`lib/tenancy/tenant.ts:42:5`), not in a temporary file.
 *
 * `node bin/run-ts.js scripts/doc-examples.ts` prints the samples it finds, one line each.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** One code sample of the documentation and where it is written. */
export interface DocSample {
  /** Source of the sample, relative to the repository (`lib/tenancy/tenant.ts`, `docs/guide/x.md`). */
  readonly source: string;
  /** 1-based line of the sample's first code line in `source`. */
  readonly line: number;
  /**
   * Columns stripped from the start of each line (a doc comment's ` * `), per code line; a
   * diagnostic's column is shifted by it.
   */
  readonly indent: readonly number[];
  /** Language of the fence: `ts` or `yaml`. */
  readonly lang: 'ts' | 'yaml';
  /**
   * File the sample becomes in the compiled project: the path a guide block names on its first
   * line, or `examples/<source>.<n>.ts` for an @example.
   */
  readonly target: string;
  /** The code, as the reader sees it (one `\n` per line). */
  readonly code: string;
}

/** A sample that cannot be used, with where it is. */
export interface SampleProblem {
  readonly source: string;
  readonly line: number;
  readonly message: string;
}

/** Languages accepted in fences: the first word of the info string. */
const TS_LANGS = new Set(['ts', 'typescript']);

/** Start of a fence (CommonMark allows up to three spaces of indentation); its info string. */
const FENCE = /^ {0,3}(`{3,})\s*([^`]*)$/;

/**
 * The `@example` fences of every JSDoc comment of one TypeScript file. Comments are found from
 * the syntax tree (TypeScript's own parser), so `/**` inside a string or a regular expression is
 * never mistaken for a comment.
 */
export function examplesOf(source: string, text: string): { samples: DocSample[]; problems: SampleProblem[] } {
  const file = ts.createSourceFile(source, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const seen = new Set<number>();
  const comments: Array<{ pos: number; end: number }> = [];
  const visit = (node: ts.Node): void => {
    for (const r of ts.getLeadingCommentRanges(text, node.pos) ?? []) {
      if (r.kind === ts.SyntaxKind.MultiLineCommentTrivia && text.startsWith('/**', r.pos) && !seen.has(r.pos)) {
        seen.add(r.pos);
        comments.push(r);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  // comments after the last statement are leading trivia of the end-of-file token
  for (const r of ts.getLeadingCommentRanges(text, file.endOfFileToken.pos) ?? []) {
    if (r.kind === ts.SyntaxKind.MultiLineCommentTrivia && text.startsWith('/**', r.pos) && !seen.has(r.pos)) comments.push(r);
  }
  comments.sort((a, b) => a.pos - b.pos);

  const samples: DocSample[] = [];
  const problems: SampleProblem[] = [];
  for (const c of comments) {
    const firstLine = file.getLineAndCharacterOfPosition(c.pos).line + 1;
    const lines = commentLines(text.slice(c.pos, c.end));
    let inExample = false;
    let exampleLine = 0;
    let fenced = false;
    let open: { fence: string; lang: string; start: number; code: string[]; indent: number[] } | undefined;
    const closeExample = () => {
      if (inExample && !fenced) problems.push({ source, line: exampleLine, message: '@example has no ```ts fence: write the example as a fenced TypeScript module (```ts ... ```), so that it is compiled' });
      inExample = false;
    };
    lines.forEach(({ text: l, indent }, i) => {
      const lineNo = firstLine + i;
      if (open) {
        if (l.trimEnd() === open.fence || (l.trim().startsWith(open.fence) && l.trim().replace(/`/g, '') === '')) {
          if (TS_LANGS.has(open.lang)) {
            samples.push({ source, line: open.start, indent: open.indent, lang: 'ts', target: '', code: open.code.map((x) => `${x}\n`).join('') });
          }
          open = undefined;
        } else {
          open.code.push(l);
          open.indent.push(indent);
        }
        return;
      }
      const tag = /^\s*@([A-Za-z]+)/.exec(l);
      if (tag) {
        closeExample();
        if (tag[1] === 'example') {
          inExample = true;
          fenced = false;
          exampleLine = lineNo;
        }
        return;
      }
      const fence = FENCE.exec(l);
      if (fence && inExample) {
        fenced = true;
        open = { fence: fence[1], lang: fence[2].trim().split(/\s+/)[0] ?? '', start: lineNo + 1, code: [], indent: [] };
      }
    });
    if (open) problems.push({ source, line: open.start - 1, message: 'fence is not closed before the end of the doc comment' });
    closeExample();
  }
  const base = source.replace(/\.ts$/, '');
  return { samples: samples.map((s, n) => ({ ...s, target: `examples/${base}.${n + 1}.ts` })), problems };
}

/** The lines of a `/** ... *\/` comment without the comment marks and the leading ` * `, with how many columns were stripped. */
function commentLines(comment: string): Array<{ text: string; indent: number }> {
  const body = comment.slice(3, -2);
  return body.split('\n').map((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (i === 0) return { text: line.replace(/^ /, ''), indent: 3 + (line.startsWith(' ') ? 1 : 0) };
    const m = /^\s*\* ?/.exec(line);
    const cut = m ? m[0].length : 0;
    return { text: line.slice(cut), indent: cut };
  });
}

/**
 * The guide blocks of one Markdown file: fences whose info string is `ts (guide)` or
 * `yaml (guide)`. The first line names the target file: `// <path>` for TypeScript, `# <path>`
 * for YAML, relative to the root of the user's repository.
 */
export function guideBlocksOf(source: string, text: string): { samples: DocSample[]; problems: SampleProblem[] } {
  const samples: DocSample[] = [];
  const problems: SampleProblem[] = [];
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  let open: { fence: string; lang: 'ts' | 'yaml' | undefined; start: number; code: string[] } | undefined;
  lines.forEach((l, i) => {
    if (open) {
      if (l.trim().startsWith(open.fence) && l.trim().replace(/`/g, '') === '') {
        if (open.lang) {
          const first = open.code[0] ?? '';
          const m = open.lang === 'ts' ? /^\/\/ ((?:apps|test)\/[\w./-]+\.ts)\s*$/.exec(first) : /^# ((?:apps|test)\/[\w./-]+\.ya?ml)\s*$/.exec(first);
          if (!m) {
            problems.push({ source, line: open.start, message: `guide block must name its file on its first line (${open.lang === 'ts' ? '"// apps/<name>.ts" or "// test/<name>.ts"' : '"# apps/<name>.yaml"'}), got ${JSON.stringify(first)}` });
          } else if (m[1].split('/').includes('..')) {
            problems.push({ source, line: open.start, message: `guide block file ${JSON.stringify(m[1])} must stay inside the repository` });
          } else {
            samples.push({ source, line: open.start, indent: open.code.map(() => 0), lang: open.lang, target: m[1], code: open.code.map((x) => `${x}\n`).join('') });
          }
        }
        open = undefined;
      } else {
        open.code.push(l);
      }
      return;
    }
    const fence = FENCE.exec(l);
    if (!fence) return;
    const info = fence[2].trim();
    const guide = /^(\w+)\s+\(guide\)$/.exec(info);
    let lang: 'ts' | 'yaml' | undefined;
    if (guide) {
      if (TS_LANGS.has(guide[1])) lang = 'ts';
      else if (guide[1] === 'yaml') lang = 'yaml';
      else problems.push({ source, line: i + 1, message: `guide blocks are ts or yaml, got ${JSON.stringify(guide[1])}` });
    } else if (TS_LANGS.has(info.split(/\s+/)[0] ?? '')) {
      problems.push({ source, line: i + 1, message: 'a TypeScript block of the docs must be a guide block (```ts (guide)), so that it is compiled' });
    }
    open = { fence: fence[1], lang, start: i + 2, code: [] };
  });
  if (open) problems.push({ source, line: open.start - 1, message: 'fence is not closed before the end of the file' });
  return { samples, problems };
}

/** Every `.ts` file below a folder (sorted, relative to `root`), skipping `node_modules`. */
export function tsFilesUnder(root: string, folder: string, ext = '.ts'): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name === 'node_modules') continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith(ext) && !e.name.endsWith('.d.ts')) out.push(path.relative(root, p).split(path.sep).join('/'));
    }
  };
  walk(path.join(root, folder));
  return out;
}

/** Every @example and guide block of the repository at `root` (lib/**\/*.ts and docs/**\/*.md). */
export function collectSamples(root: string): { samples: DocSample[]; problems: SampleProblem[] } {
  const samples: DocSample[] = [];
  const problems: SampleProblem[] = [];
  for (const rel of tsFilesUnder(root, 'lib')) {
    const r = examplesOf(rel, fs.readFileSync(path.join(root, rel), 'utf8'));
    samples.push(...r.samples);
    problems.push(...r.problems);
  }
  if (fs.existsSync(path.join(root, 'docs'))) {
    const targets = new Map<string, DocSample>();
    for (const rel of tsFilesUnder(root, 'docs', '.md')) {
      const r = guideBlocksOf(rel, fs.readFileSync(path.join(root, rel), 'utf8'));
      for (const s of r.samples) {
        const first = targets.get(s.target);
        if (first) problems.push({ source: s.source, line: s.line, message: `${s.target} is shown twice (first at ${first.source}:${first.line}); give each step its own file` });
        else targets.set(s.target, s);
      }
      samples.push(...r.samples);
      problems.push(...r.problems);
    }
  }
  return { samples, problems };
}

/**
 * Compiler options of the samples: those of the tsconfig `ocpkit init` writes (strict, unused
 * locals are errors), with `'ocpkit'` and `'ocpkit/testing'` mapped to this repository's sources.
 */
export function sampleCompilerOptions(repoRoot: string): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ['lib.es2022.d.ts'],
    strict: true,
    noImplicitReturns: true,
    noFallthroughCasesInSwitch: true,
    noUnusedLocals: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node', 'jest'],
    typeRoots: [path.join(repoRoot, 'node_modules', '@types')],
    paths: {
      ocpkit: [path.join(repoRoot, 'lib', 'index.ts')],
      'ocpkit/testing': [path.join(repoRoot, 'lib', 'testing.ts')],
    },
  };
}

/**
 * Writes the TypeScript samples into `projectDir` (at their targets) and compiles them, with
 * every other `.ts` file already there (`extraFiles`, relative to `projectDir`), in one program.
 * Returns one line per diagnostic of a sample or extra file, located in the sample's source:
 * `lib/tenancy/tenant.ts:42:5 TS2322: Type ...`. Diagnostics inside ocpkit's own sources are not
 * the samples' and are left to `tsc` over the repository.
 */
export function compileSamples(samples: readonly DocSample[], projectDir: string, repoRoot: string, extraFiles: readonly string[] = []): string[] {
  const byFile = new Map<string, DocSample>();
  for (const s of samples) {
    const file = path.join(projectDir, ...s.target.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, s.code);
    if (s.lang === 'ts') byFile.set(path.resolve(file), s);
  }
  const roots = [...byFile.keys(), ...extraFiles.map((f) => path.resolve(projectDir, f)).filter((f) => !byFile.has(f))];
  const program = ts.createProgram({ rootNames: roots, options: sampleCompilerOptions(repoRoot) });
  const out: string[] = [];
  const report = (d: ts.Diagnostic): void => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n').map((l) => l.trim()).join(' ');
    if (!d.file || d.start === undefined) {
      out.push(`(program) TS${d.code}: ${message}`);
      return;
    }
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    const sample = byFile.get(path.resolve(d.file.fileName));
    if (sample) out.push(`${sample.source}:${sample.line + line}:${character + 1 + (sample.indent[line] ?? 0)} TS${d.code}: ${message}`);
    else out.push(`${path.relative(projectDir, d.file.fileName).split(path.sep).join('/')}:${line + 1}:${character + 1} TS${d.code}: ${message}`);
  };
  program.getOptionsDiagnostics().forEach(report);
  program.getGlobalDiagnostics().forEach(report);
  for (const f of roots) {
    const sf = program.getSourceFile(f);
    if (!sf) {
      out.push(`${path.relative(projectDir, f)}: not part of the program`);
      continue;
    }
    program.getSyntacticDiagnostics(sf).forEach(report);
    program.getSemanticDiagnostics(sf).forEach(report);
  }
  return out;
}

if (require.main === module || path.resolve(process.argv[1] ?? '') === __filename) {
  const root = path.join(__dirname, '..');
  const { samples, problems } = collectSamples(root);
  for (const s of samples) process.stdout.write(`${s.source}:${s.line} ${s.lang} -> ${s.target}\n`);
  for (const p of problems) process.stdout.write(`${p.source}:${p.line} ${p.message}\n`);
}
