import type { AuthConfig } from '../config.js';
import { inAuditedTransaction } from '../audit/index.js';
import type { CareDb } from '../store/care/db.js';
import { getCredentials } from '../store/auth.js';
import * as sessions from '../store/auth-sessions.js';
import { sessionAccess, type SessionAccess } from './access.js';
import { AuthEventType, type AuthEvent } from './events.js';
import { csrfTokenFor, isWellFormedToken, newSessionToken, SessionEndReason, sessionExpiry, tokenHash } from './session.js';
import type { Credentials, SessionRecord } from './types.js';

/** Reports one event in `db`, the transaction of the change it reports (see OnAuthEvent); a throw rolls the change back. */
export type Emit = (event: AuthEvent, db: CareDb) => Promise<void>;

export interface IssuedSession {
  /** The cookie value: returned once, never stored. */
  token: string;
  csrfToken: string;
  session: SessionRecord;
}

/** Where a request comes from, kept on the session for the user's session list. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** Open a session for a user who just proved who they are: a fresh token, never one the client chose (ASVS 3.2.1). In the caller's transaction. */
export async function startSession(db: CareDb, userId: number, config: AuthConfig, client: ClientInfo, now: number): Promise<IssuedSession> {
  const token = newSessionToken();
  const session = await sessions.insertSession(db, {
    tokenHash: tokenHash(token), userId, createdAt: now, lastSeenAt: now, expiresAt: now + config.sessionLifetimeMs,
    ip: client.ip, userAgent: client.userAgent?.slice(0, 256) ?? null,
  });
  return { token, csrfToken: csrfTokenFor(token), session };
}

/** Give the session a new token (after MFA enrolment or a password change); the old cookie stops working. */
export async function rotateSession(db: CareDb, session: SessionRecord, now: number): Promise<IssuedSession> {
  const token = newSessionToken();
  await sessions.replaceSessionToken(db, session.id, tokenHash(token), now);
  return { token, csrfToken: csrfTokenFor(token), session: { ...session, lastSeenAt: now } };
}

export type ResolvedSession =
  | { kind: 'open'; session: SessionRecord; user: Credentials; access: SessionAccess; csrfToken: string }
  | { kind: 'none' }
  | { kind: 'ended'; reason: SessionEndReason };

/**
 * The session a cookie token names, checked at `now`: unknown -> none; already ended, or ended now
 * because it idled out, reached its lifetime or its user is disabled -> ended with the reason
 * (recorded once, with one event). Does not slide the idle deadline: the caller does that once its
 * own checks pass (touchSession), and the dashboard's "when do I time out" poll does not.
 */
export async function resolveSession(db: CareDb, token: string | undefined, config: AuthConfig, options: { emit: Emit; ip: string | null }, now: number): Promise<ResolvedSession> {
  if (!isWellFormedToken(token)) return { kind: 'none' };
  const session = await sessions.findSessionByTokenHash(db, tokenHash(token));
  if (!session) return { kind: 'none' };
  if (session.endedAt !== null) return { kind: 'ended', reason: session.endReason ?? SessionEndReason.Logout };
  const user = await getCredentials(db, session.userId);
  const expiry = sessionExpiry(session, config, now);
  if (user?.status === 'active' && expiry === 'active') {
    return { kind: 'open', session, user, access: sessionAccess(user, config.mfaRequiredRoles), csrfToken: csrfTokenFor(token) };
  }
  const reason = user?.status !== 'active' ? SessionEndReason.Disabled : (expiry as SessionEndReason);
  await inAuditedTransaction(db, async (trx) => {
    if (!(await sessions.endSession(trx, session.id, reason, now))) return;
    await options.emit({ type: AuthEventType.SessionTimeout, at: now, userId: session.userId, username: user?.username ?? null, sessionId: session.id, ip: options.ip, reason }, trx);
  });
  return { kind: 'ended', reason };
}

/** Sign out of this session. */
export async function logout(db: CareDb, session: SessionRecord, user: Credentials, ip: string | null, emit: Emit, now: number): Promise<void> {
  await inAuditedTransaction(db, async (trx) => {
    if (!(await sessions.endSession(trx, session.id, SessionEndReason.Logout, now))) return;
    await emit({ type: AuthEventType.Logout, at: now, userId: user.userId, username: user.username, sessionId: session.id, ip, reason: SessionEndReason.Logout }, trx);
  });
}

/**
 * End every open session of the user (the user's "sign out everywhere", or an administrator's:
 * `actor`), one event per session. In the caller's transaction when given one. The number ended.
 */
export async function logoutAll(db: CareDb, user: Pick<Credentials, 'userId' | 'username'>, ctx: { ip: string | null; actor?: string; emit: Emit }, now: number): Promise<number> {
  return inAuditedTransaction(db, async (trx) => {
    const ended = await sessions.endUserSessions(trx, user.userId, SessionEndReason.LogoutAll, now);
    for (const id of ended) {
      await ctx.emit({
        type: AuthEventType.Logout, at: now, userId: user.userId, username: user.username, sessionId: id, ip: ctx.ip, reason: SessionEndReason.LogoutAll,
        ...(ctx.actor ? { actor: ctx.actor } : {}),
      }, trx);
    }
    return ended.length;
  });
}

/**
 * End the sessions that idled out or reached their lifetime without being presented again, so
 * their end and its reason are recorded (run by the plugin every minute). The sessions ended.
 */
export async function sweepExpiredSessions(db: CareDb, config: AuthConfig, emit: Emit, now: number): Promise<number> {
  return inAuditedTransaction(db, async (trx) => {
    const ended = await sessions.endExpiredSessions(trx, now, now - config.sessionIdleMs);
    for (const s of ended) await emit({ type: AuthEventType.SessionTimeout, at: now, userId: s.userId, username: null, sessionId: s.id, ip: null, reason: s.reason }, trx);
    return ended.length;
  });
}
