/**
 * `ocpkit diff --base` checks the base out in the temporary folder, where no schema mirror is beside
 * it: the base's synth is told the mirror the repository finds beside it (lib/diff/git-base.ts
 * schemasOf), unless it finds schemas itself or OCPKIT_SCHEMAS already names them. Each side's
 * synth is a stub bin/ocpkit.js here that writes down the OCPKIT_SCHEMAS it was given.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthBaseAndWorkingTree } from '../../lib/diff/git-base';
import { SchemaSetError } from '../../lib/schema/lock';
import { findSchemas } from '../../lib/schema/locate';

const CORE = 'kubernetes/v1.27.0/_definitions.json'; // what marks a schema folder (lib/schema/catalog.ts)
const STUB = [
  "const fs = require('fs');",
  "const path = require('path');",
  "const out = process.argv[process.argv.indexOf('--out') + 1];",
  'fs.mkdirSync(out, { recursive: true });',
  "fs.writeFileSync(path.join(out, 'schemas.txt'), String(process.env.OCPKIT_SCHEMAS));",
].join('\n');

function mirrorIn(dir: string): string {
  const crds = path.join(dir, 'shared', 'crds');
  fs.mkdirSync(path.dirname(path.join(crds, CORE)), { recursive: true });
  fs.writeFileSync(path.join(crds, CORE), '{}\n');
  return crds;
}

/**
 * A repository (with its own bin/ocpkit.js, as ocpkit's is) in a fresh folder; `beside`: a schema
 * mirror next to it (../shared/crds), `inside`: one committed in it (shared/crds).
 */
function repository(where: { beside?: boolean; inside?: boolean }): { parent: string; repo: string; mirror?: string } {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-base-schemas-'));
  const repo = path.join(parent, 'repo');
  fs.mkdirSync(repo);
  const mirror = where.beside ? mirrorIn(parent) : undefined;
  if (where.inside) mirrorIn(repo);
  for (const [f, text] of [['bin/ocpkit.js', STUB], ['apps/community/main.ts', 'export {};\n']]) {
    fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
    fs.writeFileSync(path.join(repo, f), text);
  }
  const git = (...args: string[]) => expect(spawnSync('git', args, { cwd: repo, encoding: 'utf8' }).status).toBe(0);
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', 'base');
  return { parent, repo, mirror };
}

describe('the schemas of the base synth of ocpkit diff --base', () => {
  const saved = { schemas: process.env.OCPKIT_SCHEMAS, cache: process.env.OCPKIT_CACHE_DIR };
  const made: string[] = [];
  beforeAll(() => {
    // an empty per-user cache: only mirrors and OCPKIT_SCHEMAS can name the schemas here
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-base-schemas-cache-'));
    made.push(cache);
    process.env.OCPKIT_CACHE_DIR = cache;
    // the base is checked out in the temporary folder: nothing above it may hold a mirror
    expect(() => findSchemas({ env: undefined, searchFrom: [os.tmpdir()] })).toThrow(SchemaSetError);
  });
  afterEach(() => {
    if (saved.schemas === undefined) delete process.env.OCPKIT_SCHEMAS;
    else process.env.OCPKIT_SCHEMAS = saved.schemas;
  });
  afterAll(() => {
    if (saved.cache === undefined) delete process.env.OCPKIT_CACHE_DIR;
    else process.env.OCPKIT_CACHE_DIR = saved.cache;
    made.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
  });

  const run = async (repo: string) => {
    const pair = await synthBaseAndWorkingTree({ ref: 'HEAD', cwd: repo });
    try {
      return { base: fs.readFileSync(path.join(pair.oldDir, 'schemas.txt'), 'utf8'), working: fs.readFileSync(path.join(pair.newDir, 'schemas.txt'), 'utf8') };
    } finally {
      pair.cleanup();
    }
  };

  test('a mirror beside the repository is passed to the base synth (the working tree finds it itself)', async () => {
    const { parent, repo, mirror } = repository({ beside: true });
    made.push(parent);
    delete process.env.OCPKIT_SCHEMAS;
    expect(await run(repo)).toEqual({ base: mirror, working: 'undefined' });
  }, 60_000);

  test('a base that finds schemas itself (a mirror committed in it) is told nothing: it validates against its own', async () => {
    const { parent, repo } = repository({ beside: true, inside: true });
    made.push(parent);
    delete process.env.OCPKIT_SCHEMAS;
    expect(await run(repo)).toEqual({ base: 'undefined', working: 'undefined' });
  }, 60_000);

  test('OCPKIT_SCHEMAS, when set, is what both sides get; without a mirror the base synth is told nothing', async () => {
    const withMirror = repository({ beside: true });
    made.push(withMirror.parent);
    process.env.OCPKIT_SCHEMAS = '/somewhere/crds';
    expect(await run(withMirror.repo)).toEqual({ base: '/somewhere/crds', working: '/somewhere/crds' });
    const without = repository({});
    made.push(without.parent);
    delete process.env.OCPKIT_SCHEMAS;
    expect((await run(without.repo)).base).toBe('undefined');
  }, 60_000);
});
