import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/** Processing state per log entry, in the operational database. */
export function inboxMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      await sql`CREATE TABLE inbox (
        entry_id bigint primary key,
        received_at bigint not null,
        message_type text,
        patient_key text,
        merge_key text,
        status text not null,
        attempts integer not null default 0,
        next_attempt_at bigint,
        last_error_code text,
        last_error_text text,
        updated_at bigint not null,
        processed_at bigint
      )`.execute(db);
      await sql`CREATE INDEX inbox_status_entry ON inbox (status, entry_id)`.execute(db);
      await sql`CREATE INDEX inbox_patient_key ON inbox (patient_key, entry_id)`.execute(db);
    },
  };
}
