/**
 * Whether an ADT message says the patient died, and when (pure).
 * HL7 v2.5.1: PID-29 patient death date and time, PID-30 patient death indicator (Y/N) (§3.4.2.29-30);
 * PV1-36 discharge disposition, table 0112 (§3.4.3.36).
 */
import { parseHl7Timestamp, type Hl7Segment } from '../hl7/index.js';

/** Table 0112 dispositions that mean the patient died: 20 expired; 40, 41, 42 expired at home, in a facility, place unknown. */
export const EXPIRED_DISPOSITIONS: ReadonlySet<string> = new Set(['20', '40', '41', '42']);

/** What a message's PID says about death. */
export interface PidDeath {
  /** PID-30 is Y. */
  indicator: boolean;
  /** PID-29 (or, see deathFromPid, PID-31) as epoch ms. */
  at: number | undefined;
  source: 'PID-29' | 'PID-31' | undefined;
  repairs: string[];
}

/**
 * PID-29/PID-30. One repair: a PID-30 of Y with PID-29 empty and a bare date/time in PID-31 (the
 * identity unknown indicator, Y/N, never a date) is a death time written two fields late.
 */
export function deathFromPid(pid: Hl7Segment | undefined): PidDeath {
  if (!pid) return { indicator: false, at: undefined, source: undefined, repairs: [] };
  const indicator = pid.get(30).trim().toUpperCase() === 'Y';
  const t29 = parseHl7Timestamp(pid.get(29));
  if (t29) return { indicator, at: t29.date.getTime(), source: 'PID-29', repairs: [] };
  const raw31 = pid.get(31).trim();
  const t31 = indicator && /^\d{12}/.test(raw31) ? parseHl7Timestamp(raw31) : undefined;
  if (t31) return { indicator, at: t31.date.getTime(), source: 'PID-31', repairs: ['PID-31 date/time read as the death time (PID-29 empty, PID-30 Y)'] };
  return { indicator, at: undefined, source: undefined, repairs: [] };
}

export interface Death {
  /** When the patient died: the death time when sent, else the discharge time, else the event time. */
  at: number;
  /** What says so: PID-29/PID-30, else the expired disposition alone. */
  basis: 'disposition' | 'pid';
  /** The table 0112 code when the discharge disposition is an expired one. */
  disposition?: string;
  timeSource: 'PID-29' | 'PID-31' | 'PV1-45' | 'event';
}

export interface DeathInput {
  pid: PidDeath;
  /** The message is a discharge (A03): only then is PV1-36 a statement about this stay's end. */
  isDischarge: boolean;
  disposition: string | null;
  dischargeTime: number | null;
  occurredAt: number;
}

/**
 * Death: an A03 with an expired disposition, or PID-30 Y (or a PID-29 time) on any ADT. PID is the
 * basis when both say so: it states the person's death, while a disposition-only death is a statement
 * about this discharge and goes with it when the discharge is cancelled (A13).
 */
export function deathOf(d: DeathInput): Death | undefined {
  const expired = d.isDischarge && d.disposition !== null && EXPIRED_DISPOSITIONS.has(d.disposition);
  if (!expired && !d.pid.indicator && d.pid.at === undefined) return undefined;
  const time = d.pid.at !== undefined
    ? { at: d.pid.at, timeSource: d.pid.source ?? 'PID-29' }
    : expired && d.dischargeTime !== null
      ? { at: d.dischargeTime, timeSource: 'PV1-45' as const }
      : { at: d.occurredAt, timeSource: 'event' as const };
  const basis = d.pid.indicator || d.pid.at !== undefined ? 'pid' : 'disposition';
  return expired ? { ...time, basis, disposition: d.disposition! } : { ...time, basis };
}
