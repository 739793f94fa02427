import { describe, expect, it } from 'vitest';
import { hashPassword, oneTimePassword, passwordPolicyViolations, verifyDummyPassword, verifyPassword } from './password.js';

describe('password policy', () => {
  it('accepts a passphrase of 12 characters or more', () => {
    expect(passwordPolicyViolations('correct horse battery staple', 'jdoe')).toEqual([]);
    expect(passwordPolicyViolations('twelve chars', 'jdoe')).toEqual([]);
  });

  it('counts characters, not UTF-16 units, after NFKC', () => {
    expect(passwordPolicyViolations('😀'.repeat(11), 'jdoe')).toEqual(['a password needs at least 12 characters']);
    expect(passwordPolicyViolations('😀'.repeat(12), 'jdoe')).toEqual([]);
  });

  it('refuses the username in any case, and common passwords', () => {
    expect(passwordPolicyViolations('Dr.Smith.Jones', 'dr.smith.jones')).toEqual(['a password cannot be the username']);
    expect(passwordPolicyViolations('Password1234', 'jdoe')).toEqual(['this password is too common']);
    expect(passwordPolicyViolations('x'.repeat(257), 'jdoe')).toEqual(['a password has at most 256 characters']);
  });

  it('has no composition rules (NIST SP 800-63B)', () => {
    expect(passwordPolicyViolations('alllowercaseletters', 'jdoe')).toEqual([]);
  });
});

describe('argon2id hashing', () => {
  it('hashes with the OWASP parameters and a random salt, and verifies', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(a, 'correct horse battery stapl')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });

  it('verifies a password typed with decomposed accents against the composed one', async () => {
    const composed = await hashPassword('caf\u00e9 au lait forever');
    expect(await verifyPassword(composed, 'cafe\u0301 au lait forever')).toBe(true);
  });

  it('runs the dummy check for unknown users, always false', async () => {
    expect(await verifyDummyPassword('anything at all')).toBe(false);
  });

  it('makes one-time passwords of 24 base64url characters', () => {
    expect(oneTimePassword()).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(oneTimePassword()).not.toBe(oneTimePassword());
  });
});
