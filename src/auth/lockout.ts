/**
 * Account lockout (OWASP ASVS 2.2.1, Authentication Cheat Sheet "Account Lockout"): after
 * `maxFailedLogins` consecutive failures the account is locked for `lockoutMs`; the count starts
 * again from zero after the lock. Attempts during a lock are refused without checking the password
 * and do not extend it (no way to keep a user locked out forever with one request per period).
 */
export interface LoginState {
  failedLogins: number;
  lockedUntil: number | null;
}

export interface LockoutPolicy {
  maxFailedLogins: number;
  lockoutMs: number;
}

/** Whether the account is locked at `now`. */
export const isLocked = (s: LoginState, now: number): boolean => s.lockedUntil !== null && s.lockedUntil > now;

/** Seconds until the lock ends (at least 1), for Retry-After. */
export const lockSecondsLeft = (s: LoginState, now: number): number => Math.max(1, Math.ceil(((s.lockedUntil ?? now) - now) / 1000));

/** The state after one more failed sign-in at `now`: the failure that reaches the limit locks. */
export function afterFailure(s: LoginState, policy: LockoutPolicy, now: number): LoginState {
  const failed = s.failedLogins + 1;
  if (failed >= policy.maxFailedLogins) return { failedLogins: 0, lockedUntil: now + policy.lockoutMs };
  // A lock that has run out is cleared on the next write.
  return { failedLogins: failed, lockedUntil: isLocked(s, now) ? s.lockedUntil : null };
}

/** The state after a successful sign-in. */
export const afterSuccess = (): LoginState => ({ failedLogins: 0, lockedUntil: null });

/**
 * The same lockout for usernames that do not exist, kept in memory (one node): without it a
 * locked account (423) would tell which usernames exist. Bounded: the oldest entries go first.
 */
export class UnknownUserLockouts {
  private readonly states = new Map<string, LoginState>();

  constructor(private readonly policy: LockoutPolicy, private readonly maxEntries = 10_000) {}

  state(username: string): LoginState {
    return this.states.get(username) ?? { failedLogins: 0, lockedUntil: null };
  }

  fail(username: string, now: number): LoginState {
    const next = afterFailure(this.state(username), this.policy, now);
    this.states.delete(username);
    this.states.set(username, next);
    if (this.states.size > this.maxEntries) this.states.delete(this.states.keys().next().value!);
    return next;
  }
}
