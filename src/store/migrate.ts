import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { DialectName } from './open.js';
import { messageLogMigration } from './migrations/2026-11-25T1400-message-log.js';
import { inboxMigration } from './migrations/2026-11-25T1401-inbox.js';
import { careMigration } from './migrations/2026-11-25T1500-care.js';
import { careServiceMigration } from './migrations/2026-11-25T1510-care-service.js';
import { oruMigration } from './migrations/2026-11-25T1530-oru.js';
import { identityMigration } from './migrations/2026-11-25T1540-identity.js';
import { auditMigration } from './migrations/2026-11-25T1600-audit.js';
import { authMigration } from './migrations/2026-11-25T1610-auth.js';
import { accessMigration } from './migrations/2026-11-25T1620-access.js';
import { realtimeMigration } from './migrations/2026-11-25T1630-realtime.js';
import { dataKeysMigration } from './migrations/2026-11-25T1700-data-keys.js';
import { messageSearchMigration } from './migrations/2026-11-25T1720-message-search.js';
import { breakGlassReviewMigration } from './migrations/2026-11-25T1740-break-glass-review.js';
import { alertsMigration } from './migrations/2026-11-25T1800-alerts.js';
import { deliveryMigration } from './migrations/2026-11-25T1810-delivery.js';
import { escalationMigration } from './migrations/2026-11-25T1820-escalation.js';
import { transitionsMigration } from './migrations/2026-11-25T1830-transitions.js';

/** Every migration, in order. Names are timestamps so later issues append without renumbering. */
function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '2026-11-25T1400-message-log': messageLogMigration(dialect),
    '2026-11-25T1401-inbox': inboxMigration(dialect),
    '2026-11-25T1500-care': careMigration(dialect),
    '2026-11-25T1510-care-service': careServiceMigration(dialect),
    '2026-11-25T1530-oru': oruMigration(dialect),
    '2026-11-25T1540-identity': identityMigration(dialect),
    '2026-11-25T1600-audit': auditMigration(dialect),
    '2026-11-25T1610-auth': authMigration(dialect),
    '2026-11-25T1620-access': accessMigration(dialect),
    '2026-11-25T1630-realtime': realtimeMigration(dialect),
    '2026-11-25T1700-data-keys': dataKeysMigration(dialect),
    '2026-11-25T1720-message-search': messageSearchMigration(dialect),
    '2026-11-25T1740-break-glass-review': breakGlassReviewMigration(dialect),
    '2026-11-25T1800-alerts': alertsMigration(dialect),
    '2026-11-25T1810-delivery': deliveryMigration(dialect),
    '2026-11-25T1820-escalation': escalationMigration(dialect),
    '2026-11-25T1830-transitions': transitionsMigration(dialect),
  };
}

/** Bring the schema to the latest version. Idempotent; Kysely's migration lock serialises concurrent starters. */
export async function migrateToLatest(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
}
