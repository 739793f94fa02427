import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockingKeys } from './blocking.js';
import { normalizePerson } from './normalize.js';
import type { PersonRecord } from './types.js';

const keys = (p: PersonRecord) => blockingKeys(normalizePerson(p));
const share = (a: PersonRecord, b: PersonRecord) => keys(a).some((k) => keys(b).includes(k));

const emma: PersonRecord = {
  given: 'Emma', family: 'Johnson', birthDate: '1985-03-14', sex: 'F', addressLine: '12 Oak Street', city: 'Springfield',
  state: 'IL', postcode: '62704', phone: '2175550134', ssnLast4: '4821',
};

describe('blockingKeys', () => {
  it('gives a handful of short keys, and none for an empty record', () => {
    const k = keys(emma);
    expect(k.length).toBeGreaterThanOrEqual(5);
    expect(k.length).toBeLessThanOrEqual(12);
    for (const key of k) expect(key.length).toBeLessThanOrEqual(32);
    expect(keys({})).toEqual([]);
  });

  it.each<[string, PersonRecord]>([
    ['another birth date and SSN', { ...emma, birthDate: '1958-03-14', ssnLast4: '1111' }],
    ['a nickname, another birth date, no SSN, moved', { ...emma, given: 'Em', birthDate: '1985-04-13', ssnLast4: undefined, postcode: '60601', phone: undefined, addressLine: undefined }],
    ['given and family swapped, no birth date', { ...emma, given: 'Johnson', family: 'Emma', birthDate: undefined }],
    ['a new family name, a birth date typo', { ...emma, family: 'Miller', birthDate: '1985-03-15' }],
    ['only the phone in common with a misspelt name', { given: 'Ema', family: 'Jonson', phone: '2175550134' }],
  ])('finds the same person with %s', (_, other) => {
    expect(share(emma, other)).toBe(true);
  });

  it('does not put unrelated people together', () => {
    expect(share(emma, { given: 'Robert', family: 'Garcia', birthDate: '1970-01-01', postcode: '10001', ssnLast4: '0001' })).toBe(false);
  });

  it('never carries more than the last 4 SSN digits', () => {
    for (const k of keys({ ...emma, ssnLast4: '123456789' })) expect(k).not.toMatch(/12345/);
  });

  it('always gives a record one of its own keys (property)', () => {
    const rec = fc.record({
      given: fc.option(fc.string({ unit: fc.constantFrom(...'abejmnorst '), maxLength: 10 }), { nil: undefined }),
      family: fc.option(fc.string({ unit: fc.constantFrom(...'abejmnorst'), maxLength: 10 }), { nil: undefined }),
      birthDate: fc.option(fc.constantFrom('1985-03-14', '1985', ''), { nil: undefined }),
      postcode: fc.option(fc.constantFrom('62704', ''), { nil: undefined }),
      ssnLast4: fc.option(fc.constantFrom('4821', '12'), { nil: undefined }),
    }, { requiredKeys: [] });
    fc.assert(fc.property(rec, (p) => {
      const k = keys(p);
      expect(new Set(k).size).toBe(k.length);
      expect(keys({ ...p })).toEqual(k);
    }));
  });
});
