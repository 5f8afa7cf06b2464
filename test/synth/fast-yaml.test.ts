import fc from 'fast-check';
import * as yaml from 'js-yaml';
import { fastDump } from '../../lib/synth/_yaml';

const OPTIONS = { noRefs: true, lineWidth: -1, sortKeys: false };
const jsYaml = (v: unknown) => yaml.dump(v, OPTIONS);

/** Characters and whole strings that change how YAML quotes a scalar. */
const CHARS = ['a', 'Z', 'y', 'n', '0', '7', ' ', ':', '#', '-', '?', "'", '"', '\n', '.', '_', '/', '~', '<', '+', 'e', 'x', 'é', '\u2028', '\t', '[', '{', ',', '!', '&', '*', '|', '>', '%', '@', '`', '\u0085', '\u{1F600}', '\u0007', '\r'];
const WORDS = ['', 'yes', 'No', 'ON', 'null', 'Null', '~', 'true', 'FALSE', '0x1F', '0o17', '0b101', '1_000', '.inf', '-.Inf', '.NaN', '<<', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '1:30', '190:20:30', '1e3', '+12', '-0', '3.14', 'web', 'quay.io/x/y:1.2', 'a: b', 'a #b', 'a#b', '- x', ' lead', 'trail ', 'line\n', 'two\nlines', '\n lead', 'keep\n\n', '\n'];
const text = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.array(fc.constantFrom(...CHARS), { maxLength: 12 }).map((cs) => cs.join('')),
);
const scalar = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.double(), fc.constant(-0), fc.constant(undefined));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ maxDepth: 4 }, scalar, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(text, tie('node'), { maxKeys: 4 })),
})).node;

describe('fastDump', () => {
  test('writes exactly what js-yaml writes, or declines', () => {
    fc.assert(fc.property(value, (v) => {
      const fast = fastDump(v);
      if (fast !== undefined) expect(fast).toBe(jsYaml(v));
    }), { numRuns: 3000 });
  });

  test('handles every document of plain JSON with printable strings', () => {
    const printable = fc.array(fc.constantFrom(...CHARS.filter((c) => !['\u0085', '\u0007', '\r', '\t', '\u2028'].includes(c))), { maxLength: 12 }).map((cs) => cs.join(''));
    const json = fc.letrec((tie) => ({
      node: fc.oneof({ maxDepth: 4 }, printable, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(printable.filter((k) => !k.includes('\n')), tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(fc.property(json, (v) => {
      expect(fastDump(v)).toBe(jsYaml(v));
    }), { numRuns: 3000 });
  });

  test('a manifest: nested mappings, sequences, quoting and a literal block', () => {
    const manifest = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { annotations: { 'a/b': '[{"x":1}]', empty: '' }, labels: {}, name: 'cfg' },
      data: { 'app.conf': 'listen 8080\n  nested: yes\n', port: '8080', flag: 'on', list: [] },
      spec: { items: [{ a: 1, b: [true, null] }, ['x', 'y'], 'no'] },
    };
    expect(fastDump(manifest)).toBe(jsYaml(manifest));
    expect(fastDump(manifest)).toContain("port: '8080'\n");
    expect(fastDump(manifest)).toContain('app.conf: |\n    listen 8080\n      nested: yes\n');
  });

  test('declines what it does not reproduce', () => {
    expect(fastDump({ a: 1.5 })).toBeUndefined();
    expect(fastDump({ a: 'bell\u0007' })).toBeUndefined();
    expect(fastDump({ a: new Date(0) })).toBeUndefined();
    expect(fastDump({ ['k'.repeat(1100)]: 1 })).toBeUndefined();
  });
});
