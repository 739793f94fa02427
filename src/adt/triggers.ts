/**
 * The ADT triggers carecoord applies (HL7 v2.5.1 chapter 3, §3.3) and what each means for the
 * patient's encounters. Pure data: the use case (apply.ts) reads it, the tests read it.
 */
import type { ClinicalEventType } from '../store/events.js';

/**
 * How a message finds its encounter. With a visit number (PV1-19) the encounter is always the one of
 * that number at the sending facility; the policy says what happens without one, and whether a
 * message may create an encounter.
 */
export const EncounterPolicy = {
  /**
   * A01, A04: find or create; without a visit number, the latest planned or in-progress encounter when it
   * is planned (a pre-admit becoming the visit) or has the same admit time (the admission sent again),
   * else a new one.
   */
  Open: 'open',
  /** A05, A14: find or create; without a visit number, always a new (planned) encounter. */
  Plan: 'plan',
  /** A02, A03, A06, A07: find or create; without a visit number, the latest in-progress, else latest not-cancelled, else a new one. */
  Need: 'need',
  /** A08: find or create by visit number; without one, the latest not-cancelled when PV1 is present, else no encounter. */
  Update: 'update',
  /** A11, A12, A13, A38: never create; without a visit number, the latest encounter whatever its status. */
  Cancel: 'cancel',
  /** A28, A31: the person only, no encounter. */
  None: 'none',
} as const;
export type EncounterPolicy = (typeof EncounterPolicy)[keyof typeof EncounterPolicy];

export interface AdtTrigger {
  trigger: string;
  /** The clinical event recorded (A08 without an encounter records 'demographics-update' instead). */
  eventType: ClinicalEventType;
  encounter: EncounterPolicy;
  /** For cancels: the event types whose latest (not withdrawn) one is withdrawn. */
  cancels?: readonly ClinicalEventType[];
  /** PV1 time that stands for the event when EVN gives none: PV1-44 admit or PV1-45 discharge. */
  visitTime?: 'admit' | 'discharge';
  /** A06/A07: the patient class implied when PV1-2 is empty (table 0004). */
  impliedClass?: string;
}

const list: AdtTrigger[] = [
  // §3.3.1 admit/visit notification: an inpatient admission (or the start of a visit).
  { trigger: 'A01', eventType: 'admit', encounter: EncounterPolicy.Open, visitTime: 'admit' },
  // §3.3.2 transfer: PV1-3 is the new location, PV1-6 the prior one.
  { trigger: 'A02', eventType: 'transfer', encounter: EncounterPolicy.Need },
  // §3.3.3 discharge/end visit: PV1-36 disposition (table 0112), PV1-37 discharged to, PV1-45 time.
  { trigger: 'A03', eventType: 'discharge', encounter: EncounterPolicy.Need, visitTime: 'discharge' },
  // §3.3.4 register a patient: emergency and outpatient visits (PV1-2 E, O, ...).
  { trigger: 'A04', eventType: 'registration', encounter: EncounterPolicy.Open, visitTime: 'admit' },
  // §3.3.5 pre-admit and §3.3.14 pending admit: a planned encounter.
  { trigger: 'A05', eventType: 'pre-admit', encounter: EncounterPolicy.Plan },
  { trigger: 'A14', eventType: 'pre-admit', encounter: EncounterPolicy.Plan },
  // §3.3.6 outpatient -> inpatient, §3.3.7 inpatient -> outpatient.
  { trigger: 'A06', eventType: 'class-change', encounter: EncounterPolicy.Need, impliedClass: 'I' },
  { trigger: 'A07', eventType: 'class-change', encounter: EncounterPolicy.Need, impliedClass: 'O' },
  // §3.3.8 update patient information: demographics and visit information, no state change.
  { trigger: 'A08', eventType: 'visit-update', encounter: EncounterPolicy.Update },
  // §3.3.11 cancel admit/visit notification: cancels an A01, or an A04 for non-admitted patients.
  { trigger: 'A11', eventType: 'cancel-admit', encounter: EncounterPolicy.Cancel, cancels: ['admit', 'registration'] },
  // §3.3.12 cancel transfer: the patient is back in the prior location.
  { trigger: 'A12', eventType: 'cancel-transfer', encounter: EncounterPolicy.Cancel, cancels: ['transfer'] },
  // §3.3.13 cancel discharge: the patient is in again.
  { trigger: 'A13', eventType: 'cancel-discharge', encounter: EncounterPolicy.Cancel, cancels: ['discharge'] },
  // §3.3.28 add person information, §3.3.31 update person information: no visit.
  { trigger: 'A28', eventType: 'person-add', encounter: EncounterPolicy.None },
  { trigger: 'A31', eventType: 'demographics-update', encounter: EncounterPolicy.None },
  // §3.3.38 cancel pre-admit.
  { trigger: 'A38', eventType: 'cancel-pre-admit', encounter: EncounterPolicy.Cancel, cancels: ['pre-admit'] },
];

/** The triggers by code. A40 (merge) belongs to identity/ and is not here. */
export const ADT_TRIGGERS: ReadonlyMap<string, AdtTrigger> = new Map(list.map((t) => [t.trigger, t]));

/** MSH-9 keys to register ('ADT^A01', ...). */
export const ADT_MESSAGE_TYPES: readonly string[] = list.map((t) => `ADT^${t.trigger}`);

export function adtTrigger(trigger: string): AdtTrigger | undefined {
  return ADT_TRIGGERS.get(trigger.trim().toUpperCase());
}
