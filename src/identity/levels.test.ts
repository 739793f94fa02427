import { describe, expect, it } from 'vitest';
import { birthDateLevel, compareLevels, FIELD_INDEX, LEVELS, MISSING } from './levels.js';
import { normalizePerson } from './normalize.js';
import type { MatchField, PersonRecord } from './types.js';

function level(field: MatchField, a: PersonRecord, b: PersonRecord): string {
  const out = new Int8Array(11);
  compareLevels(normalizePerson(a), normalizePerson(b), out);
  const l = out[FIELD_INDEX[field]]!;
  return l === MISSING ? 'missing' : LEVELS[field][l]!;
}

const dob = (a: string, b: string) => {
  const l = birthDateLevel(normalizePerson({ birthDate: a }).birthDate, normalizePerson({ birthDate: b }).birthDate);
  return l === MISSING ? 'missing' : LEVELS.birthDate[l];
};

describe('birth date levels', () => {
  it('tell a swapped day and month, swapped digits, one wrong digit and a partial date apart', () => {
    expect(dob('1985-03-14', '1985-03-14')).toBe('exact');
    expect(dob('1985-03-04', '1985-04-03')).toBe('swap');
    expect(dob('1985-03-14', '1985-03-41')).toBe('swap');
    expect(dob('1985-03-14', '1958-03-14')).toBe('swap');
    expect(dob('1985-03-14', '1985-03-15')).toBe('typo');
    expect(dob('1985-03-14', '1995-03-14')).toBe('typo');
    expect(dob('1985-03-14', '1985-03-27')).toBe('partial');
    expect(dob('1985-03-14', '1985')).toBe('partial');
    expect(dob('1985-03', '1985-03-14')).toBe('partial');
    expect(dob('1985-03-14', '1962-11-02')).toBe('else');
    expect(dob('1985', '1986-03-14')).toBe('else');
    expect(dob('', '1985-03-14')).toBe('missing');
  });

  it('compare malformed dates digit by digit', () => {
    expect(dob('1945-04-93', '1945-04-03')).toBe('typo');
  });
});

describe('name levels', () => {
  const p = (given: string, family = 'Smith', extra: PersonRecord = {}): PersonRecord => ({ given, family, ...extra });
  it('recognise nicknames, typos, initials, middle names and phonetic spellings', () => {
    expect(level('given', p('William'), p('Bill'))).toBe('nickname');
    expect(level('given', p('Martha'), p('Marhta'))).toBe('jw94');
    expect(level('given', p('Stephen'), p('Stephan'))).toBe('jw94');
    expect(level('given', p('Jonh'), p('John'))).toBe('jw88');
    expect(level('given', p('Kristofer'), p('Christopher'))).toBe('phonetic');
    expect(level('given', p('J'), p('John'))).toBe('initial');
    expect(level('given', p('Michael', 'Smith', { middle: 'John' }), p('John'))).toBe('middle');
    expect(level('given', p('Emma'), p('Olivia'))).toBe('else');
    expect(level('given', p(''), p('Olivia'))).toBe('missing');
  });

  it('see given and family written in each other\'s place', () => {
    expect(level('given', p('Smith', 'John'), p('John', 'Smith'))).toBe('swapped');
    expect(level('family', p('Smith', 'John'), p('John', 'Smith'))).toBe('swapped');
    expect(level('given', p('Smith', 'Jones'), p('John', 'Smith'))).toBe('swapped');
    expect(level('family', p('Smith', 'Jones'), p('John', 'Smith'))).toBe('else');
  });

  it('compare placeholder names for equality only (newborn twins)', () => {
    expect(level('given', p('Baby Girl A'), p('Baby Girl B'))).toBe('else');
    expect(level('given', p('Baby Girl A'), p('Baby Girl A'))).toBe('exact');
  });

  it('find a shared word of a compound family name', () => {
    expect(level('family', p('Maria', 'Garcia Lopez'), p('Maria', 'Lopez'))).toBe('token');
  });
});

describe('contact levels', () => {
  it('compare address lines by house number and street', () => {
    expect(level('addressLine', { addressLine: '12 Oak Street' }, { addressLine: '12 oak st.' })).toBe('exact');
    expect(level('addressLine', { addressLine: '12 Oak Street' }, { addressLine: '12 Oak Stret' })).toBe('close');
    expect(level('addressLine', { addressLine: '12 Oak Street' }, { addressLine: 'Oak Street' })).toBe('close');
    expect(level('addressLine', { addressLine: '12 Oak Street' }, { addressLine: '14 Oak Street' })).toBe('street');
    expect(level('addressLine', { addressLine: '12 Oak Street' }, { addressLine: '9 Elm Avenue' })).toBe('else');
  });

  it('compare phones, postcodes and SSN fragments for typos', () => {
    expect(level('phone', { phone: '2175550134' }, { phone: '5550134' })).toBe('last7');
    expect(level('phone', { phone: '2175550134' }, { phone: '2175550143' })).toBe('typo');
    expect(level('postcode', { postcode: '62704' }, { postcode: '62740' })).toBe('typo');
    expect(level('ssnLast4', { ssnLast4: '4821' }, { ssnLast4: '4831' })).toBe('typo');
    expect(level('ssnLast4', { ssnLast4: '4821' }, { ssnLast4: '7730' })).toBe('else');
    expect(level('sex', { sex: 'F' }, { sex: 'U' })).toBe('missing');
  });
});
