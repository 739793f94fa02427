import { invalidTransition } from './errors.js';
import type { Assignee } from './team.js';
import { validateAssignee } from './team.js';
import { id, oneOf, optionalInstant, optionalText, requiredText } from './validate.js';

export const TaskPriority = { Low: 'low', Normal: 'normal', High: 'high', Urgent: 'urgent' } as const;
export type TaskPriority = (typeof TaskPriority)[keyof typeof TaskPriority];
/** Lowest first. */
export const TASK_PRIORITIES: readonly TaskPriority[] = Object.values(TaskPriority);

export const TaskStatus = {
  Open: 'open',
  /** Someone is working on it. */
  InProgress: 'in-progress',
  /** Done: completed_at, completed_by and the completion note are set. Terminal. */
  Completed: 'completed',
  /** Not to be done; the reason is kept as the note. Terminal. */
  Cancelled: 'cancelled',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];
export const TASK_STATUSES: readonly TaskStatus[] = Object.values(TaskStatus);
/** Statuses of work still to do. */
export const PENDING_TASK_STATUSES: readonly TaskStatus[] = ['open', 'in-progress'];

const TASK_TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  open: ['in-progress', 'completed', 'cancelled'],
  'in-progress': ['open', 'completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

export interface Task {
  id: number;
  patientId: number;
  episodeId: number | null;
  /** The alert that raised it, when one did. */
  alertId: number | null;
  sourceEventId: number | null;
  title: string;
  description: string | null;
  assignee: Assignee;
  dueAt: number | null;
  priority: TaskPriority;
  status: TaskStatus;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
  completedAt: number | null;
  completedBy: string | null;
  /** The completion note, or the reason a task was cancelled. */
  completionNote: string | null;
}

export interface NewTask {
  patientId: number;
  episodeId?: number | null | undefined;
  alertId?: number | null | undefined;
  sourceEventId?: number | null | undefined;
  title: string;
  description?: string | null | undefined;
  assigneeUserId?: number | null | undefined;
  assigneeRole?: string | null | undefined;
  dueAt?: number | null | undefined;
  priority?: string | undefined;
}

const optionalId = (field: string, value: unknown): number | null => (value === undefined || value === null ? null : id(field, value));

export function validateNewTask(input: NewTask) {
  return {
    patientId: id('patientId', input.patientId),
    episodeId: optionalId('episodeId', input.episodeId),
    alertId: optionalId('alertId', input.alertId),
    sourceEventId: optionalId('sourceEventId', input.sourceEventId),
    title: requiredText('title', input.title, 200),
    description: optionalText('description', input.description, 4000),
    assignee: validateAssignee({ userId: input.assigneeUserId, role: input.assigneeRole }),
    dueAt: optionalInstant('dueAt', input.dueAt),
    priority: oneOf('priority', input.priority ?? TaskPriority.Normal, TASK_PRIORITIES),
  };
}

export function checkTaskTransition(task: Pick<Task, 'id' | 'status'>, to: TaskStatus): void {
  if (!TASK_TRANSITIONS[task.status].includes(to)) throw invalidTransition('task', task.id, task.status, to);
}

/** Whether `task` is still to do and its due time has passed at `now`. */
export function isOverdue(task: Pick<Task, 'status' | 'dueAt'>, now: number): boolean {
  return PENDING_TASK_STATUSES.includes(task.status) && task.dueAt !== null && task.dueAt < now;
}

/**
 * Worklist order: overdue tasks first (longest overdue first), then by priority (urgent first), then
 * by due time (tasks without one last), then oldest first.
 */
export function compareWorklist(now: number): (a: Task, b: Task) => number {
  return (a, b) => {
    const ao = isOverdue(a, now);
    const bo = isOverdue(b, now);
    if (ao !== bo) return ao ? -1 : 1;
    if (ao && bo && a.dueAt !== b.dueAt) return a.dueAt! - b.dueAt!;
    const pa = TASK_PRIORITIES.indexOf(a.priority);
    const pb = TASK_PRIORITIES.indexOf(b.priority);
    if (pa !== pb) return pb - pa;
    if (a.dueAt !== b.dueAt) return a.dueAt === null ? 1 : b.dueAt === null ? -1 : a.dueAt - b.dueAt;
    return a.id - b.id;
  };
}
