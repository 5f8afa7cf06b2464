/**
 * Issue 11, class 5: hostile YAML is refused quickly, by every reader, with one line naming the
 * file and the line. Readers: DataFile (tenants.yaml, vms.yaml, the release train), `ocpkit
 * validate`, `ocpkit diff` (its trees and its ignore file) and YAML strings in GitLab values.
 * No test here measures time: the billion-laughs cases assert that the document is refused for
 * its aliases (before the fix, `ocpkit diff` spent ~50 s and 3 GB on the 500-byte file, and
 * DataFile with `resolve` ran out of memory).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { validateTree } from '../../lib/check/validate-tree';
import { OcpkitError } from '../../lib/core/errors';
import { firstInvalidUtf8, loadAllYaml, loadYaml, YamlInputError } from '../../lib/core/safe-yaml';
import { DataFile } from '../../lib/data/data-file';
import { DiffInputError } from '../../lib/diff/diff-input-error';
import { diffTrees } from '../../lib/diff/diff-trees';
import { IgnoreList } from '../../lib/diff/ignore-list';
import { concatYamlLists } from '../../lib/gitlab/_values';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { ReleaseTrain } from '../../lib/gitops/release-train';
import { HostBridge } from '../../lib/network';
import { ExternalImage, ContainerApp } from '../../lib/openshift';
import { Quantity } from '../../lib/core/quantity';
import { readTenants, Tenant } from '../../lib/tenancy';
import { synth, testCluster } from '../_helpers';

const roots: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-hostile-'));
  roots.push(d);
  return d;
}
afterAll(() => roots.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Writes `content` as `name` in a fresh folder (with `sub` folders) and returns its path. */
function put(content: string | Buffer, name: string, sub = ''): { dir: string; file: string } {
  const dir = tmp();
  fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const file = path.join(dir, sub, name);
  fs.writeFileSync(file, content);
  return { dir, file };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/**
 * A reader: reads `content` where it reads from, and returns the one line it reports. It fails
 * the test when the reader accepts the input, throws the wrong type or reports more than one line.
 */
interface Reader {
  readonly name: string;
  /** True when it reads bytes from a file (so can be given invalid UTF-8). */
  readonly bytes: boolean;
  readonly read: (content: string | Buffer) => string;
}

function oneProblem(e: unknown): string {
  if (!(e instanceof OcpkitError)) throw new Error(`expected an OcpkitError, got ${String(e)}`);
  expect(e.problems).toHaveLength(1);
  return `${e.problems[0].path}: ${e.problems[0].message}`;
}

function oneDiffLine(e: unknown): string {
  if (!(e instanceof DiffInputError)) throw new Error(`expected a DiffInputError, got ${String(e)}`);
  const lines = e.message.split('\n');
  // a heading naming the tree plus exactly one problem line, or the problem itself
  expect(lines.length).toBeLessThanOrEqual(2);
  expect(e.message).not.toMatch(/\n\s+at /);
  return lines[lines.length - 1].trim();
}

const READERS: readonly Reader[] = [
  { name: 'DataFile.load (tenants.yaml)', bytes: true, read: (c) => oneProblem(thrown(() => DataFile.load(put(c, 'tenants.yaml').file))) },
  { name: 'DataFile.parse (text)', bytes: false, read: (c) => oneProblem(thrown(() => DataFile.parse('vms.yaml', String(c)))) },
  {
    name: 'ocpkit validate',
    bytes: true,
    read: (c) => {
      const report = validateTree(put(c, 'x.yaml', 'production/app').dir);
      expect(report.errors).toHaveLength(1);
      expect(report.documents).toBe(0);
      return report.errors[0];
    },
  },
  { name: 'ocpkit diff (tree)', bytes: true, read: (c) => oneDiffLine(thrown(() => diffTrees(tmp(), put(c, 'x.yaml', 'production/app').dir))) },
  { name: 'ocpkit diff (json file)', bytes: true, read: (c) => oneDiffLine(thrown(() => diffTrees(tmp(), put(c, 'x.json', 'production/app').dir))) },
  { name: 'ocpkit diff (ignore file)', bytes: true, read: (c) => oneDiffLine(thrown(() => IgnoreList.load(put(c, '.ocpkit-diff-ignore.yaml').file))) },
  {
    name: 'GitLab values YAML string',
    bytes: false,
    read: (c) => {
      const e = thrown(() => concatYamlLists('gitlab.webservice.extraVolumes', undefined, String(c)));
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).not.toContain('\n');
      return (e as Error).message;
    },
  },
];

const laughs = (levels: number) => {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(',')}]`);
  return `${lines.join('\n')}\n`;
};

/** Hostile inputs and what the refusal must say (the line number comes first: `:N:` or `line N:`). */
const HOSTILE: readonly { name: string; content: string | Buffer; says: RegExp; bytesOnly?: boolean }[] = [
  { name: 'billion laughs (9 levels, 530 bytes)', content: laughs(8), says: /\b5: aliases expand to more than 100000 nodes \(at \*a3\).*billion laughs/ },
  { name: 'billion laughs in flow style on one line', content: `{a: &a [x,x,x,x,x,x,x,x,x,x], b: &b [${Array(10).fill('*a').join(',')}], c: &c [${Array(10).fill('*b').join(',')}], d: &d [${Array(10).fill('*c').join(',')}], e: &e [${Array(10).fill('*d').join(',')}], f: [${Array(10).fill('*e').join(',')}]}\n`, says: /\b1: aliases expand to more than 100000 nodes \(at \*d\)/ },
  { name: 'alias bomb through merge keys', content: `base: &b0 {${Array.from({ length: 100 }, (_, i) => `k${i}: [1,2,3,4,5,6,7,8,9,10]`).join(', ')}}\n${Array.from({ length: 120 }, (_, i) => `m${i}: {<<: *b0}`).join('\n')}\n`, says: /aliases expand to more than 100000 nodes \(at \*b0\)/ },
  { name: 'alias to a node that contains it (a cycle)', content: 'top:\n  a: &a\n    b: *a\n', says: /\b3: alias \*a refers to a node that contains it \(a cycle\)/ },
  { name: 'cycle through a sequence', content: 'x: &s [1, [2, *s]]\n', says: /\b1: alias \*s refers to a node that contains it/ },
  { name: '__proto__ key', content: 'ok: 1\n__proto__:\n  polluted: true\n', says: /\b2: key "__proto__" is not allowed/ },
  { name: 'quoted constructor key, nested', content: 'a:\n  b:\n    "constructor": x\n', says: /\b3: key "constructor" is not allowed/ },
  { name: 'prototype key in a flow mapping', content: 'a: {x: 1, prototype: 2}\n', says: /\b1: key "prototype" is not allowed/ },
  { name: 'explicit key ? constructor', content: 'a: 1\nb:\n  ? constructor\n  : 2\n', says: /\b2: key "constructor" is not allowed/ }, // reported where its mapping starts
  { name: 'JSON __proto__ key', content: '{"ok": 1,\n "__proto__": {"polluted": true}}\n', says: /\b2: key "__proto__" is not allowed/ },
  { name: 'nesting deeper than 100', content: `${'['.repeat(150)}${']'.repeat(150)}\n`, says: /maxDepth \(100\)/ },
  { name: 'document over 8 MiB', content: `a: "${'x'.repeat(8 * 1024 * 1024)}"\n`, says: /is 83886\d\d bytes; the limit is 8 MiB per (file|document)/ },
  { name: 'invalid UTF-8 (a Latin-1 byte)', content: Buffer.concat([Buffer.from('a: ok\nb: caf'), Buffer.from([0xe9]), Buffer.from('\n')]), says: /\b2: is not valid UTF-8 \(byte 0xe9 at offset 12\)/, bytesOnly: true },
  { name: 'invalid UTF-8 (an encoded surrogate)', content: Buffer.concat([Buffer.from('a: 1\nb: 2\nc: '), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\n')]), says: /\b3: is not valid UTF-8 \(byte 0xed/, bytesOnly: true },
];

describe('class 5: every reader refuses hostile YAML with one line naming the line', () => {
  const cases = READERS.flatMap((r) => HOSTILE.filter((h) => r.bytes || !h.bytesOnly).map((h) => [r.name, h.name, r, h] as const));
  test.each(cases)('%s: %s', (_r, _h, reader, hostile) => {
    const line = reader.read(hostile.content);
    expect(line).toMatch(hostile.says);
    expect(line).not.toMatch(/\n/);
  });
});

describe('class 5: data files that are not regular files are refused before they are opened', () => {
  const CASES: readonly [string, (dir: string) => string, RegExp][] = [
    ['a FIFO (opening it would wait for a writer forever)', (d) => {
      const f = path.join(d, 'tenants.yaml');
      execFileSync('mkfifo', [f]);
      return f;
    }, /^tenants\.yaml: is not a regular file \(a named pipe\); not read$/],
    ['a folder', (d) => {
      fs.mkdirSync(path.join(d, 'tenants.yaml'));
      return path.join(d, 'tenants.yaml');
    }, /is not a regular file \(a folder\)/],
    ['a missing file', (d) => path.join(d, 'tenants.yaml'), /cannot read .*tenants\.yaml: no such file$/],
    ['a dangling link', (d) => {
      fs.symlinkSync('gone.yaml', path.join(d, 'tenants.yaml'));
      return path.join(d, 'tenants.yaml');
    }, /cannot read .*tenants\.yaml: no such file$/],
  ];
  test.each(CASES)('%s', (_n, make, says) => {
    const line = oneProblem(thrown(() => DataFile.load(make(tmp()))));
    expect(line).toMatch(says);
  });
});

describe('class 5: legitimate YAML is still read', () => {
  const OK: readonly { name: string; text: string; value: unknown }[] = [
    { name: 'aliases within the budget (a shared group list)', text: 'groups: &g [a, b]\nt1: {groups: *g}\nt2: {groups: *g}\n', value: { groups: ['a', 'b'], t1: { groups: ['a', 'b'] }, t2: { groups: ['a', 'b'] } } },
    { name: 'merge keys', text: 'base: &b {cpu: "1"}\nforum: {<<: *b, memory: 1Gi}\n', value: { base: { cpu: '1' }, forum: { cpu: '1', memory: '1Gi' } } },
    { name: 'prototype names as values', text: 'name: constructor\nother: [__proto__, prototype, toString]\n', value: { name: 'constructor', other: ['__proto__', 'prototype', 'toString'] } },
    { name: 'other Object.prototype names as keys', text: 'toString: 1\nvalueOf: 2\nhasOwnProperty: 3\n', value: { toString: 1, valueOf: 2, hasOwnProperty: 3 } },
    { name: 'a key that only starts like one', text: 'constructors: 1\n__proto__x: 2\n', value: { constructors: 1, __proto__x: 2 } },
    { name: 'a value followed by a comment with a colon', text: 'a: constructor # note: fine\n', value: { a: 'constructor' } },
    { name: 'a leading BOM', text: '\ufeffa: 1\n', value: { a: 1 } },
    { name: 'nesting of 90', text: `${'['.repeat(90)}${']'.repeat(90)}\n`, value: JSON.parse(`${'['.repeat(90)}${']'.repeat(90)}`) },
  ];
  test.each(OK.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    expect(loadYaml(c.text)).toEqual(c.value);
    expect(DataFile.parse('x.yaml', c.text).content).toEqual(c.value);
  });

  test('a budget counts across the documents of a stream, and a smaller budget is honoured', () => {
    expect(loadAllYaml('a: &a [1, 2]\nb: *a\n---\nc: 1\n')).toHaveLength(2);
    const e = thrown(() => loadYaml('a: &a [1, 2, 3]\nb: [*a, *a]\n', { limits: { maxAliasNodes: 5 } }));
    expect(e).toBeInstanceOf(YamlInputError);
    expect((e as YamlInputError).line).toBe(2);
  });
});

describe('class 5: invalid UTF-8 is located exactly', () => {
  const CASES: readonly [string, number[], number][] = [
    ['valid ASCII and multibyte', [0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], 10],
    ['lone continuation byte', [0x61, 0x80], 1],
    ['overlong two-byte form', [0xc0, 0x80], 0],
    ['overlong three-byte form', [0x61, 0xe0, 0x80, 0x80], 1],
    ['encoded surrogate', [0xed, 0xa0, 0x80], 0],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['truncated at the end', [0x61, 0x62, 0xe2, 0x82], 2],
    ['0xFF', [0x0a, 0xff], 1],
  ];
  test.each(CASES)('%s', (_n, bytes, offset) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(offset);
    const decodes = (() => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
        return true;
      } catch {
        return false;
      }
    })();
    expect(decodes).toBe(offset === bytes.length);
  });
});

describe('class 5: a BOM is read the same by every reader', () => {
  const BOM = '\ufeff';
  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: forum\ndata:\n  a: "1"\n';
  const CASES: readonly [string, () => void][] = [
    ['DataFile.load', () => {
      const text = 'tenants:\n  - name: forum\n';
      expect(DataFile.load(put(`${BOM}${text}`, 'tenants.yaml').file).content).toEqual(DataFile.load(put(text, 'tenants.yaml').file).content);
    }],
    ['DataFile.parse', () => expect(DataFile.parse('t.yaml', `${BOM}a: 1\n`).content).toEqual({ a: 1 })],
    ['ocpkit validate', () => {
      const plain = validateTree(put(cm, 'cm.yaml', 'p/a').dir);
      const bom = validateTree(put(`${BOM}${cm}`, 'cm.yaml', 'p/a').dir);
      expect(bom.errors).toEqual(plain.errors);
      expect(bom.documents).toBe(1);
    }],
    ['ocpkit diff: a BOM added to a file is no change (fast reader)', () => {
      const r = diffTrees(put(cm, 'cm.yaml', 'p/a').dir, put(`${BOM}${cm}`, 'cm.yaml', 'p/a').dir);
      expect(r.changes).toEqual([]);
      expect(r.summary.unchanged).toBe(1);
    }],
    ['ocpkit diff: JSON with a BOM', () => {
      const json = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'forum' }, data: { a: '1' } });
      const r = diffTrees(put(cm, 'cm.yaml', 'p/a').dir, put(`${BOM}${json}`, 'cm.yaml', 'p/a').dir);
      expect(r.changes).toEqual([]);
    }],
    ['ocpkit diff: ignore file', () => {
      const text = 'ignore:\n  - kind: ConfigMap\n';
      expect(IgnoreList.load(put(`${BOM}${text}`, 'i.yaml').file).rules).toEqual(IgnoreList.load(put(text, 'i.yaml').file).rules);
    }],
    ['GitLab values YAML string', () => expect(concatYamlLists('f', undefined, `${BOM}- name: x\n  emptyDir: {}\n`)).toBe('- name: x\n  emptyDir: {}\n')],
  ];
  test.each(CASES)('%s', (_n, run) => run());
});

describe('class 5: names that are Object.prototype members work', () => {
  const quota = { cpu: Quantity.parse('1'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi') };
  // [construct id, Kubernetes name]: ids may be any string, names are DNS labels (lowercase)
  const NAMES: readonly [string, string][] = [
    ['toString', 'constructor'],
    ['constructor', 'tostring'],
    ['valueOf', 'valueof'],
    ['hasOwnProperty', 'hasownproperty'],
    ['__proto__', 'isprototypeof'],
    ['__defineGetter__', 'proto'],
  ];
  test.each(NAMES)('construct id %s, tenant, workload and app named %s synthesize', (id, name) => {
    const cluster = testCluster();
    const tenant = new Tenant(cluster, id, { name, displayName: name, groups: { admin: ['admins'] }, quota });
    new ContainerApp(tenant, id, { name, image: ExternalImage.tag('quay.io/x/y', '1'), memory: Quantity.parse('128Mi') });
    new GitOpsApp(cluster, `${id}App`, { name: `${name}-app` });
    expect(cluster.node.tryFindChild(id)).toBe(tenant);
    const r = synth(cluster);
    const ns = r.objects.filter((o) => o.manifest.kind === 'Namespace' && o.manifest.metadata.name === name);
    expect(ns).toHaveLength(1);
    expect(r.objects.some((o) => o.manifest.kind === 'Deployment' && o.manifest.metadata.name === name && o.manifest.metadata.namespace === name)).toBe(true);
  });

  test.each(NAMES.map(([, n]) => n))('tenants.yaml with a tenant named %s', (name) => {
    const file = DataFile.parse('tenants.yaml', `tenants:\n  - name: ${name}\n    displayName: x\n    groups: {admin: [a]}\n    quota: {cpu: "1", memory: 1Gi, storage: 1Gi}\n`);
    const [props] = readTenants(file);
    expect(props.name).toBe(name);
    const cluster = testCluster();
    new Tenant(cluster, name, props);
    expect(synth(cluster).objects.some((o) => o.manifest.kind === 'Namespace' && o.manifest.metadata.name === name)).toBe(true);
  });

  const trainFile = put('environments:\n  staging:\n    toString: a\n    images.web: w\n  production:\n    toString: b\n    images.web: v\n', 'versions.yaml').file;
  const TRAIN: readonly [string, () => void][] = [
    ['an environment named constructor is not found', () => expect(() => ReleaseTrain.load(trainFile, 'constructor')).toThrow(/has no entry for environment "constructor"/)],
    ['an environment named toString is not found', () => expect(() => ReleaseTrain.load(trainFile, 'toString')).toThrow(OcpkitError)],
    ['a pin named toString is read', () => expect(ReleaseTrain.load(trainFile, 'production').get('toString')).toBe('b')],
    ['an unpinned valueOf is an error, not a function', () => expect(() => ReleaseTrain.load(trainFile, 'staging').get('valueOf')).toThrow(/valueOf: is not pinned/)],
    ['lookup of hasOwnProperty is undefined', () => expect(ReleaseTrain.load(trainFile, 'staging').lookup('hasOwnProperty')).toBeUndefined()],
    ['a pin named constructor is refused by the reader', () => expect(() => ReleaseTrain.load(put('environments:\n  a:\n    constructor: x\n', 'versions.yaml').file, 'a')).toThrow(/\[versions.yaml\] line 3: key "constructor" is not allowed/)],
  ];
  test.each(TRAIN)('release train: %s', (_n, run) => run());

  test('HostBridges: a node label key named constructor does not make two selectors disjoint', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'Net', { name: 'net' });
    const a = new HostBridge(app, 'A', { bridgeName: 'br-a', bond: { name: 'bond0', ports: ['ens1'] }, nodeSelector: { constructor: 'x' } });
    const b = new HostBridge(app, 'B', { bridgeName: 'br-b', bond: { name: 'bond1', ports: ['ens2'] }, nodeSelector: { 'node-role.kubernetes.io/worker': '' } });
    expect(a.mayShareNodesWith(b)).toBe(true);
    expect(b.mayShareNodesWith(a)).toBe(true);
  });
});
