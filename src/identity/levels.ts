/**
 * Comparison levels: for each field, the ordered list of levels one pair of values can fall in
 * (the first that applies wins), and the function that finds it. A field absent on either side is
 * MISSING (-1) and weighs nothing. The thresholds on Jaro-Winkler (0.94, 0.88, 0.90) follow the
 * usual Splink name and place comparisons. Level names are the keys of FieldParameters.levels.
 */
import { jaroWinklerAtLeast } from './jaro-winkler.js';
import { shareGroup } from './nicknames.js';
import { hamming, isAdjacentTransposition } from './text.js';
import { MATCH_FIELDS, type MatchField, type NormalizedPerson } from './types.js';

export const LEVELS = {
  /** exact; swapped (given and family crossed); nickname (bill/william); jw94; jw88; middle (one's given is the
   *  other's middle name); phonetic (same NYSIIS); initial (one side is a single letter, the same); else. */
  given: ['exact', 'swapped', 'nickname', 'jw94', 'jw88', 'middle', 'phonetic', 'initial', 'else'],
  /** exact; initial (one side an initial, or the same first letter); else. */
  middle: ['exact', 'initial', 'else'],
  /** exact; swapped; jw94; jw88; phonetic (same NYSIIS); token (a shared word of a compound name); else. */
  family: ['exact', 'swapped', 'jw94', 'jw88', 'phonetic', 'token', 'else'],
  /** exact; swap (day and month swapped, or two adjacent digits); typo (one digit differs, the year's
   *  included); partial (same year and month, or a partial date agreeing with the other); else. */
  birthDate: ['exact', 'swap', 'typo', 'partial', 'else'],
  sex: ['exact', 'else'],
  /** exact; close (same or one-sided house number, street JW >= 0.90); street (same street, other number); else. */
  addressLine: ['exact', 'close', 'street', 'else'],
  city: ['exact', 'jw90', 'else'],
  state: ['exact', 'else'],
  /** exact; typo (one character differs or two adjacent ones are swapped); else. */
  postcode: ['exact', 'typo', 'else'],
  /** exact; last7 (same local number, area code differs or absent); typo (one digit, or a swap); else. */
  phone: ['exact', 'last7', 'typo', 'else'],
  ssnLast4: ['exact', 'typo', 'else'],
} as const satisfies Record<MatchField, readonly string[]>;

export const MISSING = -1;

/** Field positions in MATCH_FIELDS, for the level vectors. */
export const FIELD_INDEX: Readonly<Record<MatchField, number>> = Object.fromEntries(MATCH_FIELDS.map((f, i) => [f, i])) as Record<MatchField, number>;

// Level indices, named once (they must follow the LEVELS lists above).
const G_EXACT = 0, G_SWAPPED = 1, G_NICK = 2, G_JW94 = 3, G_JW88 = 4, G_MIDDLE = 5, G_PHON = 6, G_INITIAL = 7, G_ELSE = 8;
const F_EXACT = 0, F_SWAPPED = 1, F_JW94 = 2, F_JW88 = 3, F_PHON = 4, F_TOKEN = 5, F_ELSE = 6;
const D_EXACT = 0, D_SWAP = 1, D_TYPO = 2, D_PARTIAL = 3, D_ELSE = 4;
const A_EXACT = 0, A_CLOSE = 1, A_STREET = 2, A_ELSE = 3;

const SWAP_SIMILARITY = 0.92;

function givenLevel(a: NormalizedPerson, b: NormalizedPerson): number {
  if (a.given === '' || b.given === '') return MISSING;
  if (a.given === b.given) return G_EXACT;
  if (a.givenPlaceholder || b.givenPlaceholder) return G_ELSE;
  if (shareGroup(a.givenGroups, b.givenGroups)) return G_NICK;
  const jw = jaroWinklerAtLeast(a.given, b.given, 0.88);
  if (jw >= 0.94) return G_JW94;
  if (jw >= 0.88) return G_JW88;
  if ((a.middle !== '' && a.middle === b.givenFirst) || (b.middle !== '' && b.middle === a.givenFirst)) return G_MIDDLE;
  if (a.givenNysiis === b.givenNysiis) return G_PHON;
  if ((a.given.length === 1 || b.given.length === 1) && a.given.charCodeAt(0) === b.given.charCodeAt(0)) return G_INITIAL;
  return G_ELSE;
}

function familyLevel(a: NormalizedPerson, b: NormalizedPerson): number {
  if (a.family === '' || b.family === '') return MISSING;
  if (a.family === b.family) return F_EXACT;
  const jw = jaroWinklerAtLeast(a.family, b.family, 0.88);
  if (jw >= 0.94) return F_JW94;
  if (jw >= 0.88) return F_JW88;
  if (a.familyNysiis === b.familyNysiis) return F_PHON;
  if (a.familyTokens.length > 1 || b.familyTokens.length > 1) {
    for (const t of a.familyTokens) if (t.length > 1 && b.familyTokens.includes(t)) return F_TOKEN;
  }
  return F_ELSE;
}

function similarName(x: string, y: string): boolean {
  return x !== '' && y !== '' && jaroWinklerAtLeast(x, y, SWAP_SIMILARITY) >= SWAP_SIMILARITY;
}

function middleLevel(a: string, b: string): number {
  if (a === '' || b === '') return MISSING;
  if (a === b) return 0;
  return a.charCodeAt(0) === b.charCodeAt(0) ? 1 : 2;
}

function sameRange(a: string, b: string, from: number, to: number, bFrom = from): boolean {
  for (let i = from; i < to; i++) if (a.charCodeAt(i) !== b.charCodeAt(bFrom + i - from)) return false;
  return true;
}

/** Birth dates as digit strings (normalize.ts): 'YYYYMMDD', partial 'YYYYMM'/'YYYY', or malformed. */
export function birthDateLevel(a: string, b: string): number {
  if (a === '' || b === '') return MISSING;
  if (a === b) return D_EXACT;
  if (a.length !== b.length) {
    const n = Math.min(a.length, b.length);
    return n >= 4 && sameRange(a, b, 0, n) ? D_PARTIAL : D_ELSE;
  }
  if (a.length === 8 && sameRange(a, b, 0, 4) && sameRange(a, b, 4, 6, 6) && sameRange(a, b, 6, 8, 4)) return D_SWAP;
  if (isAdjacentTransposition(a, b)) return D_SWAP;
  if (hamming(a, b) === 1) return D_TYPO;
  if (a.length === 8 && sameRange(a, b, 0, 6)) return D_PARTIAL;
  return D_ELSE;
}

function addressLevel(a: NormalizedPerson, b: NormalizedPerson): number {
  if (a.addressLine === '' || b.addressLine === '') return MISSING;
  if (a.addressLine === b.addressLine) return A_EXACT;
  const numbersAgree = a.addressNumber === b.addressNumber || a.addressNumber === '' || b.addressNumber === '';
  const sa = a.addressStreet;
  const sb = b.addressStreet;
  const street = sa === sb ? sa !== '' : jaroWinklerAtLeast(sa, sb, 0.9) >= 0.9;
  if (street) return numbersAgree ? A_CLOSE : A_STREET;
  return A_ELSE;
}

function exactOrElse(a: string, b: string): number {
  if (a === '' || b === '') return MISSING;
  return a === b ? 0 : 1;
}

/** exact / typo (one differing character or an adjacent swap) / else: postcodes and SSN fragments. */
function codeLevel(a: string, b: string): number {
  if (a === '' || b === '') return MISSING;
  if (a === b) return 0;
  return hamming(a, b) === 1 || isAdjacentTransposition(a, b) ? 1 : 2;
}

function cityLevel(a: string, b: string): number {
  if (a === '' || b === '') return MISSING;
  if (a === b) return 0;
  return jaroWinklerAtLeast(a, b, 0.9) >= 0.9 ? 1 : 2;
}

function phoneLevel(a: string, b: string): number {
  if (a === '' || b === '') return MISSING;
  if (a === b) return 0;
  if (a.length >= 7 && b.length >= 7 && a.endsWith(b.slice(-7))) return 1;
  return hamming(a, b) === 1 || isAdjacentTransposition(a, b) ? 2 : 3;
}

/**
 * Writes the level of every field of MATCH_FIELDS into `out` (MISSING when either side lacks it).
 * Allocation-free apart from what Jaro-Winkler and slicing need; compare() and EM both use it.
 */
export function compareLevels(a: NormalizedPerson, b: NormalizedPerson, out: Int8Array): void {
  let g = givenLevel(a, b);
  let f = familyLevel(a, b);
  // Given and family written in each other's place (allowing small typos): both crossed, both
  // 'swapped'; only one name found crossed counts once, on the given name.
  if (g >= G_JW88 && f >= F_JW88 && !a.givenPlaceholder && !b.givenPlaceholder) {
    const ab = similarName(a.given, b.family);
    const ba = similarName(b.given, a.family);
    if (ab && ba) {
      g = G_SWAPPED;
      f = F_SWAPPED;
    } else if (ab || ba) g = G_SWAPPED;
  }
  out[0] = g;
  out[1] = middleLevel(a.middle, b.middle);
  out[2] = f;
  out[3] = birthDateLevel(a.birthDate, b.birthDate);
  out[4] = exactOrElse(a.sex, b.sex);
  out[5] = addressLevel(a, b);
  out[6] = cityLevel(a.city, b.city);
  out[7] = exactOrElse(a.state, b.state);
  out[8] = codeLevel(a.postcode, b.postcode);
  out[9] = phoneLevel(a.phone, b.phone);
  out[10] = codeLevel(a.ssnLast4, b.ssnLast4);
}
