import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthConfig } from '../config.js';
import type { UserRole } from '../care/user.js';
import type { CareDb } from '../store/care/db.js';
import { touchSession } from '../store/auth-sessions.js';
import { SessionAccess } from './access.js';
import { AUTH_ERROR_STATUS, AuthError, AuthErrorCode } from './errors.js';
import { csrfMatches, idleDeadline, SessionEndReason } from './session.js';
import { resolveSession, type Emit, type IssuedSession } from './session-service.js';
import type { Credentials, SessionRecord } from './types.js';

/** What `request.user` holds once requireUser has let a request through. */
export interface SessionUser {
  id: number;
  username: string;
  roles: UserRole[];
  sessionId: number;
}

/** What the auth routes and requireUser share. */
export interface AuthHttp {
  db: CareDb;
  config: AuthConfig;
  emit: Emit;
  now: () => number;
}

/**
 * The session cookie (OWASP Session Management Cheat Sheet, RFC 6265bis §4.1.3.2): HttpOnly,
 * SameSite=Strict, Path=/, no Domain, no Max-Age (it ends with the browser; the server ends it
 * sooner), Secure with the `__Host-` prefix, which browsers accept only then. Only
 * CARECOORD_INSECURE_COOKIES (development over plain HTTP) drops Secure and the prefix.
 */
export const cookieName = (config: AuthConfig): string => (config.insecureCookies ? 'carecoord_session' : '__Host-carecoord_session');
const cookieOptions = (config: AuthConfig) => ({ path: '/', httpOnly: true, sameSite: 'strict', secure: !config.insecureCookies }) as const;

export const setSessionCookie = (reply: FastifyReply, config: AuthConfig, token: string): FastifyReply => reply.setCookie(cookieName(config), token, cookieOptions(config));
export const clearSessionCookie = (reply: FastifyReply, config: AuthConfig): FastifyReply => reply.clearCookie(cookieName(config), cookieOptions(config));

/** The one error shape: `{ error: { code, message } }`, with Retry-After for locks and rate limits. */
export function sendAuthError(reply: FastifyReply, err: AuthError): FastifyReply {
  if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
  return reply.code(AUTH_ERROR_STATUS[err.code]).send({ error: { code: err.code, message: err.message } });
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ENDED_MESSAGES: Partial<Record<SessionEndReason, string>> = {
  [SessionEndReason.IdleTimeout]: 'the session ended after a period of inactivity: sign in again',
  [SessionEndReason.AbsoluteTimeout]: 'the session reached its maximum length: sign in again',
};

export interface Authenticated {
  session: SessionRecord;
  user: Credentials;
  access: SessionAccess;
  csrfToken: string;
}

/**
 * Authenticate a request by its session cookie: an open session (else 401 auth.unauthenticated,
 * or auth.session_expired after a timeout, the cookie cleared), the X-CSRF-Token header on writes
 * (403 auth.csrf_invalid), an access the route allows (403 auth.mfa_enrolment_required /
 * auth.password_change_required). Then, if `slide`, the idle deadline moves to now + idle timeout,
 * and request.user is set. Throws AuthError.
 */
export async function authenticate(h: AuthHttp, request: FastifyRequest, reply: FastifyReply, options: { slide: boolean; allow: readonly SessionAccess[] }): Promise<Authenticated> {
  const now = h.now();
  const resolved = await resolveSession(h.db, request.cookies[cookieName(h.config)], h.config, { emit: h.emit, ip: request.ip }, now);
  if (resolved.kind !== 'open') {
    if (request.cookies[cookieName(h.config)] !== undefined) clearSessionCookie(reply, h.config);
    const expired = resolved.kind === 'ended' ? ENDED_MESSAGES[resolved.reason] : undefined;
    throw expired ? new AuthError(AuthErrorCode.SessionExpired, expired) : new AuthError(AuthErrorCode.Unauthenticated, 'sign in first');
  }
  const header = request.headers['x-csrf-token'];
  if (WRITES.has(request.method) && !csrfMatches(resolved.csrfToken, typeof header === 'string' ? header : undefined)) {
    throw new AuthError(AuthErrorCode.CsrfInvalid, 'this request needs the X-CSRF-Token header given at sign-in');
  }
  if (!options.allow.includes(resolved.access)) {
    throw resolved.access === SessionAccess.MfaEnrolment
      ? new AuthError(AuthErrorCode.MfaEnrolmentRequired, 'enrol an authenticator app first (POST /api/auth/mfa/enroll)')
      : new AuthError(AuthErrorCode.PasswordChangeRequired, 'change your password first (POST /api/auth/password)');
  }
  let session = resolved.session;
  if (options.slide) {
    await touchSession(h.db, session.id, now);
    session = { ...session, lastSeenAt: now };
  }
  request.user = { id: resolved.user.userId, username: resolved.user.username, roles: resolved.user.roles, sessionId: session.id };
  return { session, user: resolved.user, access: resolved.access, csrfToken: resolved.csrfToken };
}

/** The session reply (schemas.sessionReply). */
export function sessionView(h: AuthHttp, a: Authenticated, mfaRequired: boolean) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    user: { id: a.user.userId, username: a.user.username, displayName: a.user.displayName, roles: a.user.roles },
    csrfToken: a.csrfToken,
    access: a.access,
    mfaRequired,
    enrolmentRequired: a.access === SessionAccess.MfaEnrolment,
    passwordChangeRequired: a.access === SessionAccess.PasswordChange,
    idleExpiresAt: iso(idleDeadline(a.session, h.config)),
    expiresAt: iso(a.session.expiresAt),
    idleTimeoutSeconds: Math.round(h.config.sessionIdleMs / 1000),
    serverTime: iso(h.now()),
  };
}

/** The Authenticated of a freshly issued or rotated session. */
export const issuedAuth = (issued: IssuedSession, user: Credentials, access: SessionAccess): Authenticated =>
  ({ session: issued.session, user, access, csrfToken: issued.csrfToken });
