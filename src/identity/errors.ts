/**
 * Closed set of identity error codes and the one error class thrown here. Callers branch on `code`.
 */

export const IdentityErrorCode = {
  /** A MatchModel (or an override) that compare() cannot use: unknown field or level, m or u
   *  outside (0, 1], thresholds out of order, a missing level. `path` names the offending entry. */
  INVALID_MODEL: 'INVALID_MODEL',
} as const;
export type IdentityErrorCode = (typeof IdentityErrorCode)[keyof typeof IdentityErrorCode];

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
    /** Where in the input the problem is, e.g. 'fields.given.levels.exact.m'. */
    readonly path?: string,
  ) {
    super(message);
  }
}
