/**
 * The evaluation context of a rule: what a CEL condition and a message template may read about one
 * clinical event. Built by `buildContext` (pure) from data the caller loaded (alerts/load.ts). Every
 * field is always present (empty string, 0, -1 or false when unknown), so conditions never meet a
 * missing key; `CONTEXT_SCHEMA` declares the types the conditions are checked against and lists the
 * placeholders a template may name.
 */
import type { ClinicalEvent } from '../store/events.js';

/** A field's type: CEL types, plus 'time' (epoch ms, an int in CEL, an ISO time in templates). */
export type FieldType = 'string' | 'int' | 'bool' | 'time' | 'list<string>';
export interface SchemaNode {
  readonly [name: string]: FieldType | SchemaNode;
}

const DISCHARGE: SchemaNode = {
  /** false: no such discharge; the other fields are then empty. */
  present: 'bool',
  at: 'time',
  facility: 'string',
  patientClass: 'string',
  /** Whole days from the discharge to the start of this visit (or this event). */
  daysSince: 'int',
};

export const CONTEXT_SCHEMA: SchemaNode = {
  event: {
    /** CLINICAL_EVENT_TYPES. */
    type: 'string',
    /** MSH-9, e.g. ADT^A01. */
    messageType: 'string',
    /** The ADT trigger (A01...), empty for results. */
    trigger: 'string',
    occurredAt: 'time',
    facility: 'string',
    /** PV1-2 of the message, else of the encounter (HL7 table 0004: E emergency, I inpatient, O outpatient...). */
    patientClass: 'string',
    hospitalService: 'string',
    /** PV1-36 discharge disposition. */
    disposition: 'string',
    outOfOrder: 'bool',
    lab: {
      /** Results in effect interpreted critical (OBX-8 HH, LL, AA, senders' critical words; HL7 table 0078). */
      critical: 'int',
      /** Results in effect interpreted abnormal (H, L, A, <, >). */
      abnormal: 'int',
      /** The OBX-8 flags of those results, as sent. */
      flags: 'list<string>',
      /** Their interpretations (oru/interpret.ts). */
      interpretations: 'list<string>',
      /** OBX-3 codes of the critical and of the abnormal results. */
      criticalCodes: 'list<string>',
      abnormalCodes: 'list<string>',
      /** "K 6.8 mmol/L (HH)", comma separated: for templates. */
      criticalText: 'string',
      abnormalText: 'string',
      /** The order replaced earlier results (a correction). */
      corrected: 'bool',
    },
  },
  encounter: {
    present: 'bool',
    facility: 'string',
    patientClass: 'string',
    /** planned | in-progress | finished | cancelled */
    status: 'string',
    hospitalService: 'string',
    admittedAt: 'time',
  },
  patient: {
    /** Whole years at the event, -1 when the birth date is unknown. */
    age: 'int',
    sex: 'string',
    deceased: 'bool',
  },
  episodes: {
    /** Types of the patient's active and on-hold episodes (home-health, hospice...). */
    types: 'list<string>',
    count: 'int',
  },
  history: {
    /** The latest discharge from any hospital before this visit (not this visit's own, not withdrawn). */
    lastDischarge: DISCHARGE,
    /** The latest inpatient (PV1-2 I) discharge before this visit: what readmission measures count. */
    lastInpatientDischarge: DISCHARGE,
    /** Distinct emergency visits (patient class E) in the 60 days up to this event, this one included. */
    edVisits60d: 'int',
    /** Distinct inpatient admissions in the 30 days up to this event, this one included. */
    inpatientAdmissions30d: 'int',
  },
};

export interface DischargeContext {
  present: boolean;
  at: number;
  facility: string;
  patientClass: string;
  daysSince: number;
}

export interface AlertContext {
  event: {
    type: string;
    messageType: string;
    trigger: string;
    occurredAt: number;
    facility: string;
    patientClass: string;
    hospitalService: string;
    disposition: string;
    outOfOrder: boolean;
    lab: {
      critical: number;
      abnormal: number;
      flags: string[];
      interpretations: string[];
      criticalCodes: string[];
      abnormalCodes: string[];
      criticalText: string;
      abnormalText: string;
      corrected: boolean;
    };
  };
  encounter: { present: boolean; facility: string; patientClass: string; status: string; hospitalService: string; admittedAt: number };
  patient: { age: number; sex: string; deceased: boolean };
  episodes: { types: string[]; count: number };
  history: { lastDischarge: DischargeContext; lastInpatientDischarge: DischargeContext; edVisits60d: number; inpatientAdmissions30d: number };
}

/** What the loader hands the builder: rows as the store keeps them. */
export interface ContextInput {
  event: ClinicalEvent;
  encounter: { facility: string; patientClass: string | null; status: string; hospitalService: string | null; admittedAt: number | null } | null;
  patient: { birthDate: string | null; sex: string | null; deceased: boolean } | null;
  /** Active and on-hold episodes. */
  episodeTypes: readonly string[];
  /** The patient's not withdrawn discharges before `visitStart(event, encounter)`, of other encounters, newest first. */
  priorDischarges: readonly ClinicalEvent[];
  /** The patient's not withdrawn visit events (admit, registration, class-change, visit-update) of the last 60 days up to the event. */
  recentVisitEvents: readonly ClinicalEvent[];
  /** Patient class of each encounter named above (events often carry it, the encounter always does). */
  encounterClasses: ReadonlyMap<number, string | null>;
}

const DAY = 86_400_000;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** When this visit began: the encounter's admission, else the event itself. */
export function visitStart(event: ClinicalEvent, encounter: ContextInput['encounter']): number {
  return encounter?.admittedAt ?? event.occurredAt;
}

/** The event's patient class: its own PV1-2, else its encounter's. */
function classOf(e: ClinicalEvent, classes: ReadonlyMap<number, string | null>): string {
  return str(e.payload.patientClass) || (e.encounterId !== null ? (classes.get(e.encounterId) ?? '') : '');
}

/** Whole years between a YYYY-MM-DD birth date and a time; -1 when unknown. */
export function ageAt(birthDate: string | null, at: number): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthDate ?? '');
  if (!m) return -1;
  const d = new Date(at);
  const [y, mo, da] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let age = d.getUTCFullYear() - y;
  if (d.getUTCMonth() + 1 < mo || (d.getUTCMonth() + 1 === mo && d.getUTCDate() < da)) age--;
  return age;
}

function discharge(e: ClinicalEvent | undefined, from: number, classes: ReadonlyMap<number, string | null>): DischargeContext {
  if (!e) return { present: false, at: 0, facility: '', patientClass: '', daysSince: -1 };
  return { present: true, at: e.occurredAt, facility: e.facility ?? '', patientClass: classOf(e, classes), daysSince: Math.floor((from - e.occurredAt) / DAY) };
}

interface Notable {
  code?: unknown;
  text?: unknown;
  value?: unknown;
  units?: unknown;
  flags?: unknown;
  interpretation?: unknown;
}

function notables(v: unknown): Notable[] {
  return Array.isArray(v) ? (v.filter((n) => n && typeof n === 'object') as Notable[]) : [];
}

function describe(n: Notable): string {
  const flags = Array.isArray(n.flags) ? n.flags.filter((f) => typeof f === 'string').join(',') : '';
  const name = str(n.text) || str(n.code);
  return [name, str(n.value), str(n.units)].filter((s) => s !== '').join(' ') + (flags ? ` (${flags})` : '');
}

function labOf(e: ClinicalEvent): AlertContext['event']['lab'] {
  const summary = (e.type === 'observation' ? e.payload.summary : undefined) as { critical?: unknown; abnormal?: unknown } | undefined;
  const critical = notables(summary?.critical);
  const abnormal = notables(summary?.abnormal);
  const all = [...critical, ...abnormal];
  const strings = (xs: unknown[]) => [...new Set(xs.filter((x): x is string => typeof x === 'string' && x !== ''))];
  return {
    critical: critical.length,
    abnormal: abnormal.length,
    flags: strings(all.flatMap((n) => (Array.isArray(n.flags) ? n.flags : []))),
    interpretations: strings(all.map((n) => n.interpretation)),
    criticalCodes: strings(critical.map((n) => n.code)),
    abnormalCodes: strings(abnormal.map((n) => n.code)),
    criticalText: critical.map(describe).join(', '),
    abnormalText: abnormal.map(describe).join(', '),
    corrected: Array.isArray(e.payload.replaced) && e.payload.replaced.length > 0,
  };
}

/** Distinct encounters among `events` (events without one count alone) that satisfy `pick`. */
function countVisits(events: readonly ClinicalEvent[], pick: (e: ClinicalEvent) => boolean): number {
  const seen = new Set<string>();
  for (const e of events) if (pick(e)) seen.add(e.encounterId === null ? `e${e.id}` : `v${e.encounterId}`);
  return seen.size;
}

/** The evaluation context of one event. Pure. */
export function buildContext(input: ContextInput): AlertContext {
  const { event: e, encounter, patient, encounterClasses: classes } = input;
  const start = visitStart(e, encounter);
  const visitTypes = new Set(['admit', 'registration', 'class-change', 'visit-update', 'transfer']);
  const recent = input.recentVisitEvents.filter((v) => visitTypes.has(v.type) && v.occurredAt <= e.occurredAt);
  const admissions = recent.filter((v) => v.occurredAt >= e.occurredAt - 30 * DAY);
  return {
    event: {
      type: e.type,
      messageType: e.messageType ?? '',
      trigger: str(e.payload.trigger),
      occurredAt: e.occurredAt,
      facility: e.facility ?? '',
      patientClass: str(e.payload.patientClass) || (encounter?.patientClass ?? ''),
      hospitalService: str(e.payload.hospitalService) || (encounter?.hospitalService ?? ''),
      disposition: str(e.payload.disposition),
      outOfOrder: e.outOfOrder,
      lab: labOf(e),
    },
    encounter: encounter
      ? { present: true, facility: encounter.facility, patientClass: encounter.patientClass ?? '', status: encounter.status, hospitalService: encounter.hospitalService ?? '', admittedAt: encounter.admittedAt ?? 0 }
      : { present: false, facility: '', patientClass: '', status: '', hospitalService: '', admittedAt: 0 },
    patient: { age: ageAt(patient?.birthDate ?? null, e.occurredAt), sex: patient?.sex ?? '', deceased: patient?.deceased ?? false },
    episodes: { types: [...new Set(input.episodeTypes)], count: input.episodeTypes.length },
    history: {
      lastDischarge: discharge(input.priorDischarges[0], start, classes),
      lastInpatientDischarge: discharge(input.priorDischarges.find((d) => classOf(d, classes) === 'I'), start, classes),
      edVisits60d: countVisits(recent, (v) => classOf(v, classes) === 'E'),
      inpatientAdmissions30d: countVisits(admissions, (v) => (v.type === 'admit' || v.type === 'class-change') && classOf(v, classes) === 'I'),
    },
  };
}
