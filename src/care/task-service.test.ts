import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { listChanges } from '../store/care/changes.js';
import { insertTestPatient } from '../store/care/test-fixtures.js';
import { setEpisodeStatus } from './episode-service.js';
import { CareError } from './errors.js';
import { cancelTask, completeTask, createTask, getTask, listAssigneeTasks, listPatientTasks, reassignTask, startTask } from './task-service.js';
import { addTeamMember } from './team-service.js';
import { activeEpisode, addStaff, ADMIN, DAY, HOUR, T0 } from './testing.js';

async function careError(promise: Promise<unknown>): Promise<CareError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof CareError)) throw new Error(`expected a CareError, got ${String(err)}`);
  return err;
}

describe.each(DIALECTS)('tasks on %s', (dialect) => {
  const ctx = useFreshStore(dialect);

  async function setup() {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord);
    await addTeamMember(db, episode.id, { userId: staff.nurse.id, role: 'field-clinician' }, T0, ADMIN);
    return { db, staff, episode, patientId: episode.patientId };
  }

  it('creates an open task for a team member, linked to patient, episode and alert', async () => {
    const { db, staff, episode, patientId } = await setup();
    const task = await createTask(db, {
      patientId, episodeId: episode.id, alertId: 41, title: 'Call patient about readmission', description: 'Discharged from GENHOSP',
      assigneeUserId: staff.coord.id, dueAt: T0 + 4 * HOUR, priority: 'urgent',
    }, T0, 'rule:readmission');
    expect(task).toEqual({
      id: task.id, patientId, episodeId: episode.id, alertId: 41, sourceEventId: null, title: 'Call patient about readmission', description: 'Discharged from GENHOSP',
      assignee: { kind: 'user', userId: staff.coord.id }, dueAt: T0 + 4 * HOUR, priority: 'urgent', status: 'open', createdBy: 'rule:readmission',
      createdAt: T0, updatedAt: T0, completedAt: null, completedBy: null, completionNote: null,
    });
    expect(await getTask(db, task.id)).toEqual(task);
  });

  it('assigns to a user only if they are on the care team; a role always', async () => {
    const { db, staff, episode, patientId } = await setup();
    const off = await careError(createTask(db, { patientId, episodeId: episode.id, title: 'x', assigneeUserId: staff.doctor.id }, T0, ADMIN));
    expect([off.code, off.message]).toEqual(['care.invalid_input', `user ${staff.doctor.id} is not on the care team of episode ${episode.id}`]);
    // Without an episode: any open episode of the patient's team will do.
    expect((await createTask(db, { patientId, title: 'x', assigneeUserId: staff.nurse.id }, T0, ADMIN)).episodeId).toBeNull();
    const lonely = await insertTestPatient(db);
    expect((await careError(createTask(db, { patientId: lonely, title: 'x', assigneeUserId: staff.nurse.id }, T0, ADMIN))).message)
      .toBe(`user ${staff.nurse.id} is not on the care team of any open episode of patient ${lonely}`);
    expect((await createTask(db, { patientId: lonely, title: 'x', assigneeRole: 'care-coordinator' }, T0, ADMIN)).assignee).toEqual({ kind: 'role', role: 'care-coordinator' });
  });

  it('refuses an episode of another patient, and unknown patients', async () => {
    const { db, staff, episode } = await setup();
    const other = await insertTestPatient(db);
    const err = await careError(createTask(db, { patientId: other, episodeId: episode.id, title: 'x', assigneeRole: 'supervisor' }, T0, ADMIN));
    expect([err.code, err.field]).toEqual(['care.invalid_input', 'episodeId']);
    expect((await careError(createTask(db, { patientId: 999, title: 'x', assigneeUserId: staff.nurse.id }, T0, ADMIN))).code).toBe('care.not_found');
  });

  it('starts, completes with who, when and a note; a completed task stays completed', async () => {
    const { db, staff, patientId } = await setup();
    const task = await createTask(db, { patientId, title: 'Med reconciliation', assigneeUserId: staff.nurse.id }, T0, ADMIN);
    expect((await startTask(db, task.id, T0 + HOUR, 'nurse1')).status).toBe('in-progress');
    const done = await completeTask(db, task.id, 'Reconciled, 2 changes', T0 + 2 * HOUR, 'nurse1');
    expect(done).toMatchObject({ status: 'completed', completedAt: T0 + 2 * HOUR, completedBy: 'nurse1', completionNote: 'Reconciled, 2 changes', updatedAt: T0 + 2 * HOUR });
    const again = await careError(cancelTask(db, task.id, null, T0 + 3 * HOUR, ADMIN));
    expect([again.code, again.message]).toEqual(['care.invalid_transition', `task ${task.id} cannot go from completed to cancelled`]);
    expect((await listChanges(db, { entity: { entity: 'task', id: task.id } })).map((c) => [c.action, c.actor, c.detail.to])).toEqual([
      ['status', 'nurse1', 'completed'], ['status', 'nurse1', 'in-progress'], ['created', ADMIN, undefined],
    ]);
  });

  it('cancels with a reason; reassigns to another member or a role, back to open', async () => {
    const { db, staff, episode, patientId } = await setup();
    const a = await createTask(db, { patientId, episodeId: episode.id, title: 'a', assigneeUserId: staff.nurse.id }, T0, ADMIN);
    expect(await cancelTask(db, a.id, 'Duplicate of another task', T0 + HOUR, ADMIN)).toMatchObject({ status: 'cancelled', completionNote: 'Duplicate of another task', completedAt: null });

    const b = await createTask(db, { patientId, episodeId: episode.id, title: 'b', assigneeUserId: staff.nurse.id }, T0, ADMIN);
    await startTask(db, b.id, T0 + HOUR, 'nurse1');
    const moved = await reassignTask(db, b.id, { userId: staff.coord.id }, T0 + 2 * HOUR, ADMIN);
    expect([moved.status, moved.assignee]).toEqual(['open', { kind: 'user', userId: staff.coord.id }]);
    expect((await reassignTask(db, b.id, { role: 'field-clinician' }, T0 + 3 * HOUR, ADMIN)).assignee).toEqual({ kind: 'role', role: 'field-clinician' });
    expect((await careError(reassignTask(db, b.id, { role: 'field-clinician' }, T0 + 3 * HOUR, ADMIN))).code).toBe('care.conflict');
    expect((await careError(reassignTask(db, b.id, { userId: staff.doctor.id }, T0 + 3 * HOUR, ADMIN))).field).toBe('assignee');
    expect((await careError(reassignTask(db, a.id, { userId: staff.coord.id }, T0 + 3 * HOUR, ADMIN))).code).toBe('care.conflict');
    const history = await listChanges(db, { entity: { entity: 'task', id: b.id } });
    expect(history[1]).toMatchObject({ action: 'reassigned', detail: { from: { kind: 'user', userId: staff.nurse.id }, to: { kind: 'user', userId: staff.coord.id } } });
  });

  it('lists a worklist overdue first, and a patient\'s tasks newest first', async () => {
    const { db, staff, episode, patientId } = await setup();
    const now = T0 + DAY;
    const add = (title: string, extra: { dueAt?: number; priority?: string } = {}) =>
      createTask(db, { patientId, episodeId: episode.id, title, assigneeUserId: staff.nurse.id, ...extra }, T0, ADMIN);
    const later = await add('later', { dueAt: now + DAY });
    const undated = await add('undated');
    const overdue = await add('overdue', { dueAt: now - HOUR, priority: 'low' });
    const urgent = await add('urgent', { dueAt: now + 2 * DAY, priority: 'urgent' });
    const done = await add('done', { dueAt: now - 2 * HOUR });
    await completeTask(db, done.id, null, T0 + HOUR, 'nurse1');
    await createTask(db, { patientId, title: 'for the role', assigneeRole: 'field-clinician' }, T0, ADMIN);

    expect((await listAssigneeTasks(db, { userId: staff.nurse.id }, now)).map((t) => t.title)).toEqual([overdue, urgent, later, undated].map((t) => t.title));
    expect((await listAssigneeTasks(db, { userId: staff.nurse.id }, now, { statuses: ['completed'] })).map((t) => t.title)).toEqual(['done']);
    expect((await listAssigneeTasks(db, { role: 'field-clinician' }, now)).map((t) => t.title)).toEqual(['for the role']);
    expect((await listPatientTasks(db, patientId)).map((t) => t.title)).toEqual(['for the role', 'done', 'urgent', 'overdue', 'undated', 'later']);
    expect((await listPatientTasks(db, patientId, { statuses: ['completed'] })).map((t) => t.title)).toEqual(['done']);
  });

  it('keeps tasks of a finished episode open, but its ended team can no longer be assigned', async () => {
    const { db, staff, episode, patientId } = await setup();
    const task = await createTask(db, { patientId, episodeId: episode.id, title: 'follow-up', assigneeUserId: staff.nurse.id }, T0, ADMIN);
    await setEpisodeStatus(db, episode.id, 'finished', T0 + DAY, ADMIN);
    expect((await getTask(db, task.id)).status).toBe('open');
    expect((await careError(reassignTask(db, task.id, { userId: staff.coord.id }, T0 + DAY, ADMIN))).field).toBe('assignee');
    expect((await reassignTask(db, task.id, { role: 'care-coordinator' }, T0 + DAY, ADMIN)).assignee.kind).toBe('role');
  });
});
