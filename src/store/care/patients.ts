import type { CareDb } from './db.js';

/** What the care services need to know of a patient: that it exists, and whether it was merged away. */
export interface PatientRef {
  id: number;
  status: string;
  mergedInto: number | null;
}

export async function getPatientRef(db: CareDb, id: number): Promise<PatientRef | undefined> {
  const row = await db.selectFrom('patient').select(['id', 'status', 'merged_into']).where('id', '=', id).executeTakeFirst();
  return row && { id: Number(row.id), status: row.status, mergedInto: row.merged_into === null ? null : Number(row.merged_into) };
}

/** The patient holding identifier `value` of assigning authority `authority` (an MRN), if any. */
export async function findPatientIdByIdentifier(db: CareDb, authority: string, value: string): Promise<number | undefined> {
  const row = await db.selectFrom('patient_identifier').select('patient_id').where('authority', '=', authority).where('value', '=', value).executeTakeFirst();
  return row ? Number(row.patient_id) : undefined;
}
