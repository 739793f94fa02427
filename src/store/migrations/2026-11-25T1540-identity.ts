import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * The identity decision log: one row per identity decision (an automatic link by the matcher, a review
 * opened, a reviewer's link or separate and their undo, a merge or unmerge from ADT A40, a reviewer or an
 * administrator), saying who decided what and when. Rows are only ever added.
 */
export function identityMigration(dialect: DialectName): Migration {
  const id = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  return {
    async up(db: Kysely<any>) {
      await sql`CREATE TABLE identity_decision (
        id ${id},
        decided_at bigint not null,
        decided_by text not null,
        action text not null,
        patient_id bigint,
        other_patient_id bigint,
        review_id bigint,
        merge_id bigint,
        source_entry_id bigint,
        note text,
        detail text not null default '{}'
      )`.execute(db);
      await sql`CREATE INDEX identity_decision_patient ON identity_decision (patient_id, id)`.execute(db);
      await sql`CREATE INDEX identity_decision_review ON identity_decision (review_id, id)`.execute(db);
      await sql`CREATE INDEX identity_decision_merge ON identity_decision (merge_id, id)`.execute(db);
    },
  };
}
