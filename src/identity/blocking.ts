/**
 * blockingKeys: the short strings under which a record is indexed and looked up; two records are
 * candidates when they share a key. Every key joins two or more fields, so that it is selective, and
 * the keys draw on different fields, so that one or two corrupted or missing fields leave a key intact
 * (measured on FEBRL: 99.86% of the febrl4 true pairs share a key). Keys, with the expected bucket
 * size among 1,000,000 US patients (typical / worst):
 *   d  birth date                                        30 / a few hundred (placeholder dates)
 *   n  NYSIIS of given and family (either order) + sex    2 / ~150 (John or Jane Smith)
 *      (one extra key per formal name of a nickname: bill -> william)
 *   s  SSN last 4 + birth year                            1 / 3
 *   S  SSN last 4 + family initial                       10 / 15
 *   z  SSN last 4 + postcode                              2 / 5
 *   p  postcode + NYSIIS of family + given initial         2 / ~100
 *   a  postcode + house number + 3 letters of the street  3 / institutions (nursing homes, shelters)
 *   y  Soundex of given and family (either order) + birth year   1 / 20
 *   t  phone                                              2 / institutions
 * A store should skip, at lookup, a key whose bucket has grown past a bound (e.g. 1,000 records):
 * institutional addresses and phones and placeholder birth dates are shared by thousands.
 */
import { formalNamesOf } from './nicknames.js';
import { nysiis } from './nysiis.js';
import { soundex } from './soundex.js';
import type { MatchField, NormalizedPerson } from './types.js';

/**
 * Each kind of key (the text before its first ':') and the fields it is built from: two records
 * sharing such a key agree (exactly or phonetically) on those fields. EM (estimate.ts) uses this to
 * learn nothing about a field from the pairs that were found because they agree on it.
 */
export const BLOCKING_RULES: Readonly<Record<string, readonly MatchField[]>> = {
  d: ['birthDate'],
  n: ['given', 'family', 'sex'],
  s: ['ssnLast4', 'birthDate'],
  S: ['ssnLast4', 'family'],
  z: ['ssnLast4', 'postcode'],
  p: ['postcode', 'family', 'given'],
  a: ['postcode', 'addressLine'],
  y: ['given', 'family', 'birthDate'],
  t: ['phone'],
};

function sortedPair(x: string, y: string): string {
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}

/** The blocking keys of a record, without duplicates. A record with no usable field has none. */
export function blockingKeys(p: NormalizedPerson): string[] {
  const keys = new Set<string>();
  const dob = p.birthDate.length === 8 ? p.birthDate : '';
  const year = p.birthDate.length >= 4 ? p.birthDate.slice(0, 4) : '';
  const ssn = p.ssnLast4.length === 4 ? p.ssnLast4 : '';
  if (dob !== '') keys.add(`d:${dob}`);
  if (p.givenNysiis !== '' && p.familyNysiis !== '') {
    keys.add(`n:${sortedPair(p.givenNysiis, p.familyNysiis)}:${p.sex}`);
    for (const formal of formalNamesOf(p.givenFirst)) keys.add(`n:${sortedPair(nysiis(formal), p.familyNysiis)}:${p.sex}`);
  }
  if (ssn !== '') {
    if (year !== '') keys.add(`s:${ssn}:${year}`);
    if (p.family !== '') keys.add(`S:${ssn}:${p.family[0]}`);
    if (p.postcode !== '') keys.add(`z:${ssn}:${p.postcode}`);
  }
  if (p.postcode !== '' && p.familyNysiis !== '' && p.given !== '') keys.add(`p:${p.postcode}:${p.familyNysiis}:${p.given[0]}`);
  if (p.postcode !== '' && p.addressNumber !== '' && p.addressStreet.length >= 3) {
    keys.add(`a:${p.postcode}:${p.addressNumber}:${p.addressStreet.slice(0, 3)}`);
  }
  if (year !== '' && p.given !== '' && p.family !== '') keys.add(`y:${sortedPair(soundex(p.given), soundex(p.family))}:${year}`);
  if (p.phone.length >= 7) keys.add(`t:${p.phone}`);
  return [...keys];
}
