import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { publish, RealtimeKind } from './publish.js';

/** What changed about a patient ('patient' events). */
export type PatientChange = 'demographics' | 'status' | 'merge' | 'unmerge';

/**
 * The patient record changed, ref = patient.id: demographics (A08, A28, A31... applied with history),
 * status (deceased, active again), a merge (on the survivor, `otherPatientId` the merged patient) or an
 * unmerge (on both). Called by store/patients.ts and identity/merge.ts in the change's transaction.
 * Codes only: the new name or address is read through the API.
 */
export function publishPatient(db: Kysely<Database>, p: { patientId: number; at: number; change: PatientChange; status?: string; otherPatientId?: number }): Promise<void> {
  return publish(db, {
    at: p.at, patientId: p.patientId, kind: RealtimeKind.Patient, refId: p.patientId,
    payload: { change: p.change, status: p.status ?? null, otherPatientId: p.otherPatientId ?? null },
  });
}
