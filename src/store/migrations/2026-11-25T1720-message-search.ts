import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * Indexes for the interface analyst's message search (GET /api/messages, `carecoord messages`): by
 * control id, and by patient (MRN) through the ordering keys `patient_key` / `merge_key` that intake
 * already stores in clear beside the raw bytes (the raw body is never searched: it may be sealed at rest).
 * A key is "MRN^AUTHORITY"; a search by MRN alone is a prefix search "MRN^...": PostgreSQL serves it from
 * a text_pattern_ops index whatever the database collation (equality too), SQLite from a BINARY range.
 * Each index ends with id, so a patient's entries come newest first without a sort.
 */
export function messageSearchMigration(dialect: DialectName): Migration {
  const idx = (name: string, columns: string) => dialect === 'postgres'
    ? sql.raw(`CREATE INDEX ${name} ON hl7log.message_log (${columns})`)
    : sql.raw(`CREATE INDEX hl7log.${name} ON message_log (${columns.replace(/ text_pattern_ops/g, '')})`);
  return {
    async up(db: Kysely<any>) {
      await idx('message_log_patient_key', 'patient_key text_pattern_ops, id').execute(db);
      await idx('message_log_merge_key', 'merge_key text_pattern_ops, id').execute(db);
      await idx('message_log_control_id', 'control_id, id').execute(db);
    },
  };
}
