import { describe, expect, it } from 'vitest';
import { normalizePerson } from './normalize.js';

describe('normalizePerson', () => {
  it('folds names to lower-case ASCII letters, without punctuation, spaces or suffixes', () => {
    const p = normalizePerson({ given: 'José-Luis', middle: 'Ángel', family: "O'Brien Jr." });
    expect(p.given).toBe('joseluis');
    expect(p.givenFirst).toBe('jose');
    expect(p.middle).toBe('angel');
    expect(p.family).toBe('obrien');
    expect(p.familyTokens).toEqual(['o', 'brien']);
    expect(p.familyNysiis).toBe('OBRAN');
  });

  it('keeps the words of a compound family name for the token level', () => {
    expect(normalizePerson({ family: 'Garcia-Lopez' }).familyTokens).toEqual(['garcia', 'lopez']);
  });

  it('reads full, partial, separated, timestamp and malformed birth dates as digits', () => {
    const dob = (birthDate: string) => normalizePerson({ birthDate }).birthDate;
    expect(dob('1985-03-14')).toBe('19850314');
    expect(dob('1985-3-4')).toBe('19850304');
    expect(dob('1985-03')).toBe('198503');
    expect(dob('1985')).toBe('1985');
    expect(dob('198503141230')).toBe('19850314');
    expect(dob('1945-13-40')).toBe('19451340');
  });

  it('keeps HL7 sex codes F M O A N and treats U or anything else as unknown', () => {
    expect(normalizePerson({ sex: 'F' }).sex).toBe('f');
    expect(normalizePerson({ sex: 'a' }).sex).toBe('a');
    expect(normalizePerson({ sex: 'U' }).sex).toBe('');
    expect(normalizePerson({ sex: 'female' }).sex).toBe('');
  });

  it('keeps only the last 4 digits of an SSN, whatever it is given', () => {
    expect(normalizePerson({ ssnLast4: '123-45-6789' }).ssnLast4).toBe('6789');
    expect(normalizePerson({ ssnLast4: '6789' }).ssnLast4).toBe('6789');
    expect(JSON.stringify(normalizePerson({ ssnLast4: '123456789' }))).not.toContain('12345');
  });

  it('reduces phones to digits without the NANP 1, and ZIP+4 to the ZIP', () => {
    expect(normalizePerson({ phone: '+1 (217) 555-0134' }).phone).toBe('2175550134');
    expect(normalizePerson({ postcode: '62704-1234' }).postcode).toBe('62704');
    expect(normalizePerson({ postcode: 'SW1A 1AA' }).postcode).toBe('sw1a1aa');
  });

  it('abbreviates street words and splits off the house number', () => {
    const p = normalizePerson({ addressLine: '12 North Oak Street, Apartment 4' });
    expect(p.addressLine).toBe('12noakstapt4');
    expect(p.addressNumber).toBe('12');
    expect(p.addressStreet).toBe('noakstapt4');
    expect(normalizePerson({ addressLine: '12 N Oak St Apt 4' }).addressLine).toBe(p.addressLine);
  });

  it('marks placeholder given names such as BABY GIRL A', () => {
    expect(normalizePerson({ given: 'Baby Girl A' }).givenPlaceholder).toBe(true);
    expect(normalizePerson({ given: 'Unknown' }).givenPlaceholder).toBe(true);
    expect(normalizePerson({ given: 'Emma' }).givenPlaceholder).toBe(false);
  });

  it('gives empty strings for absent fields', () => {
    const p = normalizePerson({});
    expect([p.given, p.family, p.birthDate, p.sex, p.addressLine, p.city, p.postcode, p.phone, p.ssnLast4].every((v) => v === '')).toBe(true);
  });
});
