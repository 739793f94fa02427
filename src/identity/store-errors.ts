/**
 * Failures of identity's stored operations (resolve, merge, review, the match model file): a closed set
 * of codes that callers branch on (the CLI exits 2 with the message, the HTTP layer maps them to
 * statuses). Messages name ids only, never demographics.
 */
export const IdentityErrorCode = {
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
  /** The match model (CARECOORD_MATCH_MODEL) cannot be read or is not a valid model. */
  InvalidModel: 'identity.invalid_model',
} as const;
export type IdentityErrorCode = (typeof IdentityErrorCode)[keyof typeof IdentityErrorCode];

export class IdentityError extends Error {
  override readonly name = 'IdentityError';

  constructor(readonly code: IdentityErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export const notFound = (what: string, id: number | string): IdentityError => new IdentityError(IdentityErrorCode.NotFound, `${what} ${id} does not exist`);
