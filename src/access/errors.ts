/**
 * Access control failures: a closed set of codes (the HTTP layer maps them to statuses, see
 * ACCESS_ERROR_STATUS). Messages name ids only, and never say whether an out-of-scope patient exists.
 */
export const AccessErrorCode = {
  /**
   * No such patient or task, OR one the caller may not see: one answer for both (404), so a caller
   * cannot probe which patients exist (minimum necessary, HIPAA 45 CFR 164.502(b)).
   */
  NotFound: 'access.not_found',
  /** The caller's roles do not allow this action at all (break the glass, list grants) (403). */
  Forbidden: 'access.forbidden',
  /** A pagination cursor that no page of ours gave out (400). */
  InvalidCursor: 'access.invalid_cursor',
  /** A break-the-glass reason too short or too long (400). */
  InvalidReason: 'access.invalid_reason',
  /** A break-the-glass grant already reviewed (by someone else, or twice) (409). */
  AlreadyReviewed: 'access.already_reviewed',
  /** A patient search without enough to go on: an identifier, or a family name with a birth date (400). */
  InvalidSearch: 'access.invalid_search',
} as const;
export type AccessErrorCode = (typeof AccessErrorCode)[keyof typeof AccessErrorCode];

export const ACCESS_ERROR_STATUS: Readonly<Record<AccessErrorCode, number>> = {
  [AccessErrorCode.NotFound]: 404,
  [AccessErrorCode.Forbidden]: 403,
  [AccessErrorCode.InvalidCursor]: 400,
  [AccessErrorCode.InvalidReason]: 400,
  [AccessErrorCode.AlreadyReviewed]: 409,
  [AccessErrorCode.InvalidSearch]: 400,
};

export class AccessError extends Error {
  override readonly name = 'AccessError';

  constructor(
    readonly code: AccessErrorCode,
    message: string,
    /** What was asked for, for the audit entry of a refusal. */
    readonly subject?: { type: string; id: number; write?: boolean },
  ) {
    super(message);
  }
}

/** What an id in a request names (the audit entry of a refusal says which). */
export type Subject = 'patient' | 'task' | 'episode' | 'team-member' | 'goal' | 'intervention' | 'schedule' | 'alert';

/** Not found or not visible: one answer. `write` marks an attempted change (audited as update). */
export const notVisible = (what: Subject, id: number, write = false): AccessError =>
  new AccessError(AccessErrorCode.NotFound, `${what} ${id} was not found`, { type: what, id, ...(write ? { write } : {}) });
export const forbidden = (message: string): AccessError => new AccessError(AccessErrorCode.Forbidden, message);
