import type { Caller } from './caller.js';
import type { BreakGlassGrant } from './records.js';
import type { Db } from './visible.js';

/** Record a grant (the caller checked the permission and the patient). */
export async function insertGrant(db: Db, caller: Caller, g: { patientId: number; reason: string; grantedAt: number; expiresAt: number }): Promise<number> {
  const row = await db.insertInto('break_glass_grant').values({
    user_id: caller.userId, patient_id: g.patientId, reason: g.reason, granted_at: g.grantedAt, expires_at: g.expiresAt,
    source: caller.source, reviewed_at: null, reviewed_by: null, review_note: null,
  }).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Grants newest first, `before` a grant id (keyset), optionally only those still running at `activeAt`. */
export async function listGrants(db: Db, opts: { limit: number; before?: number | undefined; activeAt?: number | undefined }): Promise<BreakGlassGrant[]> {
  let q = db.selectFrom('break_glass_grant as g').innerJoin('app_user as u', 'u.id', 'g.user_id').selectAll('g').select('u.username');
  if (opts.before !== undefined) q = q.where('g.id', '<', opts.before);
  if (opts.activeAt !== undefined) q = q.where('g.expires_at', '>', opts.activeAt);
  const rows = await q.orderBy('g.id', 'desc').limit(opts.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id), userId: Number(r.user_id), username: r.username, patientId: Number(r.patient_id), reason: r.reason,
    grantedAt: Number(r.granted_at), expiresAt: Number(r.expires_at), source: r.source,
    reviewedAt: r.reviewed_at === null ? null : Number(r.reviewed_at), reviewedBy: r.reviewed_by,
  }));
}

/** The patient id of a task, or undefined (nonexistent task). */
export async function taskPatientId(db: Db, taskId: number): Promise<number | undefined> {
  const row = await db.selectFrom('task').select('patient_id').where('id', '=', taskId).executeTakeFirst();
  return row ? Number(row.patient_id) : undefined;
}

/** Whether the patient exists and is not a merge tombstone. */
export async function patientIsLive(db: Db, patientId: number): Promise<boolean> {
  const row = await db.selectFrom('patient').select('status').where('id', '=', patientId).executeTakeFirst();
  return row !== undefined && row.status !== 'merged';
}
