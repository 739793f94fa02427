import { AuditAction } from '../audit/index.js';
import { cancelTask, createTask, reassignTask, startTask } from '../care/task-service.js';
import { compareWorklist, PENDING_TASK_STATUSES, TASK_PRIORITIES, type NewTask, type Task } from '../care/task.js';
import { toTask as toCareTask } from '../store/care/tasks.js';
import { toTaskDetail, type TaskDetail } from './care-records.js';
import { reach, scopedPatientIds, type Door } from './door.js';
import { notVisible } from './errors.js';
import { decodePageKey, encodePageKey, type Page, type PageRequest } from './page-cursor.js';
import { VISIBLE_EPISODE_STATUSES } from './policy.js';
import { teamPatientIds } from './visible.js';

/**
 * Tasks: create for a patient, read, start, cancel, reassign (completion: PatientAccess.completeTask),
 * for the patient's care team or a running break-the-glass grant; and the caller's worklist.
 */
export class TaskAccess {
  constructor(private readonly door: Door) {}

  async create(patientId: number, input: Omit<NewTask, 'patientId' | 'alertId' | 'sourceEventId'>): Promise<TaskDetail> {
    const { path } = await reach(this.door, 'patient', patientId, 'clinical', true);
    const task = await createTask(this.door.db, { ...input, patientId }, this.door.now, this.door.caller.username);
    this.door.audit({ action: AuditAction.Create, entityType: 'task', entityId: task.id, patientId, detail: { via: path, priority: task.priority, episodeId: task.episodeId } });
    return toTaskDetail(task);
  }

  async task(taskId: number): Promise<TaskDetail> {
    const { patientId, path } = await reach(this.door, 'task', taskId, 'clinical', false);
    const row = await this.door.db.selectFrom('task').selectAll().where('id', '=', taskId).where('patient_id', 'in', scopedPatientIds(this.door, path)).executeTakeFirst();
    if (!row) throw notVisible('task', taskId);
    this.door.audit({ action: AuditAction.Read, entityType: 'task', entityId: taskId, patientId, detail: { via: path } });
    return toTaskDetail(toCareTask(row));
  }

  start(taskId: number): Promise<TaskDetail> {
    return this.change(taskId, 'start', (at, actor) => startTask(this.door.db, taskId, at, actor));
  }

  cancel(taskId: number, reason: string | null): Promise<TaskDetail> {
    return this.change(taskId, 'cancel', (at, actor) => cancelTask(this.door.db, taskId, reason, at, actor));
  }

  /** Give the task to one user on the team, or to a team role (exactly one). */
  reassign(taskId: number, to: { userId?: number | null | undefined; role?: string | null | undefined }): Promise<TaskDetail> {
    return this.change(taskId, 'reassign', (at, actor) => reassignTask(this.door.db, taskId, { userId: to.userId ?? null, role: to.role ?? null }, at, actor));
  }

  private async change(taskId: number, change: string, work: (at: number, actor: string) => Promise<Task>): Promise<TaskDetail> {
    const { patientId, path } = await reach(this.door, 'task', taskId, 'clinical', true);
    const task = await work(this.door.now, this.door.caller.username);
    this.door.audit({ action: AuditAction.Update, entityType: 'task', entityId: taskId, patientId, detail: { via: path, change, status: task.status } });
    return toTaskDetail(task);
  }

  /**
   * My worklist: tasks still to do on patients of my current care teams, assigned to me or to a team
   * role I hold on that patient's team (on the task's episode when it names one); overdue first
   * (compareWorklist). The page order is decided at the first page's time, carried in the cursor, so
   * walking the pages gives each task once. Read whole and sorted in memory: one user's open tasks.
   */
  async worklist(page: PageRequest): Promise<Page<TaskDetail>> {
    const cursor = page.cursor === undefined ? undefined : decodePageKey(page.cursor, 4);
    const now = cursor?.[0] ?? this.door.now;
    const order = compareWorklist(now);
    let tasks = (await this.pendingTasks()).sort(order);
    if (cursor) {
      const mark = { status: 'open', dueAt: cursor[1] ?? null, priority: TASK_PRIORITIES[cursor[2] ?? 0] ?? 'normal', id: cursor[3] ?? 0 } as Task;
      tasks = tasks.filter((t) => order(mark, t) < 0);
    }
    const items = tasks.slice(0, page.limit);
    const last = items[items.length - 1];
    const nextCursor = tasks.length > page.limit && last ? encodePageKey([now, last.dueAt, TASK_PRIORITIES.indexOf(last.priority), last.id]) : null;
    this.door.audit({ action: AuditAction.Search, entityType: 'worklist', detail: { tasks: items.map((t) => t.id), patients: [...new Set(items.map((t) => t.patientId))] } });
    return { items: items.map(toTaskDetail), nextCursor };
  }

  private async pendingTasks(): Promise<Task[]> {
    const { db, caller } = this.door;
    const rows = await db.selectFrom('task as t').selectAll('t')
      .where('t.status', 'in', [...PENDING_TASK_STATUSES])
      .where('t.patient_id', 'in', teamPatientIds(db, caller.userId))
      .where((eb) => eb.or([
        eb('t.assignee_user_id', '=', caller.userId),
        eb.exists(eb.selectFrom('care_team_member as m').innerJoin('care_episode as e', 'e.id', 'm.episode_id').select('m.id')
          .where('m.user_id', '=', caller.userId).where('m.active_to', 'is', null).where('e.status', 'in', [...VISIBLE_EPISODE_STATUSES])
          .whereRef('e.patient_id', '=', 't.patient_id').whereRef('m.role', '=', 't.assignee_role')
          .where((inner) => inner.or([inner('t.episode_id', 'is', null), inner('t.episode_id', '=', inner.ref('e.id'))]))),
      ]))
      .execute();
    return rows.map(toCareTask);
  }
}
