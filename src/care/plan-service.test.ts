import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { listChanges } from '../store/care/changes.js';
import { setEpisodeStatus } from './episode-service.js';
import { CareError } from './errors.js';
import { addGoal, addIntervention, getCarePlan, setInterventionStatus, updateGoal } from './plan-service.js';
import { addSchedule, endSchedule, holdSchedule, holdSchedules, listPastDueVisits, recordVisit, releaseSchedule, releaseSchedules } from './schedule-service.js';
import { addTeamMember } from './team-service.js';
import { activeEpisode, addStaff, ADMIN, DAY, HOUR, T0 } from './testing.js';

async function careError(promise: Promise<unknown>): Promise<CareError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof CareError)) throw new Error(`expected a CareError, got ${String(err)}`);
  return err;
}

/** T0 is 2026-12-01 09:00 UTC; day n of December at 09:00 UTC. */
const dec = (day: number) => T0 + (day - 1) * DAY;

describe.each(DIALECTS)('care plans on %s', (dialect) => {
  const ctx = useFreshStore(dialect);

  async function setup() {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord);
    await addTeamMember(db, episode.id, { userId: staff.nurse.id, role: 'field-clinician' }, T0, ADMIN);
    return { db, staff, episode };
  }

  it('adds goals and moves them along their statuses; achieving sets achieved_at', async () => {
    const { db, episode } = await setup();
    const goal = await addGoal(db, episode.id, { description: 'Independent with wound care', targetDate: '2026-12-20' }, T0, ADMIN);
    expect(goal).toMatchObject({ episodeId: episode.id, status: 'proposed', targetDate: '2026-12-20', achievedAt: null });
    expect((await updateGoal(db, goal.id, { status: 'active', targetDate: '2026-12-27' }, T0 + HOUR, ADMIN))).toMatchObject({ status: 'active', targetDate: '2026-12-27' });
    expect((await updateGoal(db, goal.id, { status: 'achieved' }, T0 + DAY, ADMIN))).toMatchObject({ status: 'achieved', achievedAt: T0 + DAY });
    const err = await careError(updateGoal(db, goal.id, { status: 'active' }, T0 + 2 * DAY, ADMIN));
    expect([err.code, err.message]).toEqual(['care.invalid_transition', `goal ${goal.id} cannot go from achieved to active`]);
    expect((await careError(updateGoal(db, goal.id, { targetDate: '2026-02-30' }, T0, ADMIN))).field).toBe('targetDate');
    expect((await careError(updateGoal(db, 999, { status: 'active' }, T0, ADMIN))).code).toBe('care.not_found');
    expect((await listChanges(db, { entity: { entity: 'goal', id: goal.id } })).map((c) => [c.action, c.detail.to])).toEqual([['status', 'achieved'], ['status', 'active'], ['created', undefined]]);
  });

  it('adds interventions, completes them once, and shows the whole plan', async () => {
    const { db, episode } = await setup();
    await addGoal(db, episode.id, { description: 'Goal', status: 'active' }, T0, ADMIN);
    const item = await addIntervention(db, episode.id, { description: 'Teach insulin self-injection', discipline: 'nursing' }, T0, ADMIN);
    expect((await setInterventionStatus(db, item.id, 'completed', T0 + DAY, ADMIN)).status).toBe('completed');
    expect((await careError(setInterventionStatus(db, item.id, 'cancelled', T0 + DAY, ADMIN))).code).toBe('care.invalid_transition');
    const plan = await getCarePlan(db, episode.id);
    expect(plan.episode.id).toBe(episode.id);
    expect(plan.goals.map((g) => g.status)).toEqual(['active']);
    expect(plan.interventions.map((i) => [i.description, i.discipline, i.status])).toEqual([['Teach insulin self-injection', 'nursing', 'completed']]);
  });

  it('refuses plan additions on a closed episode but still records how goals ended', async () => {
    const { db, episode } = await setup();
    const goal = await addGoal(db, episode.id, { description: 'Goal', status: 'active' }, T0, ADMIN);
    await setEpisodeStatus(db, episode.id, 'finished', T0 + DAY, ADMIN);
    expect((await careError(addGoal(db, episode.id, { description: 'Late' }, T0 + DAY, ADMIN))).code).toBe('care.conflict');
    expect((await careError(addIntervention(db, episode.id, { description: 'Late' }, T0 + DAY, ADMIN))).code).toBe('care.conflict');
    expect((await updateGoal(db, goal.id, { status: 'not-achieved' }, T0 + DAY, ADMIN)).status).toBe('not-achieved');
  });

  it('adds schedules for a team member or a role; a user off the team is refused', async () => {
    const { db, staff, episode } = await setup();
    const byUser = await addSchedule(db, episode.id, { visitType: 'skilled-nursing', discipline: 'nursing', everyDays: 3, startDate: '2026-12-01', endDate: '2026-12-31', assigneeUserId: staff.nurse.id }, T0, ADMIN);
    expect(byUser).toMatchObject({ assignee: { kind: 'user', userId: staff.nurse.id }, everyDays: 3, status: 'active', holdReason: null, heldAt: null, endDate: '2026-12-31' });
    const byRole = await addSchedule(db, episode.id, { visitType: 'pt', everyDays: 7, startDate: '2026-12-02', assigneeRole: 'field-clinician' }, T0, ADMIN);
    expect(byRole.assignee).toEqual({ kind: 'role', role: 'field-clinician' });
    const err = await careError(addSchedule(db, episode.id, { visitType: 'pt', everyDays: 7, startDate: '2026-12-02', assigneeUserId: staff.doctor.id }, T0, ADMIN));
    expect([err.code, err.field, err.message]).toEqual(['care.invalid_input', 'assignee', `user ${staff.doctor.id} is not on the care team of episode ${episode.id}`]);
  });

  it('an admission holds the episode\'s active schedules; the discharge releases them and cancels the visits the hold covered', async () => {
    const { db, staff, episode } = await setup();
    const nursing = await addSchedule(db, episode.id, { visitType: 'skilled-nursing', everyDays: 2, startDate: '2026-12-01', assigneeUserId: staff.nurse.id }, T0, ADMIN);
    const manual = await addSchedule(db, episode.id, { visitType: 'pt', everyDays: 7, startDate: '2026-12-01', assigneeRole: 'field-clinician' }, T0, ADMIN);
    await holdSchedule(db, manual.id, 'patient travelling', dec(2), ADMIN);
    await recordVisit(db, episode.id, { scheduleId: nursing.id, dueDate: '2026-12-05', status: 'completed', userId: staff.nurse.id }, dec(5) - 2 * HOUR, 'nurse1');

    // Admitted on the 5th, 12:00 UTC: the schedule goes on hold; holding again changes nothing.
    const held = await holdSchedules(db, episode.id, 'inpatient-admission', dec(5) + 3 * HOUR);
    expect(held.map((s) => [s.id, s.status, s.holdReason, s.heldAt])).toEqual([[nursing.id, 'on-hold', 'inpatient-admission', dec(5) + 3 * HOUR]]);
    expect(await holdSchedules(db, episode.id, 'inpatient-admission', dec(6))).toEqual([]);
    expect(await listPastDueVisits(db, episode.id, '2026-12-08')).toEqual([
      { episodeId: episode.id, scheduleId: nursing.id, dueDate: '2026-12-01', visitType: 'skilled-nursing', discipline: null, assignee: { kind: 'user', userId: staff.nurse.id } },
      { episodeId: episode.id, scheduleId: nursing.id, dueDate: '2026-12-03', visitType: 'skilled-nursing', discipline: null, assignee: { kind: 'user', userId: staff.nurse.id } },
      { episodeId: episode.id, scheduleId: manual.id, dueDate: '2026-12-01', visitType: 'pt', discipline: null, assignee: { kind: 'role', role: 'field-clinician' } },
    ]);

    // Discharged on the 9th: only the admission's hold is released; the 7th fell in the hold.
    const released = await releaseSchedules(db, episode.id, 'inpatient-admission', dec(9), 'adt');
    expect(released.map((s) => [s.id, s.status, s.holdReason, s.heldAt])).toEqual([[nursing.id, 'active', null, null]]);
    const plan = await getCarePlan(db, episode.id);
    expect(plan.schedules.map((s) => [s.id, s.status])).toEqual([[nursing.id, 'active'], [manual.id, 'on-hold']]);
    expect(plan.visits.map((v) => [v.scheduleId, v.dueDate, v.status, v.note])).toEqual([
      [nursing.id, '2026-12-05', 'completed', null],
      [nursing.id, '2026-12-07', 'cancelled', 'on hold: inpatient-admission'],
    ]);
    expect((await listPastDueVisits(db, episode.id, '2026-12-12')).map((v) => [v.scheduleId, v.dueDate])).toEqual([
      [nursing.id, '2026-12-01'], [nursing.id, '2026-12-03'], [nursing.id, '2026-12-09'], [nursing.id, '2026-12-11'], [manual.id, '2026-12-01'],
    ]);
    const changes = await listChanges(db, { entity: { entity: 'schedule', id: nursing.id } });
    expect(changes.map((c) => [c.action, c.actor])).toEqual([['released', 'adt'], ['held', 'system'], ['created', ADMIN]]);
    expect(changes[0]!.detail).toMatchObject({ reason: 'inpatient-admission', cancelledDueDates: ['2026-12-07'] });

    // A null reason releases every held schedule.
    expect((await releaseSchedules(db, episode.id, null, dec(10))).map((s) => s.id)).toEqual([manual.id]);
  });

  it('counts hold days in the agency\'s time zone', async () => {
    const { db, staff, episode } = await setup();
    const daily = await addSchedule(db, episode.id, { visitType: 'aide', everyDays: 1, startDate: '2026-12-01', assigneeUserId: staff.nurse.id }, T0, ADMIN);
    // Held 2026-12-03 02:00 UTC = 12-02 20:00 in Chicago; released 12-05 03:00 UTC = 12-04 21:00 in Chicago.
    await holdSchedule(db, daily.id, 'inpatient-admission', Date.UTC(2026, 11, 3, 2), ADMIN);
    await releaseSchedule(db, daily.id, Date.UTC(2026, 11, 5, 3), ADMIN, 'America/Chicago');
    const visits = (await getCarePlan(db, episode.id)).visits;
    expect(visits.map((v) => v.dueDate)).toEqual(['2026-12-02', '2026-12-03']);
  });

  it('records each due visit once, only on real due dates', async () => {
    const { db, staff, episode } = await setup();
    const s = await addSchedule(db, episode.id, { visitType: 'skilled-nursing', everyDays: 2, startDate: '2026-12-01', assigneeUserId: staff.nurse.id }, T0, ADMIN);
    const visit = await recordVisit(db, episode.id, { scheduleId: s.id, dueDate: '2026-12-03', status: 'missed', note: 'no answer at door' }, dec(4), 'nurse1');
    expect(visit).toMatchObject({ scheduleId: s.id, dueDate: '2026-12-03', status: 'missed', visitedAt: null, note: 'no answer at door' });
    const dup = await careError(recordVisit(db, episode.id, { scheduleId: s.id, dueDate: '2026-12-03', status: 'completed' }, dec(4), 'nurse1'));
    expect([dup.code, dup.message]).toEqual(['care.conflict', `visit schedule ${s.id} already has a visit recorded for 2026-12-03`]);
    expect((await careError(recordVisit(db, episode.id, { scheduleId: s.id, dueDate: '2026-12-04', status: 'completed' }, dec(4), 'nurse1'))).field).toBe('dueDate');
    expect((await careError(recordVisit(db, episode.id, { scheduleId: 999, dueDate: '2026-12-03', status: 'completed' }, dec(4), 'nurse1'))).code).toBe('care.not_found');
    const unscheduled = await recordVisit(db, episode.id, { status: 'completed' }, dec(4), 'nurse1');
    expect([unscheduled.scheduleId, unscheduled.dueDate, unscheduled.visitedAt]).toEqual([null, null, dec(4)]);
  });

  it('an ended schedule owes no visits and cannot be held again', async () => {
    const { db, staff, episode } = await setup();
    const s = await addSchedule(db, episode.id, { visitType: 'skilled-nursing', everyDays: 2, startDate: '2026-12-01', assigneeUserId: staff.nurse.id }, T0, ADMIN);
    expect((await listPastDueVisits(db, episode.id, '2026-12-04')).map((v) => v.dueDate)).toEqual(['2026-12-01', '2026-12-03']);
    expect((await endSchedule(db, s.id, dec(4), ADMIN)).status).toBe('ended');
    expect(await listPastDueVisits(db, episode.id, '2026-12-04')).toEqual([]);
    expect((await careError(holdSchedule(db, s.id, 'x', dec(5), ADMIN))).code).toBe('care.invalid_transition');
    expect((await careError(releaseSchedule(db, s.id, dec(5), ADMIN))).code).toBe('care.invalid_transition');
    expect((await careError(holdSchedules(db, 999, 'x', dec(5)))).code).toBe('care.not_found');
  });
});
