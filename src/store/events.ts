import type { Kysely, Selectable } from 'kysely';
import { canonicalJson } from '../patients/index.js';
import { publishClinicalEvent } from '../realtime/publish.js';
import type { ClinicalEventTable, Database } from './schema.js';

/**
 * Clinical event types (what happened to a patient). 'observation' carries lab and vital results;
 * the cancel types record the cancel itself, while the event they cancel is withdrawn.
 */
export const CLINICAL_EVENT_TYPES = [
  'admit',
  'transfer',
  'discharge',
  'registration',
  'pre-admit',
  'class-change',
  'visit-update',
  'cancel-admit',
  'cancel-transfer',
  'cancel-discharge',
  'cancel-pre-admit',
  'demographics-update',
  'person-add',
  'merge',
  'observation',
  'death',
] as const;
export type ClinicalEventType = (typeof CLINICAL_EVENT_TYPES)[number];

export interface NewClinicalEvent {
  patientId: number;
  encounterId: number | null;
  type: ClinicalEventType;
  occurredAt: number;
  recordedAt: number;
  facility: string | null;
  sourceEntryId: number | null;
  /** MSH-9 of the source message (e.g. ADT^A01). */
  messageType: string | null;
  payload: Record<string, unknown>;
  outOfOrder?: boolean;
}

export interface ClinicalEvent extends Omit<NewClinicalEvent, 'outOfOrder'> {
  id: number;
  outOfOrder: boolean;
  withdrawnAt: number | null;
  withdrawnBy: number | null;
}

export async function insertEvent(db: Kysely<Database>, e: NewClinicalEvent): Promise<number> {
  const row = await db
    .insertInto('clinical_event')
    .values({
      patient_id: e.patientId,
      encounter_id: e.encounterId,
      event_type: e.type,
      occurred_at: e.occurredAt,
      recorded_at: e.recordedAt,
      facility: e.facility,
      source_entry_id: e.sourceEntryId,
      message_type: e.messageType,
      payload: canonicalJson(e.payload),
      out_of_order: e.outOfOrder ? 1 : 0,
      withdrawn_at: null,
      withdrawn_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await publishClinicalEvent(db, Number(row.id), e); // the streams hear of it when this transaction commits
  return Number(row.id);
}

/** Mark events withdrawn by a cancel (event `by`); already withdrawn ones keep their first withdrawal. */
export async function withdrawEvents(db: Kysely<Database>, ids: readonly number[], by: number, at: number): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('clinical_event').set({ withdrawn_at: at, withdrawn_by: by }).where('id', 'in', [...ids]).where('withdrawn_at', 'is', null).execute();
}

type EventRow = Selectable<ClinicalEventTable>;

function toEvent(r: EventRow): ClinicalEvent {
  return {
    id: Number(r.id),
    patientId: Number(r.patient_id),
    encounterId: r.encounter_id === null ? null : Number(r.encounter_id),
    type: r.event_type as ClinicalEventType,
    occurredAt: Number(r.occurred_at),
    recordedAt: Number(r.recorded_at),
    facility: r.facility,
    sourceEntryId: r.source_entry_id === null ? null : Number(r.source_entry_id),
    messageType: r.message_type,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    outOfOrder: r.out_of_order === 1,
    withdrawnAt: r.withdrawn_at === null ? null : Number(r.withdrawn_at),
    withdrawnBy: r.withdrawn_by === null ? null : Number(r.withdrawn_by),
  };
}

/** A patient's events by when they happened (ties in recording order); withdrawn ones only when asked. */
export async function listPatientEvents(db: Kysely<Database>, patientId: number, opts: { includeWithdrawn?: boolean; since?: number; limit?: number } = {}): Promise<ClinicalEvent[]> {
  let q = db.selectFrom('clinical_event').selectAll().where('patient_id', '=', patientId);
  if (!opts.includeWithdrawn) q = q.where('withdrawn_at', 'is', null);
  if (opts.since !== undefined) q = q.where('occurred_at', '>=', opts.since);
  const rows = await q.orderBy('occurred_at').orderBy('id').limit(opts.limit ?? 10_000).execute();
  return rows.map(toEvent);
}

/** An encounter's events by when they happened (ties in recording order), withdrawn ones included. */
export async function listEncounterEvents(db: Kysely<Database>, encounterId: number): Promise<ClinicalEvent[]> {
  const rows = await db.selectFrom('clinical_event').selectAll().where('encounter_id', '=', encounterId).orderBy('occurred_at').orderBy('id').execute();
  return rows.map(toEvent);
}

/** The events a log entry produced (reprocessing and tests read them). */
export async function eventsOfEntry(db: Kysely<Database>, entryId: number): Promise<ClinicalEvent[]> {
  const rows = await db.selectFrom('clinical_event').selectAll().where('source_entry_id', '=', entryId).orderBy('id').execute();
  return rows.map(toEvent);
}
