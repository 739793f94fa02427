/** Error codes of processing failures. A handler throws IngestError with one of these (or its own code). */
export const ProcessErrorCode = {
  /** The stored bytes no longer parse (a codec change, or an entry logged before validation). */
  Unparseable: 'unparseable',
  /** The handler threw something without a code: unexpected, retried then parked. */
  HandlerError: 'handler_error',
  /** The handler says the message can never succeed as is (bad content): parked at once. */
  InvalidContent: 'invalid_content',
  /** The database was unavailable or busy: always worth another try. */
  StoreUnavailable: 'store_unavailable',
} as const;
export type ProcessErrorCode = (typeof ProcessErrorCode)[keyof typeof ProcessErrorCode];

/** Codes that retrying cannot fix: the entry is parked for an operator at the first failure. */
export const NOT_RETRYABLE: ReadonlySet<string> = new Set([ProcessErrorCode.Unparseable, ProcessErrorCode.InvalidContent]);

export class IngestError extends Error {
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 300_000 };

/**
 * After failed attempt number `attempts` (1-based): when to try again, or null to park the entry.
 * Every attempt ran in a rolled-back transaction, so its outcome is known (nothing applied) and a
 * retry cannot apply anything twice. Exponential backoff: base, 2x base, 4x base... capped.
 */
export function nextRetryAt(attempts: number, code: string, now: number, policy: RetryPolicy): number | null {
  if (NOT_RETRYABLE.has(code) || attempts >= policy.maxAttempts) return null;
  return now + Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1));
}
