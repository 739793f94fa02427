import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** What a real-time event is about; the SSE `event:` name. */
export const RealtimeKind = {
  /** A clinical_event row was recorded (ADT, ORU, merge...): ref = clinical_event.id. */
  ClinicalEvent: 'clinical-event',
  /** A task was created, changed status or was reassigned: ref = task.id. */
  Task: 'task',
  /** The patient record itself changed (identity): ref = patient.id. */
  Patient: 'patient',
  /** An alert (the alerts issue): ref = alert id. */
  Alert: 'alert',
  /** An alert was delivered in-app to one recipient (src/delivery): ref = alert id; payload: recipient user id, severity, rule code. */
  AlertDelivery: 'alert-delivery',
  /** A break-the-glass grant was taken or reviewed: ref = break_glass_grant.id. For the privacy officer only (audience.ts). */
  BreakGlass: 'break-glass',
  /** An episode was opened or changed status: ref = care_episode.id. */
  Episode: 'episode',
  /** Someone joined or left a care team (who sees the patient changed): ref = care_team_member.id. */
  CareTeam: 'care-team',
  /** A goal, intervention, visit schedule or visit was added or changed: ref = its id, `entity` says which. */
  CarePlan: 'care-plan',
} as const;
export type RealtimeKind = (typeof RealtimeKind)[keyof typeof RealtimeKind];

export interface NewRealtimeEvent {
  at: number;
  patientId: number;
  kind: RealtimeKind;
  refId: number;
  /** Codes, statuses and times only: what the dashboard shows without asking, never free text. */
  payload: Record<string, string | number | boolean | null>;
}

/**
 * Record a real-time event in `db`, which must be the transaction of the change it reports: it
 * becomes visible to the streams exactly when (and only if) the change commits. No trigger, no
 * in-memory bus: the hub reads the table (hub.ts), so writers on any thread or node are heard.
 */
export async function publish(db: Kysely<Database>, e: NewRealtimeEvent): Promise<void> {
  await db.insertInto('realtime_event').values({ at: e.at, patient_id: e.patientId, kind: e.kind, ref_id: e.refId, payload: JSON.stringify(e.payload) }).execute();
}

/** A clinical event was recorded (called by store/events.ts insertEvent). */
export function publishClinicalEvent(db: Kysely<Database>, id: number, e: { patientId: number; encounterId: number | null; type: string; occurredAt: number; recordedAt: number }): Promise<void> {
  return publish(db, { at: e.recordedAt, patientId: e.patientId, kind: RealtimeKind.ClinicalEvent, refId: id, payload: { type: e.type, occurredAt: e.occurredAt, encounterId: e.encounterId } });
}

/** A task was created or changed (called by care/task-service.ts; the title and notes stay out). */
export function publishTask(db: Kysely<Database>, t: { id: number; patientId: number; status: string; priority: string; updatedAt: number; assignee: { kind: 'user'; userId: number } | { kind: 'role'; role: string } }): Promise<void> {
  const assignee = t.assignee.kind === 'user' ? { assigneeUserId: t.assignee.userId, assigneeRole: null } : { assigneeUserId: null, assigneeRole: t.assignee.role };
  return publish(db, { at: t.updatedAt, patientId: t.patientId, kind: RealtimeKind.Task, refId: t.id, payload: { status: t.status, priority: t.priority, ...assignee } });
}

/** An episode was opened or changed status (called by care/episode-service.ts). */
export function publishEpisode(db: Kysely<Database>, e: { id: number; patientId: number; type: string; status: string; updatedAt: number }): Promise<void> {
  return publish(db, { at: e.updatedAt, patientId: e.patientId, kind: RealtimeKind.Episode, refId: e.id, payload: { type: e.type, status: e.status } });
}

/** A care-team member period started or ended (called by care/team-service.ts). */
export function publishCareTeam(db: Kysely<Database>, at: number, patientId: number, m: { id: number; episodeId: number; userId: number; role: string; isPrimary: boolean; activeTo: number | null }): Promise<void> {
  return publish(db, {
    at, patientId, kind: RealtimeKind.CareTeam, refId: m.id,
    payload: { episodeId: m.episodeId, userId: m.userId, role: m.role, primary: m.isPrimary, ended: m.activeTo !== null },
  });
}

/** A care-plan item changed (called by care/plan-service.ts and schedule-service.ts; descriptions and notes stay out). */
export function publishCarePlan(db: Kysely<Database>, at: number, patientId: number, item: { entity: 'goal' | 'intervention' | 'schedule' | 'visit'; id: number; episodeId: number; status: string }): Promise<void> {
  return publish(db, { at, patientId, kind: RealtimeKind.CarePlan, refId: item.id, payload: { entity: item.entity, episodeId: item.episodeId, status: item.status } });
}
