/**
 * The rows of `carecoord patient import`: a patient per CSV row, known-distinct (a master patient
 * index being seeded), checked and turned into what the store keeps. Pure.
 *
 * Columns (header names, any order; only mrn and authority are required):
 *   mrn, authority, family, given, middle, birth_date (YYYY-MM-DD), sex (HL7 0001: F M O U A N),
 *   address_line, city, state, postcode, phone, ssn_last4
 * A full SSN (a 9-digit ssn_last4, or a column named ssn) is reduced to its last four digits here:
 * the full number never leaves this file, and no message repeats an SSN value.
 * Match keys are the matcher's own blockingKeys of the record as a stored patient shows it to the
 * matcher, so an imported patient is found exactly like one created from a message.
 */
import type { Demographics, PatientIdentifier } from '../patients/index.js';
import { phoneDigits } from '../patients/index.js';
import { blockingKeys } from './blocking.js';
import { normalizePerson } from './normalize.js';
import { personFromDemographics } from './resolve-policy.js';

export const IMPORT_COLUMNS = ['mrn', 'authority', 'family', 'given', 'middle', 'birth_date', 'sex', 'address_line', 'city', 'state', 'postcode', 'phone', 'ssn_last4'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
const REQUIRED: readonly ImportColumn[] = ['mrn', 'authority'];
/** Header aliases: a full-SSN column is read as ssn_last4 (and reduced). */
const ALIASES: Readonly<Record<string, ImportColumn>> = { ssn: 'ssn_last4' };

/** Column positions by name (-1: the file has no such column). */
export type ImportHeader = Readonly<Record<ImportColumn, number>>;

/** The identifier type of imported identifiers (HL7 table 0203: medical record number). */
export const IMPORT_IDENTIFIER_TYPE = 'MR';

/** The header row checked: every column known, none twice, mrn and authority present. */
export function readImportHeader(cells: readonly string[]): { ok: true; header: ImportHeader } | { ok: false; message: string } {
  const header = Object.fromEntries(IMPORT_COLUMNS.map((c) => [c, -1])) as Record<ImportColumn, number>;
  for (const [i, raw] of cells.entries()) {
    const name = raw.trim().toLowerCase();
    const column = ALIASES[name] ?? ((IMPORT_COLUMNS as readonly string[]).includes(name) ? (name as ImportColumn) : undefined);
    if (!column) return { ok: false, message: `unknown column "${raw.trim()}" (columns: ${IMPORT_COLUMNS.join(', ')})` };
    if (header[column] >= 0) return { ok: false, message: `column ${column} appears twice` };
    header[column] = i;
  }
  const missing = REQUIRED.filter((c) => header[c] < 0);
  if (missing.length) return { ok: false, message: `missing column ${missing.join(', ')} (columns: ${IMPORT_COLUMNS.join(', ')})` };
  return { ok: true, header };
}

/** One row ready for the store. */
export interface ImportRecord {
  line: number;
  identifier: PatientIdentifier;
  demographics: Demographics;
  /** blockingKeys of the stored patient's matcher view (what refreshMatchKeys would write). */
  matchKeys: string[];
  /** True when the row carried a full SSN, of which only the last four digits were kept. */
  ssnReduced: boolean;
}

export type ImportRowResult = { ok: true; record: ImportRecord } | { ok: false; line: number; message: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SEX = new Set(['F', 'M', 'O', 'U', 'A', 'N']);

function validDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** The last four digits of an SSN field, or why it cannot be used (the value itself is never repeated). */
function ssnLast4(text: string): { last4: string; reduced: boolean } | { error: string } {
  const digits = text.replace(/\D/g, '');
  if (digits.length === 4) return { last4: digits, reduced: false };
  if (digits.length === 9) return { last4: digits.slice(-4), reduced: true };
  return { error: `ssn_last4 must hold 4 digits (or a full 9-digit SSN, of which only the last four are kept); it has ${digits.length}` };
}

/** A data row checked and turned into a record; `line` is its line in the file (for messages). */
export function readImportRow(header: ImportHeader, cells: readonly string[], line: number): ImportRowResult {
  const get = (c: ImportColumn): string => (header[c] < 0 ? '' : (cells[header[c]] ?? '').trim());
  const fail = (message: string): ImportRowResult => ({ ok: false, line, message });
  const width = Math.max(...Object.values(header)) + 1;
  if (cells.length !== width) return fail(`${cells.length} fields, the header has ${width}`);
  const [mrn, authority] = [get('mrn'), get('authority')];
  if (!mrn) return fail('mrn is empty');
  if (!authority) return fail('authority is empty');
  const [family, given, middle] = [get('family'), get('given'), get('middle')];
  if (!family && !given) return fail('family and given are both empty');
  const birthDate = get('birth_date');
  if (birthDate && !validDate(birthDate)) return fail(`birth_date "${birthDate}" is not a YYYY-MM-DD date`);
  const sex = get('sex').toUpperCase();
  if (sex && !SEX.has(sex)) return fail(`sex "${get('sex')}" is not one of F, M, O, U, A, N`);
  const phone = phoneDigits(get('phone'));
  if (get('phone') && phone.replace('+', '').length < 7) return fail(`phone "${get('phone')}" has fewer than 7 digits`);
  const ssn = get('ssn_last4') ? ssnLast4(get('ssn_last4')) : undefined;
  if (ssn && 'error' in ssn) return fail(ssn.error);

  const [addressLine, city, state, postcode] = [get('address_line'), get('city'), get('state'), get('postcode')];
  const demographics: Demographics = {
    names: [{ family, given, middle, prefix: '', suffix: '', type: 'L' }],
    // As from PID: an address needs a line, a city or a postcode.
    addresses: addressLine || city || postcode ? [{ line: addressLine, other: '', city, state, postcode, country: '', type: 'H' }] : [],
    phones: phone ? [{ number: phone, use: 'PRN', kind: 'home' }] : [],
  };
  if (birthDate) demographics.birthDate = birthDate;
  if (sex) demographics.sex = sex;
  if (ssn) demographics.ssnLast4 = ssn.last4;
  const identifier: PatientIdentifier = { value: mrn, authority, typeCode: IMPORT_IDENTIFIER_TYPE, facility: '' };
  const matchKeys = blockingKeys(normalizePerson(personFromDemographics(demographics)));
  return { ok: true, record: { line, identifier, demographics, matchKeys, ssnReduced: ssn?.reduced ?? false } };
}

