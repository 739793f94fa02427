import { generate, generateSecret, generateURI, verify } from 'otplib';

/**
 * TOTP (RFC 6238) as every authenticator app reads it: HMAC-SHA-1, 6 digits, 30-second steps
 * from T0 = 0, a 160-bit secret (RFC 4226 §4 recommends at least 128, 160 bits).
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_ISSUER = 'carecoord';

/** A new Base32 secret (20 random bytes). Never logged; shown to the user once, at enrolment. */
export const newTotpSecret = (): string => generateSecret({ length: 20 });

/** The otpauth:// URI an authenticator app scans (Key Uri Format): issuer carecoord, label the username. */
export const totpUri = (secret: string, username: string): string =>
  generateURI({ issuer: TOTP_ISSUER, label: username, secret, period: TOTP_PERIOD_SECONDS, digits: 6, algorithm: 'sha1' });

export type TotpCheck = { valid: true; step: number } | { valid: false };

/**
 * Check a code at `now` (epoch ms), accepting the current step and one step either side (RFC 6238
 * §5.2: allowed network delay and clock drift, at most one step recommended). A code of step
 * `lastStep` or earlier is refused, so a code accepted once is never accepted again (§5.2: "the
 * verifier MUST NOT accept the second attempt of the OTP after the successful validation").
 * The caller stores the returned step as the new lastStep, atomically.
 */
export async function checkTotp(secret: string, code: string, now: number, lastStep: number | null): Promise<TotpCheck> {
  if (!/^[0-9]{6}$/.test(code)) return { valid: false };
  const result = await verify({
    secret, token: code, epoch: Math.floor(now / 1000), period: TOTP_PERIOD_SECONDS, epochTolerance: TOTP_PERIOD_SECONDS,
    ...(lastStep === null ? {} : { afterTimeStep: lastStep }),
  });
  return result.valid && 'timeStep' in result ? { valid: true, step: result.timeStep } : { valid: false };
}

/** The code of `secret` at `now` (epoch ms): what an authenticator app shows (tests, tooling). */
export const totpCode = (secret: string, now: number): Promise<string> =>
  generate({ secret, epoch: Math.floor(now / 1000), period: TOTP_PERIOD_SECONDS });
