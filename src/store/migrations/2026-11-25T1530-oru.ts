import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * What results (ORU) need on `observation` beyond the care schema: the structured reading of a value
 * (SN comparator, coded value, date value), OBX-4 sub-id, the parsed reference range and the
 * out-of-range reading, and the correction trail: a row replaced by a later result (OBX-11 C, F after
 * P...) is kept with `superseded_by`, one retracted (W wrong patient, D delete) with `withdrawn_by`.
 * A result is in effect when both `superseded_at` and `withdrawn_at` are null.
 */
export function oruMigration(_dialect: DialectName): Migration {
  const columns = [
    sql`sub_id text`,
    sql`value_comparator text`,
    sql`value_code text`,
    sql`value_code_system text`,
    sql`value_time bigint`,
    sql`range_low double precision`,
    sql`range_high double precision`,
    sql`out_of_range integer`,
    sql`superseded_at bigint`,
    sql`superseded_by bigint references observation(id)`,
    sql`withdrawn_at bigint`,
    sql`withdrawn_by bigint references observation(id)`,
  ];
  return {
    async up(db: Kysely<any>) {
      // One column per statement: SQLite adds one at a time.
      for (const c of columns) await sql`ALTER TABLE observation ADD COLUMN ${c}`.execute(db);
      await sql`CREATE INDEX observation_order ON observation (patient_id, filler_order, code)`.execute(db);
      await sql`CREATE INDEX observation_entry ON observation (source_entry_id)`.execute(db);
    },
  };
}
