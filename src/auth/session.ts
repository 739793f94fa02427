import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Session tokens and their rules (OWASP ASVS 3.2, 3.3; OWASP Session Management Cheat Sheet).
 * The token is 32 random bytes (256 bits, ASVS 3.2.2 asks for at least 64 bits of entropy) in
 * base64url; the database keeps only its SHA-256, so a copy of the database opens no session.
 */
export const SESSION_TOKEN_BYTES = 32;
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/** Why a session ended; recorded on the session row. */
export const SessionEndReason = {
  /** The user signed out. */
  Logout: 'logout',
  /** The user (or an administrator) ended every session of the user. */
  LogoutAll: 'logout-all',
  /** No authenticated request within the idle timeout (ASVS 3.3.1). */
  IdleTimeout: 'idle-timeout',
  /** The absolute lifetime passed, however active the session was (ASVS 3.3.3). */
  AbsoluteTimeout: 'absolute-timeout',
  /** The user was disabled. */
  Disabled: 'disabled',
  /** An administrator set or reset the password (ASVS 3.3.3 terminate on credential change). */
  PasswordReset: 'password-reset',
  /** The user changed their own password: their other sessions end. */
  PasswordChanged: 'password-changed',
  /** An administrator removed the user's TOTP enrolment (a lost or stolen authenticator). */
  MfaReset: 'mfa-reset',
} as const;
export type SessionEndReason = (typeof SessionEndReason)[keyof typeof SessionEndReason];

/** A new random session token (base64url, 43 characters). */
export const newSessionToken = (): string => randomBytes(SESSION_TOKEN_BYTES).toString('base64url');

/** Whether a cookie value can be a token at all (checked before any database lookup). */
export const isWellFormedToken = (value: string | undefined): value is string => value !== undefined && TOKEN_RE.test(value);

/** What the database stores and looks sessions up by: SHA-256 of the token, hex. */
export const tokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * The session's CSRF token (synchronizer token, OWASP CSRF Cheat Sheet): derived from the session
 * token with a separate label, so it needs no storage, changes with the session, and reveals
 * neither the token nor the stored hash.
 */
export const csrfTokenFor = (token: string): string =>
  createHash('sha256').update('carecoord-csrf\0', 'utf8').update(token, 'utf8').digest('base64url');

/** Constant-time comparison of the expected CSRF token with the header's (ASVS 13.2.3). */
export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface SessionTimes {
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface SessionPolicy {
  sessionIdleMs: number;
  sessionLifetimeMs: number;
}

/** When the session ends unless used again: the earlier of the idle deadline and the absolute end. */
export const idleDeadline = (s: SessionTimes, policy: SessionPolicy): number => Math.min(s.lastSeenAt + policy.sessionIdleMs, s.expiresAt);

/** Whether an open session is still valid at `now`, or which timeout ended it (absolute first). */
export function sessionExpiry(s: SessionTimes, policy: SessionPolicy, now: number): 'active' | typeof SessionEndReason.IdleTimeout | typeof SessionEndReason.AbsoluteTimeout {
  if (now >= s.expiresAt) return SessionEndReason.AbsoluteTimeout;
  if (now >= s.lastSeenAt + policy.sessionIdleMs) return SessionEndReason.IdleTimeout;
  return 'active';
}
