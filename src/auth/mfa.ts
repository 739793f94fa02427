import { inAuditedTransaction } from '../audit/index.js';
import type { CareDb } from '../store/care/db.js';
import { claimTotpStep, getCredentials, saveMfa } from '../store/auth.js';
import { AuthError, AuthErrorCode } from './errors.js';
import { AuthEventType } from './events.js';
import type { Emit } from './session-service.js';
import { newTotpSecret, checkTotp, totpUri } from './totp.js';

export interface TotpEnrolment {
  /** Base32 secret, for typing into an app by hand. Shown once; never logged. */
  secret: string;
  /** otpauth://totp/carecoord:USERNAME?secret=...&issuer=carecoord, for a QR code. */
  otpauthUri: string;
}

/** The signed-in user acting on their own TOTP, and where the event goes. */
export interface MfaActor {
  userId: number;
  sessionId: number;
  ip: string | null;
  emit: Emit;
}

/**
 * Start TOTP enrolment: a new pending secret replaces any earlier pending one. Refused
 * (auth.mfa_already_enrolled) once an enrolment is confirmed: replacing a confirmed authenticator
 * takes an administrator's `carecoord user mfa-reset`, so a stolen session cannot swap it.
 */
export async function beginTotpEnrolment(db: CareDb, who: MfaActor, now: number): Promise<TotpEnrolment> {
  return inAuditedTransaction(db, async (trx) => {
    const user = await getCredentials(trx, who.userId);
    if (!user) throw new AuthError(AuthErrorCode.Unauthenticated, 'sign in first');
    if (user.mfaEnrolled) throw new AuthError(AuthErrorCode.MfaAlreadyEnrolled, 'an authenticator is already enrolled; an administrator can reset it');
    const secret = newTotpSecret();
    await saveMfa(trx, user.userId, { secret, enrolled: false, lastStep: null }, now);
    await who.emit({ type: AuthEventType.MfaEnrolmentStarted, at: now, userId: user.userId, username: user.username, sessionId: who.sessionId, ip: who.ip }, trx);
    return { secret, otpauthUri: totpUri(secret, user.username) };
  });
}

/**
 * Confirm the pending enrolment with a current code from the app (proves the app holds the
 * secret). The code's step is recorded, so it cannot then sign in. auth.mfa_not_pending without
 * a pending enrolment, auth.invalid_mfa_code for a wrong code.
 */
export async function confirmTotpEnrolment(db: CareDb, who: MfaActor, code: string, now: number): Promise<void> {
  const user = await getCredentials(db, who.userId);
  if (!user || user.mfaEnrolled || user.mfaSecret === null) throw new AuthError(AuthErrorCode.MfaNotPending, 'no enrolment is pending: start one first');
  const secret = user.mfaSecret;
  const check = await checkTotp(secret, code, now, user.mfaLastStep);
  const wrong = () => new AuthError(AuthErrorCode.InvalidMfaCode, 'the code does not match: check the time on the device and enter the current code');
  if (!check.valid) throw wrong();
  await inAuditedTransaction(db, async (trx) => {
    if (!(await claimTotpStep(trx, user.userId, check.step))) throw wrong();
    await saveMfa(trx, user.userId, { secret, enrolled: true, lastStep: check.step }, now);
    await who.emit({ type: AuthEventType.MfaEnrolled, at: now, userId: user.userId, username: user.username, sessionId: who.sessionId, ip: who.ip }, trx);
  });
}
