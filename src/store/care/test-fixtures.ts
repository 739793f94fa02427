import type { CareDb } from './db.js';

/**
 * Rows the care tests need from other capabilities (patients come from identity, encounters from
 * the ADT handlers): written directly, with the least data that makes them valid. Tests only.
 */
export async function insertTestPatient(db: CareDb, options: { mrn?: string; authority?: string; status?: string; mergedInto?: number } = {}): Promise<number> {
  const at = 1_700_000_000_000;
  const row = await db.insertInto('patient').values({
    status: options.status ?? 'active', merged_into: options.mergedInto ?? null, family_name: null, given_name: null, middle_name: null,
    birth_date: null, sex: null, ssn_last4: null, language: null, address_line: null, city: null, state: null, postcode: null, phone: null,
    deceased_at: null, demographics: '{}', source_entry_id: null, created_at: at, updated_at: at,
  }).returning('id').executeTakeFirstOrThrow();
  const id = Number(row.id);
  if (options.mrn) {
    await db.insertInto('patient_identifier').values({
      patient_id: id, authority: options.authority ?? 'GENHOSP', value: options.mrn, type_code: 'MR', facility: null,
      moved_from: null, source_entry_id: null, created_at: at,
    }).execute();
  }
  return id;
}

export async function insertTestEncounter(
  db: CareDb,
  patientId: number,
  e: { admittedAt: number | null; dischargedAt?: number | null; status?: string; visitNumber?: string },
): Promise<number> {
  const row = await db.insertInto('encounter').values({
    patient_id: patientId, facility: 'GENHOSP', visit_number: e.visitNumber ?? null, patient_class: 'I', status: e.status ?? 'in-progress',
    admitted_at: e.admittedAt, discharged_at: e.dischargedAt ?? null, location: null, hospital_service: null, attending: null,
    admit_source: null, discharge_disposition: null, discharged_to: null, created_at: e.admittedAt ?? 0, updated_at: e.admittedAt ?? 0,
  }).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}
