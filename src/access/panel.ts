import type { Caller } from './caller.js';
import { VISIBLE_EPISODE_STATUSES } from './policy.js';
import type { PanelEntry } from './records.js';
import type { Db } from './visible.js';

/**
 * The caller's panel: the patients on whose current team they are (active or on-hold episode),
 * one entry per patient (its latest started such episode and the caller's role there), with the
 * count of tasks still to do and the last hospital discharge. Break-the-glass patients are not on it.
 */
export async function panelOf(db: Db, caller: Caller): Promise<PanelEntry[]> {
  const rows = await db.selectFrom('care_team_member as m')
    .innerJoin('care_episode as e', 'e.id', 'm.episode_id')
    .innerJoin('patient as p', 'p.id', 'e.patient_id')
    .select(['p.id', 'p.status', 'p.family_name', 'p.given_name', 'p.birth_date', 'p.sex', 'e.id as episode_id', 'e.episode_type', 'e.status as episode_status', 'e.start_at', 'm.role'])
    .where('m.user_id', '=', caller.userId).where('m.active_to', 'is', null).where('e.status', 'in', [...VISIBLE_EPISODE_STATUSES])
    .orderBy('p.family_name').orderBy('p.given_name').orderBy('p.id').orderBy('e.start_at', 'desc').orderBy('e.id', 'desc')
    .execute();
  const byPatient = new Map<number, PanelEntry>();
  for (const r of rows) {
    const id = Number(r.id);
    if (byPatient.has(id)) continue;
    byPatient.set(id, {
      patient: { id, status: r.status, familyName: r.family_name, givenName: r.given_name, birthDate: r.birth_date, sex: r.sex },
      episode: { id: Number(r.episode_id), type: r.episode_type, status: r.episode_status, startAt: Number(r.start_at) },
      myRole: r.role,
      openTasks: 0,
      lastDischargeAt: null,
    });
  }
  const ids = [...byPatient.keys()];
  if (ids.length === 0) return [];
  const counts = await db.selectFrom('task').select('patient_id').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('patient_id', 'in', ids).where('status', 'in', ['open', 'in-progress']).groupBy('patient_id').execute();
  for (const c of counts) byPatient.get(Number(c.patient_id))!.openTasks = Number(c.n);
  const discharges = await db.selectFrom('encounter').select('patient_id').select((eb) => eb.fn.max('discharged_at').as('last'))
    .where('patient_id', 'in', ids).where('discharged_at', 'is not', null).where('status', '!=', 'cancelled').groupBy('patient_id').execute();
  for (const d of discharges) byPatient.get(Number(d.patient_id))!.lastDischargeAt = d.last === null ? null : Number(d.last);
  return [...byPatient.values()];
}
