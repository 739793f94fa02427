/**
 * An encounter's state as a pure fold over its clinical events. The stored encounter row is always
 * this fold of its events, recomputed after every message: a cancel withdraws the event it cancels and
 * the fold simply no longer sees it; a late message is an event placed at its own time, so it takes
 * effect where it belongs rather than on top of what arrived before it.
 */

/** Encounter status (the FHIR Encounter.status subset HL7 ADT can express). */
export const EncounterStatus = {
  /** Pre-admitted (A05/A14), not yet arrived. */
  Planned: 'planned',
  /** Admitted or registered (A01/A04) and not discharged. */
  InProgress: 'in-progress',
  /** Discharged (A03). */
  Finished: 'finished',
  /** Its admit, registration or pre-admit was cancelled (A11/A38), or nothing that opened it remains. */
  Cancelled: 'cancelled',
} as const;
export type EncounterStatus = (typeof EncounterStatus)[keyof typeof EncounterStatus];

/** What the fold reads of a clinical event (store/events ClinicalEvent satisfies it). */
export interface FoldEvent {
  id: number;
  type: string;
  occurredAt: number;
  withdrawnAt: number | null;
  payload: Record<string, unknown>;
}

export interface EncounterState {
  status: EncounterStatus;
  patientClass: string | null;
  admittedAt: number | null;
  dischargedAt: number | null;
  location: string | null;
  hospitalService: string | null;
  attending: string | null;
  admitSource: string | null;
  dischargeDisposition: string | null;
  dischargedTo: string | null;
}

/** Events in fold order: by occurredAt, ties by id (recording order). */
export function byEventTime(a: Pick<FoldEvent, 'id' | 'occurredAt'>, b: Pick<FoldEvent, 'id' | 'occurredAt'>): number {
  return a.occurredAt - b.occurredAt || a.id - b.id;
}

const str = (p: Record<string, unknown>, k: string): string | null => (typeof p[k] === 'string' && p[k] !== '' ? (p[k] as string) : null);
const num = (p: Record<string, unknown>, k: string): number | null => (typeof p[k] === 'number' ? (p[k] as number) : null);

/** Fields every visit event may carry; each valued one replaces the current value. */
function applyVisitFields(s: Working, p: Record<string, unknown>, locationKey = 'location'): void {
  s.patientClass = str(p, 'patientClass') ?? s.patientClass;
  s.location = str(p, locationKey) ?? s.location;
  s.hospitalService = str(p, 'hospitalService') ?? s.hospitalService;
  s.attending = str(p, 'attending') ?? s.attending;
  s.admitSource = str(p, 'admitSource') ?? s.admitSource;
}

type Working = Omit<EncounterState, 'status'> & { status: EncounterStatus | undefined };

function clearDischarge(s: Working): void {
  s.dischargedAt = null;
  s.dischargeDisposition = null;
  s.dischargedTo = null;
}

/** One event's effect. Cancels with payload.matched false cancelled nothing and have no effect. */
function step(s: Working, e: FoldEvent): void {
  const p = e.payload;
  switch (e.type) {
    case 'pre-admit':
      // Never a step back: a pre-admit placed after the arrival does not un-admit.
      if (s.status === undefined || s.status === EncounterStatus.Cancelled) s.status = EncounterStatus.Planned;
      applyVisitFields(s, p, str(p, 'location') ? 'location' : 'pendingLocation');
      return;
    case 'admit':
    case 'registration': {
      const reopened = s.status === EncounterStatus.Finished || s.status === EncounterStatus.Cancelled;
      const admitted = s.status === EncounterStatus.InProgress ? s.admittedAt : null;
      s.status = EncounterStatus.InProgress;
      s.admittedAt = num(p, 'admitTime') ?? admitted ?? e.occurredAt;
      if (reopened) clearDischarge(s);
      applyVisitFields(s, p);
      return;
    }
    case 'transfer':
    case 'class-change':
      if (s.status === undefined || s.status === EncounterStatus.Planned) s.status = EncounterStatus.InProgress;
      s.admittedAt ??= num(p, 'admitTime');
      applyVisitFields(s, p);
      return;
    case 'visit-update':
      s.status ??= num(p, 'dischargeTime') !== null ? EncounterStatus.Finished : str(p, 'patientClass') === 'P' ? EncounterStatus.Planned : EncounterStatus.InProgress;
      s.admittedAt ??= num(p, 'admitTime');
      if (s.status === EncounterStatus.Finished) s.dischargedAt ??= num(p, 'dischargeTime');
      applyVisitFields(s, p);
      return;
    case 'discharge':
      s.status = EncounterStatus.Finished;
      s.admittedAt ??= num(p, 'admitTime');
      s.dischargedAt = num(p, 'dischargeTime') ?? e.occurredAt;
      s.dischargeDisposition = str(p, 'disposition');
      s.dischargedTo = str(p, 'dischargedTo');
      applyVisitFields(s, p);
      return;
    case 'cancel-admit':
      if (p.matched === false) return;
      s.status = EncounterStatus.Cancelled;
      s.admittedAt = null;
      clearDischarge(s);
      return;
    case 'cancel-pre-admit':
      if (p.matched === false) return;
      if (s.status === undefined || s.status === EncounterStatus.Planned) s.status = EncounterStatus.Cancelled;
      return;
    case 'cancel-discharge':
      if (p.matched === false) return;
      if (s.status === EncounterStatus.Finished) s.status = EncounterStatus.InProgress;
      clearDischarge(s);
      return;
    default:
      // cancel-transfer (its transfer is withdrawn: the location is what the earlier events say),
      // death, and types that do not describe the visit.
      return;
  }
}

/**
 * The encounter after its events: those not withdrawn, in event-time order (ties by id). An encounter
 * whose events were all withdrawn (or that never had one that opened it) is cancelled.
 */
export function foldEncounter(events: readonly FoldEvent[]): EncounterState {
  const s: Working = {
    status: undefined,
    patientClass: null,
    admittedAt: null,
    dischargedAt: null,
    location: null,
    hospitalService: null,
    attending: null,
    admitSource: null,
    dischargeDisposition: null,
    dischargedTo: null,
  };
  for (const e of events.filter((x) => x.withdrawnAt === null).sort(byEventTime)) step(s, e);
  return { ...s, status: s.status ?? EncounterStatus.Cancelled };
}

/** A new event at `occurredAt` is out of order when the encounter already has one (not withdrawn) that happened later. */
export function isOutOfOrder(existing: readonly Pick<FoldEvent, 'occurredAt' | 'withdrawnAt'>[], occurredAt: number): boolean {
  return existing.some((e) => e.withdrawnAt === null && e.occurredAt > occurredAt);
}

/**
 * The event a cancel withdraws: the latest (by event time, ties by id) not yet withdrawn event of one
 * of `types`; undefined when there is none (the cancel then matches nothing and changes nothing).
 */
export function cancelTarget<E extends FoldEvent>(events: readonly E[], types: readonly string[]): E | undefined {
  return events.filter((e) => e.withdrawnAt === null && types.includes(e.type)).sort(byEventTime).at(-1);
}
