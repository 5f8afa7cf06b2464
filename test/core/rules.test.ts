import { OcpkitError, Problems } from '../../lib/core/errors';
import { dnsLabel, dnsSubdomain, duplicates, hostname, httpsUrl, httpUrl, intRange, oneOf } from '../../lib/core/rules';
import { SecretKey } from '../../lib/core/secret-key';

describe('rules', () => {
  test('dnsLabel', () => {
    expect(dnsLabel('forum')).toBeUndefined();
    expect(dnsLabel('a'.repeat(63))).toBeUndefined();
    expect(dnsLabel('a'.repeat(64))).toMatch(/not a DNS-1123 label/);
    expect(dnsLabel('Forum')).toMatch(/"Forum" is not a DNS-1123 label/);
    expect(dnsLabel('-x')).toBeDefined();
    expect(dnsLabel(42)).toBeDefined();
  });

  test('dnsSubdomain and hostname', () => {
    expect(dnsSubdomain('a.b-c')).toBeUndefined();
    expect(dnsSubdomain('a..b')).toBeDefined();
    expect(hostname('forum.example.org')).toBeUndefined();
    expect(hostname('localhost')).toMatch(/not a DNS host name/);
    expect(hostname('under_score.example.org')).toBeDefined();
  });

  test('urls', () => {
    expect(httpUrl('http://x.example.org/a.iso')).toBeUndefined();
    expect(httpUrl('ftp://x.example.org/a.iso')).toMatch(/not an http\(s\) URL/);
    expect(httpsUrl('http://gitlab.example.org')).toMatch(/not an https URL/);
    expect(httpsUrl('https://gitlab.example.org')).toBeUndefined();
  });

  test('intRange and oneOf', () => {
    expect(intRange(1, 4094)(4095)).toBe('4095 must be an integer from 1 to 4094');
    expect(intRange(1, 4094)(1.5)).toBeDefined();
    expect(intRange(1, 4094)(10)).toBeUndefined();
    expect(oneOf(['a', 'b'])('c')).toBe('"c" is not allowed; use one of "a", "b"');
  });

  test('duplicates', () => {
    expect(duplicates(['a', 'b', 'a', 'c', 'b'])).toEqual(['a', 'b']);
  });

  test('Problems collects and throws all together', () => {
    const p = new Problems('stack/thing');
    p.check('name', 'Bad', dnsLabel);
    p.add('port', 'must be set');
    expect(p.size).toBe(2);
    try {
      p.throwIfAny();
      throw new Error('not thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(OcpkitError);
      expect((e as OcpkitError).problems).toHaveLength(2);
      expect((e as Error).message).toMatch(/\[stack\/thing\] name: "Bad" is not a DNS-1123 label/);
      expect((e as Error).message).toMatch(/\[stack\/thing\] port: must be set/);
    }
  });

  test('SecretKey needs a key', () => {
    expect(SecretKey.of('db', 'password').toSelector()).toEqual({ name: 'db', key: 'password' });
    expect(() => SecretKey.of('db', '')).toThrow(/key: "" is not a Secret key/);
    expect(() => SecretKey.of('DB!', 'password')).toThrow(/secretName/);
  });
});
