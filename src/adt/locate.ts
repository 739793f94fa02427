/**
 * Which encounter an ADT message is about (HL7 v2.5.1 §3.4.3.19: PV1-19 visit number, unique within
 * the sending facility). Reads and creates through store/encounters; the policy per trigger is in
 * triggers.ts.
 */
import type { Kysely } from 'kysely';
import { survivorOf } from '../store/patients.js';
import { findEncountersByVisit, getEncounter, insertEncounter, latestEncounter, type EncounterRecord } from '../store/encounters.js';
import type { Database } from '../store/schema.js';
import { EncounterStatus, foldEncounter } from './encounter-state.js';
import type { AdtMessage } from './read.js';
import { EncounterPolicy } from './triggers.js';

export interface Located {
  encounter: EncounterRecord;
  created: boolean;
  /** A06/A07 whose MRG-5 named the encounter: its new visit number. */
  renumberTo?: string;
  /** Other patients that hold an encounter of this visit number at this facility (never joined). */
  visitHeldBy?: number[];
}

/** The patient's encounter of this visit number, following merges; other patients' encounters are reported, never used. */
async function byVisit(db: Kysely<Database>, facility: string, visitNumber: string, patientId: number): Promise<{ mine?: EncounterRecord; others: number[] }> {
  const others: number[] = [];
  for (const e of await findEncountersByVisit(db, facility, visitNumber)) {
    const owner = e.patientId === patientId ? patientId : (await survivorOf(db, e.patientId))?.id;
    if (owner === patientId) return { mine: e, others };
    others.push(e.patientId);
  }
  return { others };
}

async function create(db: Kysely<Database>, m: AdtMessage, patientId: number, at: number, extra: Partial<Located> = {}): Promise<Located> {
  // Placeholder state: the caller folds the encounter's events into it in the same transaction.
  const id = await insertEncounter(db, { patientId, facility: m.facility, visitNumber: m.visit.visitNumber, state: foldEncounter([]), at });
  return { encounter: (await getEncounter(db, id))!, created: true, ...extra };
}

const NOT_CANCELLED = [EncounterStatus.Planned, EncounterStatus.InProgress, EncounterStatus.Finished];

/**
 * The message's encounter: by visit number at the sending facility when PV1-19 is valued (created when
 * unknown, except for cancels); otherwise as the trigger's policy says. Undefined when the message has
 * no encounter (A28/A31, an A08 without PV1, a cancel that names none).
 */
export async function locateEncounter(db: Kysely<Database>, m: AdtMessage, patientId: number, at: number): Promise<Located | undefined> {
  const policy = m.trigger.encounter;
  if (policy === EncounterPolicy.None) return undefined;
  const visitNumber = m.visit.visitNumber;
  if (visitNumber !== null) {
    const found = await byVisit(db, m.facility, visitNumber, patientId);
    if (found.mine) return { encounter: found.mine, created: false };
    const prior = m.visit.priorVisitNumber;
    if (prior !== null && policy === EncounterPolicy.Need) {
      const renamed = await byVisit(db, m.facility, prior, patientId);
      if (renamed.mine) return { encounter: renamed.mine, created: false, renumberTo: visitNumber };
    }
    if (policy === EncounterPolicy.Cancel) return undefined;
    return create(db, m, patientId, at, found.others.length ? { visitHeldBy: found.others } : {});
  }
  const latest = (statuses?: readonly EncounterStatus[]) => latestEncounter(db, patientId, m.facility, statuses);
  let existing: EncounterRecord | undefined;
  switch (policy) {
    case EncounterPolicy.Open: {
      // A pre-admit becoming the visit, or the same admission sent again (same admit time); a later
      // admission or outpatient visit is a new encounter.
      const admittedAt = m.visit.admitTime ?? m.occurredAt;
      const open = await latest([EncounterStatus.Planned, EncounterStatus.InProgress]);
      existing = open && (open.status === EncounterStatus.Planned || open.admittedAt === admittedAt) ? open : undefined;
      break;
    }
    case EncounterPolicy.Need:
      existing = (await latest([EncounterStatus.InProgress])) ?? (await latest(NOT_CANCELLED));
      break;
    case EncounterPolicy.Update:
      if (!m.visit.present) return undefined;
      existing = await latest(NOT_CANCELLED);
      return existing ? { encounter: existing, created: false } : undefined;
    case EncounterPolicy.Cancel:
      // Whatever its status: a cancel for an encounter already cancelled must not reach an older one.
      existing = await latest();
      return existing ? { encounter: existing, created: false } : undefined;
    case EncounterPolicy.Plan:
      break;
  }
  return existing ? { encounter: existing, created: false } : create(db, m, patientId, at);
}
