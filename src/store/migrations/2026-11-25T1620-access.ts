import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * Access control (src/access): `break_glass_grant`, one row per emergency access a clinician took to
 * a patient outside their care teams, with the reason given and when it lapses. Rows are kept: the
 * privacy officer lists them (GET /api/break-glass), and `reviewed_*` records their review.
 */
export function accessMigration(dialect: DialectName): Migration {
  const id = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  return {
    async up(db: Kysely<any>) {
      await sql`CREATE TABLE break_glass_grant (
        id ${id},
        user_id bigint not null references app_user(id),
        patient_id bigint not null references patient(id),
        reason text not null,
        granted_at bigint not null,
        expires_at bigint not null,
        source text not null,
        reviewed_at bigint,
        reviewed_by text,
        review_note text
      )`.execute(db);
      // The visibility check: this user's grants on this patient still running.
      await sql`CREATE INDEX break_glass_grant_user ON break_glass_grant (user_id, patient_id, expires_at)`.execute(db);
      await sql`CREATE INDEX break_glass_grant_time ON break_glass_grant (granted_at, id)`.execute(db);
    },
  };
}
