/**
 * normalizePerson: the once-per-record preparation that keeps compare() cheap. Names lose case,
 * accents, punctuation, spaces and generational suffixes; addresses get standard abbreviations
 * (USPS Publication 28, Appendix C1 street suffixes, plus a few Australian forms); dates, phones,
 * postcodes and SSN fragments keep their digits. Phonetic codes and nickname groups are computed here.
 */
import { nicknameGroups } from './nicknames.js';
import { nysiis } from './nysiis.js';
import { digits, letterWords, words } from './text.js';
import type { NormalizedPerson, PersonRecord } from './types.js';

/** Generational suffixes and titles that are not part of the name proper. */
const NAME_NOISE = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'mr', 'mrs', 'ms', 'miss', 'dr']);

/** Street words to their standard abbreviation; applied word by word. */
const ADDRESS_ABBREVIATIONS: Readonly<Record<string, string>> = {
  street: 'st', str: 'st', road: 'rd', avenue: 'ave', av: 'ave', drive: 'dr', drv: 'dr', place: 'pl',
  court: 'ct', crt: 'ct', lane: 'ln', boulevard: 'blvd', terrace: 'ter', terr: 'ter', parkway: 'pkwy',
  highway: 'hwy', circle: 'cir', circuit: 'cct', crescent: 'cres', cresent: 'cres', close: 'cl',
  square: 'sq', trail: 'trl', parade: 'pde', grove: 'gr', heights: 'hts', mount: 'mt', point: 'pt',
  apartment: 'apt', suite: 'ste', unit: 'unit', floor: 'fl', building: 'bldg',
  north: 'n', south: 's', east: 'e', west: 'w', northeast: 'ne', northwest: 'nw', southeast: 'se', southwest: 'sw',
};

/**
 * First words of placeholder given names (newborns before naming, unknown patients): such a name is
 * compared only for equality (BABY GIRL A and BABY GIRL B, twins, must not look alike).
 */
const PLACEHOLDER_GIVEN = new Set(['baby', 'babygirl', 'babyboy', 'boy', 'girl', 'infant', 'newborn', 'nb', 'bb', 'bg', 'twin', 'triplet',
  'unknown', 'unk', 'fnu', 'nfn', 'noname']);

/** HL7 table 0001 codes kept; U (unknown) and anything else mean absent. */
const SEX_CODES = new Set(['f', 'm', 'o', 'a', 'n']);

function nameWords(s: string | undefined): string[] {
  return letterWords(s).filter((x) => !NAME_NOISE.has(x));
}

const SEPARATED_DATE = /^\s*(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?\s*$/;

/** 'YYYY-MM-DD' (or an HL7 DTM 'YYYYMMDD[HHMM...]') to 'YYYYMMDD'; partial dates keep 4 or 6 digits. */
function normalizeBirthDate(s: string | undefined): string {
  const sep = s === undefined ? null : SEPARATED_DATE.exec(s);
  if (sep) return sep[1]! + sep[2]!.padStart(2, '0') + (sep[3] === undefined ? '' : sep[3].padStart(2, '0'));
  const d = digits(s);
  // A timestamp: the time of birth is not compared.
  return d.length > 8 && d.length <= 14 ? d.slice(0, 8) : d;
}

function normalizeSex(s: string | undefined): string {
  const c = (s ?? '').trim().toLowerCase();
  return SEX_CODES.has(c) ? c : '';
}

function normalizePostcode(s: string | undefined): string {
  const t = words(s).join('');
  return /^\d{9}$/.test(t) ? t.slice(0, 5) : t;
}

function normalizePhone(s: string | undefined): string {
  const d = digits(s);
  return d.length === 11 && d.startsWith('1') ? d.slice(1) : d;
}

function normalizeAddress(s: string | undefined): { line: string; number: string; street: string } {
  const w = words(s).map((x) => ADDRESS_ABBREVIATIONS[x] ?? x);
  const at = w.findIndex((x) => /\d/.test(x));
  const number = at >= 0 ? w[at]! : '';
  const street = w.filter((_, i) => i !== at).join('');
  return { line: w.join(''), number, street };
}

/** Prepares a record for blockingKeys() and compare(). Pure; call once per record. */
export function normalizePerson(p: PersonRecord): NormalizedPerson {
  const given = nameWords(p.given);
  const family = nameWords(p.family);
  const givenJoined = given.join('');
  const familyJoined = family.join('');
  const address = normalizeAddress(p.addressLine);
  const ssn = digits(p.ssnLast4);
  return {
    given: givenJoined,
    givenFirst: given[0] ?? '',
    givenGroups: nicknameGroups(given[0] ?? ''),
    givenPlaceholder: given.length > 0 && PLACEHOLDER_GIVEN.has(given[0]!),
    givenNysiis: nysiis(givenJoined),
    middle: nameWords(p.middle).join(''),
    family: familyJoined,
    familyTokens: family,
    familyNysiis: nysiis(familyJoined),
    birthDate: normalizeBirthDate(p.birthDate),
    sex: normalizeSex(p.sex),
    addressLine: address.line,
    addressNumber: address.number,
    addressStreet: address.street,
    city: words(p.city).join(''),
    state: words(p.state).join(''),
    postcode: normalizePostcode(p.postcode),
    phone: normalizePhone(p.phone),
    // Only the last 4 digits ever leave this function, whatever the caller passed.
    ssnLast4: ssn.length > 4 ? ssn.slice(-4) : ssn,
  };
}
