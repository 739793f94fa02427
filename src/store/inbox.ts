import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database, InboxTable } from './schema.js';

export type InboxRow = Selectable<InboxTable>;

/** The inbox row of an entry's processing, one per log entry. */
export const InboxStatus = {
  /** Waiting to be processed (when next_attempt_at is set: waiting for a retry). */
  Queued: 'queued',
  /** A handler applied its effects; committed with them. */
  Processed: 'processed',
  /** Accepted, but no handler is registered for its message type: visible to operators, reprocessable. */
  Unhandled: 'unhandled',
  /** Parked after its retries ran out (or a non-retryable error): holds its patient's later messages until reprocessed. */
  Failed: 'failed',
  /** Refused at receipt (AE/AR): stored raw, never processed. */
  Rejected: 'rejected',
} as const;
export type InboxStatus = (typeof InboxStatus)[keyof typeof InboxStatus];

/** Highest log entry id the inbox has taken in (0 when empty). */
export async function lastInboxEntryId(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('inbox').select((eb) => eb.fn.max('entry_id').as('max')).executeTakeFirst();
  return Number(row?.max ?? 0);
}

export async function insertInboxRows(trx: Kysely<Database>, rows: readonly Insertable<InboxTable>[]): Promise<void> {
  if (rows.length === 0) return;
  // Chunked: SQLite limits bound parameters per statement.
  for (let i = 0; i < rows.length; i += 50) {
    await trx.insertInto('inbox').values(rows.slice(i, i + 50)).onConflict((oc) => oc.column('entry_id').doNothing()).execute();
  }
}

/** Entries still to be decided on (queued or parked), oldest first: what the scheduler orders. */
export async function loadOpenEntries(db: Kysely<Database>, afterId: number, limit: number) {
  return db
    .selectFrom('inbox')
    .select(['entry_id', 'message_type', 'patient_key', 'merge_key', 'status', 'next_attempt_at', 'attempts'])
    .where('status', 'in', [InboxStatus.Queued, InboxStatus.Failed])
    .where('entry_id', '>', afterId)
    .orderBy('entry_id')
    .limit(limit)
    .execute();
}

export async function getInboxRow(db: Kysely<Database>, entryId: number): Promise<InboxRow | undefined> {
  return db.selectFrom('inbox').selectAll().where('entry_id', '=', entryId).executeTakeFirst();
}

/** Final mark, written in the transaction that applies the entry's effects. Only a queued row moves. */
export async function markDone(trx: Kysely<Database>, entryId: number, status: 'processed' | 'unhandled', now: number): Promise<boolean> {
  const r = await trx
    .updateTable('inbox')
    .set({ status, processed_at: now, updated_at: now, next_attempt_at: null, last_error_code: null, last_error_text: null })
    .where('entry_id', '=', entryId)
    .where('status', '=', InboxStatus.Queued)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Mark several queued entries done in one statement; returns the ids that moved (others were already done). */
export async function markManyDone(trx: Kysely<Database>, entryIds: readonly number[], status: 'processed' | 'unhandled', now: number): Promise<number[]> {
  if (entryIds.length === 0) return [];
  const rows = await trx
    .updateTable('inbox')
    .set({ status, processed_at: now, updated_at: now, next_attempt_at: null, last_error_code: null, last_error_text: null })
    .where('entry_id', 'in', [...entryIds])
    .where('status', '=', InboxStatus.Queued)
    .returning('entry_id')
    .execute();
  return rows.map((r) => Number(r.entry_id));
}

/** Record a failed attempt: retry at `retryAt`, or park as failed when `retryAt` is null. */
export async function markAttemptFailed(
  db: Kysely<Database>,
  entryId: number,
  attempts: number,
  retryAt: number | null,
  error: { code: string; text: string },
  now: number,
): Promise<void> {
  await db
    .updateTable('inbox')
    .set({
      status: retryAt === null ? InboxStatus.Failed : InboxStatus.Queued,
      attempts,
      next_attempt_at: retryAt,
      last_error_code: error.code,
      last_error_text: error.text.slice(0, 2000),
      updated_at: now,
    })
    .where('entry_id', '=', entryId)
    .execute();
}

/**
 * Put an entry back in the queue (operator's reprocess). Failed and unhandled entries only:
 * re-running a processed entry would apply its effects twice, and a rejected one has nothing to run.
 */
export async function requeue(db: Kysely<Database>, entryId: number, now: number): Promise<InboxRow | undefined> {
  await db
    .updateTable('inbox')
    .set({ status: InboxStatus.Queued, attempts: 0, next_attempt_at: null, updated_at: now })
    .where('entry_id', '=', entryId)
    .where('status', 'in', [InboxStatus.Failed, InboxStatus.Unhandled])
    .execute();
  return getInboxRow(db, entryId);
}

/** Count of inbox rows per status. */
export async function countByStatus(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('inbox')
    .select(['status', sql<number>`count(*)`.as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
