import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * Entries younger than this can never be deleted: the database itself refuses (HIPAA asks for
 * six years of retention of documentation; the retention job may keep entries longer, never shorter).
 */
export const LOG_RETENTION_FLOOR_DAYS = 2192;

/** The append-only raw message log, its retransmission index and the triggers that keep it append-only. */
export function messageLogMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect === 'postgres') await sql`CREATE SCHEMA IF NOT EXISTS hl7log`.execute(db);
      const id = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
      const blob = dialect === 'postgres' ? sql`bytea` : sql`blob`;
      await sql`CREATE TABLE hl7log.message_log (
        id ${id},
        received_at bigint not null,
        listener text not null,
        peer text not null,
        raw ${blob} not null,
        truncated smallint not null default 0,
        byte_length integer not null,
        charset text not null,
        sender_key text,
        control_id text,
        content_hash text not null,
        message_type text,
        patient_key text,
        merge_key text,
        accept_code text not null,
        error_code text,
        error_text text,
        ack ${blob}
      )`.execute(db);
      // A retransmission is the same sender, control id AND bytes: a sender that reuses a control id for
      // different content (a counter reset) must not have its new message dropped as a duplicate.
      // NULLs are distinct in a unique index on both dialects: entries without a control id never collide.
      await sql`CREATE UNIQUE INDEX ${sql.raw(dialect === 'postgres' ? '' : 'hl7log.')}message_log_sender_control
        ON ${sql.raw(dialect === 'postgres' ? 'hl7log.' : '')}message_log (sender_key, control_id, content_hash)`.execute(db);
      await sql`CREATE INDEX ${sql.raw(dialect === 'postgres' ? '' : 'hl7log.')}message_log_received
        ON ${sql.raw(dialect === 'postgres' ? 'hl7log.' : '')}message_log (received_at)`.execute(db);
      if (dialect === 'postgres') await postgresGuards(db);
      else await sqliteGuards(db);
    },
  };
}

async function sqliteGuards(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE hl7log.log_policy (id integer primary key check (id = 1), min_retention_days integer not null)`.execute(db);
  await sql`INSERT INTO hl7log.log_policy (id, min_retention_days) VALUES (1, ${LOG_RETENTION_FLOOR_DAYS})`.execute(db);
  // Triggers in an attached schema are named with the schema and refer to its tables unqualified.
  await sql`CREATE TRIGGER hl7log.message_log_no_update BEFORE UPDATE ON message_log
    BEGIN SELECT RAISE(ABORT, 'hl7log.message_log is append-only'); END`.execute(db);
  await sql`CREATE TRIGGER hl7log.message_log_retention BEFORE DELETE ON message_log
    WHEN OLD.received_at > (CAST(strftime('%s', 'now') AS INTEGER) * 1000
      - (SELECT min_retention_days FROM log_policy WHERE id = 1) * 86400000)
    BEGIN SELECT RAISE(ABORT, 'hl7log.message_log entries are kept for the retention period'); END`.execute(db);
  await sql`CREATE TRIGGER hl7log.log_policy_no_lowering BEFORE UPDATE ON log_policy
    WHEN NEW.min_retention_days < OLD.min_retention_days OR NEW.id <> OLD.id
    BEGIN SELECT RAISE(ABORT, 'the log retention floor can only be raised'); END`.execute(db);
  await sql`CREATE TRIGGER hl7log.log_policy_no_delete BEFORE DELETE ON log_policy
    BEGIN SELECT RAISE(ABORT, 'the log retention policy cannot be deleted'); END`.execute(db);
}

async function postgresGuards(db: Kysely<any>): Promise<void> {
  await sql`CREATE FUNCTION hl7log.refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'hl7log.message_log is append-only' USING ERRCODE = 'insufficient_privilege'; END $$`.execute(db);
  await sql.raw(`CREATE FUNCTION hl7log.guard_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.received_at > (extract(epoch from now()) * 1000)::bigint - ${LOG_RETENTION_FLOOR_DAYS}::bigint * 86400000 THEN
        RAISE EXCEPTION 'hl7log.message_log entries are kept for the retention period' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN OLD;
    END $$`).execute(db);
  await sql`CREATE TRIGGER message_log_no_update BEFORE UPDATE ON hl7log.message_log
    FOR EACH ROW EXECUTE FUNCTION hl7log.refuse_update()`.execute(db);
  await sql`CREATE TRIGGER message_log_no_truncate BEFORE TRUNCATE ON hl7log.message_log
    FOR EACH STATEMENT EXECUTE FUNCTION hl7log.refuse_update()`.execute(db);
  await sql`CREATE TRIGGER message_log_retention BEFORE DELETE ON hl7log.message_log
    FOR EACH ROW EXECUTE FUNCTION hl7log.guard_delete()`.execute(db);
}
