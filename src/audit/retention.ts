import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { appendAudit } from './append.js';
import { AuditAction } from './entry.js';
import { AuditError, AuditErrorCode } from './errors.js';
import { deleteThrough, inTransaction, moveAnchor, readHead, recordsAfter } from './store.js';

const DAY = 86_400_000;

/** Six years (HIPAA 45 CFR 164.316(b)(2)(i)), the same as the raw message log; the database refuses less. */
export const AUDIT_RETENTION_DAYS = 2192;

export interface PruneOptions {
  now: number;
  /** Keep entries younger than this; at least the database's floor (2192 days unless raised). */
  retentionDays?: number;
  /** Entries removed per transaction. */
  batchSize?: number;
  actor?: string;
  source?: string;
}

export interface PruneResult {
  removed: number;
  /** The retention anchor afterwards: the last entry removed, whose hash the chain head keeps. */
  anchorId: number;
}

/**
 * Retention: remove the oldest entries received more than `retentionDays` ago, a batch per transaction.
 * Only a prefix of the chain goes (an old entry behind a younger one waits for it). Each batch first
 * moves the retention anchor to its last entry (keeping that entry's hash, so verification still starts
 * from a known hash), then deletes, then appends a 'delete' entry on 'audit-log' saying what went: the
 * removal is itself in the chain.
 */
export async function pruneAuditLog(db: Kysely<Database>, options: PruneOptions): Promise<PruneResult> {
  const days = options.retentionDays ?? AUDIT_RETENTION_DAYS;
  const batchSize = options.batchSize ?? 500;
  const cutoff = options.now - days * DAY;
  let removed = 0;
  for (;;) {
    const batch = await inTransaction(db, async (trx) => {
      const head = await readHead(trx);
      if (!Number.isInteger(days) || days < head.minRetentionDays) {
        throw new AuditError(AuditErrorCode.RetentionTooShort, `audit entries are kept at least ${head.minRetentionDays} days (asked: ${days})`);
      }
      const oldest = await recordsAfter(trx, head.anchorId, batchSize);
      const end = oldest.findIndex((r) => r.at >= cutoff);
      const expired = end === -1 ? oldest : oldest.slice(0, end);
      const last = expired[expired.length - 1];
      if (!last) return { count: 0, anchorId: head.anchorId };
      if (!(await moveAnchor(trx, head.anchorId, last.id, last.hash))) return { count: 0, anchorId: head.anchorId };
      const count = await deleteThrough(trx, head.anchorId, last.id);
      await appendAudit(trx, {
        at: options.now, actor: options.actor ?? 'system', source: options.source ?? 'system', action: AuditAction.Delete, entityType: 'audit-log',
        entityId: `${head.anchorId + 1}..${last.id}`, detail: { fromId: head.anchorId + 1, throughId: last.id, throughHash: last.hash, removed: count, retentionDays: days },
      });
      return { count, anchorId: last.id, full: expired.length === batchSize };
    });
    removed += batch.count;
    if (!('full' in batch) || !batch.full) return { removed, anchorId: batch.anchorId };
  }
}
