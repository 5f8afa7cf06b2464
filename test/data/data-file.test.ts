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
});
