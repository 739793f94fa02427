/**
 * The FEBRL synthetic record-linkage datasets (../shared/matching/febrl beside the repository; see
 * SOURCE.md there) read as carecoord PersonRecords. Mapping: given_name -> given, surname -> family,
 * street_number + address_1 -> addressLine, suburb -> city, postcode, state, date_of_birth YYYYMMDD ->
 * 'YYYY-MM-DD' (corrupted dates kept as text), soc_sec_id -> its last 4 digits only. address_2 (a
 * locality or property name) has no PersonRecord field and is dropped. No sex, no phone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PersonRecord } from '../../src/identity/index.js';

export interface FebrlRecord {
  /** rec_id as in the file: rec-N-org or rec-N-dup-K. */
  readonly recId: string;
  /** N: records with the same entity are the same person. */
  readonly entity: number;
  readonly person: PersonRecord;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared FEBRL folder: path.resolve(repoRoot, '../shared/matching/febrl'). */
export const FEBRL_DIR = path.resolve(REPO_ROOT, '../shared/matching/febrl');

const REC_ID = /^rec-(\d+)-(?:org|dup-\d+)$/;

function optional(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

function toPerson(f: Record<string, string>): PersonRecord {
  const dob = f['date_of_birth'] ?? '';
  const ssn = f['soc_sec_id'] ?? '';
  const line = [f['street_number'], f['address_1']].filter((x) => x !== undefined && x !== '').join(' ');
  const p: PersonRecord = {
    given: optional(f['given_name']),
    family: optional(f['surname']),
    birthDate: optional(/^\d{8}$/.test(dob) ? `${dob.slice(0, 4)}-${dob.slice(4, 6)}-${dob.slice(6)}` : dob),
    addressLine: optional(line),
    city: optional(f['suburb']),
    state: optional(f['state']),
    postcode: optional(f['postcode']),
    ssnLast4: optional(ssn.slice(-4)),
  };
  for (const k of Object.keys(p) as (keyof PersonRecord)[]) if (p[k] === undefined) delete p[k];
  return p;
}

/** Reads one FEBRL CSV file ("comma, space" separated, a header line, no quoting). */
export function readFebrl(file: string): FebrlRecord[] {
  const lines = readFileSync(path.join(FEBRL_DIR, file), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]!.split(',').map((h) => h.trim());
  return lines.slice(1).map((line) => {
    const cells = line.split(',').map((c) => c.trim());
    const f = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
    const m = REC_ID.exec(f['rec_id'] ?? '');
    if (!m) throw new Error(`${file}: unexpected rec_id ${f['rec_id']}`);
    return { recId: f['rec_id']!, entity: Number(m[1]), person: toPerson(f) };
  });
}
