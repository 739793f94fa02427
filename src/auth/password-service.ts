import { recordChanges } from '../store/care/changes.js';
import { inAuditedTransaction } from '../audit/index.js';
import type { CareDb } from '../store/care/db.js';
import { getCredentials, savePassword } from '../store/auth.js';
import { endUserSessions } from '../store/auth-sessions.js';
import { changeContext, changeRecord } from '../care/history.js';
import { notFound } from '../care/errors.js';
import { AuthError, AuthErrorCode } from './errors.js';
import { AuthEventType } from './events.js';
import { assertPasswordPolicy, hashPassword, oneTimePassword, verifyPassword } from './password.js';
import { SessionEndReason } from './session.js';
import type { Emit } from './session-service.js';
import type { Credentials, SessionRecord } from './types.js';

/** An administrator's change: who (`actor`, as in care_change) and where the event goes. */
export interface AdminActor {
  actor: string;
  emit: Emit;
}

/**
 * An administrator sets a user's password (policy checked). Every session of the user ends
 * (password-reset), a lock is cleared, and the change is recorded in care_change and reported
 * (never the password). With `mustChange` the user must change it at next sign-in. The sessions ended.
 */
export async function setPassword(db: CareDb, userId: number, password: string, options: { mustChange: boolean }, at: number, by: AdminActor): Promise<number> {
  const user = await requireUser(db, userId);
  assertPasswordPolicy(password, user.username);
  const hash = await hashPassword(password);
  return storePassword(db, user, hash, options.mustChange, 'password-set', at, by);
}

/**
 * An administrator resets a user's password to a random one-time password, returned once (to be
 * handed over out of band) and never stored in clear; the user must change it at next sign-in.
 */
export async function resetPassword(db: CareDb, userId: number, at: number, by: AdminActor): Promise<{ oneTimePassword: string; sessionsEnded: number }> {
  const user = await requireUser(db, userId);
  const password = oneTimePassword();
  const sessionsEnded = await storePassword(db, user, await hashPassword(password), true, 'password-reset', at, by);
  return { oneTimePassword: password, sessionsEnded };
}

/**
 * The signed-in user changes their own password: the current one must be right
 * (auth.wrong_password), the new one pass the policy and differ. Their other sessions end
 * (password-changed); the caller rotates this session's token.
 */
export async function changeOwnPassword(db: CareDb, session: SessionRecord, passwords: { current: string; next: string }, who: { ip: string | null; emit: Emit }, at: number): Promise<void> {
  const user = await getCredentials(db, session.userId);
  if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, passwords.current))) throw new AuthError(AuthErrorCode.WrongPassword, 'the current password is not right');
  assertPasswordPolicy(passwords.next, user.username);
  if (await verifyPassword(user.passwordHash, passwords.next)) throw new AuthError(AuthErrorCode.PasswordPolicy, 'the new password must differ from the current one');
  const hash = await hashPassword(passwords.next);
  await inAuditedTransaction(db, async (trx) => {
    await savePassword(trx, user.userId, hash, at, false);
    await endUserSessions(trx, user.userId, SessionEndReason.PasswordChanged, at, session.id);
    await who.emit({ type: AuthEventType.PasswordChanged, at, userId: user.userId, username: user.username, sessionId: session.id, ip: who.ip }, trx);
  });
}

async function requireUser(db: CareDb, userId: number): Promise<Credentials> {
  const user = await getCredentials(db, userId);
  if (!user) throw notFound('user', userId);
  return user;
}

async function storePassword(db: CareDb, user: Credentials, hash: string, mustChange: boolean, action: 'password-set' | 'password-reset', at: number, by: AdminActor): Promise<number> {
  const ctx = changeContext(at, by.actor);
  return inAuditedTransaction(db, async (trx) => {
    await savePassword(trx, user.userId, hash, ctx.at, mustChange);
    const ended = await endUserSessions(trx, user.userId, SessionEndReason.PasswordReset, ctx.at);
    await recordChanges(trx, [changeRecord(ctx, 'user', user.userId, action, {}, { mustChange, sessionsEnded: ended.length })]);
    await by.emit({ type: AuthEventType.PasswordSet, at: ctx.at, userId: user.userId, username: user.username, sessionId: null, ip: null, reason: action, actor: ctx.actor }, trx);
    return ended.length;
  });
}
