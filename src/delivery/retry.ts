/** Retry policy of one channel: attempts per channel and exponential backoff. */
export interface RetryPolicy {
  /** Attempts on one channel before falling over to the next (>= 1). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 30_000, maxDelayMs: 15 * 60_000 };

/** What follows a failed attempt. */
export type AfterFailure = { kind: 'retry'; at: number } | { kind: 'fallover' };

/**
 * After attempt `attempt` (1-based) failed: retry on the same channel after base * 2^(attempt-1)
 * (capped), or, when the attempts are used up or the failure is not retryable, fall over (pure).
 */
export function afterFailure(attempt: number, retryable: boolean, policy: RetryPolicy, now: number): AfterFailure {
  if (!retryable || attempt >= policy.maxAttempts) return { kind: 'fallover' };
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return { kind: 'retry', at: now + delay };
}
