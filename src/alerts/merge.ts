/**
 * One alert per visit, the highest severity, every reason; suppression; withdrawal. Pure: the engine
 * loads the alert a key names, calls these, and writes the result.
 *
 * - The events of one hospital visit (ADT visit events of one encounter) share the key visit:ENCOUNTER.
 * - Other events (results, death) share rule:RULE:patient:P:episode:E, RULE being the most severe rule
 *   that fired; an open alert under that key raised within the rule's suppression window is updated.
 */
import { severityRank, worstSeverity, type AlertChangeKind, type AlertStatus, type Severity } from './contract.js';
import type { Firing } from './evaluate.js';

export interface Reason {
  ruleId: string;
  ruleVersion: number;
  severity: Severity;
  title: string;
  text: string;
}

/** The decided part of an alert row. */
export interface AlertDraft {
  ruleId: string;
  ruleVersion: number;
  severity: Severity;
  status: AlertStatus;
  title: string;
  message: string;
  reasons: Reason[];
  eventCount: number;
  firstEventId: number;
  lastEventId: number;
  snoozedUntil: number | null;
}

export interface MergeOutcome {
  draft: AlertDraft;
  kind: AlertChangeKind;
  previousSeverity: Severity | null;
}

/** ADT events that belong to a hospital visit (HL7 v2 A01/A04/A02/A06/A07/A08/A03, A05 and their cancels). */
const VISIT_EVENT_TYPES = new Set(['admit', 'registration', 'transfer', 'discharge', 'pre-admit', 'class-change', 'visit-update', 'cancel-admit', 'cancel-transfer', 'cancel-discharge', 'cancel-pre-admit']);

export function isVisitEvent(e: { type: string; encounterId: number | null }): boolean {
  return e.encounterId !== null && VISIT_EVENT_TYPES.has(e.type);
}

export function visitKey(encounterId: number): string {
  return `visit:${encounterId}`;
}

export function suppressionKey(ruleId: string, patientId: number, episodeId: number | null): string {
  return `rule:${ruleId}:patient:${patientId}:episode:${episodeId ?? '-'}`;
}

/** An alert under a suppression key still takes new firings: not closed, and raised within the window. */
export function withinSuppression(alert: { status: AlertStatus; raisedAt: number }, windowMinutes: number, at: number): boolean {
  if (alert.status === 'resolved' || alert.status === 'withdrawn') return false;
  return windowMinutes > 0 && at - alert.raisedAt < windowMinutes * 60_000;
}

/** The reason that leads: most severe, first among equals. */
function primary(reasons: readonly Reason[]): Reason {
  return reasons.reduce((best, r) => (severityRank(r.severity) < severityRank(best.severity) ? r : best));
}

function fromReasons(base: Omit<AlertDraft, 'ruleId' | 'ruleVersion' | 'severity' | 'title' | 'message'>): AlertDraft {
  const p = primary(base.reasons);
  return { ...base, ruleId: p.ruleId, ruleVersion: p.ruleVersion, severity: p.severity, title: p.title, message: p.text };
}

const reasonOf = (f: Firing): Reason => ({ ruleId: f.ruleId, ruleVersion: f.ruleVersion, severity: f.severity, title: f.title, text: f.text });

/**
 * Fold the firings of one event into the alert of its key (or a new one). A rule that fired before
 * replaces its reason (latest text); the alert takes the highest severity of its reasons. A withdrawn
 * alert comes back open ('raised'); an acknowledged, snoozed or resolved one stays so unless its
 * severity rises, which opens it again.
 */
export function mergeFirings(existing: AlertDraft | undefined, firings: readonly Firing[], eventId: number): MergeOutcome {
  if (firings.length === 0) throw new Error('mergeFirings needs at least one firing');
  if (!existing) {
    const draft = fromReasons({ status: 'open', reasons: firings.map(reasonOf), eventCount: 1, firstEventId: eventId, lastEventId: eventId, snoozedUntil: null });
    return { draft, kind: 'raised', previousSeverity: null };
  }
  const reasons = new Map(existing.reasons.map((r) => [r.ruleId, r]));
  for (const f of firings) reasons.set(f.ruleId, reasonOf(f));
  const merged = fromReasons({ ...existing, reasons: [...reasons.values()], eventCount: existing.eventCount + 1, lastEventId: eventId });
  const rose = existing.status !== 'withdrawn' && severityRank(merged.severity) < severityRank(existing.severity);
  const reopen = existing.status === 'withdrawn' || rose;
  const draft: AlertDraft = reopen ? { ...merged, status: 'open', snoozedUntil: null } : merged;
  return { draft, kind: existing.status === 'withdrawn' ? 'raised' : 'updated', previousSeverity: existing.severity };
}

/**
 * After a cancel withdrew events: keep the reasons of the rules that still have an event standing
 * (`standing`); with none left the alert is withdrawn (resolved by the system).
 */
export function withdrawReasons(existing: AlertDraft, standing: ReadonlySet<string>, eventCount: number): MergeOutcome {
  const reasons = existing.reasons.filter((r) => standing.has(r.ruleId));
  if (reasons.length === 0) return { draft: { ...existing, status: 'withdrawn', snoozedUntil: null, eventCount }, kind: 'withdrawn', previousSeverity: existing.severity };
  return { draft: fromReasons({ ...existing, reasons, eventCount }), kind: 'updated', previousSeverity: existing.severity };
}

/** The highest severity of a list (for reports and tests). */
export function highestSeverity(severities: readonly Severity[]): Severity | null {
  return severities.length ? severities.reduce(worstSeverity) : null;
}
