import { publishTask } from '../realtime/publish.js';
import { recordChanges } from '../store/care/changes.js';
import { inTransaction, type CareDb } from '../store/care/db.js';
import { getEpisode, listPatientEpisodes } from '../store/care/episodes.js';
import * as tasks from '../store/care/tasks.js';
import { CLOSED_EPISODE_STATUSES, EPISODE_STATUSES } from './episode.js';
import { requirePatient } from './episode-service.js';
import { conflict, invalidInput, notFound } from './errors.js';
import { changeContext, changeRecord, type ChangeContext } from './history.js';
import { checkTaskTransition, compareWorklist, PENDING_TASK_STATUSES, TASK_STATUSES, TaskStatus, validateNewTask, type NewTask, type Task } from './task.js';
import { checkUserAssignee } from './team-service.js';
import { validateAssignee, type Assignee } from './team.js';
import { id as checkId, instant, oneOf, optionalText } from './validate.js';

/**
 * Create an open task for a patient, optionally within one of their episodes and raised by an alert.
 * A user assignee must be on the current care team of that episode (without one: of any of the
 * patient's episodes that is not closed); a role assignee is whoever holds that team role.
 */
export async function createTask(db: CareDb, input: NewTask, at: number, actor: string): Promise<Task> {
  const ctx = changeContext(at, actor);
  const fields = validateNewTask(input);
  return inTransaction(db, async (trx) => {
    await requirePatient(trx, fields.patientId);
    const teamEpisodes = await episodesForAssignee(trx, fields.patientId, fields.episodeId);
    await checkUserAssignee(trx, fields.assignee, teamEpisodes.ids, teamEpisodes.where);
    const task = await tasks.insertTask(trx, {
      ...fields, status: TaskStatus.Open, createdBy: ctx.actor, createdAt: ctx.at, updatedAt: ctx.at,
      completedAt: null, completedBy: null, completionNote: null,
    });
    await recordChanges(trx, [changeRecord(ctx, 'task', task.id, 'created', task, { assignee: task.assignee, priority: task.priority, alertId: task.alertId })]);
    await publishTask(trx, task);
    return task;
  });
}

/** The episodes whose team a user assignee must be on (the given one, which must be the patient's). */
async function episodesForAssignee(trx: CareDb, patientId: number, episodeId: number | null): Promise<{ ids: number[]; where: string }> {
  if (episodeId === null) {
    const open = EPISODE_STATUSES.filter((s) => !CLOSED_EPISODE_STATUSES.includes(s));
    return { ids: (await listPatientEpisodes(trx, patientId, open)).map((e) => e.id), where: `any open episode of patient ${patientId}` };
  }
  const episode = await getEpisode(trx, episodeId);
  if (!episode) throw notFound('episode', episodeId);
  if (episode.patientId !== patientId) throw invalidInput('episodeId', `episode ${episodeId} is not an episode of patient ${patientId}`);
  return { ids: [episode.id], where: `episode ${episode.id}` };
}

/** A task; care.not_found when there is none. */
export async function getTask(db: CareDb, taskId: number): Promise<Task> {
  const task = await tasks.getTask(db, checkId('taskId', taskId));
  if (!task) throw notFound('task', taskId);
  return task;
}

/** Mark an open task in progress. */
export async function startTask(db: CareDb, taskId: number, at: number, actor: string): Promise<Task> {
  return transition(db, taskId, changeContext(at, actor), TaskStatus.InProgress, () => ({}));
}

/** Complete a task: completed_at = at, completed_by = actor, with an optional note. */
export async function completeTask(db: CareDb, taskId: number, note: string | null, at: number, actor: string): Promise<Task> {
  const ctx = changeContext(at, actor);
  const completionNote = optionalText('note', note, 4000);
  return transition(db, taskId, ctx, TaskStatus.Completed, () => ({ completedAt: ctx.at, completedBy: ctx.actor, completionNote }));
}

/** Cancel a task that is still to do; the reason is kept as its note. */
export async function cancelTask(db: CareDb, taskId: number, reason: string | null, at: number, actor: string): Promise<Task> {
  const ctx = changeContext(at, actor);
  const completionNote = optionalText('reason', reason, 4000);
  return transition(db, taskId, ctx, TaskStatus.Cancelled, () => ({ completionNote }), { reason: completionNote });
}

/**
 * Give a task still to do to another user or role (same rules as createTask). An in-progress task
 * goes back to open: its new assignee has not started it.
 */
export async function reassignTask(db: CareDb, taskId: number, to: { userId?: number | null; role?: string | null }, at: number, actor: string): Promise<Task> {
  const ctx = changeContext(at, actor);
  const assignee = validateAssignee(to);
  return inTransaction(db, async (trx) => {
    const task = await getTask(trx, taskId);
    if (!PENDING_TASK_STATUSES.includes(task.status)) throw conflict(`task ${task.id} is ${task.status}: only open or in-progress tasks can be reassigned`);
    if (sameAssignee(task.assignee, assignee)) throw conflict(`task ${task.id} is already assigned to ${describeAssignee(assignee)}`);
    const teamEpisodes = await episodesForAssignee(trx, task.patientId, task.episodeId);
    await checkUserAssignee(trx, assignee, teamEpisodes.ids, teamEpisodes.where);
    const updated = await tasks.updateTaskIf(trx, task.id, task.status, { assignee, status: TaskStatus.Open }, ctx.at);
    if (!updated) throw changedMeanwhile(task.id);
    await recordChanges(trx, [changeRecord(ctx, 'task', task.id, 'reassigned', task, { from: task.assignee, to: assignee })]);
    await publishTask(trx, updated);
    return updated;
  });
}

async function transition(db: CareDb, taskId: number, ctx: ChangeContext, to: TaskStatus, fields: () => tasks.TaskUpdate, detail: Record<string, unknown> = {}): Promise<Task> {
  return inTransaction(db, async (trx) => {
    const task = await getTask(trx, taskId);
    checkTaskTransition(task, to);
    const updated = await tasks.updateTaskIf(trx, task.id, task.status, { ...fields(), status: to }, ctx.at);
    if (!updated) throw changedMeanwhile(task.id);
    await recordChanges(trx, [changeRecord(ctx, 'task', task.id, 'status', task, { from: task.status, to, ...detail })]);
    await publishTask(trx, updated);
    return updated;
  });
}

const changedMeanwhile = (id: number) => conflict(`task ${id} was changed by someone else meanwhile: look at it again`);
const sameAssignee = (a: Assignee, b: Assignee) => (a.kind === 'user' ? b.kind === 'user' && a.userId === b.userId : b.kind === 'role' && a.role === b.role);
export const describeAssignee = (a: Assignee): string => (a.kind === 'user' ? `user ${a.userId}` : `role ${a.role}`);

/**
 * A worklist: the tasks of a user or a role still to do (or in `statuses`), overdue first (see
 * compareWorklist; `now` decides what is overdue).
 */
export async function listAssigneeTasks(db: CareDb, to: { userId?: number | null; role?: string | null }, now: number, options: { statuses?: readonly string[] } = {}): Promise<Task[]> {
  const assignee = validateAssignee(to);
  const statuses = options.statuses?.map((s) => oneOf('statuses', s, TASK_STATUSES)) ?? PENDING_TASK_STATUSES;
  return (await tasks.listTasksByAssignee(db, assignee, statuses)).sort(compareWorklist(instant('now', now)));
}

/** A patient's tasks, newest first: all of them, or those in `statuses`. */
export async function listPatientTasks(db: CareDb, patientId: number, options: { statuses?: readonly string[] } = {}): Promise<Task[]> {
  const statuses = options.statuses?.map((s) => oneOf('statuses', s, TASK_STATUSES));
  return tasks.listPatientTasks(db, checkId('patientId', patientId), statuses);
}
