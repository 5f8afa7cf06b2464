import { GoDuration, durationProblem, durationRule } from '../../lib/backup';

describe('GoDuration', () => {
  test('renders Go durations', () => {
    expect(GoDuration.days(30).toGoString()).toBe('720h0m0s');
    expect(GoDuration.hours(1.5).toGoString()).toBe('1h30m0s');
    expect(GoDuration.minutes(10).toGoString()).toBe('10m0s');
    expect(GoDuration.fromString('1h30m').seconds).toBe(5400);
    expect(GoDuration.fromString('45s').toGoString()).toBe('45s');
  });

  test.each(['720h', '1h30m', '90m', '1.5h', '500ms'])('accepts %s', (v) => expect(durationProblem(v)).toBeUndefined());

  test.each([
    ['30d', /Go durations have no days; write "720h"/],
    ['2 weeks', /no weeks; write "336h"/],
    ['720', /write a number and a unit/],
    ['h', /write a number and a unit/],
    ['', /is not a duration/],
  ])('refuses %j', (v, re) => expect(durationProblem(v)).toMatch(re));

  test('durationRule enforces a minimum and the type', () => {
    const rule = durationRule(3600, 'backup TTL');
    expect(rule(GoDuration.minutes(10))).toMatch(/"10m" is too short; a backup TTL must be at least 1h/);
    expect(rule('720h')).toMatch(/must be a GoDuration/);
    expect(rule(GoDuration.days(1))).toBeUndefined();
  });
});
