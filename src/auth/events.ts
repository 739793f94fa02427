import type { CareDb } from '../store/care/db.js';

/**
 * What authentication reports for the audit trail (HIPAA §164.312(b); OWASP ASVS 7.2.1 logs every
 * authentication decision): one event per sign-in, failed sign-in, sign-out, session timeout,
 * TOTP change, and administrator's password or role change. Events carry ids, the username and the
 * client address, never a password, token, CSRF token or TOTP secret or code.
 */
export const AuthEventType = {
  LoginSucceeded: 'auth.login',
  /** `reason`: unknown-user, wrong-password, no-password, disabled, wrong-totp, locked; `locked` when this failure locked the account. */
  LoginFailed: 'auth.login-failed',
  /** `reason`: logout or logout-all (one event per session ended). */
  Logout: 'auth.logout',
  /** `reason`: idle-timeout, absolute-timeout, or disabled (found at the next request or by the sweep). */
  SessionTimeout: 'auth.session-ended',
  MfaEnrolmentStarted: 'auth.mfa-enrolment-started',
  MfaEnrolled: 'auth.mfa-enrolled',
  /** An administrator removed the TOTP enrolment (`actor`). */
  MfaReset: 'auth.mfa-reset',
  /** The user changed their own password. */
  PasswordChanged: 'auth.password-changed',
  /** An administrator set (`reason` password-set) or reset (password-reset) the password (`actor`). */
  PasswordSet: 'auth.password-set',
  /** An administrator changed the user's roles (`actor`; `reason` lists the new roles). */
  RolesChanged: 'auth.roles-changed',
} as const;
export type AuthEventType = (typeof AuthEventType)[keyof typeof AuthEventType];

export interface AuthEvent {
  type: AuthEventType;
  at: number;
  /** Null for a sign-in with an unknown username. */
  userId: number | null;
  /** Null for an unknown username (what was typed is not kept: it may be a password typed into the wrong field). */
  username: string | null;
  sessionId: number | null;
  ip: string | null;
  reason?: string;
  /** Set on a failed sign-in that locked the account. */
  locked?: boolean;
  /** Who did it when not the user themself (an administrator). */
  actor?: string;
}

/**
 * The hook that receives authentication events: awaited once per event, LAST inside the
 * transaction of the change it reports (`db` is that transaction, or the store's handle when the
 * event changes nothing, e.g. a failed sign-in of an unknown user). A throw fails the operation and
 * rolls its change back: what cannot be audited is not done. The audit trail plugs in here:
 * `auditAuthEvent` (audit.ts), the plugin's default, appends one audit entry per event.
 */
export type OnAuthEvent = (event: AuthEvent, db: CareDb) => void | Promise<void>;
