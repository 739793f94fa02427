import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { normalizeEntry, type AuditEntry, type AuditRecord } from './entry.js';
import { chainHash } from './hash.js';
import { advanceHead, inTransaction, insertRecord, setHeadHash } from './store.js';

/**
 * Append one entry to the audit chain, in the caller's transaction when `db` is one (so the entry
 * commits or rolls back with the change it records), else in a transaction of its own.
 *
 * Contract: call it LAST in the transaction. It locks the one-row chain head until the transaction
 * ends (that is what keeps the chain linear under concurrency), so work done after it would hold
 * every other auditor waiting, and a lock taken after it could deadlock with a transaction that holds
 * that lock and waits for the head. A failure (AuditError, a database error) must fail the caller:
 * what cannot be audited is not done.
 */
export async function appendAudit(db: Kysely<Database>, entry: AuditEntry): Promise<AuditRecord> {
  const [record] = await appendAudits(db, [entry]);
  return record!;
}

/** Several entries (e.g. one per patient a command touched), in order, under one acquisition of the head. */
export async function appendAudits(db: Kysely<Database>, entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
  const now = Date.now();
  // Validated before any lock is taken: a bad entry never holds the head.
  const all = entries.map((e) => normalizeEntry(e, now));
  if (all.length === 0) return [];
  return inTransaction(db, async (trx) => {
    const out: AuditRecord[] = [];
    for (const fields of all) {
      const { id, prevHash } = await advanceHead(trx);
      const record: AuditRecord = { id, ...fields, prevHash, hash: chainHash(prevHash, id, fields) };
      await insertRecord(trx, record);
      await setHeadHash(trx, record.hash);
      out.push(record);
    }
    return out;
  });
}
