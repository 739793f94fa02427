import { describe, expect, it } from 'vitest';
import { sessionAccess } from './access.js';
import { csrfMatches, csrfTokenFor, idleDeadline, isWellFormedToken, newSessionToken, sessionExpiry, tokenHash } from './session.js';

const policy = { sessionIdleMs: 15 * 60_000, sessionLifetimeMs: 12 * 3_600_000 };
const s = { createdAt: 0, lastSeenAt: 0, expiresAt: policy.sessionLifetimeMs };

describe('session tokens', () => {
  it('are 32 random bytes in base64url; the stored hash and the CSRF token are neither the token nor each other', () => {
    const token = newSessionToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(isWellFormedToken(token)).toBe(true);
    expect(isWellFormedToken(`${token}=`)).toBe(false);
    expect(isWellFormedToken(undefined)).toBe(false);
    expect(tokenHash(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set([token, tokenHash(token), csrfTokenFor(token)]).size).toBe(3);
    expect(csrfTokenFor(token)).toBe(csrfTokenFor(token));
    expect(csrfTokenFor(newSessionToken())).not.toBe(csrfTokenFor(token));
  });

  it('compares CSRF tokens exactly', () => {
    const csrf = csrfTokenFor(newSessionToken());
    expect(csrfMatches(csrf, csrf)).toBe(true);
    expect(csrfMatches(csrf, undefined)).toBe(false);
    expect(csrfMatches(csrf, csrf.slice(1))).toBe(false);
    expect(csrfMatches(csrf, `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
  });
});

describe('session expiry', () => {
  it('ends by inactivity after the idle timeout, and at the absolute end whatever the activity', () => {
    expect(sessionExpiry(s, policy, 15 * 60_000 - 1)).toBe('active');
    expect(sessionExpiry(s, policy, 15 * 60_000)).toBe('idle-timeout');
    const busy = { ...s, lastSeenAt: policy.sessionLifetimeMs - 1000 };
    expect(sessionExpiry(busy, policy, policy.sessionLifetimeMs - 1)).toBe('active');
    expect(sessionExpiry(busy, policy, policy.sessionLifetimeMs)).toBe('absolute-timeout');
    expect(idleDeadline(busy, policy)).toBe(policy.sessionLifetimeMs);
    expect(idleDeadline(s, policy)).toBe(15 * 60_000);
  });

  it('confines a session to the step the user must finish first', () => {
    const user = { roles: ['admin' as const], mfaEnrolled: false, mustChangePassword: false };
    expect(sessionAccess(user, ['admin'])).toBe('mfa-enrolment');
    expect(sessionAccess(user, [])).toBe('full');
    expect(sessionAccess({ ...user, mfaEnrolled: true }, ['admin'])).toBe('full');
    expect(sessionAccess({ ...user, mustChangePassword: true }, ['admin'])).toBe('password-change');
  });
});
