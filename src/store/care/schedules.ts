import type { Selectable } from 'kysely';
import type { CalendarDate } from '../../care/dates.js';
import type { CareVisit, ScheduleStatus, VisitSchedule, VisitStatus } from '../../care/plan.js';
import type { Assignee, TeamRole } from '../../care/team.js';
import type { CareVisitTable, VisitScheduleTable } from '../schema.js';
import type { CareDb } from './db.js';

export function toSchedule(r: Selectable<VisitScheduleTable>): VisitSchedule {
  const assignee: Assignee = r.assignee_user_id !== null ? { kind: 'user', userId: Number(r.assignee_user_id) } : { kind: 'role', role: r.assignee_role as TeamRole };
  return {
    id: Number(r.id), episodeId: Number(r.episode_id), visitType: r.visit_type, discipline: r.discipline, assignee,
    everyDays: Number(r.every_days), startDate: r.start_date, endDate: r.end_date, status: r.status as ScheduleStatus,
    holdReason: r.hold_reason, heldAt: r.held_at === null ? null : Number(r.held_at), createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}

export function toVisit(r: Selectable<CareVisitTable>): CareVisit {
  return {
    id: Number(r.id), episodeId: Number(r.episode_id), scheduleId: r.schedule_id === null ? null : Number(r.schedule_id), dueDate: r.due_date,
    status: r.status as VisitStatus, visitedAt: r.visited_at === null ? null : Number(r.visited_at), userId: r.user_id === null ? null : Number(r.user_id),
    note: r.note, createdAt: Number(r.created_at),
  };
}

export async function insertSchedule(db: CareDb, s: Omit<VisitSchedule, 'id'>): Promise<VisitSchedule> {
  const row = await db.insertInto('visit_schedule').values({
    episode_id: s.episodeId, visit_type: s.visitType, discipline: s.discipline,
    assignee_user_id: s.assignee.kind === 'user' ? s.assignee.userId : null, assignee_role: s.assignee.kind === 'role' ? s.assignee.role : null,
    every_days: s.everyDays, start_date: s.startDate, end_date: s.endDate, status: s.status, hold_reason: s.holdReason, held_at: s.heldAt,
    created_at: s.createdAt, updated_at: s.updatedAt,
  }).returningAll().executeTakeFirstOrThrow();
  return toSchedule(row);
}

export async function getSchedule(db: CareDb, id: number): Promise<VisitSchedule | undefined> {
  const row = await db.selectFrom('visit_schedule').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toSchedule(row);
}

/** The episode's schedules, optionally only those in `statuses`, oldest first. */
export async function listSchedules(db: CareDb, episodeId: number, statuses?: readonly ScheduleStatus[]): Promise<VisitSchedule[]> {
  let q = db.selectFrom('visit_schedule').selectAll().where('episode_id', '=', episodeId);
  if (statuses) q = q.where('status', 'in', [...statuses]);
  return (await q.orderBy('id').execute()).map(toSchedule);
}

/** Move schedules to `status` (with the hold reason and time when holding, cleared otherwise; end date when ending). */
export async function updateSchedules(
  db: CareDb,
  ids: readonly number[],
  change: { status: ScheduleStatus; holdReason: string | null; heldAt: number | null; endDate?: CalendarDate | undefined },
  at: number,
): Promise<VisitSchedule[]> {
  if (ids.length === 0) return [];
  const rows = await db.updateTable('visit_schedule')
    .set({ status: change.status, hold_reason: change.holdReason, held_at: change.heldAt, updated_at: at, ...(change.endDate !== undefined ? { end_date: change.endDate } : {}) })
    .where('id', 'in', [...ids]).returningAll().execute();
  return rows.map(toSchedule).sort((a, b) => a.id - b.id);
}

/** Insert visit records; the unique index refuses a second record for one schedule and due date. */
export async function insertVisits(db: CareDb, visits: ReadonlyArray<Omit<CareVisit, 'id'>>): Promise<CareVisit[]> {
  if (visits.length === 0) return [];
  const out: CareVisit[] = [];
  for (let i = 0; i < visits.length; i += 50) {
    const rows = await db.insertInto('care_visit').values(visits.slice(i, i + 50).map((v) => ({
      episode_id: v.episodeId, schedule_id: v.scheduleId, due_date: v.dueDate, status: v.status, visited_at: v.visitedAt,
      user_id: v.userId, note: v.note, created_at: v.createdAt,
    }))).returningAll().execute();
    out.push(...rows.map(toVisit));
  }
  return out;
}

/** The episode's visit records, by due date (records without one first), then record order. */
export async function listVisits(db: CareDb, episodeId: number): Promise<CareVisit[]> {
  const rows = await db.selectFrom('care_visit').selectAll().where('episode_id', '=', episodeId).orderBy('id').execute();
  // Sorted here: the dialects disagree on where NULL due dates go.
  return rows.map(toVisit).sort((a, b) => (a.dueDate ?? '').localeCompare(b.dueDate ?? '') || a.id - b.id);
}

/** Due dates already answered by a record, per schedule of the episode. */
export async function recordedDueDates(db: CareDb, episodeId: number): Promise<Map<number, Set<CalendarDate>>> {
  const rows = await db.selectFrom('care_visit').select(['schedule_id', 'due_date']).where('episode_id', '=', episodeId)
    .where('schedule_id', 'is not', null).where('due_date', 'is not', null).execute();
  const byId = new Map<number, Set<CalendarDate>>();
  for (const r of rows) {
    const key = Number(r.schedule_id);
    if (!byId.has(key)) byId.set(key, new Set());
    byId.get(key)!.add(r.due_date!);
  }
  return byId;
}
