import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * The handle every care service and repository takes first: the store's `db`, or a caller's
 * transaction (an ingest handler's, an alert rule's), so one function works in both.
 */
export type CareDb = Kysely<Database>;

/**
 * Run `work` atomically: in a new transaction, or inside the caller's when `db` already is one
 * (Kysely cannot nest transactions; the caller's commit then covers this work too).
 */
export function inTransaction<T>(db: CareDb, work: (trx: CareDb) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** A unique index refused the write (SQLite SQLITE_CONSTRAINT_UNIQUE, PostgreSQL 23505). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** 0/1 integer columns. */
export const flag = (value: boolean): number => (value ? 1 : 0);
