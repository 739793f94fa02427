import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpretFlags, severityOf, severityRank, type Interpretation } from './interpret.js';

describe('interpretFlags (HL7 table 0078)', () => {
  it.each<[string[], Interpretation | null]>([
    [['N'], 'normal'],
    [['L'], 'low'],
    [['H'], 'high'],
    [['LL'], 'critical-low'],
    [['HH'], 'critical-high'],
    [['A'], 'abnormal'],
    [['AA'], 'critical-abnormal'],
    [['<'], 'below-absolute-low'],
    [['>'], 'above-absolute-high'],
    [[], null],
    [[''], null],
  ])('reads %j as %s', (flags, expected) => {
    expect(interpretFlags(flags)).toBe(expected);
  });

  it.each<[string[], Interpretation]>([
    [['C'], 'critical-abnormal'],
    [['CRIT'], 'critical-abnormal'],
    [['critical'], 'critical-abnormal'],
    [['PANIC'], 'critical-abnormal'],
    [['PAN'], 'critical-abnormal'],
    [['CR'], 'critical-abnormal'],
    [['CH'], 'critical-high'],
    [['CL'], 'critical-low'],
    [['Critical High'], 'critical-high'],
    [['panic  low'], 'critical-low'],
    [['H', 'C'], 'critical-high'],
    [['C', 'L'], 'critical-low'],
    [['>', 'PANIC'], 'critical-high'],
    [['<', 'CRIT'], 'critical-low'],
    [['H', 'L', 'C'], 'critical-abnormal'],
  ])('reads the senders\' critical text %j as %s', (flags, expected) => {
    expect(interpretFlags(flags)).toBe(expected);
  });

  it.each<[string[], Interpretation | null]>([
    [['h'], 'high'],
    [[' HH '], 'critical-high'],
    [['High'], 'high'],
    [['LOW'], 'low'],
    [['Normal'], 'normal'],
    [['ABN'], 'abnormal'],
    [['HU'], 'high'],
    [['LU'], 'low'],
  ])('accepts case and spacing variants: %j is %s', (flags, expected) => {
    expect(interpretFlags(flags)).toBe(expected);
  });

  it.each<[string[], Interpretation | null]>([
    [['HH', 'LL'], 'critical-abnormal'],
    [['HH', 'H'], 'critical-high'],
    [['LL', 'L'], 'critical-low'],
    [['HH', 'N'], 'critical-high'],
    [['H', 'N'], 'high'],
    [['H', 'L'], 'abnormal'],
    [['A', 'H'], 'high'],
    [['AA', 'H'], 'critical-high'],
    [['>', 'H'], 'above-absolute-high'],
    [['<', 'H'], 'abnormal'],
    [['>', '<'], 'abnormal'],
    [['N', 'A'], 'abnormal'],
  ])('combines repeated flags %j to %s', (flags, expected) => {
    expect(interpretFlags(flags)).toBe(expected);
  });

  it.each([['U'], ['D'], ['B'], ['W'], ['S'], ['R'], ['I'], ['MS'], ['VS'], ['POS'], ['NEG'], ['DET'], ['ND'], ['P'], ['*'], ['HIGHISH']])(
    'gives no interpretation for %s, which is not an abnormality flag',
    (flag) => {
      expect(interpretFlags([flag])).toBeNull();
    },
  );

  const known = ['N', 'L', 'H', 'LL', 'HH', 'A', 'AA', '<', '>', 'C', 'CRIT', 'PANIC', 'CH', 'CL', 'U', 'D', 'S', 'R', 'POS', 'X', ''];
  const flagLists = fc.array(fc.constantFrom(...known), { maxLength: 5 });

  it('does not depend on the order of the repetitions', () => {
    fc.assert(fc.property(flagLists, (flags) => {
      expect(interpretFlags([...flags].reverse())).toBe(interpretFlags(flags));
    }));
  });

  it('never lowers the severity when a flag is added', () => {
    fc.assert(fc.property(flagLists, fc.constantFrom(...known), (flags, extra) => {
      expect(severityRank(severityOf(interpretFlags([...flags, extra])))).toBeGreaterThanOrEqual(severityRank(severityOf(interpretFlags(flags))));
    }));
  });

  it('is critical exactly when a critical flag is present', () => {
    const critical = new Set(['LL', 'HH', 'AA', 'C', 'CRIT', 'PANIC', 'CH', 'CL']);
    fc.assert(fc.property(flagLists, (flags) => {
      expect(severityOf(interpretFlags(flags)) === 'critical').toBe(flags.some((f) => critical.has(f)));
    }));
  });

  it('ignores flags it does not know, whatever else is sent', () => {
    fc.assert(fc.property(flagLists, fc.string({ maxLength: 6 }).filter((s) => !/^(N|L|H|LL|HH|A|AA|<|>|C|CR|CRIT|CRITICAL|PANIC|PAN|CH|CL|LU|HU|LOW|HIGH|NORMAL|ABNORMAL|ABN)$/i.test(s.trim().replace(/\s+/g, ' '))), (flags, unknown) => {
      expect(interpretFlags([...flags, unknown])).toBe(interpretFlags(flags));
    }));
  });
});

describe('severityOf', () => {
  it('maps critical-* to critical, the other flags to abnormal, N to normal', () => {
    expect(['critical-low', 'critical-high', 'critical-abnormal'].map((i) => severityOf(i as Interpretation))).toEqual(['critical', 'critical', 'critical']);
    expect(['low', 'high', 'abnormal', 'below-absolute-low', 'above-absolute-high'].map((i) => severityOf(i as Interpretation))).toEqual(Array(5).fill('abnormal'));
    expect(severityOf('normal')).toBe('normal');
    expect(severityOf(null)).toBeNull();
  });
});
