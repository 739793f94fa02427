import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { insertTestEncounter, insertTestPatient } from '../store/care/test-fixtures.js';
import { createEpisode, getEpisode, listEpisodeChanges, listEpisodeEncounters, listPatientEpisodes, setEpisodeStatus } from './episode-service.js';
import { CareError } from './errors.js';
import { addSchedule } from './schedule-service.js';
import { addTeamMember, listTeam, removeTeamMember } from './team-service.js';
import { activeEpisode, addStaff, ADMIN, DAY, HOUR, T0 } from './testing.js';
import { getCarePlan } from './plan-service.js';

async function careError(promise: Promise<unknown>): Promise<CareError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof CareError)) throw new Error(`expected a CareError, got ${String(err)}`);
  return err;
}

describe.each(DIALECTS)('care episodes on %s', (dialect) => {
  const ctx = useFreshStore(dialect);

  it('opens a planned episode, and lists a patient\'s sequential and overlapping episodes latest first', async () => {
    const { db } = ctx.store;
    const patientId = await insertTestPatient(db);
    const other = await insertTestPatient(db);
    const first = await createEpisode(db, { patientId, type: 'post-surgical', goal: 'Walk unaided', startAt: T0, endAt: T0 + 30 * DAY }, T0, ADMIN);
    expect(first).toEqual({
      id: first.id, patientId, type: 'post-surgical', goal: 'Walk unaided', status: 'planned', startAt: T0, endAt: T0 + 30 * DAY,
      createdBy: ADMIN, createdAt: T0, updatedAt: T0,
    });
    const second = await createEpisode(db, { patientId, type: 'chronic-disease', startAt: T0 + 10 * DAY }, T0, ADMIN);
    await createEpisode(db, { patientId: other, type: 'hospice', startAt: T0 }, T0, ADMIN);
    expect((await listPatientEpisodes(db, patientId)).map((e) => e.id)).toEqual([second.id, first.id]);
    expect((await listPatientEpisodes(db, patientId, { statuses: ['active'] }))).toEqual([]);
    expect(await getEpisode(db, first.id)).toEqual(first);
  });

  it('opens an active episode only with its primary care coordinator, who must be a coordinator', async () => {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const patientId = await insertTestPatient(db);
    const noCoord = await careError(createEpisode(db, { patientId, type: 'home-health', status: 'active', startAt: T0 }, T0, ADMIN));
    expect([noCoord.code, noCoord.field]).toEqual(['care.invalid_input', 'coordinatorUserId']);
    const wrongUser = await careError(createEpisode(db, { patientId, type: 'home-health', status: 'active', startAt: T0, coordinatorUserId: staff.nurse.id }, T0, ADMIN));
    expect([wrongUser.code, wrongUser.field]).toEqual(['care.invalid_input', 'role']);
    expect(await listPatientEpisodes(db, patientId)).toEqual([]);

    const episode = await activeEpisode(db, staff.coord, { patientId });
    expect((await listTeam(db, episode.id)).map((m) => [m.username, m.role, m.isPrimary, m.activeFrom])).toEqual([['coord1', 'care-coordinator', true, T0]]);
  });

  it('refuses unknown and merged patients', async () => {
    const { db } = ctx.store;
    expect((await careError(createEpisode(db, { patientId: 404, type: 'other', startAt: T0 }, T0, ADMIN))).code).toBe('care.not_found');
    const survivor = await insertTestPatient(db);
    const merged = await insertTestPatient(db, { status: 'merged', mergedInto: survivor });
    const err = await careError(createEpisode(db, { patientId: merged, type: 'other', startAt: T0 }, T0, ADMIN));
    expect([err.code, err.message]).toEqual(['care.conflict', `patient ${merged} was merged into patient ${survivor}: use that one`]);
  });

  it('activates a planned episode only once it has a primary coordinator', async () => {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const patientId = await insertTestPatient(db);
    const episode = await createEpisode(db, { patientId, type: 'transitional-care', startAt: T0 }, T0, ADMIN);
    const err = await careError(setEpisodeStatus(db, episode.id, 'active', T0 + HOUR, ADMIN));
    expect([err.code, err.message]).toEqual(['care.conflict', `episode ${episode.id} has no primary care coordinator: add one before activating it`]);
    await addTeamMember(db, episode.id, { userId: staff.coord.id, role: 'care-coordinator' }, T0 + HOUR, ADMIN);
    expect((await setEpisodeStatus(db, episode.id, 'active', T0 + 2 * HOUR, ADMIN)).status).toBe('active');
    expect((await setEpisodeStatus(db, episode.id, 'on-hold', T0 + 3 * HOUR, ADMIN)).status).toBe('on-hold');
    expect((await setEpisodeStatus(db, episode.id, 'active', T0 + 4 * HOUR, ADMIN)).status).toBe('active');
  });

  it('finishing sets the end, ends the team and the schedules, and nothing leaves finished', async () => {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord);
    await addTeamMember(db, episode.id, { userId: staff.nurse.id, role: 'field-clinician' }, T0, ADMIN);
    await addSchedule(db, episode.id, { visitType: 'skilled-nursing', everyDays: 2, startDate: '2026-12-01', assigneeUserId: staff.nurse.id }, T0, ADMIN);

    const done = await setEpisodeStatus(db, episode.id, 'finished', T0 + 20 * DAY, 'coord1');
    expect([done.status, done.endAt, done.updatedAt]).toEqual(['finished', T0 + 20 * DAY, T0 + 20 * DAY]);
    expect(await listTeam(db, episode.id)).toEqual([]);
    expect((await listTeam(db, episode.id, { includeEnded: true })).map((m) => [m.username, m.activeTo])).toEqual([['coord1', T0 + 20 * DAY], ['nurse1', T0 + 20 * DAY]]);
    expect((await getCarePlan(db, episode.id)).schedules.map((s) => s.status)).toEqual(['ended']);

    const err = await careError(setEpisodeStatus(db, episode.id, 'active', T0 + 21 * DAY, ADMIN));
    expect([err.code, err.message]).toEqual(['care.invalid_transition', `episode ${episode.id} cannot go from finished to active`]);
    expect((await careError(addTeamMember(db, episode.id, { userId: staff.coord2.id, role: 'care-coordinator' }, T0 + 21 * DAY, ADMIN))).code).toBe('care.conflict');
  });

  it('keeps the primary coordinator of an active episode: removing them is refused', async () => {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord);
    const [primary] = await listTeam(db, episode.id);
    expect((await careError(removeTeamMember(db, primary!.id, T0 + HOUR, ADMIN))).code).toBe('care.conflict');
  });

  it('lists the encounters that overlap the episode: open stays run on, cancelled and never-admitted ones are left out', async () => {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord, { startAt: T0 });
    const other = await insertTestPatient(db);
    const p = episode.patientId;
    const before = await insertTestEncounter(db, p, { admittedAt: T0 - 5 * DAY, dischargedAt: T0 - DAY, status: 'finished' });
    const indexStay = await insertTestEncounter(db, p, { admittedAt: T0 - 3 * DAY, dischargedAt: T0, status: 'finished' });
    const readmission = await insertTestEncounter(db, p, { admittedAt: T0 + 5 * DAY, dischargedAt: T0 + 8 * DAY, status: 'finished' });
    const current = await insertTestEncounter(db, p, { admittedAt: T0 + 12 * DAY, dischargedAt: null });
    await insertTestEncounter(db, p, { admittedAt: T0 + 6 * DAY, dischargedAt: null, status: 'cancelled' });
    await insertTestEncounter(db, p, { admittedAt: null, status: 'planned' });
    await insertTestEncounter(db, other, { admittedAt: T0 + DAY, dischargedAt: null });

    expect((await listEpisodeEncounters(db, episode.id)).map((e) => e.id)).toEqual([indexStay, readmission, current]);
    await setEpisodeStatus(db, episode.id, 'finished', T0 + 10 * DAY, ADMIN);
    expect((await listEpisodeEncounters(db, episode.id)).map((e) => e.id)).toEqual([indexStay, readmission]);
    expect(before).toBeGreaterThan(0);
  });

  it('records every change with its actor and time, newest first', async () => {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord);
    await setEpisodeStatus(db, episode.id, 'on-hold', T0 + HOUR, 'coord1');
    await setEpisodeStatus(db, episode.id, 'cancelled', T0 + 2 * HOUR, 'sup1');
    const changes = await listEpisodeChanges(db, episode.id);
    expect(changes.map((c) => [c.entity, c.action, c.actor, c.at, c.detail.to ?? c.detail.role])).toEqual([
      ['team-member', 'removed', 'sup1', T0 + 2 * HOUR, 'care-coordinator'],
      ['episode', 'status', 'sup1', T0 + 2 * HOUR, 'cancelled'],
      ['episode', 'status', 'coord1', T0 + HOUR, 'on-hold'],
      ['team-member', 'added', ADMIN, T0, 'care-coordinator'],
      ['episode', 'created', ADMIN, T0, undefined],
    ]);
    expect(changes.every((c) => c.patientId === episode.patientId && c.episodeId === episode.id)).toBe(true);
  });

  it('refuses a blank actor and a time that is not epoch milliseconds', async () => {
    const { db } = ctx.store;
    const patientId = await insertTestPatient(db);
    expect((await careError(createEpisode(db, { patientId, type: 'other', startAt: T0 }, T0, ' '))).field).toBe('actor');
    expect((await careError(createEpisode(db, { patientId, type: 'other', startAt: T0 }, Number.NaN, ADMIN))).field).toBe('at');
  });
});
