/**
 * The transitions capability's failures: a closed set of codes (settings are checked once, at start;
 * the reaction itself raises CareError from the care services it calls). Messages name files and
 * variables, never patient data.
 */
export const TransitionErrorCode = {
  /** CARECOORD_TIME_ZONE is not an IANA time zone the runtime knows. */
  InvalidTimeZone: 'transitions.invalid_time_zone',
  /** CARECOORD_HOLIDAYS_FILE cannot be read. */
  HolidayFileUnreadable: 'transitions.holiday_file_unreadable',
  /** CARECOORD_HOLIDAYS_FILE is neither a JSON list of dates nor a CSV with a date per line. */
  HolidayFileInvalid: 'transitions.holiday_file_invalid',
  /** A setting (complexity, business-day count) outside its closed set. */
  InvalidSetting: 'transitions.invalid_setting',
} as const;
export type TransitionErrorCode = (typeof TransitionErrorCode)[keyof typeof TransitionErrorCode];

export class TransitionError extends Error {
  override readonly name = 'TransitionError';

  constructor(
    readonly code: TransitionErrorCode,
    message: string,
  ) {
    super(message);
  }
}
