import type { Kysely } from 'kysely';
import type { IncomingPatient, PatientIdentifier } from '../patients/index.js';
import type { Database } from '../store/schema.js';
import { addIdentifiers, createPatient, findByIdentifier, updateDemographics, type PatientRecord } from '../store/patients.js';

/** How a message's patient was found. */
export type ResolveVia = 'identifier' | 'auto-link' | 'review' | 'new';

export interface ResolveOptions {
  sourceEntryId: number | null;
  at: number;
  /** Apply the message's demographics to the patient found (ADT does; results, which carry a thin PID, do not). */
  updateDemographics: boolean;
}

export interface ResolveResult {
  patientId: number;
  via: ResolveVia;
  /** Set when the record was parked for review on a staging patient. */
  reviewId?: number;
  /** Identifiers of the message that another patient already holds (left in place, visible to operators). */
  conflicts: { identifier: PatientIdentifier; patientId: number }[];
}

/**
 * The patient a message is about, in the order the identity contract sets:
 * 1. an exact identifier (value + assigning authority), followed to the survivor of any merge;
 * 2. otherwise a new patient.
 * The message's other identifiers are attached to the patient found; its demographics are applied
 * with history when `updateDemographics` is set.
 */
export async function resolvePatient(db: Kysely<Database>, incoming: IncomingPatient, opts: ResolveOptions): Promise<ResolveResult> {
  const found = await byIdentifier(db, incoming.identifiers);
  const provenance = { sourceEntryId: opts.sourceEntryId, at: opts.at };
  if (found) {
    const { conflicts } = await addIdentifiers(db, found.id, incoming.identifiers, provenance);
    if (opts.updateDemographics) await updateDemographics(db, found.id, incoming.demographics, provenance);
    return { patientId: found.id, via: 'identifier', conflicts };
  }
  const status = incoming.demographics.deceased ? 'deceased' : 'active';
  const patientId = await createPatient(db, incoming.demographics, status, provenance);
  const { conflicts } = await addIdentifiers(db, patientId, incoming.identifiers, provenance);
  return { patientId, via: 'new', conflicts };
}

/** The first identifier (in the sender's order) that names a known patient. */
async function byIdentifier(db: Kysely<Database>, ids: readonly PatientIdentifier[]): Promise<PatientRecord | undefined> {
  for (const id of ids) {
    const p = await findByIdentifier(db, id.authority, id.value);
    if (p) return p;
  }
  return undefined;
}
