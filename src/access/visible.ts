import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Caller } from './caller.js';
import { can, Permission, VISIBLE_EPISODE_STATUSES, type AccessPath } from './policy.js';

/**
 * The SQL of the caller's visible patient set. src/access speaks SQL for this one reason: the
 * filter must be part of every patient-scoped query, not a check a route may forget.
 */
export type Db = Kysely<Database>;

/** Patients the caller is on the current team of (active or on-hold episode, membership not ended). */
export function teamPatientIds(db: Db, userId: number) {
  return db.selectFrom('care_team_member as m').innerJoin('care_episode as e', 'e.id', 'm.episode_id')
    .select('e.patient_id')
    .where('m.user_id', '=', userId).where('m.active_to', 'is', null)
    .where('e.status', 'in', [...VISIBLE_EPISODE_STATUSES]);
}

/** Patients the caller holds a running break-the-glass grant on at `now`. */
export function grantedPatientIds(db: Db, userId: number, now: number) {
  return db.selectFrom('break_glass_grant').select('patient_id').where('user_id', '=', userId).where('expires_at', '>', now);
}

/**
 * Every patient id the caller may see at `now`, as a subquery for `where patient_id in (...)`:
 * team patients, union break-the-glass grants (or every patient for a role holding AllPatients).
 */
export function visiblePatientIds(db: Db, caller: Caller, now: number) {
  if (can(caller.roles, Permission.AllPatients)) return db.selectFrom('patient').select('id as patient_id');
  return teamPatientIds(db, caller.userId).union(grantedPatientIds(db, caller.userId, now));
}

/** How the caller sees this patient now, or undefined when they may not (the patient may not even exist). */
export async function accessPathTo(db: Db, caller: Caller, patientId: number, now: number): Promise<AccessPath | undefined> {
  const exists = await db.selectFrom('patient').select('id').where('id', '=', patientId).executeTakeFirst();
  if (!exists) return undefined;
  if (await teamPatientIds(db, caller.userId).where('e.patient_id', '=', patientId).limit(1).executeTakeFirst()) return 'care-team';
  if (await grantedPatientIds(db, caller.userId, now).where('patient_id', '=', patientId).limit(1).executeTakeFirst()) return 'break-glass';
  if (can(caller.roles, Permission.AllPatients)) return 'role';
  return undefined;
}
