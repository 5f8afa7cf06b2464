/**
 * `ocpkit diff --base` checks the base out in the temporary folder, where no schema mirror is beside
 * it: the base's synth is told the mirror the repository finds beside it (lib/diff/git-base.ts
 * schemasOf), unless OCPKIT_SCHEMAS already names the schemas. Each side's synth is a stub
 * bin/ocpkit.js here that writes down the OCPKIT_SCHEMAS it was given.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthBaseAndWorkingTree } from '../../lib/diff/git-base';

const MIRROR = path.resolve(__dirname, '..', '..', '..', 'shared', 'crds');
const STUB = [
  "const fs = require('fs');",
  "const path = require('path');",
  "const out = process.argv[process.argv.indexOf('--out') + 1];",
  'fs.mkdirSync(out, { recursive: true });',
  "fs.writeFileSync(path.join(out, 'schemas.txt'), String(process.env.OCPKIT_SCHEMAS));",
].join('\n');

/** A repository (with its own bin/ocpkit.js, as ocpkit's is) in a folder that may have a shared/crds mirror beside it. */
function repository(withMirror: boolean): { parent: string; repo: string } {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-base-schemas-'));
  if (withMirror) {
    fs.mkdirSync(path.join(parent, 'shared'));
    fs.symlinkSync(MIRROR, path.join(parent, 'shared', 'crds'));
  }
  const repo = path.join(parent, 'repo');
  for (const [f, text] of [['bin/ocpkit.js', STUB], ['apps/community/main.ts', 'export {};\n']]) {
    fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
    fs.writeFileSync(path.join(repo, f), text);
  }
  const git = (...args: string[]) => expect(spawnSync('git', args, { cwd: repo, encoding: 'utf8' }).status).toBe(0);
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', 'base');
  return { parent, repo };
}

describe('the schemas of the base synth of ocpkit diff --base', () => {
  const saved = process.env.OCPKIT_SCHEMAS;
  const made: string[] = [];
  afterEach(() => {
    if (saved === undefined) delete process.env.OCPKIT_SCHEMAS;
    else process.env.OCPKIT_SCHEMAS = saved;
  });
  afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  const run = async (repo: string) => {
    const pair = await synthBaseAndWorkingTree({ ref: 'HEAD', cwd: repo });
    try {
      return { base: fs.readFileSync(path.join(pair.oldDir, 'schemas.txt'), 'utf8'), working: fs.readFileSync(path.join(pair.newDir, 'schemas.txt'), 'utf8') };
    } finally {
      pair.cleanup();
    }
  };

  test('a mirror beside the repository is passed to the base synth (the working tree finds it itself)', async () => {
    const { parent, repo } = repository(true);
    made.push(parent);
    delete process.env.OCPKIT_SCHEMAS;
    expect(await run(repo)).toEqual({ base: path.join(parent, 'shared', 'crds'), working: 'undefined' });
  }, 60_000);

  test('OCPKIT_SCHEMAS, when set, is what both sides get; without a mirror the base synth is told nothing', async () => {
    const withMirror = repository(true);
    made.push(withMirror.parent);
    process.env.OCPKIT_SCHEMAS = MIRROR;
    expect(await run(withMirror.repo)).toEqual({ base: MIRROR, working: MIRROR });
    const without = repository(false);
    made.push(without.parent);
    delete process.env.OCPKIT_SCHEMAS;
    expect((await run(without.repo)).base).toBe('undefined');
  }, 60_000);
});
