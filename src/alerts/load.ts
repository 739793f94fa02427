/**
 * Loads what `buildContext` needs for one event, with indexed queries only: the encounter and patient
 * by id, episodes by (patient_id, status), and the patient's events by (patient_id, occurred_at).
 */
import type { Kysely } from 'kysely';
import type { ClinicalEvent } from '../store/events.js';
import type { Database } from '../store/schema.js';
import { visitStart, type ContextInput } from './context.js';

const DAY = 86_400_000;
const VISIT_TYPES = ['admit', 'registration', 'class-change', 'visit-update', 'transfer'];

function toEvent(r: { id: number; patient_id: number; encounter_id: number | null; event_type: string; occurred_at: number; recorded_at: number; facility: string | null; source_entry_id: number | null; message_type: string | null; payload: string; out_of_order: number; withdrawn_at: number | null; withdrawn_by: number | null }): ClinicalEvent {
  return {
    id: Number(r.id),
    patientId: Number(r.patient_id),
    encounterId: r.encounter_id === null ? null : Number(r.encounter_id),
    type: r.event_type as ClinicalEvent['type'],
    occurredAt: Number(r.occurred_at),
    recordedAt: Number(r.recorded_at),
    facility: r.facility,
    sourceEntryId: r.source_entry_id === null ? null : Number(r.source_entry_id),
    messageType: r.message_type,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    outOfOrder: Number(r.out_of_order) === 1,
    withdrawnAt: r.withdrawn_at === null ? null : Number(r.withdrawn_at),
    withdrawnBy: r.withdrawn_by === null ? null : Number(r.withdrawn_by),
  };
}

/** The active and on-hold episodes of a patient, latest start first (the first is the alert's episode). */
export async function activeEpisodes(db: Kysely<Database>, patientId: number): Promise<{ id: number; type: string }[]> {
  const rows = await db.selectFrom('care_episode').select(['id', 'episode_type']).where('patient_id', '=', patientId).where('status', 'in', ['active', 'on-hold']).orderBy('start_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map((r) => ({ id: Number(r.id), type: r.episode_type }));
}

/** Everything the context of `event` reads. */
export async function loadContextInput(db: Kysely<Database>, event: ClinicalEvent, episodes: readonly { type: string }[]): Promise<ContextInput> {
  const enc = event.encounterId === null ? undefined : await db.selectFrom('encounter').select(['facility', 'patient_class', 'status', 'hospital_service', 'admitted_at']).where('id', '=', event.encounterId).executeTakeFirst();
  const encounter = enc ? { facility: enc.facility, patientClass: enc.patient_class, status: enc.status, hospitalService: enc.hospital_service, admittedAt: enc.admitted_at === null ? null : Number(enc.admitted_at) } : null;
  const p = await db.selectFrom('patient').select(['birth_date', 'sex', 'status', 'deceased_at']).where('id', '=', event.patientId).executeTakeFirst();
  const patient = p ? { birthDate: p.birth_date, sex: p.sex, deceased: p.status === 'deceased' || p.deceased_at !== null } : null;
  const start = visitStart(event, encounter);
  let dq = db.selectFrom('clinical_event').selectAll().where('patient_id', '=', event.patientId).where('event_type', '=', 'discharge').where('withdrawn_at', 'is', null).where('occurred_at', '<', start);
  if (event.encounterId !== null) dq = dq.where((eb) => eb.or([eb('encounter_id', 'is', null), eb('encounter_id', '!=', event.encounterId)]));
  const priorDischarges = (await dq.orderBy('occurred_at', 'desc').limit(20).execute()).map(toEvent);
  const recentVisitEvents = (
    await db.selectFrom('clinical_event').selectAll().where('patient_id', '=', event.patientId).where('occurred_at', '>=', event.occurredAt - 60 * DAY).where('occurred_at', '<=', event.occurredAt)
      .where('event_type', 'in', VISIT_TYPES).where('withdrawn_at', 'is', null).orderBy('occurred_at').limit(1000).execute()
  ).map(toEvent);
  const encounterIds = [...new Set([...priorDischarges, ...recentVisitEvents].map((e) => e.encounterId).filter((id): id is number => id !== null))];
  const classes = encounterIds.length ? await db.selectFrom('encounter').select(['id', 'patient_class']).where('id', 'in', encounterIds).execute() : [];
  return {
    event,
    encounter,
    patient,
    episodeTypes: episodes.map((e) => e.type),
    priorDischarges,
    recentVisitEvents,
    encounterClasses: new Map(classes.map((c) => [Number(c.id), c.patient_class])),
  };
}

/** The events a message's new events withdrew (a cancel, a result retraction): withdrawn_by names them. */
export async function eventsWithdrawnBy(db: Kysely<Database>, byIds: readonly number[]): Promise<ClinicalEvent[]> {
  if (byIds.length === 0) return [];
  return (await db.selectFrom('clinical_event').selectAll().where('withdrawn_by', 'in', [...byIds]).orderBy('id').execute()).map(toEvent);
}
