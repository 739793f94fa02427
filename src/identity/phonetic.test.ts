import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nysiis } from './nysiis.js';
import { soundex } from './soundex.js';

describe('soundex (American Soundex)', () => {
  it.each([
    ['Robert', 'R163'], ['Rupert', 'R163'], ['Rubin', 'R150'], ['Ashcraft', 'A261'], ['Ashcroft', 'A261'],
    ['Tymczak', 'T522'], ['Pfister', 'P236'], ['Honeyman', 'H555'], ['Lee', 'L000'], ['Gutierrez', 'G362'], ['Jackson', 'J250'],
  ])('codes %s as %s', (name, code) => {
    expect(soundex(name)).toBe(code);
  });

  it('ignores case and non-letters, and gives "" without letters', () => {
    expect(soundex("o'brien")).toBe(soundex('OBRIEN'));
    expect(soundex('123')).toBe('');
  });

  it('is a letter and three digits for any text with a letter (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 20 }), (s) => {
      const code = soundex(s);
      expect(code === '' || /^[A-Z][0-9]{3}$/.test(code)).toBe(true);
    }));
  });
});

describe('nysiis (Taft 1970)', () => {
  it.each([
    ['Smith', 'SNAT'], ['Schmidt', 'SNAD'], ['Mitchell', 'MATCAL'], ['Knuth', 'NAT'], ['Bishop', 'BASAP'], ['Carlson', 'CARLSAN'],
    ['Phillipson', 'FALAPSAN'], ['Watkins', 'WATCAN'], ['Wheeler', 'WALAR'], ['Knight', 'NAGT'], ['Sarah', 'SAR'], ['Evans', 'EVAN'],
  ])('codes %s as %s', (name, code) => {
    expect(nysiis(name)).toBe(code);
  });

  it('gives spelling variants of a name one code', () => {
    expect(nysiis('Brian')).toBe(nysiis('Brown'));
    expect(nysiis('Jean')).toBe(nysiis('Jeanne'));
    expect(nysiis('Philip')).toBe(nysiis('Phillip'));
  });

  it('never throws and yields upper-case letters only (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 20 }), (s) => {
      expect(nysiis(s)).toMatch(/^[A-Z]*$/);
    }));
  });
});
