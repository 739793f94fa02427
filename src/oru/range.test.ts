import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOutOfRange, parseReferenceRange, type ReferenceRange } from './range.js';

const between = (low: number, high: number): ReferenceRange => ({ low: { value: low, inclusive: true }, high: { value: high, inclusive: true } });

describe('parseReferenceRange (OBX-7)', () => {
  it.each<[string, ReferenceRange | null]>([
    ['3.5-5.1', between(3.5, 5.1)],
    ['3.5 - 5.1', between(3.5, 5.1)],
    ['3.5 to 5.1', between(3.5, 5.1)],
    ['-3-3', between(-3, 3)],
    ['-10--5', between(-10, -5)],
    ['.4-1.5', between(0.4, 1.5)],
    ['0.7-1.3 mg/dL', between(0.7, 1.3)],
    ['<5', { low: null, high: { value: 5, inclusive: false } }],
    ['<=5', { low: null, high: { value: 5, inclusive: true } }],
    ['≤5', { low: null, high: { value: 5, inclusive: true } }],
    ['>60', { low: { value: 60, inclusive: false }, high: null }],
    ['>= 60', { low: { value: 60, inclusive: true }, high: null }],
    ['(<1.0)', { low: null, high: { value: 1, inclusive: false } }],
    ['<0.50 IU/mL', { low: null, high: { value: 0.5, inclusive: false } }],
    ['<130 optimal', { low: null, high: { value: 130, inclusive: false } }],
  ])('reads %j', (text, expected) => {
    expect(parseReferenceRange(text)).toEqual(expected);
  });

  it.each(['', 'Negative', 'UNDETECTED', '70_105', '5.1-3.5', '(1.6-12.0)Follikulär \\ (8.0-22.0)Peak', '3.5-', '-', 'abc 5'])('refuses %j', (text) => {
    expect(parseReferenceRange(text)).toBeNull();
  });

  it('reads back any low-high range it is given', () => {
    fc.assert(fc.property(fc.integer({ min: -10_000, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 3 }), (lo, width, decimals) => {
      const low = lo / 10 ** decimals;
      const high = (lo + width) / 10 ** decimals;
      expect(parseReferenceRange(`${low.toFixed(decimals)}-${high.toFixed(decimals)}`)).toEqual(between(low, high));
    }));
  });
});

describe('isOutOfRange', () => {
  const r = between(3.5, 5.1);
  it('compares a plain value with both limits, inclusive', () => {
    expect(isOutOfRange(6.8, null, r)).toBe(true);
    expect(isOutOfRange(3.4, null, r)).toBe(true);
    expect(isOutOfRange(3.5, null, r)).toBe(false);
    expect(isOutOfRange(5.1, null, r)).toBe(false);
    expect(isOutOfRange(4, null, r)).toBe(false);
  });

  it('treats one-sided limits as exclusive unless written with =', () => {
    expect(isOutOfRange(5, null, parseReferenceRange('<5'))).toBe(true);
    expect(isOutOfRange(5, null, parseReferenceRange('<=5'))).toBe(false);
    expect(isOutOfRange(60, null, parseReferenceRange('>60'))).toBe(true);
    expect(isOutOfRange(61, null, parseReferenceRange('>60'))).toBe(false);
  });

  it('says so for a compared value only when every value it stands for is on one side', () => {
    expect(isOutOfRange(0.01, '<', parseReferenceRange('<0.04'))).toBe(false);
    expect(isOutOfRange(100, '>', parseReferenceRange('3.5-5.1'))).toBe(true);
    expect(isOutOfRange(5.1, '>', r)).toBe(true);
    expect(isOutOfRange(5.1, '>=', r)).toBeNull();
    expect(isOutOfRange(4, '<', r)).toBeNull();
    expect(isOutOfRange(4, '<>', r)).toBeNull();
  });

  it('is null without a number or a range', () => {
    expect(isOutOfRange(null, null, r)).toBeNull();
    expect(isOutOfRange(4, null, null)).toBeNull();
  });

  it('agrees with plain comparison for every value and closed range', () => {
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }), (v, lo, width) => {
      expect(isOutOfRange(v, null, between(lo, lo + width))).toBe(v < lo || v > lo + width);
    }));
  });
});
