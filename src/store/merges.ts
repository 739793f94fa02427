import type { Kysely } from 'kysely';
import { publishPatient } from '../realtime/publish-patient.js';
import type { Database } from './schema.js';

/**
 * The patient-scoped tables whose rows follow a merge to the survivor, and go back on unmerge. Every
 * one has `id` and `patient_id`. A capability with a new patient-scoped table adds one line here.
 * Not moved: a patient's own names, demographics history and match keys (they describe the merged
 * record, which stays as a tombstone), audit logs, and realtime_event: the stream's replay window, whose
 * rows stay on the patient they were published for, so a merge never lets the survivor's team replay
 * the merged patient's earlier events (docs/architecture.md, Real-time).
 */
export const MERGE_MOVED_TABLES = [
  'patient_identifier',
  'encounter',
  'clinical_event',
  'observation',
  'patient_diagnosis',
  'patient_coverage',
  'care_episode',
  'task',
  'break_glass_grant',
] as const satisfies readonly (keyof Database)[];
export type MovedTable = (typeof MERGE_MOVED_TABLES)[number];

/** patient_merge.moved: exactly what a merge changed, so that unmerge can put it back. */
export interface MergeMoved {
  /** Row ids moved to the survivor, per table. */
  rows: Partial<Record<MovedTable, number[]>>;
  /** moved_from of moved identifiers that had one before (from an earlier merge), by identifier id. */
  priorMovedFrom: Record<string, number>;
  /** The merged patient's status before it became a tombstone. */
  priorStatus: string;
  /** The 'merge' clinical event recorded on the survivor. */
  eventId: number;
}

export interface MergeRow {
  id: number;
  survivorId: number;
  mergedId: number;
  source: string;
  sourceEntryId: number | null;
  decidedBy: string | null;
  mergedAt: number;
  moved: MergeMoved;
  reversedAt: number | null;
  reversedBy: string | null;
}

/** Statement parameters per IN list (SQLite allows 32766 per statement; PostgreSQL 65535). */
const CHUNK = 500;

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

// One query shape serves every moved table (all have id and patient_id): typed as one of them.
const as = (table: MovedTable) => table as 'encounter';

/** Ids of a patient's rows in `table`, ascending. */
export async function rowIdsOf(db: Kysely<Database>, table: MovedTable, patientId: number): Promise<number[]> {
  const rows = await db.selectFrom(as(table)).select('id').where('patient_id', '=', patientId).orderBy('id').execute();
  return rows.map((r) => Number(r.id));
}

/** Point rows `ids` of `table` at patient `to`. */
export async function reassignRows(db: Kysely<Database>, table: MovedTable, ids: readonly number[], to: number): Promise<void> {
  for (const part of chunks(ids)) await db.updateTable(as(table)).set({ patient_id: to }).where('id', 'in', part).execute();
}

/**
 * Point those of rows `ids` that are now held by one of `holders` at patient `to`; returns the ids moved.
 * (Unmerge: rows of a merge that a later merge carried further still come back; rows that an earlier
 * unmerge already took away do not.)
 */
export async function reassignRowsHeldBy(db: Kysely<Database>, table: MovedTable, ids: readonly number[], holders: readonly number[], to: number): Promise<number[]> {
  const moved: number[] = [];
  for (const part of chunks(ids)) {
    const held = (await db.selectFrom(as(table)).select('id').where('id', 'in', part).where('patient_id', 'in', [...holders]).execute()).map((r) => Number(r.id));
    if (held.length > 0) await db.updateTable(as(table)).set({ patient_id: to }).where('id', 'in', held).execute();
    moved.push(...held);
  }
  return moved;
}

/** moved_from of the given identifiers, for those that have one. */
export async function movedFromOf(db: Kysely<Database>, ids: readonly number[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const part of chunks(ids)) {
    const rows = await db.selectFrom('patient_identifier').select(['id', 'moved_from']).where('id', 'in', part).where('moved_from', 'is not', null).execute();
    for (const r of rows) out[String(r.id)] = Number(r.moved_from);
  }
  return out;
}

/** Set moved_from of identifiers `ids` (null clears it). */
export async function setMovedFrom(db: Kysely<Database>, ids: readonly number[], from: number | null): Promise<void> {
  for (const part of chunks(ids)) await db.updateTable('patient_identifier').set({ moved_from: from }).where('id', 'in', part).execute();
}

/**
 * Make `mergedId` a tombstone pointing at `survivorId`; a 'patient' event on the survivor tells its
 * streams (only there: nobody sees a tombstone, and its earlier stream events stay its own).
 */
export async function markMerged(db: Kysely<Database>, mergedId: number, survivorId: number, at: number): Promise<void> {
  await db.updateTable('patient').set({ status: 'merged', merged_into: survivorId, updated_at: at }).where('id', '=', mergedId).execute();
  await publishPatient(db, { patientId: survivorId, at, change: 'merge', otherPatientId: mergedId });
}

/** Bring a tombstone back as a patient of its own, with `status` ('patient' events on both patients). */
export async function unmarkMerged(db: Kysely<Database>, patientId: number, survivorId: number, status: string, at: number): Promise<void> {
  await db.updateTable('patient').set({ status, merged_into: null, updated_at: at }).where('id', '=', patientId).execute();
  await publishPatient(db, { patientId: survivorId, at, change: 'unmerge', otherPatientId: patientId });
  await publishPatient(db, { patientId, at, change: 'unmerge', otherPatientId: survivorId });
}

export async function insertMerge(db: Kysely<Database>, m: Omit<MergeRow, 'id' | 'reversedAt' | 'reversedBy'>): Promise<number> {
  const row = await db
    .insertInto('patient_merge')
    .values({
      survivor_id: m.survivorId, merged_id: m.mergedId, source: m.source, source_entry_id: m.sourceEntryId, decided_by: m.decidedBy,
      merged_at: m.mergedAt, moved: JSON.stringify(m.moved), reversed_at: null, reversed_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

type MergeTableRow = { id: number; survivor_id: number; merged_id: number; source: string; source_entry_id: number | null; decided_by: string | null; merged_at: number; moved: string; reversed_at: number | null; reversed_by: string | null };

function toMerge(r: MergeTableRow): MergeRow {
  return {
    id: Number(r.id), survivorId: Number(r.survivor_id), mergedId: Number(r.merged_id), source: r.source,
    sourceEntryId: r.source_entry_id === null ? null : Number(r.source_entry_id), decidedBy: r.decided_by, mergedAt: Number(r.merged_at),
    moved: JSON.parse(r.moved) as MergeMoved, reversedAt: r.reversed_at === null ? null : Number(r.reversed_at), reversedBy: r.reversed_by,
  };
}

export async function getMerge(db: Kysely<Database>, id: number): Promise<MergeRow | undefined> {
  const row = await db.selectFrom('patient_merge').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toMerge(row) : undefined;
}

/** Merges a patient took part in (as survivor or as the merged one), oldest first. */
export async function mergesOfPatient(db: Kysely<Database>, patientId: number): Promise<MergeRow[]> {
  const rows = await db.selectFrom('patient_merge').selectAll().where((eb) => eb.or([eb('survivor_id', '=', patientId), eb('merged_id', '=', patientId)])).orderBy('id').execute();
  return rows.map(toMerge);
}

/** Mark a merge reversed; false when it already was (someone else reversed it first). */
export async function markMergeReversed(db: Kysely<Database>, id: number, by: string, at: number): Promise<boolean> {
  const r = await db.updateTable('patient_merge').set({ reversed_at: at, reversed_by: by }).where('id', '=', id).where('reversed_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Withdraw the 'merge' event of a reversed merge (it stays, marked, for the record). */
export async function withdrawMergeEvent(db: Kysely<Database>, eventId: number, at: number): Promise<void> {
  await db.updateTable('clinical_event').set({ withdrawn_at: at }).where('id', '=', eventId).where('withdrawn_at', 'is', null).execute();
}
