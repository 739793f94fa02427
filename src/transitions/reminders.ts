/**
 * Overdue transition-of-care tasks: first a reminder (a 'task' stream event with `overdue: true`, so
 * the assignee's worklist shows it), then, a grace period after that reminder with the task still to
 * do, a report to the coordinator's alert through OverdueTaskListener (the alert engine implements
 * it). Each happens once per task (transition_task.reminded_at / reported_at).
 */
import type { Kysely, Transaction } from 'kysely';
import { PeriodicJob } from '../lifecycle/periodic.js';
import { PENDING_TASK_STATUSES, type Task } from '../care/task.js';
import { publish, RealtimeKind } from '../realtime/publish.js';
import type { Database } from '../store/schema.js';
import { listOverdueLinkedTasks, markReminded, markReported, type LinkedTask, type TransitionTaskLink } from '../store/transitions.js';

export interface OverdueTaskReport {
  taskId: number;
  patientId: number;
  episodeId: number | null;
  /** The transition task kind (plan.ts TransitionTaskKind). */
  kind: string;
  /** The discharge or admission event that caused it. */
  sourceEventId: number;
  dueAt: number;
  remindedAt: number;
  at: number;
}

/** Told, inside the transaction that records the report, of a task overdue past its grace period. */
export interface OverdueTaskListener {
  taskOverdue(trx: Transaction<Database>, report: OverdueTaskReport): Promise<void>;
}

export interface ReminderDecision {
  remind: boolean;
  report: boolean;
}

/**
 * What is owed for one task at `now` (pure): a reminder once it is past due and still to do; the
 * report once `graceMs` has passed since the reminder. Nothing for a task done, cancelled, without a
 * due time or already reported.
 */
export function decideReminder(task: Pick<Task, 'status' | 'dueAt'>, link: Pick<TransitionTaskLink, 'remindedAt' | 'reportedAt'>, now: number, graceMs: number): ReminderDecision {
  const overdue = PENDING_TASK_STATUSES.includes(task.status) && task.dueAt !== null && task.dueAt < now && link.reportedAt === null;
  if (!overdue) return { remind: false, report: false };
  if (link.remindedAt === null) return { remind: true, report: false };
  return { remind: false, report: now >= link.remindedAt + graceMs };
}

export interface ReminderOptions {
  /** Between the reminder and the report (default 4 hours). */
  graceMs?: number;
  /** Between passes (default a minute). */
  intervalMs?: number;
  /** Tasks per pass (default 200). */
  batch?: number;
  now?: () => number;
}

export interface ReminderLog {
  error(obj: object, msg: string): void;
}

/**
 * The job: start() runs a pass now and then every interval; stop() is idempotent and waits for a
 * pass in progress. Each task is handled in a transaction of its own (the marker, the stream event
 * and the listener's alert commit together), so a failing listener holds back only that task.
 */
export class TaskReminderJob {
  readonly #job: PeriodicJob<{ reminded: number; reported: number }>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly listener: OverdueTaskListener,
    private readonly log: ReminderLog,
    private readonly options: ReminderOptions = {},
  ) {
    this.#job = new PeriodicJob(() => this.#pass(), options.intervalMs ?? 60_000);
  }

  start(): void {
    this.#job.start();
  }

  stop(): Promise<void> {
    return this.#job.stop();
  }

  /** One pass (one at a time): counts of reminders and reports done. */
  runOnce(): Promise<{ reminded: number; reported: number }> {
    return this.#job.runOnce();
  }

  async #pass(): Promise<{ reminded: number; reported: number }> {
    const now = (this.options.now ?? Date.now)();
    const grace = this.options.graceMs ?? 4 * 3_600_000;
    const counts = { reminded: 0, reported: 0 };
    try {
      for (const item of await listOverdueLinkedTasks(this.db, now, now - grace, this.options.batch ?? 200)) {
        try {
          const done = await this.db.transaction().execute((trx) => this.#handle(trx, item, now, grace));
          if (done === 'remind') counts.reminded++;
          if (done === 'report') counts.reported++;
        } catch (err) {
          this.log.error({ taskId: item.task.id, code: (err as { code?: unknown }).code ?? 'error' }, 'overdue task reminder failed');
        }
      }
    } catch (err) {
      this.log.error({ code: (err as { code?: unknown }).code ?? 'error' }, 'overdue task pass failed');
    }
    return counts;
  }

  async #handle(trx: Transaction<Database>, { task, link }: LinkedTask, now: number, grace: number): Promise<'remind' | 'report' | undefined> {
    const decision = decideReminder(task, link, now, grace);
    if (decision.remind && (await markReminded(trx, task.id, now))) {
      const assignee = task.assignee.kind === 'user' ? { assigneeUserId: task.assignee.userId, assigneeRole: null } : { assigneeUserId: null, assigneeRole: task.assignee.role };
      await publish(trx, { at: now, patientId: task.patientId, kind: RealtimeKind.Task, refId: task.id, payload: { status: task.status, priority: task.priority, ...assignee, overdue: true, dueAt: task.dueAt } });
      return 'remind';
    }
    if (decision.report && (await markReported(trx, task.id, now))) {
      await this.listener.taskOverdue(trx, {
        taskId: task.id, patientId: task.patientId, episodeId: task.episodeId, kind: link.kind, sourceEventId: link.sourceEventId,
        dueAt: task.dueAt!, remindedAt: link.remindedAt!, at: now,
      });
      return 'report';
    }
    return undefined;
  }
}
