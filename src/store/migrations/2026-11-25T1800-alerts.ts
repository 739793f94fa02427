import { sql, type Kysely, type Migration, type RawBuilder } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * The alert engine (src/alerts): rules as data, each save a new immutable version; alerts, one per
 * hospital visit or per suppression window, carrying every reason that fired them; and `alert_event`,
 * which clinical event fired which rule into which alert: reprocessing a message finds its rows and
 * raises nothing twice, and a cancel removes exactly what the withdrawn events caused.
 * Delivery and escalation keep their own tables (their migrations).
 */
export function alertsMigration(dialect: DialectName): Migration {
  const id = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  const run = (db: Kysely<any>, q: RawBuilder<unknown>) => q.execute(db);
  return {
    async up(db: Kysely<any>) {
      await run(db, sql`CREATE TABLE alert_rule (
        id text primary key,
        name text not null,
        enabled integer not null default 1,
        current_version integer not null,
        builtin integer not null default 0,
        created_at bigint not null,
        updated_at bigint not null
      )`);
      await run(db, sql`CREATE TABLE alert_rule_version (
        rule_id text not null references alert_rule(id),
        version integer not null,
        definition text not null,
        created_at bigint not null,
        created_by text not null,
        primary key (rule_id, version)
      )`);
      await run(db, sql`CREATE TABLE alert (
        id ${id},
        patient_id bigint not null,
        episode_id bigint,
        encounter_id bigint,
        rule_id text not null,
        rule_version integer not null,
        dedup_key text not null,
        severity text not null,
        status text not null,
        title text not null,
        message text not null,
        reasons text not null,
        event_count integer not null,
        first_event_id bigint not null,
        last_event_id bigint not null,
        raised_at bigint not null,
        updated_at bigint not null,
        acknowledged_at bigint,
        acknowledged_by bigint,
        snoozed_until bigint,
        snooze_reason text,
        resolved_at bigint,
        resolved_by bigint,
        resolution text
      )`);
      // The open alerts of a patient (dashboard, CLI), and the alert a visit or suppression window updates.
      await run(db, sql`CREATE INDEX alert_patient_status ON alert (patient_id, status, raised_at)`);
      await run(db, sql`CREATE INDEX alert_dedup ON alert (dedup_key, raised_at)`);
      // The escalation scheduler's due snoozes.
      await run(db, sql`CREATE INDEX alert_snoozed ON alert (status, snoozed_until)`);
      await run(db, sql`CREATE TABLE alert_event (
        alert_id bigint not null references alert(id),
        event_id bigint not null,
        rule_id text not null,
        rule_version integer not null,
        severity text not null,
        at bigint not null,
        withdrawn_at bigint,
        primary key (event_id, rule_id)
      )`);
      await run(db, sql`CREATE INDEX alert_event_alert ON alert_event (alert_id)`);
      // MessageEffects.withdrawn: the events a cancel withdrew are found by the cancel's id.
      await run(db, sql`CREATE INDEX clinical_event_withdrawn_by ON clinical_event (withdrawn_by)`);
    },
  };
}
