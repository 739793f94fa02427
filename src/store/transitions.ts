/**
 * The transition_task table (src/transitions): which task a clinical event caused, and of which kind.
 * Plain functions, db first; the caller owns the transaction.
 */
import type { Kysely } from 'kysely';
import type { Task } from '../care/task.js';
import { toTask } from './care/tasks.js';
import type { Database } from './schema.js';

export interface TransitionTaskLink {
  taskId: number;
  sourceEventId: number;
  kind: string;
  encounterId: number | null;
  createdAt: number;
  remindedAt: number | null;
  reportedAt: number | null;
}

export interface LinkedTask {
  link: TransitionTaskLink;
  task: Task;
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));

export async function insertTransitionTask(db: Kysely<Database>, l: Omit<TransitionTaskLink, 'remindedAt' | 'reportedAt'>): Promise<void> {
  await db.insertInto('transition_task').values({
    task_id: l.taskId, source_event_id: l.sourceEventId, kind: l.kind, encounter_id: l.encounterId, created_at: l.createdAt, reminded_at: null, reported_at: null,
  }).execute();
}

function linkedQuery(db: Kysely<Database>) {
  return db.selectFrom('transition_task as l').innerJoin('task as t', 't.id', 'l.task_id')
    .select(['l.task_id', 'l.source_event_id', 'l.kind', 'l.encounter_id', 'l.created_at as link_created_at', 'l.reminded_at', 'l.reported_at'])
    .selectAll('t');
}

type LinkedRow = Awaited<ReturnType<ReturnType<typeof linkedQuery>['execute']>>[number];

function toLinked(r: LinkedRow): LinkedTask {
  return {
    link: {
      taskId: Number(r.task_id), sourceEventId: Number(r.source_event_id), kind: r.kind, encounterId: num(r.encounter_id),
      createdAt: Number(r.link_created_at), remindedAt: num(r.reminded_at), reportedAt: num(r.reported_at),
    },
    task: toTask(r),
  };
}

/** The tasks the events caused (any status), by task id. */
export async function listTasksOfEvents(db: Kysely<Database>, eventIds: readonly number[]): Promise<LinkedTask[]> {
  if (eventIds.length === 0) return [];
  return (await linkedQuery(db).where('l.source_event_id', 'in', [...eventIds]).orderBy('l.task_id').execute()).map(toLinked);
}

/**
 * Whether another discharge of the encounter, still standing (not withdrawn), already caused tasks
 * not cancelled: then a repeated A03 for the same stay adds none. (Tasks an A13 cancelled do not
 * count: the next discharge of the stay starts them again.)
 */
export async function standingDischargeHasTasks(db: Kysely<Database>, encounterId: number, exceptEventId: number): Promise<boolean> {
  const row = await db.selectFrom('transition_task as l').innerJoin('clinical_event as e', 'e.id', 'l.source_event_id').innerJoin('task as t', 't.id', 'l.task_id')
    .select('l.task_id')
    .where('e.encounter_id', '=', encounterId).where('e.event_type', '=', 'discharge').where('e.withdrawn_at', 'is', null)
    .where('e.id', '<>', exceptEventId).where('t.status', '<>', 'cancelled').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Tasks of `kind` linked to events of the encounter, in `statuses`. */
export async function listEncounterTasks(db: Kysely<Database>, encounterId: number, kind: string, statuses: readonly string[]): Promise<LinkedTask[]> {
  if (statuses.length === 0) return [];
  return (await linkedQuery(db).where('l.encounter_id', '=', encounterId).where('l.kind', '=', kind).where('t.status', 'in', [...statuses]).orderBy('l.task_id').execute()).map(toLinked);
}

/**
 * Pending linked tasks due before `now` that still owe a reminder, or whose reminder came before
 * `remindedBefore` and still owe the report; oldest due first, at most `limit`.
 */
export async function listOverdueLinkedTasks(db: Kysely<Database>, now: number, remindedBefore: number, limit: number): Promise<LinkedTask[]> {
  const rows = await linkedQuery(db)
    .where('l.reported_at', 'is', null).where('t.status', 'in', ['open', 'in-progress']).where('t.due_at', 'is not', null).where('t.due_at', '<', now)
    .where((eb) => eb.or([eb('l.reminded_at', 'is', null), eb('l.reminded_at', '<=', remindedBefore)]))
    .orderBy('t.due_at').orderBy('l.task_id').limit(limit).execute();
  return rows.map(toLinked);
}

/** Record the reminder (once: a row already reminded keeps its first time). */
export async function markReminded(db: Kysely<Database>, taskId: number, at: number): Promise<boolean> {
  const r = await db.updateTable('transition_task').set({ reminded_at: at }).where('task_id', '=', taskId).where('reminded_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Record the report to the coordinator (once). */
export async function markReported(db: Kysely<Database>, taskId: number, at: number): Promise<boolean> {
  const r = await db.updateTable('transition_task').set({ reported_at: at }).where('task_id', '=', taskId).where('reported_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
