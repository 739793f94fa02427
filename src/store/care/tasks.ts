import type { Selectable } from 'kysely';
import type { Task, TaskPriority, TaskStatus } from '../../care/task.js';
import type { Assignee, TeamRole } from '../../care/team.js';
import type { TaskTable } from '../schema.js';
import type { CareDb } from './db.js';

const num = (v: number | null): number | null => (v === null ? null : Number(v));

export function toTask(r: Selectable<TaskTable>): Task {
  const assignee: Assignee = r.assignee_user_id !== null ? { kind: 'user', userId: Number(r.assignee_user_id) } : { kind: 'role', role: r.assignee_role as TeamRole };
  return {
    id: Number(r.id), patientId: Number(r.patient_id), episodeId: num(r.episode_id), alertId: num(r.alert_id), sourceEventId: num(r.source_event_id),
    title: r.title, description: r.description, assignee, dueAt: num(r.due_at), priority: r.priority as TaskPriority, status: r.status as TaskStatus,
    createdBy: r.created_by, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at), completedAt: num(r.completed_at),
    completedBy: r.completed_by, completionNote: r.completion_note,
  };
}

const assigneeColumns = (a: Assignee) => ({
  assignee_user_id: a.kind === 'user' ? a.userId : null,
  assignee_role: a.kind === 'role' ? a.role : null,
});

export async function insertTask(db: CareDb, t: Omit<Task, 'id'>): Promise<Task> {
  const row = await db.insertInto('task').values({
    patient_id: t.patientId, episode_id: t.episodeId, alert_id: t.alertId, source_event_id: t.sourceEventId, title: t.title,
    description: t.description, ...assigneeColumns(t.assignee), due_at: t.dueAt, priority: t.priority, status: t.status,
    created_by: t.createdBy, created_at: t.createdAt, updated_at: t.updatedAt, completed_at: t.completedAt,
    completed_by: t.completedBy, completion_note: t.completionNote,
  }).returningAll().executeTakeFirstOrThrow();
  return toTask(row);
}

export async function getTask(db: CareDb, id: number): Promise<Task | undefined> {
  const row = await db.selectFrom('task').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toTask(row);
}

export type TaskUpdate = Partial<Pick<Task, 'status' | 'assignee' | 'completedAt' | 'completedBy' | 'completionNote'>>;

/**
 * Apply `change` to the task only if it is still in `expectedStatus` (compare-and-set: a concurrent
 * change in between makes this return undefined instead of overwriting it).
 */
export async function updateTaskIf(db: CareDb, id: number, expectedStatus: TaskStatus, change: TaskUpdate, at: number): Promise<Task | undefined> {
  const row = await db.updateTable('task').set({
    ...(change.status !== undefined ? { status: change.status } : {}),
    ...(change.assignee !== undefined ? assigneeColumns(change.assignee) : {}),
    ...(change.completedAt !== undefined ? { completed_at: change.completedAt } : {}),
    ...(change.completedBy !== undefined ? { completed_by: change.completedBy } : {}),
    ...(change.completionNote !== undefined ? { completion_note: change.completionNote } : {}),
    updated_at: at,
  }).where('id', '=', id).where('status', '=', expectedStatus).returningAll().executeTakeFirst();
  return row && toTask(row);
}

/** Tasks assigned to the user or the role, in `statuses` (the caller orders them). */
export async function listTasksByAssignee(db: CareDb, assignee: Assignee, statuses: readonly TaskStatus[]): Promise<Task[]> {
  if (statuses.length === 0) return [];
  let q = db.selectFrom('task').selectAll().where('status', 'in', [...statuses]);
  q = assignee.kind === 'user' ? q.where('assignee_user_id', '=', assignee.userId) : q.where('assignee_role', '=', assignee.role);
  return (await q.orderBy('id').execute()).map(toTask);
}

/** The patient's tasks in `statuses` (all when omitted), newest first. */
export async function listPatientTasks(db: CareDb, patientId: number, statuses?: readonly TaskStatus[]): Promise<Task[]> {
  let q = db.selectFrom('task').selectAll().where('patient_id', '=', patientId);
  if (statuses) {
    if (statuses.length === 0) return [];
    q = q.where('status', 'in', [...statuses]);
  }
  return (await q.orderBy('id', 'desc').execute()).map(toTask);
}

/** How many tasks still to do are assigned to the user. */
export async function countPendingUserTasks(db: CareDb, userId: number): Promise<number> {
  const row = await db.selectFrom('task').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('assignee_user_id', '=', userId).where('status', 'in', ['open', 'in-progress']).executeTakeFirst();
  return Number(row?.n ?? 0);
}
