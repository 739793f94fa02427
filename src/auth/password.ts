import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';
import { COMMON_PASSWORDS } from './common-passwords.js';
import { AuthError, AuthErrorCode } from './errors.js';

/** Algorithm.Argon2id: an ambient const enum, which isolatedModules cannot read by name. */
const ARGON2ID = 2 as Algorithm;

/**
 * argon2id with the OWASP Password Storage Cheat Sheet's first configuration: m = 19 MiB, t = 2,
 * p = 1 (RFC 9106 §4 argon2id; 16-byte random salt, 32-byte tag). The PHC string keeps them, so
 * stronger parameters later still verify old hashes.
 */
export const ARGON2_OPTIONS: Readonly<Options> = Object.freeze({ algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 });

export const MIN_PASSWORD_LENGTH = 12;
/** Long enough for passphrases; bounded so that hashing stays cheap. */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * Unicode NFKC, so that the same password typed on another keyboard (composed or decomposed
 * accents, full-width digits) hashes the same (NIST SP 800-63B §5.1.1.2).
 */
export const normalizePassword = (password: string): string => password.normalize('NFKC');

/**
 * The minimum password policy (NIST SP 800-63B §5.1.1.2, OWASP ASVS 2.1): at least 12 characters
 * (code points, after NFKC), at most 256, not the username, not a common password. No composition
 * rules. Returns the reasons it is refused; empty when accepted.
 */
export function passwordPolicyViolations(password: string, username: string): string[] {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  const lower = normalized.toLowerCase();
  const reasons: string[] = [];
  if (length < MIN_PASSWORD_LENGTH) reasons.push(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (length > MAX_PASSWORD_LENGTH) reasons.push(`a password has at most ${MAX_PASSWORD_LENGTH} characters`);
  if (lower.trim() === username.trim().toLowerCase()) reasons.push('a password cannot be the username');
  if (COMMON_PASSWORDS.has(lower)) reasons.push('this password is too common');
  return reasons;
}

/** Throws auth.password_policy naming every rule the password breaks. */
export function assertPasswordPolicy(password: string, username: string): void {
  const reasons = passwordPolicyViolations(password, username);
  if (reasons.length > 0) throw new AuthError(AuthErrorCode.PasswordPolicy, reasons.join('; '));
}

/** The argon2id PHC string of a password (runs on libuv's thread pool, not the event loop). */
export function hashPassword(password: string): Promise<string> {
  return hash(normalizePassword(password), ARGON2_OPTIONS);
}

/** Whether the password matches the PHC string; false (never a throw) for a malformed hash. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, normalizePassword(password));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Verify against a hash of a random password with the same parameters: what a sign-in for an
 * unknown user (or one without a password) runs, so it takes as long as a real check
 * (OWASP Authentication Cheat Sheet: response times must not tell which usernames exist).
 * Always false.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummy ??= hash(randomBytes(24).toString('base64url'), ARGON2_OPTIONS);
  await verifyPassword(await dummy, password);
  return false;
}

/** A one-time password for an administrator's reset: 18 random bytes, 24 base64url characters. */
export const oneTimePassword = (): string => randomBytes(18).toString('base64url');
