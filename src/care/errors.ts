/**
 * The care capability's failures: a closed set of codes that callers branch on (the HTTP layer maps
 * them to statuses, the CLI to exit code 2). Messages are readable and name ids only, never PHI.
 */
export const CareErrorCode = {
  /** The episode, member, goal, schedule, task, user or patient does not exist. */
  NotFound: 'care.not_found',
  /** The status change is not allowed from the current status (e.g. a finished episode back to active). */
  InvalidTransition: 'care.invalid_transition',
  /** A value is missing, malformed or outside its closed set; `field` names it. */
  InvalidInput: 'care.invalid_input',
  /** The request contradicts current state (a duplicate username, removing the only primary coordinator). */
  Conflict: 'care.conflict',
} as const;
export type CareErrorCode = (typeof CareErrorCode)[keyof typeof CareErrorCode];

export class CareError extends Error {
  override readonly name = 'CareError';

  constructor(
    readonly code: CareErrorCode,
    message: string,
    /** For care.invalid_input: the input field at fault. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: number | string): CareError => new CareError(CareErrorCode.NotFound, `${what} ${id} does not exist`);
export const invalidInput = (field: string, message: string): CareError => new CareError(CareErrorCode.InvalidInput, message, field);
export const conflict = (message: string): CareError => new CareError(CareErrorCode.Conflict, message);

/** A status change the transition table refuses. */
export function invalidTransition(what: string, id: number | null, from: string, to: string): CareError {
  const subject = id === null ? what : `${what} ${id}`;
  return new CareError(CareErrorCode.InvalidTransition, `${subject} cannot go from ${from} to ${to}`);
}
