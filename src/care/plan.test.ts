import { describe, expect, it } from 'vitest';
import { CareError } from './errors.js';
import { checkGoalTransition, checkScheduleTransition, GOAL_STATUSES, SCHEDULE_STATUSES, validateNewSchedule, validateNewVisit, type ScheduleStatus } from './plan.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CareError ? `${err.code}${err.field ? `:${err.field}` : ''}` : 'not a CareError';
  }
  return undefined;
}

describe('goal status transitions', () => {
  it('allow exactly the documented moves; achieved and cancelled are final, not-achieved can be taken up again', () => {
    const allowed = GOAL_STATUSES.flatMap((from) => GOAL_STATUSES.filter((to) => codeOf(() => checkGoalTransition({ id: 1, status: from }, to)) === undefined).map((to) => `${from}>${to}`));
    expect(allowed).toEqual(['proposed>active', 'proposed>cancelled', 'active>achieved', 'active>not-achieved', 'active>cancelled', 'not-achieved>active', 'not-achieved>cancelled']);
  });
});

describe('visit schedules', () => {
  const ok = { visitType: 'skilled-nursing', everyDays: 2, startDate: '2026-12-01', assigneeRole: 'field-clinician' };

  it('validate interval, dates and assignee', () => {
    expect(validateNewSchedule(ok)).toEqual({ visitType: 'skilled-nursing', discipline: null, assignee: { kind: 'role', role: 'field-clinician' }, everyDays: 2, startDate: '2026-12-01', endDate: null });
    expect(codeOf(() => validateNewSchedule({ ...ok, everyDays: 0 }))).toBe('care.invalid_input:everyDays');
    expect(codeOf(() => validateNewSchedule({ ...ok, everyDays: 1.5 }))).toBe('care.invalid_input:everyDays');
    expect(codeOf(() => validateNewSchedule({ ...ok, startDate: '2026-12-32' }))).toBe('care.invalid_input:startDate');
    expect(codeOf(() => validateNewSchedule({ ...ok, endDate: '2026-11-30' }))).toBe('care.invalid_input:endDate');
    expect(codeOf(() => validateNewSchedule({ ...ok, assigneeRole: undefined }))).toBe('care.invalid_input:assignee');
  });

  it('go on hold only when active, are released only when on hold, and never leave ended', () => {
    const allowed = SCHEDULE_STATUSES.flatMap((from) => SCHEDULE_STATUSES.filter((to: ScheduleStatus) => codeOf(() => checkScheduleTransition({ id: 1, status: from }, to)) === undefined).map((to) => `${from}>${to}`));
    expect(allowed).toEqual(['active>on-hold', 'active>ended', 'on-hold>active', 'on-hold>ended']);
  });
});

describe('visit records', () => {
  it('take the time of recording as the visit time of a completed visit, and need a due date against a schedule', () => {
    expect(validateNewVisit({ status: 'completed' }, 42)).toMatchObject({ status: 'completed', visitedAt: 42, scheduleId: null, dueDate: null });
    expect(validateNewVisit({ status: 'missed', scheduleId: 3, dueDate: '2026-12-03' }, 42)).toMatchObject({ visitedAt: null, dueDate: '2026-12-03' });
    expect(codeOf(() => validateNewVisit({ status: 'completed', scheduleId: 3 }, 42))).toBe('care.invalid_input:dueDate');
    expect(codeOf(() => validateNewVisit({ status: 'done' }, 42))).toBe('care.invalid_input:status');
  });
});
