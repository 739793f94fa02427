import { describe, expect, it } from 'vitest';
import { checkTotp, newTotpSecret, totpCode } from './totp.js';

// RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890" (Base32 below); 8-digit 94287082 at T=59 s -> 6 digits 287082.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC test vectors (last 6 digits)', async () => {
    expect(await totpCode(RFC_SECRET, 59_000)).toBe('287082');
    expect(await totpCode(RFC_SECRET, 1_111_111_109_000)).toBe('081804');
    expect(await totpCode(RFC_SECRET, 1_234_567_890_000)).toBe('005924');
  });

  it('accepts the current step and one either side, no further', async () => {
    const secret = newTotpSecret();
    const now = 1_800_000_015_000;
    for (const offset of [-1, 0, 1]) expect((await checkTotp(secret, await totpCode(secret, now + offset * 30_000), now, null)).valid).toBe(true);
    for (const offset of [-2, 2]) expect((await checkTotp(secret, await totpCode(secret, now + offset * 30_000), now, null)).valid).toBe(false);
  });

  it('refuses a code of a step already used, or earlier', async () => {
    const secret = newTotpSecret();
    const now = 1_800_000_015_000;
    const code = await totpCode(secret, now);
    const first = await checkTotp(secret, code, now, null);
    expect(first.valid).toBe(true);
    const step = first.valid ? first.step : 0;
    expect(await checkTotp(secret, code, now, step)).toEqual({ valid: false });
    expect((await checkTotp(secret, await totpCode(secret, now - 30_000), now, step)).valid).toBe(false);
    expect(await checkTotp(secret, await totpCode(secret, now + 30_000), now, step)).toEqual({ valid: true, step: step + 1 });
  });

  it('refuses anything but six digits', async () => {
    expect(await checkTotp(newTotpSecret(), '12345', 0, null)).toEqual({ valid: false });
    expect(await checkTotp(newTotpSecret(), '12345a', 0, null)).toEqual({ valid: false });
  });
});
