import type { Selectable } from 'kysely';
import type { CareEpisode, EncounterSummary, EpisodeStatus, EpisodeType } from '../../care/episode.js';
import type { CareEpisodeTable, EncounterTable } from '../schema.js';
import type { CareDb } from './db.js';

export function toEpisode(r: Selectable<CareEpisodeTable>): CareEpisode {
  return {
    id: Number(r.id), patientId: Number(r.patient_id), type: r.episode_type as EpisodeType, goal: r.goal, status: r.status as EpisodeStatus,
    startAt: Number(r.start_at), endAt: r.end_at === null ? null : Number(r.end_at), createdBy: r.created_by,
    createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}

export async function insertEpisode(db: CareDb, e: Omit<CareEpisode, 'id'>): Promise<CareEpisode> {
  const row = await db.insertInto('care_episode').values({
    patient_id: e.patientId, episode_type: e.type, goal: e.goal, status: e.status, start_at: e.startAt, end_at: e.endAt,
    created_by: e.createdBy, created_at: e.createdAt, updated_at: e.updatedAt,
  }).returningAll().executeTakeFirstOrThrow();
  return toEpisode(row);
}

export async function getEpisode(db: CareDb, id: number): Promise<CareEpisode | undefined> {
  const row = await db.selectFrom('care_episode').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toEpisode(row);
}

/**
 * Read an episode for a change, taking its row lock first: changes to one episode's team, plan or
 * status then run one after another (PostgreSQL row lock; on SQLite the write lock, taken before any
 * read so a concurrent writer cannot invalidate what this transaction read).
 */
export async function lockEpisode(db: CareDb, id: number): Promise<CareEpisode | undefined> {
  const row = await db.updateTable('care_episode').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', id).returningAll().executeTakeFirst();
  return row && toEpisode(row);
}

export async function updateEpisodeStatus(db: CareDb, id: number, change: { status: EpisodeStatus; endAt: number | null }, at: number): Promise<CareEpisode> {
  const row = await db.updateTable('care_episode').set({ status: change.status, end_at: change.endAt, updated_at: at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toEpisode(row);
}

/** A patient's episodes, latest start first, optionally only those in `statuses`. */
export async function listPatientEpisodes(db: CareDb, patientId: number, statuses?: readonly EpisodeStatus[]): Promise<CareEpisode[]> {
  let q = db.selectFrom('care_episode').selectAll().where('patient_id', '=', patientId);
  if (statuses) {
    if (statuses.length === 0) return [];
    q = q.where('status', 'in', [...statuses]);
  }
  return (await q.orderBy('start_at', 'desc').orderBy('id', 'desc').execute()).map(toEpisode);
}

export function toEncounterSummary(r: Selectable<EncounterTable>): EncounterSummary {
  return {
    id: Number(r.id), patientId: Number(r.patient_id), facility: r.facility, visitNumber: r.visit_number, patientClass: r.patient_class,
    status: r.status, admittedAt: r.admitted_at === null ? null : Number(r.admitted_at),
    dischargedAt: r.discharged_at === null ? null : Number(r.discharged_at), location: r.location, hospitalService: r.hospital_service,
  };
}

/**
 * A patient's encounters overlapping [startAt, endAt] (endAt null: still running), bounds inclusive,
 * in admission order. Encounters not yet admitted (no admitted_at) or cancelled did not happen and
 * are left out. The same rule as `encounterDuringEpisode`.
 */
export async function listEncountersOverlapping(db: CareDb, patientId: number, startAt: number, endAt: number | null): Promise<EncounterSummary[]> {
  let q = db.selectFrom('encounter').selectAll()
    .where('patient_id', '=', patientId)
    .where('status', '!=', 'cancelled')
    .where('admitted_at', 'is not', null)
    .where((eb) => eb.or([eb('discharged_at', 'is', null), eb('discharged_at', '>=', startAt)]));
  if (endAt !== null) q = q.where('admitted_at', '<=', endAt);
  return (await q.orderBy('admitted_at').orderBy('id').execute()).map(toEncounterSummary);
}
