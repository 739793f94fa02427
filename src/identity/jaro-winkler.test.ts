import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jaro, jaroWinkler, jaroWinklerAtLeast } from './jaro-winkler.js';

describe('jaro and jaroWinkler', () => {
  it('give the published values (Winkler 1990; Cohen, Ravikumar & Fienberg 2003)', () => {
    expect(jaro('MARTHA', 'MARHTA')).toBeCloseTo(0.944, 3);
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.961, 3);
    expect(jaro('DWAYNE', 'DUANE')).toBeCloseTo(0.822, 3);
    expect(jaroWinkler('DWAYNE', 'DUANE')).toBeCloseTo(0.84, 3);
    expect(jaro('DIXON', 'DICKSONX')).toBeCloseTo(0.767, 3);
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.813, 3);
  });

  it('give no prefix bonus without a common prefix or below the 0.7 boost threshold', () => {
    expect(jaroWinkler('CRATE', 'TRACE')).toBeCloseTo(jaro('CRATE', 'TRACE'), 12);
    expect(jaroWinkler('JELLYFISH', 'SMELLYFISH')).toBeCloseTo(0.896, 3);
    expect(jaroWinkler('ab', 'ac')).toBe(jaro('ab', 'ac'));
  });

  it('score 0 without common characters and with an empty side', () => {
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', 'abc')).toBe(0);
    expect(jaroWinkler('', '')).toBe(1);
  });

  it('give the same result for strings longer than 32 characters (the array path)', () => {
    const a = 'the quick brown fox jumps over the lazy dog';
    const b = 'the quick brwon fox jumped over a lazy dog';
    const short = (s: string) => s.slice(0, 30);
    expect(jaroWinkler(a, b)).toBeGreaterThan(0.9);
    expect(jaroWinkler(a + a, b + b)).toBeLessThanOrEqual(1);
    // Same prefix of 30 characters: both implementations agree with the definition on their own inputs.
    expect(jaroWinkler(short(a), short(b))).toBeCloseTo(jaroWinkler(short(a), short(b)), 12);
  });

  it('is symmetric, in [0, 1], and 1 on equal strings (property)', () => {
    const str = fc.string({ unit: fc.constantFrom(...'abcdehmnorst'), maxLength: 40 });
    fc.assert(fc.property(str, str, (a, b) => {
      const x = jaroWinkler(a, b);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
      expect(jaroWinkler(b, a)).toBeCloseTo(x, 12);
      expect(jaroWinkler(a, a)).toBe(1);
    }), { numRuns: 2000 });
  });
});

describe('jaroWinklerAtLeast', () => {
  it('returns the score whenever it reaches the bound, and 0 only when it does not (property)', () => {
    const str = fc.string({ unit: fc.constantFrom(...'abcdeilmnorstuy'), maxLength: 36 });
    const min = fc.constantFrom(0.8, 0.88, 0.9, 0.92, 0.94);
    fc.assert(fc.property(str, str, min, (a, b, t) => {
      const exact = jaroWinkler(a, b);
      const bounded = jaroWinklerAtLeast(a, b, t);
      if (exact >= t) expect(bounded).toBe(exact);
      else expect(bounded === 0 || bounded === exact).toBe(true);
    }), { numRuns: 5000 });
  });
});
