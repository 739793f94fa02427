import type { Kysely } from 'kysely';
import { canonicalJson, mergeDemographics, sameDemographics, type Demographics, type PatientIdentifier, type PatientStatus } from '../patients/index.js';
import { publishPatient } from '../realtime/publish-patient.js';
import type { Database } from './schema.js';

/** A stored patient with its demographics decoded. */
export interface PatientRecord {
  id: number;
  status: PatientStatus;
  mergedInto: number | null;
  demographics: Demographics;
  createdAt: number;
  updatedAt: number;
}

export interface Provenance {
  /** The log entry that caused the change (null for an operator's action). */
  sourceEntryId: number | null;
  at: number;
}

/** Merges chain at most this deep (a merged patient merged again); a longer chain is a data error. */
const MAX_MERGE_HOPS = 32;


function toRecord(row: { id: number; status: string; merged_into: number | null; demographics: string; created_at: number; updated_at: number }): PatientRecord {
  return {
    id: Number(row.id),
    status: row.status as PatientStatus,
    mergedInto: row.merged_into === null ? null : Number(row.merged_into),
    demographics: JSON.parse(row.demographics) as Demographics,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The flat columns the matcher and lists read, derived from the demographics. */
export function flatColumns(d: Demographics) {
  const name = d.names.find((n) => n.type === 'L') ?? d.names[0];
  const address = d.addresses.find((a) => a.type === 'H') ?? d.addresses[0];
  const phone = d.phones.find((p) => p.kind === 'home') ?? d.phones[0];
  return {
    family_name: name?.family || null,
    given_name: name?.given || null,
    middle_name: name?.middle || null,
    birth_date: d.birthDate ?? null,
    sex: d.sex ?? null,
    ssn_last4: d.ssnLast4 ?? null,
    language: d.language ?? null,
    address_line: address?.line || null,
    city: address?.city || null,
    state: address?.state || null,
    postcode: address?.postcode || null,
    phone: phone?.number || null,
    deceased_at: d.deceasedAt ?? null,
  };
}

export async function getPatient(db: Kysely<Database>, id: number): Promise<PatientRecord | undefined> {
  const row = await db.selectFrom('patient').select(['id', 'status', 'merged_into', 'demographics', 'created_at', 'updated_at']).where('id', '=', id).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

/** The patient that `id` was merged into, transitively (itself when not merged). */
export async function survivorOf(db: Kysely<Database>, id: number): Promise<PatientRecord | undefined> {
  let current = await getPatient(db, id);
  for (let hop = 0; current?.mergedInto != null; hop++) {
    if (hop >= MAX_MERGE_HOPS) throw new Error(`patient ${id}: merge chain longer than ${MAX_MERGE_HOPS}`);
    current = await getPatient(db, current.mergedInto);
  }
  return current;
}

/** The patient holding an identifier, followed to the survivor of any merge. */
export async function findByIdentifier(db: Kysely<Database>, authority: string, value: string): Promise<PatientRecord | undefined> {
  const row = await db.selectFrom('patient_identifier').select('patient_id').where('authority', '=', authority).where('value', '=', value).executeTakeFirst();
  return row ? survivorOf(db, Number(row.patient_id)) : undefined;
}

export async function listIdentifiers(db: Kysely<Database>, patientId: number): Promise<(PatientIdentifier & { id: number })[]> {
  const rows = await db.selectFrom('patient_identifier').select(['id', 'authority', 'value', 'type_code', 'facility']).where('patient_id', '=', patientId).orderBy('id').execute();
  return rows.map((r) => ({ id: Number(r.id), authority: r.authority, value: r.value, typeCode: r.type_code ?? '', facility: r.facility ?? '' }));
}

export async function createPatient(db: Kysely<Database>, demographics: Demographics, status: PatientStatus, p: Provenance): Promise<number> {
  const row = await db
    .insertInto('patient')
    .values({ status, merged_into: null, ...flatColumns(demographics), demographics: canonicalJson(demographics), source_entry_id: p.sourceEntryId, created_at: p.at, updated_at: p.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  await insertNames(db, id, demographics, p);
  return id;
}

async function insertNames(db: Kysely<Database>, patientId: number, d: Demographics, p: Provenance): Promise<void> {
  if (d.names.length === 0) return;
  await db
    .insertInto('patient_name')
    .values(d.names.map((n) => ({ patient_id: patientId, family: n.family || null, given: n.given || null, middle: n.middle || null, prefix: n.prefix || null, suffix: n.suffix || null, name_type: n.type || null, valid_from: p.at, valid_to: null, source_entry_id: p.sourceEntryId })))
    .execute();
}

export interface AddIdentifiersResult {
  added: PatientIdentifier[];
  /** Identifiers already held by another (surviving) patient: left where they are, for a reviewer. */
  conflicts: { identifier: PatientIdentifier; patientId: number }[];
}

/** Attach identifiers to a patient; ones it already holds are skipped, ones another patient holds are reported. */
export async function addIdentifiers(db: Kysely<Database>, patientId: number, ids: readonly PatientIdentifier[], p: Provenance): Promise<AddIdentifiersResult> {
  const result: AddIdentifiersResult = { added: [], conflicts: [] };
  for (const id of ids) {
    const holder = await db.selectFrom('patient_identifier').select('patient_id').where('authority', '=', id.authority).where('value', '=', id.value).executeTakeFirst();
    if (holder) {
      const survivor = await survivorOf(db, Number(holder.patient_id));
      if (survivor && survivor.id !== patientId) result.conflicts.push({ identifier: id, patientId: survivor.id });
      continue;
    }
    await db
      .insertInto('patient_identifier')
      .values({ patient_id: patientId, authority: id.authority, value: id.value, type_code: id.typeCode || null, facility: id.facility || null, moved_from: null, source_entry_id: p.sourceEntryId, created_at: p.at })
      .execute();
    result.added.push(id);
  }
  return result;
}

export type DemographicsUpdate = 'changed' | 'unchanged' | 'stale';

/**
 * Apply what a message says about a patient's demographics, keeping history: the replaced version goes
 * to patient_demographics_history, replaced names get valid_to. An update whose asOf (event time) is
 * older than the stored one is 'stale': recorded in history only, the newer stored values stay.
 */
export async function updateDemographics(db: Kysely<Database>, patientId: number, update: Demographics, p: Provenance): Promise<DemographicsUpdate> {
  const current = await getPatient(db, patientId);
  if (!current) throw new Error(`patient ${patientId} does not exist`);
  const stored = current.demographics;
  if (update.asOf !== undefined && stored.asOf !== undefined && update.asOf < stored.asOf) {
    await db.insertInto('patient_demographics_history').values({ patient_id: patientId, replaced_at: p.at, source_entry_id: p.sourceEntryId, demographics: canonicalJson({ ...update, stale: true }) }).execute();
    return 'stale';
  }
  const next = mergeDemographics(stored, update);
  if (sameDemographics(stored, next)) return 'unchanged';
  await db.insertInto('patient_demographics_history').values({ patient_id: patientId, replaced_at: p.at, source_entry_id: p.sourceEntryId, demographics: canonicalJson(stored) }).execute();
  await db.updateTable('patient').set({ ...flatColumns(next), demographics: canonicalJson(next), updated_at: p.at }).where('id', '=', patientId).execute();
  if (canonicalJson(stored.names) !== canonicalJson(next.names)) {
    await db.updateTable('patient_name').set({ valid_to: p.at }).where('patient_id', '=', patientId).where('valid_to', 'is', null).execute();
    await insertNames(db, patientId, next, p);
  }
  await publishPatient(db, { patientId, at: p.at, change: 'demographics' }); // heard by the streams at commit
  return 'changed';
}

/** Set a patient's status (deceased, active again, staging...), told to the streams at commit. */
export async function setPatientStatus(db: Kysely<Database>, patientId: number, status: PatientStatus, at: number): Promise<void> {
  await db.updateTable('patient').set({ status, updated_at: at }).where('id', '=', patientId).execute();
  await publishPatient(db, { patientId, at, change: 'status', status });
}

/** Earlier versions of a patient's demographics, newest first. */
export async function demographicsHistory(db: Kysely<Database>, patientId: number): Promise<{ replacedAt: number; sourceEntryId: number | null; demographics: Demographics & { stale?: boolean } }[]> {
  const rows = await db.selectFrom('patient_demographics_history').selectAll().where('patient_id', '=', patientId).orderBy('replaced_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map((r) => ({ replacedAt: Number(r.replaced_at), sourceEntryId: r.source_entry_id === null ? null : Number(r.source_entry_id), demographics: JSON.parse(r.demographics) }));
}
