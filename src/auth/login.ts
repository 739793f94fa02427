import type { AuthConfig } from '../config.js';
import { inAuditedTransaction } from '../audit/index.js';
import type { CareDb } from '../store/care/db.js';
import { claimTotpStep, getCredentialsByUsername, lockCredentials, saveLoginState } from '../store/auth.js';
import { mfaRequired, sessionAccess, type SessionAccess } from './access.js';
import { AuthError, AuthErrorCode, invalidCredentials } from './errors.js';
import { AuthEventType } from './events.js';
import { afterFailure, afterSuccess, isLocked, lockSecondsLeft, type UnknownUserLockouts } from './lockout.js';
import { verifyDummyPassword, verifyPassword } from './password.js';
import { startSession, type ClientInfo, type Emit, type IssuedSession } from './session-service.js';
import { checkTotp } from './totp.js';
import type { Credentials } from './types.js';

export interface LoginInput {
  username: string;
  password: string;
  /** The 6-digit TOTP code, for users who have enrolled. */
  totp?: string | undefined;
}

export interface LoginContext {
  db: CareDb;
  config: AuthConfig;
  /** The lockout of usernames that do not exist (memory, one node). */
  unknownUsers: UnknownUserLockouts;
  emit: Emit;
}

export interface LoginSuccess extends IssuedSession {
  user: Credentials;
  access: SessionAccess;
  /** Whether this account signs in with a TOTP code (enrolled, or required by role). */
  mfaRequired: boolean;
}

/**
 * Sign in (OWASP ASVS 2.2, Authentication Cheat Sheet). Every failure that could tell whether a
 * username exists gives the same auth.invalid_credentials after the same argon2id work: an unknown
 * user, a user without password or disabled runs a check against a dummy hash. A locked account
 * (real or unknown username alike) gets auth.locked without its password being checked. An account
 * with TOTP enrolled and no code given gets auth.mfa_required once the password is right; a wrong
 * or already used code counts as a failure. Success resets the failure count and opens a session.
 */
export async function login(ctx: LoginContext, input: LoginInput, client: ClientInfo, now: number): Promise<LoginSuccess> {
  const username = input.username.trim().toLowerCase();
  const user = await getCredentialsByUsername(ctx.db, username);
  const failed: Failed = (reason, extra = {}, db = ctx.db) => ctx.emit({
    // An unknown username is not recorded: it may be a password typed into the wrong field (OWASP Logging Cheat Sheet).
    type: AuthEventType.LoginFailed, at: now, userId: extra.userId ?? null, username: user?.username ?? null, sessionId: null, ip: client.ip, reason,
    ...(extra.locked ? { locked: true } : {}),
  }, db);
  if (!user) {
    if (isLocked(ctx.unknownUsers.state(username), now)) {
      await failed('locked');
      throw locked(lockSecondsLeft(ctx.unknownUsers.state(username), now));
    }
    await verifyDummyPassword(input.password);
    ctx.unknownUsers.fail(username, now);
    await failed('unknown-user');
    throw invalidCredentials();
  }
  if (isLocked(user, now)) {
    await failed('locked', { userId: user.userId });
    throw locked(lockSecondsLeft(user, now));
  }
  const passwordOk = user.passwordHash === null ? await verifyDummyPassword(input.password) : await verifyPassword(user.passwordHash, input.password);
  const refusal = user.passwordHash === null ? 'no-password' : !passwordOk ? 'wrong-password' : user.status !== 'active' ? 'disabled' : undefined;
  if (refusal) await failAndThrow(ctx, user, refusal, failed, now);
  if (user.mfaEnrolled) {
    if (input.totp === undefined || input.totp === '') throw new AuthError(AuthErrorCode.MfaRequired, 'enter the 6-digit code from your authenticator app');
    const check = await checkTotp(user.mfaSecret!, input.totp, now, user.mfaLastStep);
    if (!check.valid || !(await claimTotpStep(ctx.db, user.userId, check.step))) await failAndThrow(ctx, user, 'wrong-totp', failed, now);
  }
  const issued = await inAuditedTransaction(ctx.db, async (trx) => {
    if (user.failedLogins > 0 || user.lockedUntil !== null) await saveLoginState(trx, user.userId, afterSuccess());
    const started = await startSession(trx, user.userId, ctx.config, client, now);
    await ctx.emit({ type: AuthEventType.LoginSucceeded, at: now, userId: user.userId, username: user.username, sessionId: started.session.id, ip: client.ip }, trx);
    return started;
  });
  return { ...issued, user, access: sessionAccess(user, ctx.config.mfaRequiredRoles), mfaRequired: mfaRequired(user, ctx.config.mfaRequiredRoles) };
}

type Failed = (reason: string, extra?: { userId?: number; locked?: boolean }, db?: CareDb) => Promise<void>;

/** Count the failure (locking at the limit), report it in the same transaction, and answer the one generic error. */
async function failAndThrow(ctx: LoginContext, user: Credentials, reason: string, failed: Failed, now: number): Promise<never> {
  await inAuditedTransaction(ctx.db, async (trx) => {
    const current = await lockCredentials(trx, user.userId);
    const state = afterFailure(current ?? user, ctx.config, now);
    await saveLoginState(trx, user.userId, state);
    // The account was not locked when this attempt began, so a lock now is this failure's.
    await failed(reason, { userId: user.userId, locked: state.lockedUntil !== null }, trx);
  });
  throw invalidCredentials();
}

const locked = (seconds: number): AuthError =>
  new AuthError(AuthErrorCode.Locked, 'too many failed sign-ins: the account is locked for a while, try again later', seconds);
