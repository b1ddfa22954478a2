// The one parser of Go durations and Kubernetes quantities (generators/environment/units.ts): what the
// environment files, the rendered configs and the policies all read with.
import { describe, expect, it } from 'vitest';
import { Duration, Quantity, UNIT_PATTERNS, goMemLimit } from '../generators/environment/units';

describe('Duration', () => {
  it("parses Go durations, compound ones and Go's bare zero", () => {
    expect(Duration.parse('5m0s').seconds).toBe(300);
    expect(Duration.parse('1h30m').seconds).toBe(5400);
    expect(Duration.parse('250ms').seconds).toBe(0.25);
    expect(Duration.parse('336h').days).toBe(14);
    expect(Duration.parse('1.5h').seconds).toBe(5400);
    expect(Duration.parse('0').seconds).toBe(0);
    expect(Duration.parse('72h').text).toBe('72h');
  });

  it('refuses what Go refuses: no "d" unit, no spaces, no bare numbers but 0', () => {
    for (const bad of ['5 minutes', '14d', '10', '', 'h', '1h 30m', '-5m']) expect(() => Duration.parse(bad), bad).toThrow(/not a Go duration/);
  });

  it('accepts exactly what the schema pattern accepts', () => {
    const pattern = new RegExp(UNIT_PATTERNS.goDuration);
    for (const d of ['336h', '1h30m', '250ms', '1.5h', '10us', '3µs']) {
      expect(pattern.test(d), d).toBe(true);
      expect(() => Duration.parse(d), d).not.toThrow();
    }
  });
});

describe('Quantity', () => {
  it('parses CPU and byte quantities into cores and bytes', () => {
    expect(Quantity.parse('500m').value).toBe(0.5);
    expect(Quantity.parse('2').value).toBe(2);
    expect(Quantity.parse(2).value).toBe(2);
    expect(Quantity.parse('512Mi').value).toBe(512 * 2 ** 20);
    expect(Quantity.parse('50Gi').gibibytes).toBe(50);
    expect(Quantity.parse('1.5G').value).toBe(1.5e9);
    expect(Quantity.parse('4Gi').text).toBe('4Gi');
  });

  it('refuses other suffixes and forms', () => {
    for (const bad of ['2Gib', '1 Gi', 'Mi', '-1Gi', '1e3']) expect(() => Quantity.parse(bad), bad).toThrow(/not a Kubernetes quantity/);
  });

  it('GOMEMLIMIT is a fraction of the memory limit, in MiB', () => {
    expect(goMemLimit(Quantity.parse('2Gi'))).toBe('1843MiB');
    expect(goMemLimit(Quantity.parse('512Mi'), 0.8)).toBe('409MiB');
  });
});
