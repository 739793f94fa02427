/**
 * Sign-in and session failures: a closed set of codes. The HTTP layer answers
 * `{ error: { code, message } }` with AUTH_ERROR_STATUS[code]; the CLI exits 2 with the message.
 * Messages never say whether a username exists, and never carry a password, token or TOTP secret.
 */
export const AuthErrorCode = {
  /** Unknown user, wrong password, wrong or replayed TOTP code, disabled user, no password set: one answer for all (401). */
  InvalidCredentials: 'auth.invalid_credentials',
  /** The password was right and the account uses TOTP: send the code too (401). */
  MfaRequired: 'auth.mfa_required',
  /** Too many failed sign-ins: the account is locked for a while (423, Retry-After). */
  Locked: 'auth.locked',
  /** Too many sign-in attempts from this address or for this username (429, Retry-After). */
  RateLimited: 'auth.rate_limited',
  /** No session cookie, or one that names no open session (401). */
  Unauthenticated: 'auth.unauthenticated',
  /** The session ended by inactivity or by reaching its lifetime (401): sign in again. */
  SessionExpired: 'auth.session_expired',
  /** A write without the session's X-CSRF-Token header, or with another one (403). */
  CsrfInvalid: 'auth.csrf_invalid',
  /** The user's role requires TOTP and none is enrolled: only enrolment is possible (403). */
  MfaEnrolmentRequired: 'auth.mfa_enrolment_required',
  /** The password was reset by an administrator: only a password change is possible (403). */
  PasswordChangeRequired: 'auth.password_change_required',
  /** Enrolment asked for while TOTP is already enrolled (an administrator resets it) (409). */
  MfaAlreadyEnrolled: 'auth.mfa_already_enrolled',
  /** Confirmation without a pending enrolment (409). */
  MfaNotPending: 'auth.mfa_not_pending',
  /** The TOTP code given to confirm an enrolment is wrong (400). */
  InvalidMfaCode: 'auth.invalid_mfa_code',
  /** A password change gave a wrong current password (403). */
  WrongPassword: 'auth.wrong_password',
  /** The new password breaks the policy (length, username, common password) (400). */
  PasswordPolicy: 'auth.password_policy',
  /** The request does not match the route's schema (400). */
  InvalidRequest: 'auth.invalid_request',
  /** The change would leave no active administrator (a role change or a disable) (409). */
  LastAdministrator: 'auth.last_administrator',
  /** An administrator tried to disable their own account (409): another administrator does it. */
  SelfLockout: 'auth.self_lockout',
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

export const AUTH_ERROR_STATUS: Readonly<Record<AuthErrorCode, number>> = {
  [AuthErrorCode.InvalidCredentials]: 401,
  [AuthErrorCode.MfaRequired]: 401,
  [AuthErrorCode.Locked]: 423,
  [AuthErrorCode.RateLimited]: 429,
  [AuthErrorCode.Unauthenticated]: 401,
  [AuthErrorCode.SessionExpired]: 401,
  [AuthErrorCode.CsrfInvalid]: 403,
  [AuthErrorCode.MfaEnrolmentRequired]: 403,
  [AuthErrorCode.PasswordChangeRequired]: 403,
  [AuthErrorCode.MfaAlreadyEnrolled]: 409,
  [AuthErrorCode.MfaNotPending]: 409,
  [AuthErrorCode.InvalidMfaCode]: 400,
  [AuthErrorCode.WrongPassword]: 403,
  [AuthErrorCode.PasswordPolicy]: 400,
  [AuthErrorCode.InvalidRequest]: 400,
  [AuthErrorCode.LastAdministrator]: 409,
  [AuthErrorCode.SelfLockout]: 409,
};

export class AuthError extends Error {
  override readonly name = 'AuthError';

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    /** For locked and rate-limited: seconds until trying again makes sense (the Retry-After header). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** The one answer to a failed sign-in, whatever failed (OWASP ASVS 2.2: no account enumeration). */
export const invalidCredentials = (): AuthError => new AuthError(AuthErrorCode.InvalidCredentials, 'username, password or code is not valid');
