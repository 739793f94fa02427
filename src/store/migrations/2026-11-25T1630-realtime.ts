import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * Real-time (src/realtime): `realtime_event`, one row per change the dashboard is told about,
 * written in the transaction of the change. The id is the SSE event id (a client's Last-Event-ID);
 * rows are kept for the replay window and then pruned.
 */
export function realtimeMigration(dialect: DialectName): Migration {
  // AUTOINCREMENT: SQLite never reuses an id, even after the newest rows are pruned.
  const id = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  return {
    async up(db: Kysely<any>) {
      await sql`CREATE TABLE realtime_event (
        id ${id},
        at bigint not null,
        patient_id bigint not null,
        kind text not null,
        ref_id bigint not null,
        payload text not null
      )`.execute(db);
      // Pruning by time.
      await sql`CREATE INDEX realtime_event_at ON realtime_event (at)`.execute(db);
    },
  };
}
