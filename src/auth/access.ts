import type { Credentials } from './types.js';

/**
 * What a session may do (pure). `full`: every API route. The others hold a session that can only
 * reach its own auth routes until the user finishes a step: `mfa-enrolment` (the role requires
 * TOTP and none is enrolled) and `password-change` (an administrator reset the password).
 */
export const SessionAccess = {
  Full: 'full',
  MfaEnrolment: 'mfa-enrolment',
  PasswordChange: 'password-change',
} as const;
export type SessionAccess = (typeof SessionAccess)[keyof typeof SessionAccess];

/** Whether the user's roles require TOTP by policy (CARECOORD_MFA_REQUIRED_ROLES). */
export const mfaRequiredByRole = (user: Pick<Credentials, 'roles'>, requiredRoles: readonly string[]): boolean =>
  user.roles.some((r) => requiredRoles.includes(r));

/** Whether sign-in asks for a TOTP code: enrolled users always, others when their role requires it. */
export const mfaRequired = (user: Pick<Credentials, 'roles' | 'mfaEnrolled'>, requiredRoles: readonly string[]): boolean =>
  user.mfaEnrolled || mfaRequiredByRole(user, requiredRoles);

/** The session's access, from the user's current row (so a change of roles applies at the next request). */
export function sessionAccess(user: Pick<Credentials, 'roles' | 'mfaEnrolled' | 'mustChangePassword'>, requiredRoles: readonly string[]): SessionAccess {
  if (user.mustChangePassword) return SessionAccess.PasswordChange;
  if (mfaRequiredByRole(user, requiredRoles) && !user.mfaEnrolled) return SessionAccess.MfaEnrolment;
  return SessionAccess.Full;
}
