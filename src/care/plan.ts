import { daysBetween, type CalendarDate } from './dates.js';
import { invalidInput, invalidTransition } from './errors.js';
import type { Assignee } from './team.js';
import { validateAssignee } from './team.js';
import { calendarDate, oneOf, optionalCalendarDate, optionalInstant, optionalText, requiredText } from './validate.js';

/** A care plan goal's progress. */
export const GoalStatus = {
  Proposed: 'proposed',
  Active: 'active',
  /** achieved_at is set. Terminal. */
  Achieved: 'achieved',
  /** Can be taken up again (back to active). */
  NotAchieved: 'not-achieved',
  Cancelled: 'cancelled',
} as const;
export type GoalStatus = (typeof GoalStatus)[keyof typeof GoalStatus];
export const GOAL_STATUSES: readonly GoalStatus[] = Object.values(GoalStatus);

const GOAL_TRANSITIONS: Record<GoalStatus, readonly GoalStatus[]> = {
  proposed: ['active', 'cancelled'],
  active: ['achieved', 'not-achieved', 'cancelled'],
  'not-achieved': ['active', 'cancelled'],
  achieved: [],
  cancelled: [],
};

export const InterventionStatus = { Active: 'active', Completed: 'completed', Cancelled: 'cancelled' } as const;
export type InterventionStatus = (typeof InterventionStatus)[keyof typeof InterventionStatus];
export const INTERVENTION_STATUSES: readonly InterventionStatus[] = Object.values(InterventionStatus);

export const ScheduleStatus = {
  /** Visits fall due every N days. */
  Active: 'active',
  /** Visits are not due (hold_reason says why, e.g. an inpatient admission); due dates in a hold are cancelled on release. */
  OnHold: 'on-hold',
  /** No more visits; end_date is the last day. Terminal. */
  Ended: 'ended',
} as const;
export type ScheduleStatus = (typeof ScheduleStatus)[keyof typeof ScheduleStatus];
export const SCHEDULE_STATUSES: readonly ScheduleStatus[] = Object.values(ScheduleStatus);

/** What became of a due visit (one record per schedule and due date). */
export const VisitStatus = { Completed: 'completed', Missed: 'missed', Cancelled: 'cancelled' } as const;
export type VisitStatus = (typeof VisitStatus)[keyof typeof VisitStatus];
export const VISIT_STATUSES: readonly VisitStatus[] = Object.values(VisitStatus);

export interface Goal {
  id: number;
  episodeId: number;
  description: string;
  targetDate: CalendarDate | null;
  status: GoalStatus;
  achievedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface Intervention {
  id: number;
  episodeId: number;
  description: string;
  discipline: string | null;
  status: InterventionStatus;
  createdAt: number;
  updatedAt: number;
}

export interface VisitSchedule {
  id: number;
  episodeId: number;
  visitType: string;
  discipline: string | null;
  assignee: Assignee;
  everyDays: number;
  startDate: CalendarDate;
  endDate: CalendarDate | null;
  status: ScheduleStatus;
  holdReason: string | null;
  heldAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface CareVisit {
  id: number;
  episodeId: number;
  scheduleId: number | null;
  dueDate: CalendarDate | null;
  status: VisitStatus;
  visitedAt: number | null;
  userId: number | null;
  note: string | null;
  createdAt: number;
}

export interface NewGoal { description: string; targetDate?: string | null | undefined; status?: string | undefined }
export interface NewIntervention { description: string; discipline?: string | null | undefined }
export interface NewSchedule {
  visitType: string;
  discipline?: string | null | undefined;
  assigneeUserId?: number | null | undefined;
  assigneeRole?: string | null | undefined;
  everyDays: number;
  startDate: string;
  endDate?: string | null | undefined;
}
export interface NewVisit {
  scheduleId?: number | null | undefined;
  dueDate?: string | null | undefined;
  status: string;
  visitedAt?: number | null | undefined;
  userId?: number | null | undefined;
  note?: string | null | undefined;
}

export function validateNewGoal(input: NewGoal) {
  return {
    description: requiredText('description', input.description, 1000),
    targetDate: optionalCalendarDate('targetDate', input.targetDate),
    status: oneOf('status', input.status ?? GoalStatus.Proposed, [GoalStatus.Proposed, GoalStatus.Active]),
  };
}

export function checkGoalTransition(goal: Pick<Goal, 'id' | 'status'>, to: GoalStatus): void {
  if (!GOAL_TRANSITIONS[goal.status].includes(to)) throw invalidTransition('goal', goal.id, goal.status, to);
}

export function validateNewIntervention(input: NewIntervention) {
  return { description: requiredText('description', input.description, 1000), discipline: optionalText('discipline', input.discipline, 64) };
}

export function checkInterventionTransition(item: Pick<Intervention, 'id' | 'status'>, to: InterventionStatus): void {
  if (item.status !== InterventionStatus.Active || to === InterventionStatus.Active) throw invalidTransition('intervention', item.id, item.status, to);
}

/** Longest interval between visits: a schedule is for visits, not annual reviews. */
export const MAX_EVERY_DAYS = 365;

export function validateNewSchedule(input: NewSchedule) {
  const everyDays = input.everyDays;
  if (!Number.isInteger(everyDays) || everyDays < 1 || everyDays > MAX_EVERY_DAYS) throw invalidInput('everyDays', `everyDays must be a whole number from 1 to ${MAX_EVERY_DAYS}`);
  const startDate = calendarDate('startDate', input.startDate);
  const endDate = optionalCalendarDate('endDate', input.endDate);
  if (endDate !== null && daysBetween(startDate, endDate) < 0) throw invalidInput('endDate', 'endDate is before startDate');
  return {
    visitType: requiredText('visitType', input.visitType, 64),
    discipline: optionalText('discipline', input.discipline, 64),
    assignee: validateAssignee({ userId: input.assigneeUserId, role: input.assigneeRole }),
    everyDays,
    startDate,
    endDate,
  };
}

/** Refuses a hold of a schedule that is not active, or a release of one that is not on hold. */
export function checkScheduleTransition(schedule: Pick<VisitSchedule, 'id' | 'status'>, to: ScheduleStatus): void {
  const ok = to === ScheduleStatus.OnHold ? schedule.status === ScheduleStatus.Active
    : to === ScheduleStatus.Active ? schedule.status === ScheduleStatus.OnHold
    : schedule.status !== ScheduleStatus.Ended;
  if (!ok) throw invalidTransition('visit schedule', schedule.id, schedule.status, to);
}

/** Validate a visit record; a completed visit without visitedAt took place at `at`. */
export function validateNewVisit(input: NewVisit, at: number) {
  const status = oneOf('status', input.status, VISIT_STATUSES);
  const dueDate = optionalCalendarDate('dueDate', input.dueDate);
  const scheduleId = input.scheduleId ?? null;
  if (scheduleId !== null && dueDate === null) throw invalidInput('dueDate', 'a visit against a schedule needs the due date it answers');
  const visitedAt = optionalInstant('visitedAt', input.visitedAt) ?? (status === VisitStatus.Completed ? at : null);
  return { scheduleId, dueDate, status, visitedAt, userId: input.userId ?? null, note: optionalText('note', input.note, 2000) };
}
