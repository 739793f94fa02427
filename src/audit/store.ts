import { PostgresAdapter, type Kysely, type Selectable } from 'kysely';
import type { AuditLogTable, Database } from '../store/schema.js';
import type { AuditAction, AuditOutcome, AuditRecord } from './entry.js';
import { AuditError, AuditErrorCode } from './errors.js';

/**
 * The audit trail's repository (the only SQL of src/audit; it lives beside the capability rather than
 * in src/store so the trail stays one folder). Plain functions, `db` first (the store or the caller's
 * transaction); none opens a transaction except `inTransaction`.
 */

/** The one-row chain head (migration 2026-11-25T1600-audit); declared here, not in the shared schema. */
export interface AuditChainTable {
  id: number;
  last_id: number;
  last_hash: string;
  anchor_id: number;
  anchor_hash: string;
  min_retention_days: number;
}

type AuditDb = Kysely<Database & { audit_chain: AuditChainTable }>;
const withChain = (db: Kysely<Database>): AuditDb => db.withTables<{ audit_chain: AuditChainTable }>();

/** Run `work` atomically: in a new transaction, or inside the caller's (whose commit then covers it). */
export function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** A consistent snapshot for reads that must agree with each other (PostgreSQL: REPEATABLE READ; SQLite: one read transaction). */
export function inSnapshot<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  const tx = db.transaction();
  return (isPostgres(db) ? tx.setIsolationLevel('repeatable read') : tx).execute(work);
}

/**
 * Run `work` in a transaction meant to read, change and audit (a CLI command, a request). On SQLite it
 * takes the database's write lock first, as BEGIN IMMEDIATE would: a deferred transaction that reads
 * and then writes fails with SQLITE_BUSY_SNAPSHOT whenever another connection (a running server)
 * committed in between. On PostgreSQL it is a plain transaction: the chain head is locked only by the
 * append at its end. Inside a caller's transaction, `work` simply joins it.
 */
export function inAuditedTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute(async (trx) => {
    // An UPDATE that matches no row (the head's id is always 1) and fires no trigger, for its lock only.
    if (!isPostgres(trx)) await withChain(trx).updateTable('audit_chain').set((eb) => ({ last_id: eb.ref('last_id') })).where('id', '=', 0).execute();
    return work(trx);
  });
}

const isPostgres = (db: Kysely<Database>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

export interface ChainHead {
  lastId: number;
  lastHash: string;
  anchorId: number;
  anchorHash: string;
  minRetentionDays: number;
}

const toHead = (r: Selectable<AuditChainTable>): ChainHead => ({
  lastId: Number(r.last_id), lastHash: r.last_hash, anchorId: Number(r.anchor_id), anchorHash: r.anchor_hash, minRetentionDays: Number(r.min_retention_days),
});

const noHead = () => new AuditError(AuditErrorCode.NoChainHead, 'the audit chain head is missing: run the database migrations');

/**
 * Take the next chain position: one UPDATE of the head row, which locks it until the transaction ends
 * (PostgreSQL row lock; SQLite's write lock), so appends are serialised and the chain stays linear.
 * Returns the new position and the hash of the entry before it.
 */
export async function advanceHead(db: Kysely<Database>): Promise<{ id: number; prevHash: string }> {
  const row = await withChain(db).updateTable('audit_chain').set((eb) => ({ last_id: eb('last_id', '+', 1) }))
    .where('id', '=', 1).returning(['last_id', 'last_hash']).executeTakeFirst();
  if (!row) throw noHead();
  return { id: Number(row.last_id), prevHash: row.last_hash };
}

/** Record the hash of the entry just inserted at the head. */
export async function setHeadHash(db: Kysely<Database>, hash: string): Promise<void> {
  await withChain(db).updateTable('audit_chain').set({ last_hash: hash }).where('id', '=', 1).execute();
}

export async function readHead(db: Kysely<Database>): Promise<ChainHead> {
  const row = await withChain(db).selectFrom('audit_chain').selectAll().where('id', '=', 1).executeTakeFirst();
  if (!row) throw noHead();
  return toHead(row);
}

/** Move the retention anchor to entry `id` (whose hash it keeps), if it is still at `fromId`. */
export async function moveAnchor(db: Kysely<Database>, fromId: number, id: number, hash: string): Promise<boolean> {
  const r = await withChain(db).updateTable('audit_chain').set({ anchor_id: id, anchor_hash: hash })
    .where('id', '=', 1).where('anchor_id', '=', fromId).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertRecord(db: Kysely<Database>, r: AuditRecord): Promise<void> {
  await db.insertInto('audit_log').values({
    id: r.id, at: r.at, actor: r.actor, user_id: r.userId, patient_id: r.patientId, action: r.action, entity_type: r.entityType,
    entity_id: r.entityId, source: r.source, outcome: r.outcome, detail: r.detail, prev_hash: r.prevHash, hash: r.hash,
  }).execute();
}

export function toRecord(r: Selectable<AuditLogTable>): AuditRecord {
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: Number(r.id), at: Number(r.at), actor: r.actor, userId: num(r.user_id), patientId: num(r.patient_id), action: r.action as AuditAction,
    entityType: r.entity_type, entityId: r.entity_id, source: r.source, outcome: r.outcome as AuditOutcome, detail: r.detail,
    prevHash: r.prev_hash, hash: r.hash,
  };
}

/** Entries after position `afterId`, in chain order. */
export async function recordsAfter(db: Kysely<Database>, afterId: number, limit: number): Promise<AuditRecord[]> {
  const rows = await db.selectFrom('audit_log').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
  return rows.map(toRecord);
}

/** What a report selects; every field optional. `until` is exclusive. */
export interface AuditQuery {
  /** An actor name (username, 'system', 'cli:NAME'), or a user id. */
  user?: string;
  patientId?: number;
  since?: number;
  until?: number;
  action?: string;
  entityType?: string;
  outcome?: string;
  /** Keyset paging: entries after this id. */
  afterId?: number;
  limit: number;
}

export async function queryRecords(db: Kysely<Database>, q: AuditQuery): Promise<AuditRecord[]> {
  let s = db.selectFrom('audit_log').selectAll();
  if (q.user !== undefined) {
    const user = q.user;
    const userId = /^\d+$/.test(user) ? Number(user) : undefined;
    s = s.where((eb) => (userId === undefined ? eb('actor', '=', user) : eb.or([eb('actor', '=', user), eb('user_id', '=', userId)])));
  }
  if (q.patientId !== undefined) s = s.where('patient_id', '=', q.patientId);
  if (q.since !== undefined) s = s.where('at', '>=', q.since);
  if (q.until !== undefined) s = s.where('at', '<', q.until);
  if (q.action !== undefined) s = s.where('action', '=', q.action);
  if (q.entityType !== undefined) s = s.where('entity_type', '=', q.entityType);
  if (q.outcome !== undefined) s = s.where('outcome', '=', q.outcome);
  if (q.afterId !== undefined) s = s.where('id', '>', q.afterId);
  return (await s.orderBy('id').limit(q.limit).execute()).map(toRecord);
}

/** Remove entries `fromId` < id <= `throughId` (the database allows it only behind the anchor and past the floor). */
export async function deleteThrough(db: Kysely<Database>, fromId: number, throughId: number): Promise<number> {
  const r = await db.deleteFrom('audit_log').where('id', '>', fromId).where('id', '<=', throughId).executeTakeFirst();
  return Number(r.numDeletedRows);
}
