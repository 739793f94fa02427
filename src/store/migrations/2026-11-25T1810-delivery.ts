import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * Delivery of alerts (src/delivery):
 * - `alert_delivery`: the outbox and the delivery log at once, one row per attempt: a queued row is
 *   claimed by a worker (status sending, lease in next_attempt_at), then ends delivered, failed or
 *   skipped with its provider response; a retry or a fall-over to the next channel is a new row.
 *   `alert_id` names the engine's `alert` row; no foreign key yet, as the alert table lands in its
 *   own migration (src/alerts): it is added when both are in.
 * - `notification_preference`: a user's channels per severity ('*' for every severity) and quiet hours.
 * - `push_subscription`: Web Push subscriptions (RFC 8030) per user.
 * - `delivery_key`: generated keys (the VAPID key pair), the private half sealed with the store's data key.
 * Contact addresses are app_user.email and app_user.phone (no table of their own).
 */
export function deliveryMigration(dialect: DialectName): Migration {
  const id = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  return {
    async up(db: Kysely<any>) {
      await sql`CREATE TABLE alert_delivery (
        id ${id},
        alert_id bigint not null,
        patient_id bigint not null,
        user_id bigint not null,
        channel text not null,
        attempt integer not null,
        status text not null,
        severity text not null,
        rule_id text not null,
        fallback text not null,
        provider_response text,
        error_code text,
        queued_at bigint not null,
        attempted_at bigint,
        next_attempt_at bigint not null,
        acknowledged_at bigint
      )`.execute(db);
      // The workers' claim: due rows by status and time.
      await sql`CREATE INDEX alert_delivery_due ON alert_delivery (status, next_attempt_at)`.execute(db);
      await sql`CREATE INDEX alert_delivery_alert ON alert_delivery (alert_id)`.execute(db);
      await sql`CREATE TABLE notification_preference (
        user_id bigint not null,
        severity text not null,
        channels text not null,
        quiet_start text,
        quiet_end text,
        time_zone text,
        updated_at bigint not null,
        primary key (user_id, severity)
      )`.execute(db);
      await sql`CREATE TABLE push_subscription (
        id ${id},
        user_id bigint not null,
        endpoint text not null unique,
        p256dh text not null,
        auth text not null,
        created_at bigint not null
      )`.execute(db);
      await sql`CREATE INDEX push_subscription_user ON push_subscription (user_id)`.execute(db);
      await sql`CREATE TABLE delivery_key (
        name text primary key,
        public_value text not null,
        private_sealed text not null,
        created_at bigint not null
      )`.execute(db);
    },
  };
}
