import { describe, expect, it } from 'vitest';
import { CareError } from './errors.js';
import { checkTaskTransition, compareWorklist, isOverdue, TASK_STATUSES, validateNewTask, type Task } from './task.js';

const NOW = Date.UTC(2026, 11, 10, 12);
const H = 3_600_000;

function task(id: number, over: Partial<Task> = {}): Task {
  return {
    id, patientId: 1, episodeId: null, alertId: null, sourceEventId: null, title: `t${id}`, description: null, assignee: { kind: 'user', userId: 1 },
    dueAt: null, priority: 'normal', status: 'open', createdBy: 'x', createdAt: 0, updatedAt: 0, completedAt: null, completedBy: null, completionNote: null, ...over,
  };
}

describe('task status transitions', () => {
  it('allow exactly the documented moves; completed and cancelled are final', () => {
    const allowed = TASK_STATUSES.flatMap((from) => TASK_STATUSES.filter((to) => {
      try {
        checkTaskTransition({ id: 1, status: from }, to);
        return true;
      } catch (err) {
        expect((err as CareError).code).toBe('care.invalid_transition');
        return false;
      }
    }).map((to) => `${from}>${to}`));
    expect(allowed).toEqual(['open>in-progress', 'open>completed', 'open>cancelled', 'in-progress>open', 'in-progress>completed', 'in-progress>cancelled']);
  });

  it('explain a refused move with the ids and statuses only', () => {
    expect(() => checkTaskTransition({ id: 9, status: 'completed' }, 'cancelled')).toThrow('task 9 cannot go from completed to cancelled');
  });
});

describe('the worklist order', () => {
  it('puts overdue tasks first, longest overdue first, then priority, then due time, undated last', () => {
    const tasks = [
      task(1, { priority: 'urgent' }),
      task(2, { dueAt: NOW - H, priority: 'low' }),
      task(3, { dueAt: NOW - 5 * H }),
      task(4, { dueAt: NOW + H }),
      task(5, { dueAt: NOW + 2 * H, priority: 'high' }),
      task(6),
      task(7, { dueAt: NOW + 30 * H }),
    ];
    expect([...tasks].sort(compareWorklist(NOW)).map((t) => t.id)).toEqual([3, 2, 1, 5, 4, 7, 6]);
  });

  it('never counts a finished task as overdue', () => {
    expect(isOverdue(task(1, { dueAt: NOW - H }), NOW)).toBe(true);
    expect(isOverdue(task(1, { dueAt: NOW - H, status: 'completed' }), NOW)).toBe(false);
    expect(isOverdue(task(1, { dueAt: NOW }), NOW)).toBe(false);
  });
});

describe('a new task', () => {
  it('defaults to normal priority and validates every field', () => {
    expect(validateNewTask({ patientId: 1, title: ' Call patient ', assigneeRole: 'care-coordinator' })).toMatchObject({
      title: 'Call patient', priority: 'normal', assignee: { kind: 'role', role: 'care-coordinator' }, episodeId: null, alertId: null, dueAt: null,
    });
    const fieldOf = (input: Parameters<typeof validateNewTask>[0]) => {
      try {
        validateNewTask(input);
        return undefined;
      } catch (err) {
        return (err as CareError).field;
      }
    };
    expect(fieldOf({ patientId: 1, title: '', assigneeUserId: 1 })).toBe('title');
    expect(fieldOf({ patientId: 1, title: 'x', assigneeUserId: 1, priority: 'asap' })).toBe('priority');
    expect(fieldOf({ patientId: 0, title: 'x', assigneeUserId: 1 })).toBe('patientId');
    expect(fieldOf({ patientId: 1, title: 'x' })).toBe('assignee');
    expect(fieldOf({ patientId: 1, title: 'x', assigneeUserId: 1, dueAt: -5 })).toBe('dueAt');
  });
});
