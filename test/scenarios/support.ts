/**
 * The scenario format (test/scenarios/*.ts) and the helpers scenarios build HL7 with. A scenario
 * states a care team, an HL7 stream (times relative to a base day, so the rules' windows are in
 * the scenario's own terms) and exactly what the database must hold afterwards.
 */
export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** HL7 DTM in UTC. */
export const hl7Time = (ms: number) => `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}+0000`;

export interface Person { mrn: string; name: string; dob: string; sex: 'F' | 'M'; authority?: string }

export interface Msg {
  trigger: string;
  /** Event time (EVN-2, MSH-7) in ms. */
  at: number;
  facility?: string;
  /** PV1 fields by number (1 is set). */
  pv1?: Record<number, string>;
  /** MSH-10; unique by default. Two messages with the same control id are a retransmission. */
  controlId?: string;
}

function seg(name: string, fields: Record<number, string>): string {
  const last = Math.max(0, ...Object.keys(fields).map(Number));
  const out = [name];
  for (let n = 1; n <= last; n++) out.push(fields[n] ?? '');
  return out.join('|');
}

/** An ADT message: MSH/EVN/PID/PV1, CR separated. The control id is filled in by the runner when absent. */
export function adt(p: Person, m: Msg): (controlId: string) => string {
  return (generated) => {
    const facility = m.facility ?? 'GENHOSP';
    return [
      `MSH|^~\\&|EPIC|${facility}|CARECOORD|CC|${hl7Time(m.at)}||ADT^${m.trigger}|${m.controlId ?? generated}|P|2.5.1`,
      seg('EVN', { 1: m.trigger, 2: hl7Time(m.at) }),
      seg('PID', { 1: '1', 3: `${p.mrn}^^^${p.authority ?? 'GENHOSP'}^MR`, 5: p.name, 7: p.dob, 8: p.sex }),
      seg('PV1', { 1: '1', ...(m.pv1 ?? {}) }),
    ].join('\r') + '\r';
  };
}

/** An inpatient visit message (PV1-2 I, PV1-19 the visit number); a discharge also gets PV1-36 and PV1-45. */
export function visit(p: Person, trigger: string, visitNo: string, at: number, more: Partial<Msg> = {}) {
  const discharge: Record<number, string> = trigger === 'A03' ? { 36: '01', 45: hl7Time(at) } : {};
  return adt(p, { trigger, at, ...more, pv1: { 2: 'I', 3: '4W^1', 19: visitNo, ...discharge, ...(more.pv1 ?? {}) } });
}

/** A raw message (e.g. from ../shared/hl7-samples), its MSH-10 replaced by the runner's control id unless kept. */
export function raw(text: string, keepControlId = false): (controlId: string) => string {
  return (generated) => (keepControlId ? text : text.replace(/^(MSH(?:\|[^|\r]*){8}\|)[^|\r]*/, `$1${generated}`));
}

export interface Setup {
  /** The patient registered (A28) before the stream, so an episode can be opened for them. */
  patient: Person;
  /** A home-health episode; omit for a patient without one. */
  episode?: {
    coordinator: string;
    /** Further team members. */
    team?: Array<{ user: string; role: string }>;
    /** The coordinator's seat is vacant (ended) when the stream arrives. */
    coordinatorVacant?: boolean;
  };
}

export interface ExpectedAlert { rule: string; reasons: string[]; severity: string; status: string; count: number; resolution?: string | null }
/** `level:username:role`, plus `gap=REASON` when told because of a gap. */
export type ExpectedRecipient = string;
/** `kind:assignee-role:status:title`. */
export type ExpectedTask = string;
/** Escalation timers, `kind:level:state` (state pending | fired | cancelled), and the escalation's state. */
export interface ExpectedEscalation { state: string; timers: string[] }

export interface Scenario {
  name: string;
  setup: Setup;
  /** Built at the run's clock: `base` is now: streams lie in the past. */
  messages: (base: number) => Array<(controlId: string) => string>;
  expected: {
    alerts: ExpectedAlert[];
    /** Per alert, in the order of `alerts`. */
    recipients: ExpectedRecipient[][];
    tasks: ExpectedTask[];
    /** Per alert, in the order of `alerts`. */
    escalations: ExpectedEscalation[];
    /** Log entries the stream left; default one per message (a retransmission with a known MSH-10 is answered, not logged). */
    logged?: number;
  };
}

/** The transition-of-care tasks a recent discharge of a home-health patient creates (transitions/plan.ts). */
export const TOC_TASKS: ExpectedTask[] = [
  'interactive-contact:care-coordinator:open:Transition of care: contact the patient within 2 business days of discharge',
  'face-to-face:care-coordinator:open:Transition of care: face-to-face visit within 14 days of discharge',
  'medication-reconciliation:field-clinician:open:Transition of care: medication reconciliation by the face-to-face visit',
  'resumption-of-care:field-clinician:open:Home health: resumption-of-care assessment within 48 hours of discharge',
];

/** The high alert any inpatient admission of a home-health patient raises (one per visit). */
export const ADMISSION_ALERT: ExpectedAlert = { rule: 'admission-home-health-hospice', reasons: ['admission-home-health-hospice'], severity: 'high', status: 'open', count: 1 };
/** The critical readmission alert; the same visit's admission reason is merged into it. */
export const READMISSION_ALERT: ExpectedAlert = { rule: 'readmission-30d', reasons: ['readmission-30d', 'admission-home-health-hospice'], severity: 'critical', status: 'open', count: 1 };
/** A high admission alert has no escalation timer; a critical one waits on level 0's timeout. */
export const NO_ESCALATION: ExpectedEscalation = { state: 'final', timers: [] };
export const ESCALATING: ExpectedEscalation = { state: 'active', timers: ['escalate:0:pending'] };
