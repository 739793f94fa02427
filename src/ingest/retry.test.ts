import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, nextRetryAt, ProcessErrorCode } from './retry.js';

describe('nextRetryAt', () => {
  it('backs off exponentially and parks after the last attempt', () => {
    const at = [1, 2, 3, 4].map((n) => nextRetryAt(n, ProcessErrorCode.HandlerError, 0, DEFAULT_RETRY));
    expect(at).toEqual([1000, 2000, 4000, 8000]);
    expect(nextRetryAt(5, ProcessErrorCode.HandlerError, 0, DEFAULT_RETRY)).toBeNull();
  });

  it('parks at once what retrying cannot fix', () => {
    expect(nextRetryAt(1, ProcessErrorCode.InvalidContent, 0, DEFAULT_RETRY)).toBeNull();
    expect(nextRetryAt(1, ProcessErrorCode.Unparseable, 0, DEFAULT_RETRY)).toBeNull();
  });

  it('caps the delay', () => {
    expect(nextRetryAt(20, 'x', 0, { maxAttempts: 50, baseDelayMs: 1000, maxDelayMs: 60_000 })).toBe(60_000);
  });
});
