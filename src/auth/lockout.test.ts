import { describe, expect, it } from 'vitest';
import { afterFailure, afterSuccess, isLocked, lockSecondsLeft, UnknownUserLockouts } from './lockout.js';
import { FixedWindowLimiter } from './rate-limit.js';

const policy = { maxFailedLogins: 3, lockoutMs: 60_000 };

describe('lockout', () => {
  it('locks on the failure that reaches the limit and starts counting again after', () => {
    let s = { failedLogins: 0, lockedUntil: null as number | null };
    s = afterFailure(s, policy, 1000);
    s = afterFailure(s, policy, 2000);
    expect(s).toEqual({ failedLogins: 2, lockedUntil: null });
    s = afterFailure(s, policy, 3000);
    expect(s).toEqual({ failedLogins: 0, lockedUntil: 63_000 });
    expect(isLocked(s, 62_999)).toBe(true);
    expect(lockSecondsLeft(s, 3000)).toBe(60);
    expect(isLocked(s, 63_000)).toBe(false);
    expect(afterFailure(s, policy, 64_000)).toEqual({ failedLogins: 1, lockedUntil: null });
    expect(afterSuccess()).toEqual({ failedLogins: 0, lockedUntil: null });
  });

  it('locks unknown usernames the same way, in bounded memory', () => {
    const book = new UnknownUserLockouts(policy, 2);
    for (let i = 0; i < 3; i++) book.fail('ghost', 1000);
    expect(isLocked(book.state('ghost'), 2000)).toBe(true);
    book.fail('a', 1000);
    book.fail('b', 1000);
    expect(book.state('ghost')).toEqual({ failedLogins: 0, lockedUntil: null });
  });
});

describe('FixedWindowLimiter', () => {
  it('allows the limit per key per window, then says how long to wait', () => {
    const limiter = new FixedWindowLimiter(2, 60_000);
    expect(limiter.take('ip', 0).allowed).toBe(true);
    expect(limiter.take('ip', 10_000).allowed).toBe(true);
    expect(limiter.take('ip', 15_000)).toEqual({ allowed: false, retryAfterSeconds: 45 });
    expect(limiter.take('other', 15_000).allowed).toBe(true);
    expect(limiter.take('ip', 60_000).allowed).toBe(true);
  });

  it('stays bounded under a flood of distinct keys', () => {
    const limiter = new FixedWindowLimiter(1, 60_000, 100);
    for (let i = 0; i < 1000; i++) limiter.take(`k${i}`, 0);
    expect((limiter as unknown as { windows: Map<string, unknown> }).windows.size).toBeLessThanOrEqual(100);
  });
});
