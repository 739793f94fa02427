import type { Selectable } from 'kysely';
import type { BreakGlassGrantTable } from '../store/schema.js';
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

/** What a privacy officer finds a grant to have been. */
export const BreakGlassOutcome = {
  /** The emergency was real and the access fitting. */
  Appropriate: 'appropriate',
  /** Not justified: follow up with the user (sanctions policy, HIPAA 164.308(a)(1)(ii)(C)). */
  Inappropriate: 'inappropriate',
} as const;
export type BreakGlassOutcome = (typeof BreakGlassOutcome)[keyof typeof BreakGlassOutcome];
export const BREAK_GLASS_OUTCOMES = Object.values(BreakGlassOutcome);
export const BREAK_GLASS_NOTE_MAX = 2000;

export interface GrantFilter {
  limit: number;
  /** Keyset: only grants with a smaller id (the next page). */
  before?: number | undefined;
  /** Only grants still running at this time. */
  activeAt?: number | undefined;
  /** Only grants not reviewed yet. */
  unreviewed?: boolean | undefined;
}

type GrantRow = Selectable<BreakGlassGrantTable> & { username: string };

const toGrant = (r: GrantRow): BreakGlassGrant => ({
  id: Number(r.id), userId: Number(r.user_id), username: r.username, patientId: Number(r.patient_id), reason: r.reason,
  grantedAt: Number(r.granted_at), expiresAt: Number(r.expires_at), source: r.source,
  reviewedAt: r.reviewed_at === null ? null : Number(r.reviewed_at), reviewedBy: r.reviewed_by, reviewOutcome: r.review_outcome ?? null, reviewNote: r.review_note,
});

const grants = (db: Db) => db.selectFrom('break_glass_grant as g').innerJoin('app_user as u', 'u.id', 'g.user_id').selectAll('g').select('u.username');

/** Grants newest first, `before` a grant id (keyset), optionally only those running at `activeAt` or not reviewed. */
export async function listGrants(db: Db, opts: GrantFilter): Promise<BreakGlassGrant[]> {
  let q = grants(db);
  if (opts.before !== undefined) q = q.where('g.id', '<', opts.before);
  if (opts.activeAt !== undefined) q = q.where('g.expires_at', '>', opts.activeAt);
  if (opts.unreviewed) q = q.where('g.reviewed_at', 'is', null);
  return (await q.orderBy('g.id', 'desc').limit(opts.limit).execute()).map(toGrant);
}

/** One grant, or undefined. */
export async function grantById(db: Db, id: number): Promise<BreakGlassGrant | undefined> {
  const row = await grants(db).where('g.id', '=', id).executeTakeFirst();
  return row && toGrant(row);
}

/** Record the review of a grant not reviewed yet; false when someone reviewed it first. */
export async function recordReview(db: Db, id: number, r: { at: number; by: string; outcome: BreakGlassOutcome; note: string | null }): Promise<boolean> {
  const res = await db.updateTable('break_glass_grant').set({ reviewed_at: r.at, reviewed_by: r.by, review_outcome: r.outcome, review_note: r.note })
    .where('id', '=', id).where('reviewed_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
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
