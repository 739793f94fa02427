import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { listChanges } from '../store/care/changes.js';
import { CareError } from './errors.js';
import { addTeamMember } from './team-service.js';
import { createTask } from './task-service.js';
import { activeEpisode, addStaff, ADMIN, HOUR, T0 } from './testing.js';
import { addUser, disableUser, getUser, listUsers } from './user-service.js';

async function careError(promise: Promise<unknown>): Promise<CareError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof CareError)) throw new Error(`expected a CareError, got ${String(err)}`);
  return err;
}

describe.each(DIALECTS)('users on %s', (dialect) => {
  const ctx = useFreshStore(dialect);

  it('adds a user, finds it by id and by username, and records who added it', async () => {
    const { db } = ctx.store;
    const user = await addUser(db, { username: 'JDoe', displayName: 'Jane Doe', email: 'jane@example.org', roles: ['coordinator', 'admin'] }, T0, ADMIN);
    expect(user).toEqual({ id: user.id, username: 'jdoe', displayName: 'Jane Doe', email: 'jane@example.org', phone: null, roles: ['admin', 'coordinator'], status: 'active', createdAt: T0, updatedAt: T0 });
    expect(await getUser(db, user.id)).toEqual(user);
    expect(await getUser(db, 'JDOE')).toEqual(user);
    expect(await listChanges(db, { entity: { entity: 'user', id: user.id } })).toMatchObject([{ actor: ADMIN, at: T0, action: 'created' }]);
  });

  it('refuses a username that is taken (whatever its case) with care.conflict', async () => {
    const { db } = ctx.store;
    await addUser(db, { username: 'jdoe', displayName: 'Jane', roles: ['admin'] }, T0, ADMIN);
    const err = await careError(addUser(db, { username: 'JDOE', displayName: 'John', roles: ['admin'] }, T0, ADMIN));
    expect([err.code, err.message]).toEqual(['care.conflict', 'username jdoe is already taken']);
    expect(await listUsers(db)).toHaveLength(1);
  });

  it('lists users by username, filtered by status and role', async () => {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    expect((await listUsers(db)).map((u) => u.username)).toEqual(['coord1', 'coord2', 'doc1', 'nurse1', 'sup1']);
    expect((await listUsers(db, { role: 'supervisor' })).map((u) => u.username)).toEqual(['coord2', 'sup1']);
    await disableUser(db, staff.doctor.id, T0 + HOUR, ADMIN);
    expect((await listUsers(db, { status: 'active' })).map((u) => u.username)).toEqual(['coord1', 'coord2', 'nurse1', 'sup1']);
    expect((await listUsers(db, { status: 'disabled' })).map((u) => u.username)).toEqual(['doc1']);
  });

  it('disabling ends the user\'s team memberships and reports the tasks still assigned to them', async () => {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord);
    await addTeamMember(db, episode.id, { userId: staff.nurse.id, role: 'field-clinician' }, T0, ADMIN);
    await createTask(db, { patientId: episode.patientId, episodeId: episode.id, title: 'Wound check', assigneeUserId: staff.nurse.id }, T0, ADMIN);

    const result = await disableUser(db, staff.nurse.id, T0 + HOUR, ADMIN);
    expect(result.user.status).toBe('disabled');
    expect(result.endedMemberships.map((m) => [m.episodeId, m.role, m.activeTo])).toEqual([[episode.id, 'field-clinician', T0 + HOUR]]);
    expect(result.pendingTasks).toBe(1);
    expect((await getUser(db, staff.nurse.id)).status).toBe('disabled');

    const again = await careError(disableUser(db, staff.nurse.id, T0 + 2 * HOUR, ADMIN));
    expect(again.code).toBe('care.conflict');
  });

  it('refuses to disable the primary coordinator of an active episode', async () => {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord);
    const err = await careError(disableUser(db, staff.coord.id, T0 + HOUR, ADMIN));
    expect([err.code, err.message]).toEqual(['care.conflict', `user ${staff.coord.id} is the primary care coordinator of episode ${episode.id}: assign another primary first`]);
    expect((await getUser(db, staff.coord.id)).status).toBe('active');
  });

  it('answers care.not_found for an unknown user', async () => {
    const err = await careError(getUser(ctx.store.db, 999));
    expect([err.code, err.message]).toEqual(['care.not_found', 'user 999 does not exist']);
    expect((await careError(disableUser(ctx.store.db, 999, T0, ADMIN))).code).toBe('care.not_found');
  });
});
