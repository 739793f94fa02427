/**
 * Failures of identity's stored operations (merge, unmerge, review decisions): a closed set of codes
 * that callers branch on (the CLI prints the message and code, the HTTP layer maps them to statuses).
 * Messages name ids only, never demographics. (The matcher's own failures, an invalid model, are
 * IdentityError in errors.ts.)
 */
export const IdentityStoreErrorCode = {
  /** The patient, review or merge does not exist. */
  NotFound: 'identity.not_found',
  /** A merge of a patient into itself. */
  SamePatient: 'identity.same_patient',
  /** The patient is a merged tombstone (merge its survivor instead, or unmerge first). */
  Merged: 'identity.merged',
  /** The merge was already reversed. */
  AlreadyReversed: 'identity.already_reversed',
  /** The review was already decided (link or separate), or is open when an undo was asked. */
  InvalidReviewState: 'identity.invalid_review_state',
  /** The patient to link a review to is not one of its candidates. */
  NotACandidate: 'identity.not_a_candidate',
  /** The decision cannot be undone: what it changed has changed since (e.g. the patient was merged). */
  Conflict: 'identity.conflict',
} as const;
export type IdentityStoreErrorCode = (typeof IdentityStoreErrorCode)[keyof typeof IdentityStoreErrorCode];

export class IdentityStoreError extends Error {
  override readonly name = 'IdentityStoreError';

  constructor(readonly code: IdentityStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export const notFound = (what: string, id: number | string): IdentityStoreError => new IdentityStoreError(IdentityStoreErrorCode.NotFound, `${what} ${id} does not exist`);
