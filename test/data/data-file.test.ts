import { OcpkitError } from '../../lib/core/errors';
import { intRange } from '../../lib/core/rules';
import { DataFile } from '../../lib/data/data-file';

describe('DataFile', () => {
  test('typed readers return values and collect one problem per bad field', () => {
    const d = DataFile.parse('things.yaml', 'things:\n  - name: a\n    size: 3\n    on: true\n    tags: [x, y]\n  - name: b\n    size: "3"\n    on: maybe\n    tags: x\n    extra: 1\n');
    const [a, b] = d.list('things');
    expect([a.string('name'), a.number('size', { rule: intRange(1, 5) }), a.boolean('on'), a.stringList('tags')]).toEqual(['a', 3, true, ['x', 'y']]);
    expect(b.number('size')).toBeUndefined();
    expect(b.boolean('on')).toBeUndefined();
    expect(b.stringList('tags')).toBeUndefined();
    b.allowOnly(['name', 'size', 'on', 'tags']);
    expect(d.allProblems.map((p) => `${p.path} | ${p.field} | ${p.message}`)).toEqual([
      'things.yaml: things[1] (b) | size | must be a number, got "3"',
      'things.yaml: things[1] (b) | on | must be true or false, got "maybe"',
      'things.yaml: things[1] (b) | tags | must be a list of strings, got "x"',
      'things.yaml: things[1] (b) | extra | unknown field; allowed fields are name, size, on, tags',
    ]);
    expect(() => d.throwIfAny()).toThrow(OcpkitError);
    expect(() => d.throwIfAny()).toThrow(/^things.yaml has 4 problems:/);
  });

  test('nested mappings report the dotted field, rules report what is allowed', () => {
    const d = DataFile.parse('x.yaml', 'items:\n  - name: a\n    limits: { cpu: 7 }\n');
    const [e] = d.list('items');
    e.object('limits')!.number('cpu', { rule: intRange(1, 4) });
    expect(d.allProblems).toEqual([{ path: 'x.yaml: items[0] (a)', field: 'limits.cpu', message: '7 must be an integer from 1 to 4' }]);
  });

  test('a top level that is not a mapping, and a missing file', () => {
    expect(DataFile.parse('x.yaml', '- a\n').allProblems[0].message).toBe('the file must be a YAML mapping at the top level');
    expect(() => DataFile.load('/nonexistent/tenants.yaml')).toThrow(/\[tenants.yaml\] cannot read \/nonexistent\/tenants.yaml/);
  });

  test('a loaded file is kept parsed in the private cache; an edit, a broken file and a removed file are never served from it', () => {
    const fs = require('fs') as typeof import('fs');
    const os = require('os') as typeof import('os');
    const path = require('path') as typeof import('path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-datafile-'));
    const saved = process.env.OCPKIT_CACHE_DIR;
    process.env.OCPKIT_CACHE_DIR = path.join(dir, 'cache');
    try {
      const file = path.join(dir, 'tenants.yaml');
      fs.writeFileSync(file, 'tenants:\n  - name: a\n');
      expect(DataFile.load(file).content).toEqual({ tenants: [{ name: 'a' }] });
      const entries = fs.readdirSync(path.join(dir, 'cache', 'data'));
      expect(entries).toHaveLength(1);
      expect(DataFile.load(file).content).toEqual({ tenants: [{ name: 'a' }] });
      expect(fs.readdirSync(path.join(dir, 'cache', 'data'))).toEqual(entries); // a hit writes nothing
      fs.writeFileSync(file, 'tenants:\n  - name: b\n'); // same size, new content
      expect(DataFile.load(file).content).toEqual({ tenants: [{ name: 'b' }] });
      fs.writeFileSync(file, 'tenants: [\n');
      expect(() => DataFile.load(file)).toThrow(/\[tenants.yaml\]/);
      expect(() => DataFile.load(file)).toThrow(/\[tenants.yaml\]/);
      fs.rmSync(file);
      expect(() => DataFile.load(file)).toThrow(/cannot read .*: no such file/);
    } finally {
      if (saved === undefined) delete process.env.OCPKIT_CACHE_DIR;
      else process.env.OCPKIT_CACHE_DIR = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
