import type { Kysely, Selectable } from 'kysely';
import type { Channel, Severity } from '../alerts/contract.js';
import type { DialectName } from '../store/open.js';
import type { AlertDeliveryTable, Database } from '../store/schema.js';
import type { Preference } from './plan.js';
import { DeliveryErrorCode, DeliveryStatus } from './types.js';

/** delivery's own SQL (outbox, attempt log, preferences, push subscriptions); db first, no transactions opened here. */

export type DeliveryRow = Selectable<AlertDeliveryTable>;

export interface NewDelivery {
  alertId: number;
  patientId: number;
  userId: number;
  channel: Channel;
  attempt: number;
  severity: Severity;
  ruleId: string;
  fallback: readonly Channel[];
  queuedAt: number;
  notBefore: number;
}

export async function insertDeliveries(db: Kysely<Database>, rows: readonly NewDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('alert_delivery').values(rows.map((r) => ({
    alert_id: r.alertId, patient_id: r.patientId, user_id: r.userId, channel: r.channel, attempt: r.attempt,
    status: DeliveryStatus.Queued, severity: r.severity, rule_id: r.ruleId, fallback: JSON.stringify(r.fallback),
    provider_response: null, error_code: null, queued_at: r.queuedAt, attempted_at: null, next_attempt_at: r.notBefore, acknowledged_at: null,
  }))).execute();
}

/**
 * Claim up to `limit` due rows for sending, in one statement: queued rows whose time has come, and
 * sending rows whose lease ran out (their sender died). The UPDATE re-checks the status and time, so
 * of two workers (threads or nodes) only one gets a row; on PostgreSQL the candidate rows are also
 * locked FOR UPDATE SKIP LOCKED, so a second worker takes other rows instead of waiting. The claim
 * sets status sending, attempted_at = now (the claim's token) and the lease in next_attempt_at.
 */
export async function claimDue(db: Kysely<Database>, dialect: DialectName, now: number, leaseMs: number, limit: number): Promise<DeliveryRow[]> {
  const due = db.selectFrom('alert_delivery').select('id')
    .where('status', 'in', [DeliveryStatus.Queued, DeliveryStatus.Sending])
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at').orderBy('id').limit(limit);
  // A read first: an idle outbox costs one index probe per poll, never a write lock (SQLite).
  if (!(await due.executeTakeFirst())) return [];
  const candidates = dialect === 'postgres' ? due.forUpdate().skipLocked() : due;
  return db.updateTable('alert_delivery')
    .set({ status: DeliveryStatus.Sending, attempted_at: now, next_attempt_at: now + leaseMs })
    .where('id', 'in', candidates)
    .where('status', 'in', [DeliveryStatus.Queued, DeliveryStatus.Sending])
    .where('next_attempt_at', '<=', now)
    .returningAll()
    .execute();
}

/**
 * Record how a claimed attempt ended. Only the claim that sent it may (attempted_at is its token): a
 * row whose lease ran out and was claimed again is left to the newer claim. False when not ours.
 */
export async function finishAttempt(db: Kysely<Database>, row: DeliveryRow, end: { status: DeliveryStatus; providerResponse: string | null; errorCode: string | null; at: number }): Promise<boolean> {
  const r = await db.updateTable('alert_delivery')
    .set({ status: end.status, provider_response: end.providerResponse?.slice(0, 200) ?? null, error_code: end.errorCode, next_attempt_at: end.at })
    .where('id', '=', row.id).where('status', '=', DeliveryStatus.Sending).where('attempted_at', '=', row.attempted_at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * The alert was acknowledged, resolved or withdrawn: its rows still queued are skipped (in the
 * change's transaction). Returns how many.
 */
export async function cancelPending(db: Kysely<Database>, alertId: number, at: number): Promise<number> {
  const r = await db.updateTable('alert_delivery')
    .set({ status: DeliveryStatus.Skipped, error_code: DeliveryErrorCode.Acknowledged, acknowledged_at: at })
    .where('alert_id', '=', alertId).where('status', '=', DeliveryStatus.Queued)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Every attempt of an alert, in order (the delivery log of one alert). */
export function deliveriesOf(db: Kysely<Database>, alertId: number): Promise<DeliveryRow[]> {
  return db.selectFrom('alert_delivery').selectAll().where('alert_id', '=', alertId).orderBy('id').execute();
}

export async function preferencesOf(db: Kysely<Database>, userId: number): Promise<Preference[]> {
  const rows = await db.selectFrom('notification_preference').selectAll().where('user_id', '=', userId).execute();
  return rows.map((r) => ({
    severity: r.severity as Preference['severity'],
    channels: JSON.parse(r.channels) as Channel[],
    quietStart: r.quiet_start, quietEnd: r.quiet_end, timeZone: r.time_zone,
  }));
}

/** Set a user's preference for a severity ('*' for any), replacing the previous one. */
export async function setPreference(db: Kysely<Database>, userId: number, p: Preference, now: number): Promise<void> {
  const values = { channels: JSON.stringify(p.channels), quiet_start: p.quietStart, quiet_end: p.quietEnd, time_zone: p.timeZone, updated_at: now };
  await db.insertInto('notification_preference').values({ user_id: userId, severity: p.severity, ...values })
    .onConflict((oc) => oc.columns(['user_id', 'severity']).doUpdateSet(values)).execute();
}

/** A user's addresses (app_user.email, app_user.phone). */
export async function contactOf(db: Kysely<Database>, userId: number): Promise<{ email: string | null; phone: string | null } | undefined> {
  return db.selectFrom('app_user').select(['email', 'phone']).where('id', '=', userId).executeTakeFirst();
}

/** The patient's current name as "FAMILY Given", only for channels allowed to carry names. */
export async function patientNameOf(db: Kysely<Database>, patientId: number): Promise<string | undefined> {
  const p = await db.selectFrom('patient').select(['family_name', 'given_name']).where('id', '=', patientId).executeTakeFirst();
  const name = [p?.family_name, p?.given_name].filter(Boolean).join(' ');
  return name || undefined;
}

export interface PushSubscriptionKeys {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** Store a browser's subscription (re-subscribing the same endpoint moves it to this user). */
export async function addPushSubscription(db: Kysely<Database>, userId: number, s: PushSubscriptionKeys, now: number): Promise<void> {
  await db.insertInto('push_subscription').values({ user_id: userId, endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth, created_at: now })
    .onConflict((oc) => oc.column('endpoint').doUpdateSet({ user_id: userId, p256dh: s.p256dh, auth: s.auth, created_at: now })).execute();
}

export function pushSubscriptionsOf(db: Kysely<Database>, userId: number): Promise<PushSubscriptionKeys[]> {
  return db.selectFrom('push_subscription').select(['endpoint', 'p256dh', 'auth']).where('user_id', '=', userId).orderBy('id').execute();
}

/** The push service said the subscription is gone (404/410): forget it. */
export async function removePushSubscription(db: Kysely<Database>, endpoint: string): Promise<void> {
  await db.deleteFrom('push_subscription').where('endpoint', '=', endpoint).execute();
}
