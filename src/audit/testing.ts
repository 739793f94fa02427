import { sql, type Kysely } from 'kysely';
import type { Store } from '../store/open.js';
import type { Database } from '../store/schema.js';
import type { AuditEntry } from './entry.js';

/** An entry for tests: a read of patient `n` by user `u{n}`. */
export const sampleEntry = (n: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: `u${n}`, action: 'read', entityType: 'patient', entityId: n, patientId: n, source: '127.0.0.1', ...over,
});

const SQLITE_GUARDS = ['audit_log_no_update', 'audit_log_insert_at_head', 'audit_log_retention', 'audit_chain_forward_only', 'audit_chain_no_delete'];

/**
 * What an attacker with write access to the database files would do first: switch the audit triggers
 * off (SQLite: drop them; PostgreSQL: disable them). Tests then tamper and expect verify to notice.
 */
export async function dropAuditGuards(store: Store): Promise<void> {
  if (store.dialect === 'postgres') {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(store.db);
    await sql`ALTER TABLE audit_chain DISABLE TRIGGER USER`.execute(store.db);
  } else {
    for (const t of SQLITE_GUARDS) await sql.raw(`DROP TRIGGER ${t}`).execute(store.db);
  }
}

/** Raw audit rows by id (for tampering in tests). */
export async function rawRow(db: Kysely<Database>, id: number) {
  return db.selectFrom('audit_log').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
