import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * The privacy officer's review of a break-the-glass grant (POST /api/break-glass/:id/review):
 * `review_outcome` (appropriate | inappropriate) beside the existing reviewed_at, reviewed_by and
 * review_note; an index for the list of grants still to review.
 */
export function breakGlassReviewMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      await sql`ALTER TABLE break_glass_grant ADD COLUMN review_outcome text`.execute(db);
      await sql`CREATE INDEX break_glass_grant_unreviewed ON break_glass_grant (reviewed_at, id)`.execute(db);
    },
  };
}
