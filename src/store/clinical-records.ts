import type { Kysely } from 'kysely';
import type { Coverage, CoverageChange, Diagnosis } from '../adt/records.js';
import type { Database } from './schema.js';

/** Diagnoses (patient_diagnosis) and insurance coverage (patient_coverage) of a patient. */

export interface DiagnosisRecord extends Diagnosis {
  id: number;
  patientId: number;
  encounterId: number | null;
  sourceEntryId: number | null;
}

/** A patient's diagnoses (of one encounter when given; `null` for those recorded without one), oldest first. */
export async function listDiagnoses(db: Kysely<Database>, patientId: number, encounterId?: number | null): Promise<DiagnosisRecord[]> {
  let q = db.selectFrom('patient_diagnosis').selectAll().where('patient_id', '=', patientId);
  if (encounterId === null) q = q.where('encounter_id', 'is', null);
  else if (encounterId !== undefined) q = q.where('encounter_id', '=', encounterId);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({
    id: Number(r.id),
    patientId: Number(r.patient_id),
    encounterId: r.encounter_id === null ? null : Number(r.encounter_id),
    code: r.code,
    codeSystem: r.code_system,
    description: r.description,
    type: r.diagnosis_type,
    recordedAt: Number(r.recorded_at),
    sourceEntryId: r.source_entry_id === null ? null : Number(r.source_entry_id),
  }));
}

export async function insertDiagnoses(db: Kysely<Database>, patientId: number, encounterId: number | null, list: readonly Diagnosis[], sourceEntryId: number | null): Promise<void> {
  if (list.length === 0) return;
  await db
    .insertInto('patient_diagnosis')
    .values(list.map((d) => ({ patient_id: patientId, encounter_id: encounterId, code: d.code, code_system: d.codeSystem, description: d.description, diagnosis_type: d.type, recorded_at: d.recordedAt, source_entry_id: sourceEntryId })))
    .execute();
}

export interface CoverageRecord extends Coverage {
  id: number;
  patientId: number;
  sourceEntryId: number | null;
  /** The event time of the message that stated it (an older message never replaces it). */
  updatedAt: number;
}

/** A patient's coverage, by set id order of arrival. */
export async function listCoverage(db: Kysely<Database>, patientId: number): Promise<CoverageRecord[]> {
  const rows = await db.selectFrom('patient_coverage').selectAll().where('patient_id', '=', patientId).orderBy('id').execute();
  return rows.map((r) => ({
    id: Number(r.id),
    patientId: Number(r.patient_id),
    setId: r.set_id,
    planId: r.plan_id,
    planName: r.plan_name,
    companyId: r.company_id,
    companyName: r.company_name,
    groupNumber: r.group_number,
    memberId: r.member_id,
    effectiveDate: r.effective_date,
    expirationDate: r.expiration_date,
    sourceEntryId: r.source_entry_id === null ? null : Number(r.source_entry_id),
    updatedAt: Number(r.updated_at),
  }));
}

function coverageColumns(c: Coverage) {
  return {
    set_id: c.setId,
    plan_id: c.planId,
    plan_name: c.planName,
    company_id: c.companyId,
    company_name: c.companyName,
    group_number: c.groupNumber,
    member_id: c.memberId,
    effective_date: c.effectiveDate,
    expiration_date: c.expirationDate,
  };
}

/** Apply a planned coverage change (adt/records.ts planCoverage); `asOf` is the stating message's event time. */
export async function applyCoverageChange(db: Kysely<Database>, patientId: number, change: CoverageChange, p: { sourceEntryId: number | null; asOf: number }): Promise<void> {
  if (change.remove.length) await db.deleteFrom('patient_coverage').where('patient_id', '=', patientId).where('id', 'in', change.remove).execute();
  for (const u of change.update) {
    await db.updateTable('patient_coverage').set({ ...coverageColumns(u.coverage), source_entry_id: p.sourceEntryId, updated_at: p.asOf }).where('id', '=', u.id).execute();
  }
  if (change.insert.length) {
    await db.insertInto('patient_coverage').values(change.insert.map((c) => ({ patient_id: patientId, ...coverageColumns(c), source_entry_id: p.sourceEntryId, updated_at: p.asOf }))).execute();
  }
}

/** Ids of a patient's clinical events of one type that are not withdrawn, oldest first (e.g. is a death already recorded?). */
export async function activeEventIds(db: Kysely<Database>, patientId: number, type: string): Promise<number[]> {
  const rows = await db.selectFrom('clinical_event').select('id').where('patient_id', '=', patientId).where('event_type', '=', type).where('withdrawn_at', 'is', null).orderBy('id').execute();
  return rows.map((r) => Number(r.id));
}
