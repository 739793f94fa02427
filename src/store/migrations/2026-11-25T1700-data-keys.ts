import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * Encryption at rest (src/keys): `data_key` holds the data keys that seal message bodies and secret
 * columns, each wrapped (AES-256-GCM) under the master key's wrapping subkey; never the master key.
 *
 * The message log stays append-only with one narrow exception, for re-sealing under a new data key
 * (`carecoord keys rotate` / `keys reseal`): an UPDATE is allowed only when every column but `raw`
 * is unchanged and the new `raw` is a sealed value (magic 00 43 43, version 01). The plaintext
 * behind it is checked against `content_hash` by the re-seal before it writes.
 */
export function dataKeysMigration(dialect: DialectName): Migration {
  const blob = dialect === 'postgres' ? sql`bytea` : sql`blob`;
  return {
    async up(db: Kysely<any>) {
      await sql`CREATE TABLE data_key (
        id bigint primary key,
        wrapped ${blob} not null,
        master_fp text not null,
        created_at bigint not null,
        retired_at bigint
      )`.execute(db);
      if (dialect === 'postgres') await postgresReseal(db);
      else await sqliteReseal(db);
    },
  };
}

const KEPT = ['id', 'received_at', 'listener', 'peer', 'truncated', 'byte_length', 'charset', 'sender_key', 'control_id',
  'content_hash', 'message_type', 'patient_key', 'merge_key', 'accept_code', 'error_code', 'error_text', 'ack'];

async function sqliteReseal(db: Kysely<any>): Promise<void> {
  const same = KEPT.map((c) => `NEW.${c} IS OLD.${c}`).join(' AND ');
  await sql`DROP TRIGGER hl7log.message_log_no_update`.execute(db);
  await sql.raw(`CREATE TRIGGER hl7log.message_log_no_update BEFORE UPDATE ON message_log
    WHEN NOT (${same} AND substr(NEW.raw, 1, 4) = X'00434301')
    BEGIN SELECT RAISE(ABORT, 'hl7log.message_log is append-only'); END`).execute(db);
}

async function postgresReseal(db: Kysely<any>): Promise<void> {
  const oldRow = KEPT.map((c) => `OLD.${c}`).join(', ');
  const newRow = KEPT.map((c) => `NEW.${c}`).join(', ');
  await sql.raw(`CREATE FUNCTION hl7log.guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (${newRow}) IS NOT DISTINCT FROM (${oldRow}) AND substring(NEW.raw from 1 for 4) = '\\x00434301'::bytea THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'hl7log.message_log is append-only' USING ERRCODE = 'insufficient_privilege';
    END $$`).execute(db);
  await sql`DROP TRIGGER message_log_no_update ON hl7log.message_log`.execute(db);
  await sql`CREATE TRIGGER message_log_no_update BEFORE UPDATE ON hl7log.message_log
    FOR EACH ROW EXECUTE FUNCTION hl7log.guard_update()`.execute(db);
}
