/** Repository of alerts and of which event fired which rule into them (src/alerts). */
import type { Kysely, Selectable } from 'kysely';
import type { AlertEventTable, AlertTable, Database } from './schema.js';

export type AlertRow = Selectable<AlertTable>;

export interface AlertRecord {
  id: number;
  patientId: number;
  episodeId: number | null;
  encounterId: number | null;
  ruleId: string;
  ruleVersion: number;
  dedupKey: string;
  severity: string;
  status: string;
  title: string;
  message: string;
  reasons: { ruleId: string; ruleVersion: number; severity: string; title: string; text: string }[];
  eventCount: number;
  firstEventId: number;
  lastEventId: number;
  raisedAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: number | null;
  snoozedUntil: number | null;
  snoozeReason: string | null;
  resolvedAt: number | null;
  resolvedBy: number | null;
  resolution: string | null;
}

const n = (v: number | null) => (v === null ? null : Number(v));

export function toAlert(r: AlertRow): AlertRecord {
  return {
    id: Number(r.id),
    patientId: Number(r.patient_id),
    episodeId: n(r.episode_id),
    encounterId: n(r.encounter_id),
    ruleId: r.rule_id,
    ruleVersion: Number(r.rule_version),
    dedupKey: r.dedup_key,
    severity: r.severity,
    status: r.status,
    title: r.title,
    message: r.message,
    reasons: JSON.parse(r.reasons) as AlertRecord['reasons'],
    eventCount: Number(r.event_count),
    firstEventId: Number(r.first_event_id),
    lastEventId: Number(r.last_event_id),
    raisedAt: Number(r.raised_at),
    updatedAt: Number(r.updated_at),
    acknowledgedAt: n(r.acknowledged_at),
    acknowledgedBy: n(r.acknowledged_by),
    snoozedUntil: n(r.snoozed_until),
    snoozeReason: r.snooze_reason,
    resolvedAt: n(r.resolved_at),
    resolvedBy: n(r.resolved_by),
    resolution: r.resolution,
  };
}

/** The latest alert under a dedup key (any status). */
export async function findAlertByKey(db: Kysely<Database>, key: string): Promise<AlertRecord | undefined> {
  const r = await db.selectFrom('alert').selectAll().where('dedup_key', '=', key).orderBy('raised_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return r ? toAlert(r) : undefined;
}

export async function getAlert(db: Kysely<Database>, id: number): Promise<AlertRecord | undefined> {
  const r = await db.selectFrom('alert').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toAlert(r) : undefined;
}

/** Lock the alert row for a lifecycle change (PostgreSQL row lock; SQLite holds the write lock already). */
export async function lockAlert(db: Kysely<Database>, id: number, postgres: boolean): Promise<AlertRecord | undefined> {
  let q = db.selectFrom('alert').selectAll().where('id', '=', id);
  if (postgres) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r ? toAlert(r) : undefined;
}

export async function listAlerts(db: Kysely<Database>, f: { patientId?: number; statuses?: readonly string[]; limit?: number } = {}): Promise<AlertRecord[]> {
  let q = db.selectFrom('alert').selectAll();
  if (f.patientId !== undefined) q = q.where('patient_id', '=', f.patientId);
  if (f.statuses?.length) q = q.where('status', 'in', [...f.statuses]);
  return (await q.orderBy('raised_at', 'desc').orderBy('id', 'desc').limit(f.limit ?? 100).execute()).map(toAlert);
}

/** Snoozed alerts whose snooze ended by `at` (the escalation scheduler reopens them). */
export async function dueSnoozes(db: Kysely<Database>, at: number, limit = 100): Promise<number[]> {
  const rows = await db.selectFrom('alert').select('id').where('status', '=', 'snoozed').where('snoozed_until', '<=', at).orderBy('snoozed_until').limit(limit).execute();
  return rows.map((r) => Number(r.id));
}

export type AlertValues = Omit<AlertTable, 'id'>;

export async function insertAlert(db: Kysely<Database>, v: AlertValues): Promise<number> {
  const r = await db.insertInto('alert').values(v).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function updateAlert(db: Kysely<Database>, id: number, v: Partial<AlertValues>): Promise<void> {
  await db.updateTable('alert').set(v).where('id', '=', id).execute();
}

/** Of `ruleIds`, those that already fired on the event (reprocessing raises nothing twice). */
export async function rulesFiredOn(db: Kysely<Database>, eventId: number): Promise<Set<string>> {
  const rows = await db.selectFrom('alert_event').select('rule_id').where('event_id', '=', eventId).execute();
  return new Set(rows.map((r) => r.rule_id));
}

export async function insertAlertEvents(db: Kysely<Database>, rows: readonly AlertEventTable[]): Promise<void> {
  if (rows.length) await db.insertInto('alert_event').values([...rows]).execute();
}

/** Withdraw the firings of these events; returns the alerts they touched. */
export async function withdrawFirings(db: Kysely<Database>, eventIds: readonly number[], at: number): Promise<number[]> {
  if (eventIds.length === 0) return [];
  const rows = await db.selectFrom('alert_event').select('alert_id').distinct().where('event_id', 'in', [...eventIds]).where('withdrawn_at', 'is', null).execute();
  await db.updateTable('alert_event').set({ withdrawn_at: at }).where('event_id', 'in', [...eventIds]).where('withdrawn_at', 'is', null).execute();
  return rows.map((r) => Number(r.alert_id));
}

/** Withdraw every firing of an alert (its visit was cancelled). */
export async function withdrawAlertFirings(db: Kysely<Database>, alertId: number, at: number): Promise<boolean> {
  const r = await db.updateTable('alert_event').set({ withdrawn_at: at }).where('alert_id', '=', alertId).where('withdrawn_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The rules with a firing still standing in an alert, and how many distinct events stand. */
export async function standingFirings(db: Kysely<Database>, alertId: number): Promise<{ rules: Set<string>; eventCount: number }> {
  const rows = await db.selectFrom('alert_event').select(['rule_id', 'event_id']).where('alert_id', '=', alertId).where('withdrawn_at', 'is', null).execute();
  return { rules: new Set(rows.map((r) => r.rule_id)), eventCount: new Set(rows.map((r) => Number(r.event_id))).size };
}
