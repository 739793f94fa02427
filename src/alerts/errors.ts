/**
 * The alert capability's failures: a closed set of codes that callers branch on (the CLI exits 2, the
 * HTTP layer maps them to statuses). Messages name rule ids, fields and alert ids only, never PHI.
 */
export const AlertErrorCode = {
  /** The rule definition is not an object of the expected shape, or a field is missing or malformed; `field` names it. */
  InvalidRule: 'alerts.invalid_rule',
  /** The CEL condition does not parse. */
  ConditionSyntax: 'alerts.condition_syntax',
  /** The CEL condition parses but does not type-check against the evaluation context, or is not a bool. */
  ConditionType: 'alerts.condition_type',
  /** A template placeholder names no field of the evaluation context, or is malformed. */
  UnknownPlaceholder: 'alerts.unknown_placeholder',
  /** The rule or alert does not exist. */
  NotFound: 'alerts.not_found',
  /** The lifecycle change is not allowed from the alert's status (e.g. acknowledging a resolved alert). */
  InvalidTransition: 'alerts.invalid_transition',
  /** A lifecycle input is missing or out of range (a snooze in the past, an empty resolution). */
  InvalidInput: 'alerts.invalid_input',
} as const;
export type AlertErrorCode = (typeof AlertErrorCode)[keyof typeof AlertErrorCode];

export class AlertError extends Error {
  override readonly name = 'AlertError';

  constructor(
    readonly code: AlertErrorCode,
    message: string,
    /** The definition or input field at fault (e.g. 'condition', 'recipients[1]', 'message'). */
    readonly field?: string,
  ) {
    super(message);
  }
}

export const invalidRule = (field: string, message: string): AlertError => new AlertError(AlertErrorCode.InvalidRule, message, field);
