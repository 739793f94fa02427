import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * Recipients and escalation of alerts (src/escalation):
 * - `escalation_policy`: ordered levels as JSON (who, and the timeout per severity), a repeat count;
 *   the built-in `default` policy is seeded here (coordinator -> supervisor -> on-call physician,
 *   critical 15 minutes per level). Its shape is checked by escalation/policy.ts on read.
 * - `alert_escalation`: one row per alert: the policy, the level and repeat reached, the state.
 * - `alert_recipient`: who was told about an alert, at which level, and whether a vacant role sent
 *   it to the fallback pool (`gap`).
 * - `alert_timer`: durable timers (escalate, unsnooze); claimed by one scheduler, fired once.
 * `alert_id` names the engine's `alert` row (src/alerts); no foreign key for now, as the alert table
 * lands in its own migration written in parallel: it is added when both are in.
 */
export function escalationMigration(dialect: DialectName): Migration {
  const id = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  return {
    async up(db: Kysely<any>) {
      await sql`CREATE TABLE escalation_policy (
        id text primary key,
        name text not null,
        levels text not null,
        repeat integer not null,
        created_at bigint not null,
        updated_at bigint not null
      )`.execute(db);
      await sql`CREATE TABLE alert_escalation (
        alert_id bigint primary key,
        policy_id text,
        patient_id bigint not null,
        episode_id bigint,
        severity text not null,
        channels text not null,
        rule_roles text not null,
        level integer not null,
        repeat integer not null,
        state text not null,
        level_started_at bigint not null,
        snoozed_until bigint,
        reopened_at bigint,
        created_at bigint not null,
        updated_at bigint not null
      )`.execute(db);
      await sql`CREATE TABLE alert_recipient (
        id ${id},
        alert_id bigint not null,
        user_id bigint not null,
        role text not null,
        level integer not null,
        repeat integer not null,
        gap integer not null,
        gap_reason text,
        notified_at bigint not null
      )`.execute(db);
      await sql`CREATE INDEX alert_recipient_alert ON alert_recipient (alert_id, level)`.execute(db);
      await sql`CREATE INDEX alert_recipient_user ON alert_recipient (user_id, notified_at)`.execute(db);
      await sql`CREATE TABLE alert_timer (
        id ${id},
        alert_id bigint not null,
        kind text not null,
        level integer not null,
        repeat integer not null,
        due_at bigint not null,
        fired_at bigint,
        cancelled_at bigint,
        claimed_by text,
        claimed_at bigint,
        attempts integer not null default 0,
        created_at bigint not null
      )`.execute(db);
      // The schedulers' poll: pending timers by due time (partial: fired and cancelled ones drop out).
      await sql`CREATE INDEX alert_timer_due ON alert_timer (due_at, id) WHERE fired_at IS NULL AND cancelled_at IS NULL`.execute(db);
      await sql`CREATE INDEX alert_timer_alert ON alert_timer (alert_id)`.execute(db);
      // Written out here rather than imported: a migration must not change when the code's default does.
      const levels = JSON.stringify([
        { roles: ['care-coordinator'], pools: [], timeoutMinutesBySeverity: { critical: 15, high: 30, medium: 120, low: null } },
        { roles: ['supervisor'], pools: [], timeoutMinutesBySeverity: { critical: 15, high: 30, medium: 120, low: null } },
        { roles: [], pools: ['on-call'], timeoutMinutesBySeverity: { critical: 15, high: 30, medium: 120, low: null } },
      ]);
      await sql`INSERT INTO escalation_policy (id, name, levels, repeat, created_at, updated_at)
        VALUES ('default', 'Coordinator, then supervisor, then on-call physician', ${levels}, 1, 0, 0)`.execute(db);
    },
  };
}
