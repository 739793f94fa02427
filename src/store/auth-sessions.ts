import type { Selectable } from 'kysely';
import type { SessionEndReason } from '../auth/session.js';
import type { NewSession, SessionRecord } from '../auth/types.js';
import type { CareDb } from './care/db.js';
import type { SessionTable } from './schema.js';

/** Server-side sessions (src/auth): rows are looked up by token hash, ended with a reason, never deleted here. */

export function toSession(r: Selectable<SessionTable>): SessionRecord {
  return {
    id: Number(r.id), userId: Number(r.user_id), createdAt: Number(r.created_at), lastSeenAt: Number(r.last_seen_at), expiresAt: Number(r.expires_at),
    endedAt: r.ended_at === null ? null : Number(r.ended_at), endReason: r.end_reason as SessionEndReason | null, ip: r.ip, userAgent: r.user_agent,
  };
}

export async function insertSession(db: CareDb, s: NewSession): Promise<SessionRecord> {
  const row = await db.insertInto('session').values({
    token_hash: s.tokenHash, user_id: s.userId, created_at: s.createdAt, last_seen_at: s.lastSeenAt, expires_at: s.expiresAt,
    ended_at: null, end_reason: null, ip: s.ip, user_agent: s.userAgent,
  }).returningAll().executeTakeFirstOrThrow();
  return toSession(row);
}

/** The session whose token has this SHA-256, open or ended. */
export async function findSessionByTokenHash(db: CareDb, tokenHash: string): Promise<SessionRecord | undefined> {
  const row = await db.selectFrom('session').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return row && toSession(row);
}

/** Slide the idle deadline: last seen now (open sessions only). */
export async function touchSession(db: CareDb, id: number, at: number): Promise<void> {
  await db.updateTable('session').set({ last_seen_at: at }).where('id', '=', id).where('ended_at', 'is', null).execute();
}

/** A new token for the same session (after a privilege change: ASVS 3.2.1); the old token stops working. */
export async function replaceSessionToken(db: CareDb, id: number, tokenHash: string, at: number): Promise<void> {
  await db.updateTable('session').set({ token_hash: tokenHash, last_seen_at: at }).where('id', '=', id).where('ended_at', 'is', null).execute();
}

/** End one open session; false when it had already ended (the first reason stays). */
export async function endSession(db: CareDb, id: number, reason: SessionEndReason, at: number): Promise<boolean> {
  const r = await db.updateTable('session').set({ ended_at: at, end_reason: reason }).where('id', '=', id).where('ended_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** End every open session of a user (but `exceptId`); the ids ended. */
export async function endUserSessions(db: CareDb, userId: number, reason: SessionEndReason, at: number, exceptId?: number): Promise<number[]> {
  let q = db.updateTable('session').set({ ended_at: at, end_reason: reason }).where('user_id', '=', userId).where('ended_at', 'is', null);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  return (await q.returning('id').execute()).map((r) => Number(r.id));
}

/** Open sessions of a user, newest first (some may have expired and not been swept yet). */
export async function listOpenSessions(db: CareDb, userId: number): Promise<SessionRecord[]> {
  const rows = await db.selectFrom('session').selectAll().where('user_id', '=', userId).where('ended_at', 'is', null).orderBy('id', 'desc').execute();
  return rows.map(toSession);
}

/**
 * End the open sessions past their absolute end (`now`) or last seen at or before `idleCutoff`,
 * absolute first so each gets the reason that came first. Returns what was ended.
 */
export async function endExpiredSessions(db: CareDb, now: number, idleCutoff: number): Promise<{ id: number; userId: number; reason: SessionEndReason }[]> {
  const end = async (reason: SessionEndReason, column: 'expires_at' | 'last_seen_at', bound: number) =>
    (await db.updateTable('session').set({ ended_at: now, end_reason: reason }).where('ended_at', 'is', null).where(column, '<=', bound)
      .returning(['id', 'user_id']).execute()).map((r) => ({ id: Number(r.id), userId: Number(r.user_id), reason }));
  return [...await end('absolute-timeout', 'expires_at', now), ...await end('idle-timeout', 'last_seen_at', idleCutoff)];
}
