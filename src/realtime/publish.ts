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
