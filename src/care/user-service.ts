import { recordChanges } from '../store/care/changes.js';
import { inTransaction, isUniqueViolation, type CareDb } from '../store/care/db.js';
import { countPendingUserTasks } from '../store/care/tasks.js';
import { endUserMemberships, episodesWithPrimary } from '../store/care/team.js';
import * as users from '../store/care/users.js';
import { OPEN_EPISODE_STATUSES } from './episode.js';
import { conflict, notFound } from './errors.js';
import { changeContext, changeRecord } from './history.js';
import type { TeamMember } from './team.js';
import { USER_ROLES, UserStatus, validateNewUser, type NewUser, type User } from './user.js';
import { id as checkId, oneOf } from './validate.js';
import { endUserSessions } from '../store/auth-sessions.js';

/** Add a user (active). care.conflict when the username is taken, care.invalid_input for bad fields. */
export async function addUser(db: CareDb, input: NewUser, at: number, actor: string): Promise<User> {
  const ctx = changeContext(at, actor);
  const fields = validateNewUser(input);
  return inTransaction(db, async (trx) => {
    if (await users.getUserByUsername(trx, fields.username)) throw conflict(`username ${fields.username} is already taken`);
    let user: User;
    try {
      user = await users.insertUser(trx, { ...fields, status: UserStatus.Active, createdAt: ctx.at, updatedAt: ctx.at });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`username ${fields.username} is already taken`);
      throw err;
    }
    await recordChanges(trx, [changeRecord(ctx, 'user', user.id, 'created', {}, { username: user.username, roles: user.roles })]);
    return user;
  });
}

/** A user by id, or by username when given a string. care.not_found when there is none. */
export async function getUser(db: CareDb, ref: number | string): Promise<User> {
  const user = typeof ref === 'number' ? await users.getUser(db, ref) : await users.getUserByUsername(db, ref);
  if (!user) throw notFound('user', ref);
  return user;
}

/** Users by username, optionally only those with the status or the role. */
export function listUsers(db: CareDb, filter: { status?: string | undefined; role?: string | undefined } = {}): Promise<User[]> {
  return users.listUsers(db, {
    status: filter.status === undefined ? undefined : oneOf('status', filter.status, Object.values(UserStatus)),
    role: filter.role === undefined ? undefined : oneOf('role', filter.role, USER_ROLES),
  });
}

export interface DisableResult {
  user: User;
  /** Team memberships the user had, now ended (history stays). */
  endedMemberships: TeamMember[];
  /** Open or in-progress tasks still assigned to the user: to be reassigned. */
  pendingTasks: number;
}

/**
 * Disable a user: they can no longer be assigned, and their current team memberships end. Refused
 * (care.conflict) while they are the primary care coordinator of an active or on-hold episode:
 * assign another primary first. Disabling a disabled user is a conflict too.
 */
export async function disableUser(db: CareDb, userId: number, at: number, actor: string): Promise<DisableResult> {
  const ctx = changeContext(at, actor);
  checkId('userId', userId);
  return inTransaction(db, async (trx) => {
    const user = await users.lockUser(trx, userId);
    if (!user) throw notFound('user', userId);
    if (user.status === UserStatus.Disabled) throw conflict(`user ${userId} is already disabled`);
    const primaryOf = await episodesWithPrimary(trx, userId, OPEN_EPISODE_STATUSES);
    if (primaryOf.length > 0) throw conflict(`user ${userId} is the primary care coordinator of episode ${primaryOf.join(', ')}: assign another primary first`);
    await users.setUserStatus(trx, userId, UserStatus.Disabled, ctx.at);
    const ended = await endUserMemberships(trx, userId, ctx.at);
    // A disabled user is signed out everywhere at once, not at their next request.
    await endUserSessions(trx, userId, 'disabled', ctx.at);
    await recordChanges(trx, [
      changeRecord(ctx, 'user', userId, 'disabled', {}),
      ...ended.map((m) => changeRecord(ctx, 'team-member', m.id, 'removed', { episodeId: m.episodeId }, { userId, role: m.role, reason: 'user disabled' })),
    ]);
    return { user: { ...user, status: UserStatus.Disabled, updatedAt: ctx.at }, endedMemberships: ended, pendingTasks: await countPendingUserTasks(trx, userId) };
  });
}
