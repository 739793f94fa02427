import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { insertTestPatient } from '../store/care/test-fixtures.js';
import { createEpisode, setEpisodeStatus } from './episode-service.js';
import { CareError } from './errors.js';
import { activeCareTeamOfPatient, addTeamMember, listTeam, primaryCoordinator, removeTeamMember } from './team-service.js';
import { activeEpisode, addStaff, ADMIN, HOUR, T0 } from './testing.js';
import { disableUser } from './user-service.js';

async function careError(promise: Promise<unknown>): Promise<CareError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof CareError)) throw new Error(`expected a CareError, got ${String(err)}`);
  return err;
}

describe.each(DIALECTS)('care teams on %s', (dialect) => {
  const ctx = useFreshStore(dialect);

  it('adds members in their roles and lists the team primary first', async () => {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord);
    await addTeamMember(db, episode.id, { userId: staff.nurse.id, role: 'field-clinician' }, T0 + HOUR, ADMIN);
    await addTeamMember(db, episode.id, { userId: staff.doctor.id, role: 'primary-physician' }, T0 + HOUR, ADMIN);
    await addTeamMember(db, episode.id, { userId: staff.coord2.id, role: 'supervisor' }, T0 + HOUR, ADMIN);
    expect((await listTeam(db, episode.id)).map((m) => [m.username, m.role, m.isPrimary])).toEqual([
      ['coord1', 'care-coordinator', true],
      ['nurse1', 'field-clinician', false],
      ['doc1', 'primary-physician', false],
      ['coord2', 'supervisor', false],
    ]);
    expect((await primaryCoordinator(db, episode.id))?.userId).toBe(staff.coord.id);
  });

  it('assigning a new primary demotes the old one, and history keeps both periods', async () => {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord);
    const started = await addTeamMember(db, episode.id, { userId: staff.coord2.id, role: 'care-coordinator', primary: true }, T0 + HOUR, ADMIN);
    expect(started.map((m) => [m.userId, m.isPrimary])).toEqual([[staff.coord.id, false], [staff.coord2.id, true]]);
    expect((await listTeam(db, episode.id)).map((m) => [m.username, m.isPrimary])).toEqual([['coord2', true], ['coord1', false]]);
    expect((await listTeam(db, episode.id, { includeEnded: true })).map((m) => [m.username, m.isPrimary, m.activeFrom, m.activeTo])).toEqual([
      ['coord1', true, T0, T0 + HOUR],
      ['coord2', true, T0 + HOUR, null],
      ['coord1', false, T0 + HOUR, null],
    ]);
    // The demoted coordinator can now leave; the primary cannot.
    const demoted = (await listTeam(db, episode.id)).find((m) => !m.isPrimary)!;
    expect((await removeTeamMember(db, demoted.id, T0 + 2 * HOUR, ADMIN)).activeTo).toBe(T0 + 2 * HOUR);
    expect((await listTeam(db, episode.id)).map((m) => m.username)).toEqual(['coord2']);
    expect((await careError(removeTeamMember(db, demoted.id, T0 + 3 * HOUR, ADMIN))).message).toBe(`team member ${demoted.id} was already removed`);
  });

  it('refuses a user without the matching role, a disabled user, the same role twice, and unknown ids', async () => {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord);
    expect((await careError(addTeamMember(db, episode.id, { userId: staff.nurse.id, role: 'primary-physician' }, T0, ADMIN))).field).toBe('role');
    expect((await careError(addTeamMember(db, episode.id, { userId: staff.coord.id, role: 'care-coordinator' }, T0, ADMIN))).code).toBe('care.conflict');
    await disableUser(db, staff.doctor.id, T0, ADMIN);
    expect((await careError(addTeamMember(db, episode.id, { userId: staff.doctor.id, role: 'specialist' }, T0, ADMIN))).message).toBe(`user ${staff.doctor.id} is disabled`);
    expect((await careError(addTeamMember(db, episode.id, { userId: 999, role: 'specialist' }, T0, ADMIN))).code).toBe('care.not_found');
    expect((await careError(addTeamMember(db, 999, { userId: staff.doctor.id, role: 'specialist' }, T0, ADMIN))).code).toBe('care.not_found');
    expect((await careError(addTeamMember(db, episode.id, { userId: staff.nurse.id, role: 'nurse' }, T0, ADMIN))).field).toBe('role');
    expect((await careError(removeTeamMember(db, 999, T0, ADMIN))).code).toBe('care.not_found');
  });

  it('lets the database itself refuse a second current primary coordinator', async () => {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord);
    const insert = sql`INSERT INTO care_team_member (episode_id, user_id, role, is_primary, active_from, created_at)
      VALUES (${episode.id}, ${staff.coord2.id}, 'care-coordinator', 1, ${T0}, ${T0})`;
    await expect(insert.execute(db)).rejects.toThrow(/unique/i);
  });

  it('gives the active care team of a patient across their open episodes, active users only', async () => {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const first = await activeEpisode(db, staff.coord, { startAt: T0 });
    const patientId = first.patientId;
    await addTeamMember(db, first.id, { userId: staff.nurse.id, role: 'field-clinician' }, T0, ADMIN);
    await addTeamMember(db, first.id, { userId: staff.supervisor.id, role: 'supervisor' }, T0, ADMIN);
    const second = await activeEpisode(db, staff.coord2, { patientId, startAt: T0 + HOUR });
    await addTeamMember(db, second.id, { userId: staff.doctor.id, role: 'specialist' }, T0, ADMIN);
    const planned = await createEpisode(db, { patientId, type: 'hospice', startAt: T0 + 2 * HOUR }, T0, ADMIN);
    await addTeamMember(db, planned.id, { userId: staff.doctor.id, role: 'primary-physician' }, T0, ADMIN);
    const finished = await activeEpisode(db, staff.coord2, { patientId, startAt: T0 - 100 * HOUR });
    await setEpisodeStatus(db, finished.id, 'finished', T0, ADMIN);
    await disableUser(db, staff.supervisor.id, T0 + HOUR, ADMIN);
    const nobodys = await insertTestPatient(db);

    const team = await activeCareTeamOfPatient(db, patientId);
    expect(team.map((m) => [m.episodeId, m.episodeStatus, m.username, m.role, m.isPrimary])).toEqual([
      [second.id, 'active', 'coord2', 'care-coordinator', true],
      [second.id, 'active', 'doc1', 'specialist', false],
      [first.id, 'active', 'coord1', 'care-coordinator', true],
      [first.id, 'active', 'nurse1', 'field-clinician', false],
    ]);
    expect(team[0]).toMatchObject({ patientId, episodeType: 'home-health', displayName: 'COORD2', email: null, phone: null, activeTo: null });
    const withPlanned = await activeCareTeamOfPatient(db, patientId, { statuses: ['planned', 'active', 'on-hold'] });
    expect(withPlanned.filter((m) => m.episodeId === planned.id).map((m) => m.role)).toEqual(['primary-physician']);
    expect(await activeCareTeamOfPatient(db, nobodys)).toEqual([]);
  });
});
