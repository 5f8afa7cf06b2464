import { DataFile } from '../../lib/data/data-file';
import { OcpkitError } from '../../lib/core/errors';
import { Quantity } from '../../lib/core/quantity';
import { readTenants } from '../../lib/tenancy/tenant-file';

const parse = (yaml: string) => readTenants(DataFile.parse('tenants.yaml', yaml));
const entry = (over: string) => `tenants:
  - name: forum
    displayName: Forum
    groups: { admin: [forum-admins] }
    quota: { cpu: "2", memory: 4Gi, storage: 10Gi }
${over}`;

describe('tenants.yaml', () => {
  test('a valid file gives typed props', () => {
    const [t] = parse(entry(''));
    expect(t.name).toBe('forum');
    expect(t.quota.memory.toString()).toBe('4Gi');
    expect((t.quota.memory as Quantity).value).toBe(4 * 2 ** 30);
    expect(t.groups.admin).toEqual(['forum-admins']);
  });

  function problemsOf(yaml: string): string[] {
    try {
      parse(yaml);
    } catch (e) {
      expect(e).toBeInstanceOf(OcpkitError);
      return (e as Error).message.split('\n').slice(1).map((l) => l.trim());
    }
    throw new Error('no error');
  }

  test('invalid tenant name', () => {
    expect(problemsOf(entry('  - name: Bad_Name\n    displayName: X\n    groups: { admin: [a] }\n    quota: { cpu: "1", memory: 1Gi, storage: 1Gi }'))).toEqual([
      '[tenants.yaml: tenants[1] (Bad_Name)] name: "Bad_Name" is not a DNS-1123 label (lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters)',
    ]);
  });

  test('malformed quantity names the tenant and field', () => {
    const lines = problemsOf(entry('').replace('memory: 4Gi', 'memory: lots'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[tenants.yaml: tenants\[0\] \(forum\)\] quota.memory: "lots" is not a Kubernetes quantity/);
  });

  test('"8GB" gets a hint', () => {
    expect(problemsOf(entry('').replace('memory: 4Gi', 'memory: 8GB'))[0]).toMatch(/quota.memory: "8GB" .* write "8Gi"/);
  });

  test('duplicate tenant', () => {
    const lines = problemsOf(entry(`  - name: forum
    displayName: Forum again
    groups: { admin: [x] }
    quota: { cpu: "1", memory: 1Gi, storage: 1Gi }`));
    expect(lines).toEqual(['[tenants.yaml: tenants[1] (forum)] name: tenant "forum" is defined more than once (first at tenants.yaml: tenants[0] (forum))']);
  });

  test('groups entry that is not a list of names', () => {
    expect(problemsOf(entry('').replace('admin: [forum-admins]', 'admin: forum-admins'))[0]).toMatch(/\(forum\)\] groups.admin: must be a list of strings, got "forum-admins"/);
    expect(problemsOf(entry('').replace('admin: [forum-admins]', 'admin: [{ x: 1 }]'))[0]).toMatch(/groups.admin: must be a list of strings/);
  });

  test('missing required fields, all reported together', () => {
    const lines = problemsOf('tenants:\n  - name: wiki\n');
    expect(lines).toEqual([
      '[tenants.yaml: tenants[0] (wiki)] displayName: is required',
      '[tenants.yaml: tenants[0] (wiki)] groups: is required',
      '[tenants.yaml: tenants[0] (wiki)] quota: is required',
    ]);
  });

  test('labels must map strings to strings', () => {
    expect(parse(entry('').replace('displayName: Forum', 'displayName: Forum\n    labels: { team: web }'))[0].labels).toEqual({ team: 'web' });
    expect(problemsOf(entry('').replace('displayName: Forum', 'displayName: Forum\n    labels: { team: 3 }'))[0]).toMatch(/\(forum\)\] labels: must be a mapping of strings, got \{"team":3\}/);
  });

  test('unknown fields are typos, not ignored', () => {
    expect(problemsOf(entry('').replace('displayName: Forum', 'displayName: Forum\n    quotas: {}'))[0]).toMatch(/quotas: unknown field; allowed fields are/);
  });

  test('YAML syntax errors give the line', () => {
    expect(() => parse('tenants:\n  - name: [unclosed\n')).toThrow(/\[tenants.yaml\] YAML does not parse at line \d+/);
  });

  test('top level must hold a tenants list', () => {
    expect(() => parse('tenant: []')).toThrow(/\[tenants.yaml\] tenants: must be a list of entries/);
  });
});
