/**
 * A synthetic US-style patient population, deterministic from a seed, shaped after the ONC Patient
 * Matching Algorithm Challenge test data (../shared/matching/onc-pmac/test-dataset-null.csv; see
 * SOURCE.md there: 33,289 unlabelled synthetic records, mostly New York City).
 *
 * From that file (frequency-weighted, as found): given names per sex, middle names, sex, birth dates
 * (DOB is a spreadsheet serial day; a drawn one is moved by up to +-6 months so that a million people
 * spread over days the file never held), address lines with their ZIP, city and state (the house number
 * redrawn for 4 in 5 people, so institutions such as a jail on Hazen St stay shared by many),
 * phone area codes, and the fill rates of every field.
 * Not in the file (LAST is empty or TRUE): surnames. The 50 most common US surnames carry their
 * approximate share per 100,000 (2010 US Census scale, from general knowledge); ranks 51-280 are
 * further common surnames; past them names are composed of syllables. Rank r > 50 weighs like a power
 * law (exponent 0.8 to rank 1,000, 1.1 to rank 150,000, 1.5 to rank 3,000,000), which gives about 40%
 * of people in the top 1,000 names and 88% in the top 150,000, as in the census, and a long tail of
 * names held by one or two people in a million.
 * Households: 3 in 10 people share the previous person's address and phone (and mostly the surname).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** path.resolve(repoRoot, '../shared/matching') */
export const MATCHING_DIR = path.resolve(REPO_ROOT, '../shared/matching');
export const ONC_FILE = path.join(MATCHING_DIR, 'onc-pmac/test-dataset-null.csv');

/** One synthetic person; '' = not known. Fields as the import CSV holds them. */
export interface SyntheticPerson {
  mrn: string;
  family: string;
  given: string;
  middle: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: string;
  addressLine: string;
  city: string;
  state: string;
  postcode: string;
  /** NNN-NNN-NNNN */
  phone: string;
  ssnLast4: string;
}

/** mulberry32: a small, fast, seedable 32-bit generator (enough for synthetic data). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values with cumulative weights; pick(u) for u uniform in [0, 1). */
export class Weighted<T> {
  private constructor(readonly values: readonly T[], private readonly cumulative: Float64Array) {}
  static of<T>(values: readonly T[], weights: ArrayLike<number>): Weighted<T> {
    const cumulative = new Float64Array(values.length);
    let sum = 0;
    for (let i = 0; i < values.length; i++) cumulative[i] = sum += weights[i]!;
    return new Weighted(values, cumulative);
  }
  static counts<T>(items: Iterable<T>): Weighted<T> {
    const m = new Map<T, number>();
    for (const x of items) m.set(x, (m.get(x) ?? 0) + 1);
    return Weighted.of([...m.keys()], [...m.values()]);
  }
  /** The same weights over transformed values. */
  map<U>(f: (value: T) => U): Weighted<U> {
    return new Weighted(this.values.map(f), this.cumulative);
  }
  pick(u: number): T {
    const c = this.cumulative;
    const target = u * c[c.length - 1]!;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Surnames

/** The 50 most common US surnames with their approximate share per 100,000 people. */
const TOP_SURNAMES: readonly [string, number][] = (
  'SMITH 828 JOHNSON 655 WILLIAMS 550 BROWN 487 JONES 483 GARCIA 466 MILLER 428 DAVIS 418 RODRIGUEZ 371 MARTINEZ 355 ' +
  'HERNANDEZ 352 LOPEZ 292 GONZALEZ 279 WILSON 275 ANDERSON 273 THOMAS 262 TAYLOR 259 MOORE 245 JACKSON 242 MARTIN 240 ' +
  'LEE 236 PEREZ 225 THOMPSON 224 WHITE 223 HARRIS 209 SANCHEZ 207 CLARK 190 RAMIREZ 188 LEWIS 183 ROBINSON 182 ' +
  'WALKER 176 YOUNG 165 ALLEN 163 KING 162 WRIGHT 160 SCOTT 155 TORRES 152 NGUYEN 151 HILL 150 FLORES 149 ' +
  'GREEN 149 ADAMS 146 NELSON 145 BAKER 143 HALL 141 RIVERA 140 CAMPBELL 136 MITCHELL 135 CARTER 134 ROBERTS 133'
).match(/[A-Z]+ \d+/g)!.map((x) => {
  const [name, n] = x.split(' ');
  return [name!, Number(n)];
});

/** Further common US surnames, roughly in order of frequency (ranks 51 on). */
const COMMON_SURNAMES = `GOMEZ PHILLIPS EVANS TURNER DIAZ PARKER CRUZ EDWARDS COLLINS REYES STEWART MORRIS MORALES MURPHY COOK
ROGERS GUTIERREZ ORTIZ MORGAN COOPER PETERSON BAILEY REED KELLY HOWARD RAMOS KIM COX WARD RICHARDSON WATSON BROOKS CHAVEZ WOOD
JAMES BENNETT GRAY MENDOZA RUIZ HUGHES PRICE ALVAREZ CASTILLO SANDERS PATEL MYERS LONG ROSS FOSTER JIMENEZ POWELL JENKINS PERRY
RUSSELL SULLIVAN BELL COLEMAN BUTLER HENDERSON BARNES GONZALES FISHER VASQUEZ SIMMONS ROMERO JORDAN PATTERSON ALEXANDER HAMILTON
GRAHAM REYNOLDS GRIFFIN WALLACE MORENO WEST COLE HAYES BRYANT HERRERA GIBSON ELLIS TRAN MEDINA AGUILAR STEVENS MURRAY FORD CASTRO
MARSHALL OWENS HARRISON FERNANDEZ MCDONALD WOODS WASHINGTON KENNEDY WELLS VARGAS HENRY CHEN FREEMAN WEBB TUCKER GUZMAN BURNS
CRAWFORD OLSON SIMPSON PORTER HUNTER GORDON MENDEZ SILVA SHAW SNYDER MASON DIXON MUNOZ HUNT HICKS HOLMES PALMER WAGNER BLACK
ROBERTSON BOYD ROSE STONE SALAZAR FOX WARREN MILLS MEYER RICE SCHMIDT GARZA DANIELS FERGUSON NICHOLS STEPHENS SOTO WEAVER RYAN
GARDNER PAYNE GRANT DUNN KELLEY SPENCER HAWKINS ARNOLD PIERCE VAZQUEZ HANSEN PETERS SANTOS HART BRADLEY KNIGHT ELLIOTT CUNNINGHAM
DUNCAN ARMSTRONG HUDSON CARROLL LANE RILEY ANDREWS ALVARADO RAY DELGADO BERRY PERKINS HOFFMAN JOHNSTON MATTHEWS PENA RICHARDS
CONTRERAS WILLIS CARPENTER LAWRENCE SANDOVAL GUERRERO GEORGE CHAPMAN RIOS ESTRADA ORTEGA WATKINS GREENE NUNEZ WHEELER VALDEZ
HARPER BURKE LARSON SANTIAGO MALDONADO MORRISON FRANKLIN CARLSON AUSTIN DOMINGUEZ CARR LAWSON JACOBS OBRIEN LYNCH SINGH VEGA
BISHOP MONTGOMERY OLIVER JENSEN HARVEY WILLIAMSON GILBERT DEAN SIMS ESPINOZA HOWELL LI WONG REID HANSON LE MCCOY GARRETT BURTON`
  .split(/\s+/)
  .filter((x) => x !== '');

const ONSETS = ['B', 'BR', 'C', 'CH', 'D', 'DR', 'F', 'G', 'GR', 'H', 'J', 'K', 'KR', 'L', 'M', 'N', 'P', 'PR', 'R', 'S', 'SH', 'ST', 'T', 'TR', 'V', 'W', 'Y', 'Z', 'BL', 'CL'];
const VOWELS = ['A', 'E', 'I', 'O', 'U', 'AI', 'EA', 'OU'];
const ENDINGS = ['', 'SON', 'MAN', 'ER', 'EZ', 'SKI', 'OV', 'EL', 'INI', 'ELLI', 'BERG', 'STEIN', 'TON', 'LEY', 'WOOD', 'FIELD', 'ES', 'AS', 'IAN', 'ICK', 'OS', 'ETTE', 'ARD', 'INO', 'AGA'];
const CODAS = ['', 'N', 'R', 'L', 'S', 'T', 'M', 'ND', 'RT', 'CK'];

/** Syllable i of the composition alphabet (onset + vowel + coda: 30 x 8 x 10 = 2,400). */
function syllable(i: number): string {
  return ONSETS[i % 30]! + VOWELS[Math.floor(i / 30) % 8]! + CODAS[Math.floor(i / 240) % 10]!;
}

/** A composed surname for tail position k (0-based), distinct for every k: shorter names first. */
function composedSurname(k: number): string {
  const ending = ENDINGS[k % ENDINGS.length]!;
  const rest = Math.floor(k / ENDINGS.length);
  if (rest < 2400) return syllable(rest) + ending;
  const r = rest - 2400;
  return syllable(r % 2400) + syllable(Math.floor(r / 2400) % 2400) + ending;
}

const SURNAME_RANKS = 3_000_000;

/** The surname of rank r (1-based), and the weights of every rank. */
function surnameOfRank(r: number): string {
  if (r <= TOP_SURNAMES.length) return TOP_SURNAMES[r - 1]![0];
  const common = r - TOP_SURNAMES.length - 1;
  return common < COMMON_SURNAMES.length ? COMMON_SURNAMES[common]! : composedSurname(common - COMMON_SURNAMES.length);
}

function surnameWeights(): Float64Array {
  const w = new Float64Array(SURNAME_RANKS);
  const top = TOP_SURNAMES.length;
  for (let r = 1; r <= SURNAME_RANKS; r++) {
    if (r <= top) w[r - 1] = TOP_SURNAMES[r - 1]![1];
    else if (r <= 1000) w[r - 1] = TOP_SURNAMES[top - 1]![1] * (r / top) ** -0.8;
    else if (r <= 150_000) w[r - 1] = w[999]! * (r / 1000) ** -1.1;
    else w[r - 1] = w[149_999]! * (r / 150_000) ** -1.5;
  }
  return w;
}

// ---------------------------------------------------------------------------------------------
// The shape learnt from the ONC file

interface Address {
  number: string;
  street: string;
  city: string;
  state: string;
  postcode: string;
}

export interface PopulationShape {
  givenBySex: Map<string, Weighted<string>>;
  givenAny: Weighted<string>;
  middle: Weighted<string>;
  sex: Weighted<string>;
  /** Spreadsheet serial days of birth ('' when missing). */
  dob: Weighted<string>;
  address: Weighted<Address | null>;
  houseNumber: Weighted<string>;
  areaCode: Weighted<string>;
  phoneFill: number;
  ssnFill: number;
  surnameRanks: Weighted<number>;
}

const SEX_OF: Readonly<Record<string, string>> = { FEMALE: 'F', F: 'F', MALE: 'M', M: 'M', U: 'U' };
const HOUSE = /^(\d+[A-Z]?(?:-\d+)?)\s+(.+)$/;

/** Reads the ONC file (a plain CSV: its few quoted fields hold no comma that matters here). */
export function loadShape(file = ONC_FILE): PopulationShape {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const head = lines[0]!.split(',');
  const rows = lines.slice(1).map((l) => {
    const cells = l.split(',').map((c) => c.replace(/"/g, '').trim());
    return Object.fromEntries(head.map((h, i) => [h, cells[i] ?? ''])) as Record<string, string>;
  });
  const sexOf = (r: Record<string, string>) => SEX_OF[r['GENDER']!] ?? '';
  const givenBySex = new Map<string, Weighted<string>>();
  for (const s of ['F', 'M']) givenBySex.set(s, Weighted.counts(rows.filter((r) => sexOf(r) === s).map((r) => r['FIRST']!)));
  const addresses = rows.map((r): Address | null => {
    if (!r['ADDRESS1'] && !r['ZIP'] && !r['CITY']) return null;
    const m = HOUSE.exec(r['ADDRESS1']!);
    const postcode = /^\d{9}$/.test(r['ZIP']!) ? r['ZIP']!.slice(0, 5) : r['ZIP']!;
    return { number: m ? m[1]! : '', street: m ? m[2]! : r['ADDRESS1']!, city: r['CITY']!, state: r['STATE']!, postcode };
  });
  const phones = rows.map((r) => r['PHONE']!).filter((p) => /^\d{3}-\d{3}-\d{4}$/.test(p));
  const weights = surnameWeights();
  return {
    givenBySex,
    givenAny: Weighted.counts(rows.map((r) => r['FIRST']!)),
    middle: Weighted.counts(rows.map((r) => r['MIDDLE']!)),
    sex: Weighted.counts(rows.map(sexOf)),
    dob: Weighted.counts(rows.map((r) => (/^\d+$/.test(r['DOB']!) ? r['DOB']! : ''))),
    address: Weighted.counts(addresses.map((a) => (a ? JSON.stringify(a) : ''))).map((s) => (s ? (JSON.parse(s) as Address) : null)),
    houseNumber: Weighted.counts(addresses.filter((a) => a && a.number).map((a) => a!.number)),
    areaCode: Weighted.counts(phones.map((p) => p.slice(0, 3))),
    phoneFill: phones.length / rows.length,
    ssnFill: rows.filter((r) => /^\d{3}-\d{2}-\d{4}$/.test(r['SSN']!)).length / rows.length,
    surnameRanks: Weighted.of(Array.from({ length: SURNAME_RANKS }, (_, i) => i + 1), weights),
  };
}

// ---------------------------------------------------------------------------------------------
// People

/** Spreadsheet serial day 0 (the 1900 convention, valid from serial 61 on). */
const SERIAL_EPOCH = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

function serialDate(serial: number): string {
  return new Date(SERIAL_EPOCH + serial * DAY_MS).toISOString().slice(0, 10);
}

const digits = (r: () => number, n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');

function drawPlace(shape: PopulationShape, r: () => number): Pick<SyntheticPerson, 'addressLine' | 'city' | 'state' | 'postcode'> {
  const a = shape.address.pick(r());
  if (!a) return { addressLine: '', city: '', state: '', postcode: '' };
  const number = a.number && r() < 0.8 ? shape.houseNumber.pick(r()) : a.number;
  return { addressLine: number ? `${number} ${a.street}` : a.street, city: a.city, state: a.state, postcode: a.postcode };
}

function drawPhone(shape: PopulationShape, r: () => number): string {
  if (r() >= shape.phoneFill) return '';
  return `${shape.areaCode.pick(r())}-${2 + Math.floor(r() * 8)}${digits(r, 2)}-${digits(r, 4)}`;
}

function drawSurname(shape: PopulationShape, r: () => number): string {
  const name = surnameOfRank(shape.surnameRanks.pick(r()));
  return r() < 0.01 ? `${name}-${surnameOfRank(shape.surnameRanks.pick(r()))}` : name;
}

/** Share of people who join the previous person's household (same address and phone). */
const HOUSEHOLD_SHARE = 0.3;

/**
 * `n` people, deterministic from `seed`; person i (0-based) has MRN prefix + (i + 1), zero-padded.
 * A generator: a million people are written out without being held in memory.
 */
export function* population(shape: PopulationShape, n: number, seed: number, mrnPrefix = 'M'): Generator<SyntheticPerson> {
  const r = rng(seed);
  let prev: SyntheticPerson | undefined;
  for (let i = 0; i < n; i++) {
    const sex = shape.sex.pick(r());
    const given = (shape.givenBySex.get(sex) ?? shape.givenAny).pick(r());
    const serial = shape.dob.pick(r());
    const household = prev !== undefined && r() < HOUSEHOLD_SHARE ? prev : undefined;
    const place = household ?? drawPlace(shape, r);
    const p: SyntheticPerson = {
      mrn: `${mrnPrefix}${String(i + 1).padStart(7, '0')}`,
      family: household && r() < 0.75 ? household.family : drawSurname(shape, r),
      given,
      middle: shape.middle.pick(r()),
      birthDate: serial ? serialDate(Number(serial) + Math.floor(r() * 365) - 182) : '',
      sex,
      addressLine: place.addressLine, city: place.city, state: place.state, postcode: place.postcode,
      phone: household ? household.phone : drawPhone(shape, r),
      ssnLast4: r() < shape.ssnFill ? digits(r, 4) : '',
    };
    prev = p;
    yield p;
  }
}

export const POPULATION_CSV_HEADER = 'mrn,authority,family,given,middle,birth_date,sex,address_line,city,state,postcode,phone,ssn_last4';

function cell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line of the import CSV (POPULATION_CSV_HEADER), with its line end. */
export function csvLine(p: SyntheticPerson, authority: string): string {
  return `${[p.mrn, authority, p.family, p.given, p.middle, p.birthDate, p.sex, p.addressLine, p.city, p.state, p.postcode, p.phone, p.ssnLast4].map(cell).join(',')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Duplicates as another system would send them

export const CORRUPTIONS = ['typo-family', 'typo-given', 'nickname', 'dob-transposed', 'moved', 'thin'] as const;
export type Corruption = (typeof CORRUPTIONS)[number];

const LETTERS = 'ABCDEFGHIJKLMNOPRSTUVWY';

/** One keying error: a letter replaced, dropped, doubled or swapped with its neighbour. */
function typo(s: string, r: () => number): string {
  if (s.length < 3) return s + LETTERS[Math.floor(r() * LETTERS.length)];
  const i = 1 + Math.floor(r() * (s.length - 2));
  switch (Math.floor(r() * 4)) {
    case 0: return s.slice(0, i) + LETTERS[Math.floor(r() * LETTERS.length)] + s.slice(i + 1);
    case 1: return s.slice(0, i) + s.slice(i + 1);
    case 2: return s.slice(0, i) + s[i] + s.slice(i);
    default: return s.slice(0, i - 1) + s[i] + s[i - 1] + s.slice(i + 1);
  }
}

/** Given-name groups (formal name and its short forms, e.g. NICKNAME_GROUPS), upper case, by member. */
export function nicknameIndex(groups: string): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const line of groups.split('\n')) {
    const names = line.trim().toUpperCase().split(/\s+/).filter((x) => x !== '');
    for (const n of names) byName.set(n, [...(byName.get(n) ?? []), ...names.filter((x) => x !== n)]);
  }
  return byName;
}

/**
 * Day and month swapped when both could be a month, else the last two digits of the year swapped, else
 * the digits of the day when that is still a date of the month (unchanged when none applies).
 */
function transposeDate(d: string): string {
  const [y, m, day] = d.split('-');
  if (!y || !m || !day) return d;
  if (Number(day) <= 12 && day !== m) return `${y}-${day}-${m}`;
  const year = `${y.slice(0, 2)}${y[3]}${y[2]}`;
  if (year !== y && !(m === '02' && day === '29')) return `${year}-${m}-${day}`;
  const swapped = `${day[1]}${day[0]}`;
  return swapped !== day && Number(swapped) >= 1 && Number(swapped) <= 28 ? `${y}-${m}-${swapped}` : d;
}

/**
 * `p` as another registration system might hold it: the given corruptions applied (a nickname falls
 * back to a typo when the given name has none).
 */
export function corrupt(p: SyntheticPerson, kinds: readonly Corruption[], shape: PopulationShape, groups: ReadonlyMap<string, string[]>, r: () => number): SyntheticPerson {
  const q = { ...p };
  for (const kind of kinds) {
    switch (kind) {
      case 'typo-family': q.family = typo(q.family, r); break;
      case 'typo-given': q.given = typo(q.given, r); break;
      case 'nickname': {
        const alternatives = groups.get(q.given) ?? [];
        q.given = alternatives.length ? alternatives[Math.floor(r() * alternatives.length)]! : typo(q.given, r);
        break;
      }
      case 'dob-transposed': q.birthDate = transposeDate(q.birthDate); break;
      case 'moved': Object.assign(q, drawPlace(shape, r), { phone: drawPhone(shape, r) }); break;
      case 'thin': Object.assign(q, { middle: '', phone: '', ssnLast4: '' }); break;
    }
  }
  return q;
}
