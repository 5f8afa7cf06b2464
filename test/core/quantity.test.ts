import { OcpkitError } from '../../lib/core/errors';
import { formatBytes, Quantity, quantityProblem } from '../../lib/core/quantity';

describe('Quantity', () => {
  test.each([
    ['500m', 0.5],
    ['2', 2],
    ['1.5', 1.5],
    ['8Gi', 8 * 2 ** 30],
    ['512Mi', 512 * 2 ** 20],
    ['1k', 1000],
    ['2T', 2e12],
    ['1e3', 1000],
  ])('parses %s', (text, value) => {
    const q = Quantity.parse(text);
    expect(q.value).toBeCloseTo(value);
    expect(q.toString()).toBe(text);
  });

  test('factories render the unit', () => {
    expect(Quantity.gibibytes(8).toString()).toBe('8Gi');
    expect(Quantity.millicores(250).toString()).toBe('250m');
    expect(Quantity.cores(2).value).toBe(2);
  });

  test('"8GB" is refused with what to write instead', () => {
    expect(quantityProblem('8GB')).toMatch(/"8GB" is not a Kubernetes quantity; write "8Gi" \(binary\) or "8G" \(decimal\)/);
    expect(() => Quantity.parse('8GB', 'vm/memory')).toThrow(OcpkitError);
    expect(() => Quantity.parse('8GB', 'vm/memory')).toThrow(/\[vm\/memory\].*8Gi/);
  });

  test.each(['lots', '', '2 Gi', '-1', 'Gi', '1.2.3'])('refuses %j', (bad) => {
    expect(quantityProblem(bad)).toBeDefined();
  });

  test('compares by value', () => {
    expect(Quantity.parse('1Gi').compare(Quantity.parse('1024Mi'))).toBe(0);
    expect(Quantity.parse('500m').compare(Quantity.parse('1'))).toBeLessThan(0);
  });

  test('formatBytes uses the largest exact binary unit', () => {
    expect(formatBytes(12 * 2 ** 30)).toBe('12Gi');
    expect(formatBytes(1536 * 2 ** 20)).toBe('1536Mi');
  });
});

describe('quantities out of range', () => {
  test.each(['1e400', '1E19', '9Ei', '10000000000000000000'])('%s is refused as too large', (q) => {
    expect(quantityProblem(q)).toMatch(/is too large; a quantity must be at most 2\^63-1 base units/);
  });
  test.each(['1e18', '7Ei', '9223372036854775807'])('%s is within range', (q) => {
    expect(quantityProblem(q)).toBeUndefined();
  });
  test('a number beyond range is refused too', () => {
    expect(quantityProblem(1e400)).toMatch(/is not a Kubernetes quantity/);
    expect(quantityProblem(1e19)).toMatch(/is not a Kubernetes quantity/);
  });
});

test.each([['1E', 1e18], ['1Ei', 2 ** 60], ['2e3', 2000], ['5E-1', 0.5]])('%s is %d base units (exa suffixes are not exponents)', (q, v) => {
  expect(Quantity.parse(q).value).toBe(v);
});
