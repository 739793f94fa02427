/**
 * Diagnoses (DG1, HL7 v2.5.1 §6.5.2) and insurance (IN1, §6.5.6) carried by ADT messages, normalized,
 * and what storing them changes (pure).
 */
import { readAll, readDg1, readIn1, type Hl7Message, type Hl7Timestamp } from '../hl7/index.js';
import { calendarDate } from '../patients/index.js';
import { value } from './visit.js';

export interface Diagnosis {
  code: string | null;
  codeSystem: string | null;
  description: string | null;
  /** DG1-6, table 0052: A admitting, W working, F final. */
  type: string | null;
  /** DG1-5 diagnosis date/time, else the event time. */
  recordedAt: number;
}

export function diagnosesOf(message: Hl7Message, occurredAt: number): Diagnosis[] {
  return readAll(message, 'DG1', (s) => readDg1(s))
    .map((d) => ({
      code: value(d.diagnosis.identifier),
      codeSystem: value(d.diagnosis.codingSystem),
      description: value(d.diagnosis.text) ?? value(d.description),
      type: value(d.diagnosisType)?.toUpperCase() ?? null,
      recordedAt: d.diagnosisTime ? d.diagnosisTime.date.getTime() : occurredAt,
    }))
    .filter((d) => d.code !== null || d.description !== null);
}

function diagnosisKey(d: Pick<Diagnosis, 'code' | 'codeSystem' | 'description' | 'type'>): string {
  // A coded diagnosis is the same whatever its text; an uncoded one is its text.
  return [d.code ?? '', d.code ? d.codeSystem ?? '' : d.description ?? '', d.type ?? ''].join('\u0000');
}

/**
 * The diagnoses not yet recorded for the encounter (or the patient, without one). Senders repeat the
 * current list in every message (A01, A08, A03...): a diagnosis already held (same code, system and
 * type) is not recorded again, and one no longer sent is kept (an admitting diagnosis stays after the
 * final one arrives).
 */
export function newDiagnoses(existing: readonly Pick<Diagnosis, 'code' | 'codeSystem' | 'description' | 'type'>[], incoming: readonly Diagnosis[]): Diagnosis[] {
  const seen = new Set(existing.map(diagnosisKey));
  const out: Diagnosis[] = [];
  for (const d of incoming) {
    const k = diagnosisKey(d);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out;
}

export interface Coverage {
  setId: string | null;
  planId: string | null;
  planName: string | null;
  companyId: string | null;
  companyName: string | null;
  groupNumber: string | null;
  memberId: string | null;
  /** 'YYYY-MM-DD' (at the sender's precision). */
  effectiveDate: string | null;
  expirationDate: string | null;
}

const dateOf = (t: Hl7Timestamp | undefined) => calendarDate(t) ?? null;

/**
 * IN1 segments, in order. The member id is IN1-36 policy number, else the first IN1-49 insured's id
 * that is not an SSN; any value holding the patient's SSN digits (`ssnDigits`) is dropped, so a full
 * SSN is never stored (some payers use it as the member number).
 */
export function coveragesOf(message: Hl7Message, ssnDigits: readonly string[]): Coverage[] {
  const safe = (s: string | null): string | null => (s !== null && holdsSsn(s, ssnDigits) ? null : s);
  return readAll(message, 'IN1', (s) => readIn1(s)).map((i) => ({
    setId: value(i.setId),
    planId: safe(value(i.planId.identifier)),
    planName: value(i.planId.text),
    companyId: safe(value(i.companyIds[0]?.id ?? '')),
    companyName: value(i.companyNames[0]?.name ?? ''),
    groupNumber: safe(value(i.groupNumber)),
    memberId: safe(value(i.policyNumber) ?? value(i.insuredIds.find((c) => !['SS', 'SSN'].includes(c.identifierType.toUpperCase()))?.id ?? '')),
    effectiveDate: dateOf(i.planEffectiveDate),
    expirationDate: dateOf(i.planExpirationDate),
  }));
}

/** True when `text`'s digits contain one of the SSNs (9 digits each). */
export function holdsSsn(text: string, ssnDigits: readonly string[]): boolean {
  const digits = text.replace(/\D/g, '');
  return ssnDigits.some((s) => s.length >= 9 && digits.includes(s));
}

export interface CoverageChange {
  update: { id: number; coverage: Coverage }[];
  insert: Coverage[];
  remove: number[];
}

function coverageKey(c: Coverage): string {
  return c.setId !== null ? `set:${c.setId}` : `plan:${c.planId ?? ''}|${c.companyId ?? ''}`;
}

/**
 * A message that carries IN1 states the patient's whole coverage: each IN1 replaces the stored row
 * of the same set id (IN1-1; by plan and company when it has none), new ones are added, and rows the
 * message no longer lists are removed.
 */
export function planCoverage(existing: readonly (Coverage & { id: number })[], incoming: readonly Coverage[]): CoverageChange {
  const byKey = new Map<string, number>();
  for (const e of existing) if (!byKey.has(coverageKey(e))) byKey.set(coverageKey(e), e.id);
  const change: CoverageChange = { update: [], insert: [], remove: [] };
  const kept = new Set<number>();
  for (const c of incoming) {
    const id = byKey.get(coverageKey(c));
    if (id !== undefined && !kept.has(id)) {
      kept.add(id);
      change.update.push({ id, coverage: c });
    } else {
      change.insert.push(c);
    }
  }
  change.remove = existing.filter((e) => !kept.has(e.id)).map((e) => e.id);
  return change;
}
