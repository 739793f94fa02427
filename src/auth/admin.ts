import { recordChanges } from '../store/care/changes.js';
import { inAuditedTransaction } from '../audit/index.js';
import type { CareDb } from '../store/care/db.js';
import { listUsers } from '../store/care/users.js';
import { getCredentials, saveMfa, saveRoles } from '../store/auth.js';
import { endUserSessions, listOpenSessions } from '../store/auth-sessions.js';
import { notFound } from '../care/errors.js';
import { AuthError, AuthErrorCode } from './errors.js';
import { changeContext, changeRecord } from '../care/history.js';
import { UserRole, UserStatus, validateRoles } from '../care/user.js';
import { AuthEventType } from './events.js';
import type { AdminActor } from './password-service.js';
import { SessionEndReason } from './session.js';
import { logoutAll } from './session-service.js';
import type { Credentials, SessionRecord } from './types.js';

/**
 * Administration of sign-in (the `carecoord user` verbs of src/cli/user-auth.ts). Each change is
 * recorded in care_change with who made it, and reported as an auth event; secrets never are.
 */

async function requireUser(db: CareDb, userId: number): Promise<Credentials> {
  const user = await getCredentials(db, userId);
  if (!user) throw notFound('user', userId);
  return user;
}

/**
 * Replace a user's roles. Sessions stay open: each request reads the roles afresh, so a removed
 * role stops applying at once, and a role that requires TOTP confines the user to enrolment.
 * Refused (auth.last_administrator) when it would leave no active administrator.
 */
export async function setRoles(db: CareDb, userId: number, roles: readonly string[], at: number, by: AdminActor): Promise<Credentials> {
  const ctx = changeContext(at, by.actor);
  const next = validateRoles(roles);
  return inAuditedTransaction(db, async (trx) => {
    const user = await requireUser(trx, userId);
    if (user.roles.includes(UserRole.Admin) && !next.includes(UserRole.Admin) && user.status === UserStatus.Active) {
      const admins = await listUsers(trx, { status: UserStatus.Active, role: UserRole.Admin });
      if (admins.length <= 1) throw new AuthError(AuthErrorCode.LastAdministrator, `user ${userId} is the only active administrator: make another user admin first`);
    }
    await saveRoles(trx, userId, next, ctx.at);
    await recordChanges(trx, [changeRecord(ctx, 'user', userId, 'roles', {}, { from: user.roles, to: next })]);
    await by.emit({ type: AuthEventType.RolesChanged, at: ctx.at, userId, username: user.username, sessionId: null, ip: null, reason: next.join(','), actor: ctx.actor }, trx);
    return { ...user, roles: next };
  });
}

/** Remove the user's TOTP enrolment (a lost or stolen authenticator) and end their sessions (mfa-reset). The sessions ended. */
export async function resetMfa(db: CareDb, userId: number, at: number, by: AdminActor): Promise<number> {
  const ctx = changeContext(at, by.actor);
  return inAuditedTransaction(db, async (trx) => {
    const user = await requireUser(trx, userId);
    await saveMfa(trx, userId, { secret: null, enrolled: false, lastStep: null }, ctx.at);
    const ended = await endUserSessions(trx, userId, SessionEndReason.MfaReset, ctx.at);
    await recordChanges(trx, [changeRecord(ctx, 'user', userId, 'mfa-reset', {}, { sessionsEnded: ended.length })]);
    await by.emit({ type: AuthEventType.MfaReset, at: ctx.at, userId, username: user.username, sessionId: null, ip: null, actor: ctx.actor }, trx);
    return ended.length;
  });
}

/** End every session of a user, by an administrator (logout-all, one event per session). The sessions ended. */
export async function endAllSessions(db: CareDb, userId: number, at: number, by: AdminActor): Promise<number> {
  const ctx = changeContext(at, by.actor);
  return inAuditedTransaction(db, async (trx) => {
    const user = await requireUser(trx, userId);
    await recordChanges(trx, [changeRecord(ctx, 'user', userId, 'logout-all', {}, {})]);
    return logoutAll(trx, user, { ip: null, actor: ctx.actor, emit: by.emit }, ctx.at);
  });
}

/** The user's open sessions, newest first (some may have timed out and not been swept yet). */
export async function userSessions(db: CareDb, userId: number): Promise<SessionRecord[]> {
  await requireUser(db, userId);
  return listOpenSessions(db, userId);
}
