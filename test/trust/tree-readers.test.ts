/**
 * Issue 11, class 6: the tree readers of `ocpkit validate` and `ocpkit diff` (one shared walker,
 * lib/core/read-folder.ts) never follow a linked folder (so never leave the tree or loop), never
 * open a FIFO, socket or device, and report folders named `*.yaml`, dangling links, links out of
 * the tree and unreadable files as one line each, without a stack trace.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { validateTree } from '../../lib/check/validate-tree';
import { main } from '../../lib/cli/main';
import { scanFolder } from '../../lib/core/read-folder';
import { DiffInputError } from '../../lib/diff/diff-input-error';
import { diffTrees } from '../../lib/diff/diff-trees';
import { readTree } from '../../lib/diff/read-tree';
import { captureOutput } from '../_helpers';

const CM = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: forum\ndata:\n  a: "1"\n`;
const roots: string[] = [];
const servers: net.Server[] = [];
afterAll(() => {
  servers.forEach((s) => s.close());
  for (const d of roots) {
    try {
      execFileSync('chmod', ['-R', 'u+rwx', d]);
    } catch {
      // best effort
    }
    fs.rmSync(d, { recursive: true, force: true });
  }
});

/** A tree with one good manifest at `production/forum/good.yaml`; `setup` adds the hazard. */
async function tree(setup: (dir: string, outside: string) => void | Promise<void>): Promise<string> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-tree-'));
  roots.push(base);
  const dir = path.join(base, 'tree');
  const outside = path.join(base, 'outside');
  fs.mkdirSync(path.join(dir, 'production/forum'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(dir, 'production/forum/good.yaml'), CM('good'));
  fs.writeFileSync(path.join(outside, 'secret.yaml'), CM('outside'));
  await setup(dir, outside);
  return dir;
}

function mkfifo(p: string): void {
  execFileSync('mkfifo', [p]);
}

async function socket(p: string): Promise<void> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(p, resolve);
  });
}

/** chmod 000 does not stop root (or a process with CAP_DAC_OVERRIDE) from reading. */
function permissionsAreEnforced(): boolean {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-perm-'));
  const f = path.join(d, 'f');
  fs.writeFileSync(f, 'x');
  fs.chmodSync(f, 0o000);
  let enforced = false;
  try {
    fs.readFileSync(f);
  } catch {
    enforced = true;
  }
  fs.rmSync(d, { recursive: true, force: true });
  return enforced;
}
const ENFORCED = permissionsAreEnforced();
const SKIP_REASON = 'SKIPPED: running with privileges that ignore chmod 000 (root), so an unreadable file cannot be made';

interface Hazard {
  readonly name: string;
  readonly setup: (dir: string, outside: string) => void | Promise<void>;
  /** The one line reported, for the path relative to the tree (`rel`). */
  readonly rel: string;
  readonly says: RegExp;
  /** Needs permissions to be enforced (not root). */
  readonly needsPermissions?: boolean;
}

const HAZARDS: readonly Hazard[] = [
  { name: 'symbolic link to a folder out of the tree', setup: (d, o) => fs.symlinkSync(o, path.join(d, 'production/escape')), rel: 'production/escape', says: /is a symbolic link to a folder \(".*outside"\); ocpkit does not follow linked folders/ },
  { name: 'symbolic link loop to an ancestor folder', setup: (d) => fs.symlinkSync('..', path.join(d, 'production/forum/loop')), rel: 'production/forum/loop', says: /is a symbolic link to a folder \("\.\."\)/ },
  { name: 'symbolic link to a sibling folder inside the tree', setup: (d) => fs.symlinkSync('forum', path.join(d, 'production/forum-copy')), rel: 'production/forum-copy', says: /is a symbolic link to a folder \("forum"\)/ },
  { name: 'symbolic link to a manifest outside the tree', setup: (d, o) => fs.symlinkSync(path.join(o, 'secret.yaml'), path.join(d, 'production/forum/stolen.yaml')), rel: 'production/forum/stolen.yaml', says: /is a symbolic link to ".*secret\.yaml", outside the tree; not read/ },
  { name: 'symbolic link out of the tree through ../', setup: (d) => fs.symlinkSync('../../../outside/secret.yaml', path.join(d, 'production/forum/up.yaml')), rel: 'production/forum/up.yaml', says: /outside the tree; not read/ },
  { name: 'symbolic link to a device', setup: (d) => fs.symlinkSync('/dev/zero', path.join(d, 'production/forum/zero.yaml')), rel: 'production/forum/zero.yaml', says: /is a symbolic link to "\/dev\/zero", outside the tree; not read/ },
  { name: 'dangling symbolic link', setup: (d) => fs.symlinkSync('gone.yaml', path.join(d, 'production/forum/dangling.yaml')), rel: 'production/forum/dangling.yaml', says: /is a dangling symbolic link \(to "gone\.yaml"\)/ },
  { name: 'dangling link not named like a manifest', setup: (d) => fs.symlinkSync('nowhere', path.join(d, 'production/forum/current')), rel: 'production/forum/current', says: /is a dangling symbolic link/ },
  { name: 'symbolic link to itself', setup: (d) => fs.symlinkSync('self.yaml', path.join(d, 'production/forum/self.yaml')), rel: 'production/forum/self.yaml', says: /that loops; not followed/ },
  { name: 'FIFO named like a manifest', setup: (d) => mkfifo(path.join(d, 'production/forum/pipe.yaml')), rel: 'production/forum/pipe.yaml', says: /is a named pipe, not a regular file; not read/ },
  { name: 'symbolic link to a FIFO inside the tree', setup: (d) => { mkfifo(path.join(d, 'production/pipe')); fs.symlinkSync('../pipe', path.join(d, 'production/forum/via-link.yaml')); }, rel: 'production/forum/via-link.yaml', says: /is a symbolic link to "\.\.\/pipe", which is a named pipe; not read/ },
  { name: 'socket named like a manifest', setup: (d) => socket(path.join(d, 'production/forum/sock.yaml')), rel: 'production/forum/sock.yaml', says: /is a socket, not a regular file; not read/ },
  { name: 'folder named like a manifest', setup: (d) => fs.mkdirSync(path.join(d, 'production/forum/folder.yaml')), rel: 'production/forum/folder.yaml', says: /is a folder named like a manifest file; rename it/ },
  { name: 'file over 8 MiB', setup: (d) => fs.writeFileSync(path.join(d, 'production/forum/big.yaml'), Buffer.alloc(8 * 1024 * 1024 + 1, 0x20)), rel: 'production/forum/big.yaml', says: /is 8388609 bytes; the limit is 8 MiB per file/ },
  { name: 'bytes that are not UTF-8', setup: (d) => fs.writeFileSync(path.join(d, 'production/forum/latin1.yaml'), Buffer.from('a: 1\nb: caf\xe9\n', 'latin1')), rel: 'production/forum/latin1.yaml:2', says: /is not valid UTF-8/ },
  { name: 'unreadable file (chmod 000)', setup: (d) => { const f = path.join(d, 'production/forum/locked.yaml'); fs.writeFileSync(f, CM('locked')); fs.chmodSync(f, 0o000); }, rel: 'production/forum/locked.yaml', says: /cannot be read: permission denied/, needsPermissions: true },
  { name: 'unreadable folder (chmod 000)', setup: (d) => { const f = path.join(d, 'production/locked'); fs.mkdirSync(f); fs.writeFileSync(path.join(f, 'x.yaml'), CM('x')); fs.chmodSync(f, 0o000); }, rel: 'production/locked', says: /cannot list this folder: permission denied/, needsPermissions: true },
];

/** Each reader returns the lines it reported for the tree (and must read good.yaml otherwise). */
const READERS: readonly [string, (dir: string) => string[]][] = [
  ['ocpkit validate', (dir) => {
    const report = validateTree(dir);
    expect(report.documents).toBe(1); // good.yaml is still validated
    return [...report.errors];
  }],
  ['ocpkit diff', (dir) => {
    let error: unknown;
    try {
      diffTrees(dir, dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DiffInputError);
    const lines = (error as Error).message.split('\n');
    expect(lines[0]).toMatch(/^1 problem in /);
    return lines.slice(1).map((l) => l.trim());
  }],
];

describe('class 6: each hazard is one line from each reader', () => {
  const cases = HAZARDS.flatMap((h) => READERS.map(([r, read]) => [h.needsPermissions && !ENFORCED ? `${h.name} [${SKIP_REASON}]` : h.name, r, h, read] as const));
  for (const [title, reader, h, read] of cases) {
    const run = h.needsPermissions && !ENFORCED ? test.skip : test;
    run(`${reader}: ${title}`, async () => {
      const dir = await tree(h.setup);
      const lines = read(dir);
      expect(lines).toHaveLength(1);
      const [line] = lines;
      expect(line).toContain(`${h.rel}: `);
      expect(line).toMatch(h.says);
      expect(line).not.toMatch(/\bat .*\(.*:\d+:\d+\)|Error:/);
    });
  }
});

describe('class 6: what the walker does read', () => {
  const CASES: readonly [string, (d: string, o: string) => void, string[], number][] = [
    ['plain tree', () => undefined, ['production/forum/good.yaml'], 0],
    ['a link to a file inside the tree is read under the link name', (d) => {
      fs.mkdirSync(path.join(d, 'store'));
      fs.writeFileSync(path.join(d, 'store/cm.txt'), CM('linked'));
      fs.symlinkSync('../../store/cm.txt', path.join(d, 'production/forum/linked.yaml'));
    }, ['production/forum/good.yaml', 'production/forum/linked.yaml'], 1],
    ['hidden folders and node_modules are skipped', (d) => {
      fs.mkdirSync(path.join(d, '.git'));
      fs.writeFileSync(path.join(d, '.git/x.yaml'), 'not: read');
      fs.mkdirSync(path.join(d, 'node_modules/p'), { recursive: true });
      fs.writeFileSync(path.join(d, 'node_modules/p/y.yml'), 'not: read');
    }, ['production/forum/good.yaml'], 0],
    ['other files are counted, not read', (d) => fs.writeFileSync(path.join(d, 'README.md'), '# x'), ['production/forum/good.yaml'], 1],
    ['a FIFO not named like a manifest is neither opened nor reported', (d) => mkfifo(path.join(d, 'production/fifo')), ['production/forum/good.yaml'], 0],
  ];
  test.each(CASES)('%s', async (_n, setup, files, others) => {
    const dir = await tree(setup);
    const scan = scanFolder(dir);
    expect(scan.problems).toEqual([]);
    expect(scan.files.map((f) => f.rel)).toEqual(files);
    expect(scan.others).toBe(others);
    expect([...readTree(dir).keys()]).toEqual(files);
  });
});

describe('class 6: the commands end with one line per problem and an exit code, never a trace', () => {
  const io = captureOutput();
  const hazards = async (d: string, o: string) => {
    fs.symlinkSync(o, path.join(d, 'production/escape'));
    fs.symlinkSync('..', path.join(d, 'production/forum/loop'));
    mkfifo(path.join(d, 'production/forum/pipe.yaml'));
    fs.mkdirSync(path.join(d, 'production/forum/folder.yaml'));
    fs.symlinkSync('gone.yaml', path.join(d, 'production/forum/dangling.yaml'));
  };
  const CASES: readonly [string, (dir: string) => string[], number][] = [
    ['validate', (dir) => ['validate', dir], 1],
    ['diff', (dir) => ['diff', dir, dir], 2],
  ];
  test.each(CASES)('ocpkit %s', async (_n, args, code) => {
    const dir = await tree(hazards);
    expect(await main(args(dir))).toBe(code);
    const text = `${io.stdout.mock.calls.join('')}${io.stderr.mock.calls.join('')}`;
    for (const rel of ['production/escape', 'production/forum/loop', 'production/forum/pipe.yaml', 'production/forum/folder.yaml', 'production/forum/dangling.yaml']) {
      expect(text.split('\n').filter((l) => l.includes(`${rel}: `))).toHaveLength(1);
    }
    expect(text).not.toMatch(/\n\s+at .*:\d+:\d+/);
  });
});

describe('class 6: file-system errors become one line (injected, so they run as root too)', () => {
  // the Node module itself (the `import * as` namespace is read-only); lib code reads through it
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const nodeFs = require('fs') as typeof fs;
  const eacces = (syscall: string, p: string) => Object.assign(new Error(`EACCES: permission denied, ${syscall} '${p}'`), { code: 'EACCES', errno: -13, syscall, path: p });
  const CASES: readonly [string, () => jest.SpyInstance, string, RegExp][] = [
    ['a file that cannot be opened', () => {
      const real = nodeFs.openSync;
      return jest.spyOn(nodeFs, 'openSync').mockImplementation(((p: fs.PathLike, ...rest: any[]) => {
        if (String(p).endsWith('good.yaml')) throw eacces('open', String(p));
        return (real as any)(p, ...rest);
      }) as any);
    }, 'production/forum/good.yaml', /cannot be read: permission denied$/],
    ['a folder that cannot be listed', () => {
      const real = nodeFs.readdirSync;
      return jest.spyOn(nodeFs, 'readdirSync').mockImplementation(((p: fs.PathLike, ...rest: any[]) => {
        if (String(p).endsWith('forum')) throw eacces('scandir', String(p));
        return (real as any)(p, ...rest);
      }) as any);
    }, 'production/forum', /cannot list this folder: permission denied$/],
  ];
  for (const [name, inject, rel, says] of CASES) {
    for (const [reader, read] of [
      ['ocpkit validate', (dir: string) => [...validateTree(dir).errors]],
      ['ocpkit diff', (dir: string) => {
        try {
          readTree(dir);
        } catch (e) {
          expect(e).toBeInstanceOf(DiffInputError);
          return (e as Error).message.split('\n').slice(1).map((l) => l.trim());
        }
        return [];
      }],
    ] as const) {
      test(`${reader}: ${name}`, async () => {
        const dir = await tree(() => undefined);
        const spy = inject();
        try {
          const lines = read(dir);
          expect(lines).toHaveLength(1);
          expect(lines[0]).toContain(`${rel}: `);
          expect(lines[0]).toMatch(says);
        } finally {
          spy.mockRestore();
        }
      });
    }
  }
});
