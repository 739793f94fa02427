import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KeyError, KeyErrorCode } from './errors.js';

/**
 * Sealed value format, version 1 (AES-256-GCM, NIST SP 800-38D):
 *
 *     0..2   magic 00 43 43 ("\0CC": never the start of an HL7 message, which is text)
 *     3      version 01
 *     4..7   data key id, uint32 big-endian
 *     8..19  nonce, 12 random bytes (a data key seals far fewer than 2^32 values before rotation)
 *     20..   ciphertext, then the 16-byte tag
 *
 * The additional authenticated data is bytes 0..7 followed by the caller's context (e.g. the table,
 * column and row identity), so a value moved to another row, or given another key id, fails to open.
 * Text columns hold `ccs1:` + base64url of the same bytes.
 */
export const SEAL_MAGIC = Buffer.from([0x00, 0x43, 0x43]);
export const SEAL_VERSION = 1;
const HEADER = 8;
const NONCE = 12;
const TAG = 16;
export const SEAL_OVERHEAD = HEADER + NONCE + TAG;
const TEXT_PREFIX = 'ccs1:';

/** A data key: 32 bytes for AES-256 and the id written into every value it seals. */
export interface DataKey {
  readonly id: number;
  readonly key: Buffer;
}

export function isSealed(value: Uint8Array): boolean {
  return value.length >= SEAL_OVERHEAD && value[0] === 0x00 && value[1] === 0x43 && value[2] === 0x43;
}

/** The data key id of a sealed value (no authentication: for counting and key lookup only). */
export function sealedKeyId(value: Uint8Array): number {
  if (!isSealed(value) || value[3] !== SEAL_VERSION) throw new KeyError(KeyErrorCode.SealMalformed, 'not a sealed value of version 1');
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).readUInt32BE(4);
}

function aad(header: Buffer, context: string): Buffer {
  return Buffer.concat([header, Buffer.from(context, 'utf8')]);
}

export function seal(key: DataKey, plaintext: Uint8Array, context: string): Buffer {
  const out = Buffer.allocUnsafe(SEAL_OVERHEAD + plaintext.length);
  SEAL_MAGIC.copy(out, 0);
  out[3] = SEAL_VERSION;
  out.writeUInt32BE(key.id, 4);
  randomBytes(NONCE).copy(out, HEADER);
  const cipher = createCipheriv('aes-256-gcm', key.key, out.subarray(HEADER, HEADER + NONCE));
  cipher.setAAD(aad(out.subarray(0, HEADER), context));
  let at = HEADER + NONCE;
  at += cipher.update(plaintext).copy(out, at);
  at += cipher.final().copy(out, at);
  cipher.getAuthTag().copy(out, at);
  return out;
}

/** Open a sealed value; throws KeyError seal_tampered when the key, context or bytes do not match. */
export function unseal(key: DataKey, sealed: Uint8Array, context: string): Buffer {
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (sealedKeyId(buf) !== key.id) throw new KeyError(KeyErrorCode.SealTampered, `sealed value is for data key ${sealedKeyId(buf)}, not ${key.id}`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, buf.subarray(HEADER, HEADER + NONCE), { authTagLength: TAG });
    decipher.setAAD(aad(buf.subarray(0, HEADER), context));
    decipher.setAuthTag(buf.subarray(buf.length - TAG));
    return Buffer.concat([decipher.update(buf.subarray(HEADER + NONCE, buf.length - TAG)), decipher.final()]);
  } catch {
    throw new KeyError(KeyErrorCode.SealTampered, `sealed value under data key ${key.id} failed authentication (altered, moved or wrong key)`);
  }
}

export function isSealedText(value: string): boolean {
  return value.startsWith(TEXT_PREFIX);
}

export function sealedTextToBytes(value: string): Buffer {
  if (!isSealedText(value)) throw new KeyError(KeyErrorCode.SealMalformed, 'not a sealed text value');
  return Buffer.from(value.slice(TEXT_PREFIX.length), 'base64url');
}

export function bytesToSealedText(sealed: Buffer): string {
  return TEXT_PREFIX + sealed.toString('base64url');
}
