import type { Kysely, Selectable } from 'kysely';
import type { EncounterStatus, EncounterState } from '../adt/encounter-state.js';
import type { Database, EncounterTable } from './schema.js';

/**
 * Encounters (visits): one row per facility + visit number (PV1-19) and patient. The row is derived:
 * adt/ recomputes it from the encounter's clinical events after every message (adt/encounter-state.ts).
 */
export interface EncounterRecord extends EncounterState {
  id: number;
  patientId: number;
  facility: string;
  visitNumber: string | null;
  createdAt: number;
  updatedAt: number;
}

function toRecord(r: Selectable<EncounterTable>): EncounterRecord {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: Number(r.id),
    patientId: Number(r.patient_id),
    facility: r.facility,
    visitNumber: r.visit_number,
    status: r.status as EncounterStatus,
    patientClass: r.patient_class,
    admittedAt: n(r.admitted_at),
    dischargedAt: n(r.discharged_at),
    location: r.location,
    hospitalService: r.hospital_service,
    attending: r.attending,
    admitSource: r.admit_source,
    dischargeDisposition: r.discharge_disposition,
    dischargedTo: r.discharged_to,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function stateColumns(s: EncounterState) {
  return {
    status: s.status,
    patient_class: s.patientClass,
    admitted_at: s.admittedAt,
    discharged_at: s.dischargedAt,
    location: s.location,
    hospital_service: s.hospitalService,
    attending: s.attending,
    admit_source: s.admitSource,
    discharge_disposition: s.dischargeDisposition,
    discharged_to: s.dischargedTo,
  };
}

export async function getEncounter(db: Kysely<Database>, id: number): Promise<EncounterRecord | undefined> {
  const row = await db.selectFrom('encounter').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

/** Every encounter with this visit number at this facility (normally one; more when two patients claim it), oldest first. */
export async function findEncountersByVisit(db: Kysely<Database>, facility: string, visitNumber: string): Promise<EncounterRecord[]> {
  const rows = await db.selectFrom('encounter').selectAll().where('facility', '=', facility).where('visit_number', '=', visitNumber).orderBy('id').execute();
  return rows.map(toRecord);
}

/** The patient's most recently created encounter at a facility among the given statuses (all when omitted). */
export async function latestEncounter(db: Kysely<Database>, patientId: number, facility: string, statuses?: readonly EncounterStatus[]): Promise<EncounterRecord | undefined> {
  let q = db.selectFrom('encounter').selectAll().where('patient_id', '=', patientId).where('facility', '=', facility);
  if (statuses) q = q.where('status', 'in', [...statuses]);
  const row = await q.orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

/** A new encounter with its initial state (the caller recomputes it from events in the same transaction). */
export async function insertEncounter(
  db: Kysely<Database>,
  e: { patientId: number; facility: string; visitNumber: string | null; state: EncounterState; at: number },
): Promise<number> {
  const row = await db
    .insertInto('encounter')
    .values({ patient_id: e.patientId, facility: e.facility, visit_number: e.visitNumber, ...stateColumns(e.state), created_at: e.at, updated_at: e.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Store the fold of the encounter's events (and its visit number when it changed, A06/A07 with MRG-5). */
export async function saveEncounterState(db: Kysely<Database>, id: number, state: EncounterState, at: number, visitNumber?: string): Promise<void> {
  await db
    .updateTable('encounter')
    .set({ ...stateColumns(state), ...(visitNumber !== undefined ? { visit_number: visitNumber } : {}), updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** A patient's encounters, most recent first (by admission, then creation). */
export async function listPatientEncounters(db: Kysely<Database>, patientId: number): Promise<EncounterRecord[]> {
  const rows = await db.selectFrom('encounter').selectAll().where('patient_id', '=', patientId).orderBy('id', 'desc').execute();
  return rows.map(toRecord).sort((a, b) => (b.admittedAt ?? b.createdAt) - (a.admittedAt ?? a.createdAt) || b.id - a.id);
}
