import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cachedDataFile } from '../../lib/schema/_data-cache';

describe('cachedDataFile (parsed data files kept in the private cache)', () => {
  let dir: string;
  let saved: string | undefined;
  let file: string;
  let parser: string;
  let calls: number;
  const parse = (f: string) => {
    calls++;
    return JSON.parse(fs.readFileSync(f, 'utf8').replace(/^#.*\n/gm, ''));
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-data-cache-'));
    saved = process.env.OCPKIT_CACHE_DIR;
    process.env.OCPKIT_CACHE_DIR = path.join(dir, 'cache');
    file = path.join(dir, 'catalog.yaml');
    fs.writeFileSync(file, '# a comment\n{"packages": [{"name": "a", "channels": ["stable"], "replicas": 2, "ok": true, "note": null}]}\n');
    parser = path.join(dir, 'parser.js');
    fs.writeFileSync(parser, '// parser v1\n');
    calls = 0;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.OCPKIT_CACHE_DIR;
    else process.env.OCPKIT_CACHE_DIR = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the second read answers the same data without parsing, from a private entry', () => {
    const first = cachedDataFile(file, parse, parser);
    expect(calls).toBe(1);
    expect(cachedDataFile(file, parse, parser)).toEqual(first);
    expect(calls).toBe(1);
    const entries = fs.readdirSync(path.join(dir, 'cache', 'data'));
    expect(entries).toHaveLength(1);
    expect(fs.statSync(path.join(dir, 'cache', 'data', entries[0])).mode & 0o077).toBe(0);
  });

  test('a changed file or a changed parser is parsed again', () => {
    cachedDataFile(file, parse, parser);
    fs.writeFileSync(file, '{"packages": []}\n');
    expect(cachedDataFile(file, parse, parser)).toEqual({ packages: [] });
    expect(calls).toBe(2);
    fs.writeFileSync(parser, '// parser v2\n');
    cachedDataFile(file, parse, parser);
    expect(calls).toBe(3);
    // what the parser depends on (js-yaml's package.json for YAML data files) keys the entry too
    const library = path.join(dir, 'library-package.json');
    fs.writeFileSync(library, '{"version": "4.1.0"}\n');
    cachedDataFile(file, parse, parser, [library]);
    cachedDataFile(file, parse, parser, [library]);
    expect(calls).toBe(4);
    fs.writeFileSync(library, '{"version": "4.1.1"}\n');
    cachedDataFile(file, parse, parser, [library]);
    expect(calls).toBe(5);
  });

  test('a tampered entry is not used', () => {
    cachedDataFile(file, parse, parser);
    const data = path.join(dir, 'cache', 'data');
    const [entry] = fs.readdirSync(data);
    const text = fs.readFileSync(path.join(data, entry), 'utf8');
    fs.writeFileSync(path.join(data, entry), text.replace('"stable"', '"evil!!"'), { mode: 0o600 });
    expect(cachedDataFile(file, parse, parser).packages[0].channels).toEqual(['stable']);
    expect(calls).toBe(2);
  });

  test('errors and data JSON cannot hold are never cached', () => {
    const failing = () => {
      calls++;
      throw new Error('bad line 3');
    };
    expect(() => cachedDataFile(file, failing, parser)).toThrow('bad line 3');
    expect(() => cachedDataFile(file, failing, parser)).toThrow('bad line 3');
    const odd = () => {
      calls++;
      return { when: new Date(0), missing: undefined };
    };
    cachedDataFile(file, odd, parser);
    expect(cachedDataFile(file, odd, parser).when).toBeInstanceOf(Date);
    expect(calls).toBe(4);
  });

  test('OCPKIT_CACHE_DIR=off parses every time and writes nothing', () => {
    process.env.OCPKIT_CACHE_DIR = 'off';
    cachedDataFile(file, parse, parser);
    cachedDataFile(file, parse, parser);
    expect(calls).toBe(2);
    expect(fs.existsSync(path.join(dir, 'cache'))).toBe(false);
  });

  test('the retired compiled-validator cache is removed, file by file as it named them; anything else stays', () => {
    const root = path.join(dir, 'cache');
    const old = path.join(root, 'validators');
    fs.mkdirSync(old, { recursive: true, mode: 0o700 });
    fs.chmodSync(root, 0o700);
    const entry = `${'a'.repeat(64)}.js`;
    const v8 = `${'b'.repeat(64)}.11.3.244.8-node.38.v8`;
    for (const f of [entry, v8, 'notes.txt']) fs.writeFileSync(path.join(old, f), 'x', { mode: 0o600 });
    jest.isolateModules(() => {
      const { cachedDataFile: fresh } = require('../../lib/schema/_data-cache') as typeof import('../../lib/schema/_data-cache');
      fresh(file, parse, parser);
    });
    expect(fs.readdirSync(old)).toEqual(['notes.txt']);
    fs.rmSync(path.join(old, 'notes.txt'));
    for (const f of [entry, v8]) fs.writeFileSync(path.join(old, f), 'x', { mode: 0o600 });
    jest.isolateModules(() => {
      const { cachedDataFile: fresh } = require('../../lib/schema/_data-cache') as typeof import('../../lib/schema/_data-cache');
      fresh(file, parse, parser);
    });
    expect(fs.existsSync(old)).toBe(false);
  });
});
