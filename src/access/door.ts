import type { AuditEntry } from '../audit/index.js';
import { patientIsLive } from './break-glass.js';
import type { Caller } from './caller.js';
import { forbidden, notVisible, type Subject } from './errors.js';
import { can, Permission, type AccessPath } from './policy.js';
import { accessPathTo, visiblePatientIds, type Db } from './visible.js';

/** What an audit entry needs beyond who, when and from where (PatientAccess fills those). */
export type AuditInput = Omit<AuditEntry, 'actor' | 'userId' | 'source' | 'at'>;

/**
 * The part of PatientAccess its helpers (episodes, teams, plans, tasks) share: the transaction, the
 * caller, the request's time, and the audit entries appended before the commit.
 */
export interface Door {
  db: Db;
  caller: Caller;
  now: number;
  audit(entry: AuditInput): void;
}

/**
 * Who may do what through a care route:
 * - clinical: the patient's current care team, or a running break-the-glass grant (read and change);
 * - assignment: also a holder of ManageCareTeams (admin) without clinical data; a change of the team
 *   (opening an episode, adding or removing a member) is refused under break-the-glass (403), so
 *   emergency access cannot make itself permanent.
 */
export type Rule = 'clinical' | 'assignment';

/** How the caller reaches `patientId` under `rule`; access.not_found (as `subject` `id`) when not at all. */
export async function reachPatient(door: Door, patientId: number | undefined, rule: Rule, subject: Subject, id: number, write: boolean): Promise<AccessPath> {
  const path = patientId === undefined ? undefined : await accessPathTo(door.db, door.caller, patientId, door.now);
  if (rule === 'clinical' || path === 'care-team' || path === 'role') {
    if (path) return path;
    throw notVisible(subject, id, write);
  }
  if (patientId !== undefined && can(door.caller.roles, Permission.ManageCareTeams) && (await patientIsLive(door.db, patientId))) return 'role';
  if (path === 'break-glass') {
    if (!write) return path;
    throw forbidden('emergency access does not change care teams: ask the team or a care-team administrator');
  }
  throw notVisible(subject, id, write);
}

/**
 * The patient ids a query may touch, as a subquery: the caller's visible set, or (path 'role' under
 * ManageCareTeams) every patient that is not a merge tombstone, for the assignment reads only.
 */
export function scopedPatientIds(door: Door, path: AccessPath) {
  if (path === 'role' && can(door.caller.roles, Permission.ManageCareTeams)) return door.db.selectFrom('patient').select('id as patient_id').where('status', '!=', 'merged');
  return visiblePatientIds(door.db, door.caller, door.now);
}

/** The patient an id of `subject` belongs to, or undefined when there is no such row. */
export async function patientOf(db: Db, subject: Subject, id: number): Promise<number | undefined> {
  const viaEpisode = (table: 'care_team_member' | 'care_plan_goal' | 'care_plan_intervention' | 'visit_schedule') =>
    db.selectFrom(`${table} as x` as 'care_plan_goal as x').innerJoin('care_episode as e', 'e.id', 'x.episode_id').select('e.patient_id').where('x.id', '=', id).executeTakeFirst();
  let row: { patient_id: number } | undefined;
  switch (subject) {
    case 'patient': return id;
    case 'episode': row = await db.selectFrom('care_episode').select('patient_id').where('id', '=', id).executeTakeFirst(); break;
    case 'task': row = await db.selectFrom('task').select('patient_id').where('id', '=', id).executeTakeFirst(); break;
    case 'alert': row = await db.selectFrom('alert').select('patient_id').where('id', '=', id).executeTakeFirst(); break;
    case 'team-member': row = await viaEpisode('care_team_member'); break;
    case 'goal': row = await viaEpisode('care_plan_goal'); break;
    case 'intervention': row = await viaEpisode('care_plan_intervention'); break;
    case 'schedule': row = await viaEpisode('visit_schedule'); break;
  }
  return row ? Number(row.patient_id) : undefined;
}

/** Find the patient of `subject` `id` and check the caller may act on it: the ids and path, or access.not_found. */
export async function reach(door: Door, subject: Subject, id: number, rule: Rule, write: boolean): Promise<{ patientId: number; path: AccessPath }> {
  const patientId = await patientOf(door.db, subject, id);
  return { patientId: patientId ?? 0, path: await reachPatient(door, patientId, rule, subject, id, write) };
}
