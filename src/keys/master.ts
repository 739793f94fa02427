import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { isAbsolute, relative } from 'node:path';
import { KeyError, KeyErrorCode } from './errors.js';

/**
 * The master key (32 bytes) never encrypts data itself: HKDF-SHA256 (RFC 5869) derives one subkey
 * per purpose, so the SQLite page key, the key that wraps data keys and the displayed fingerprint
 * are independent of each other.
 */
export const MASTER_KEY_BYTES = 32;
const SALT = Buffer.from('carecoord master key v1', 'utf8');

function derive(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, SALT, Buffer.from(info, 'utf8'), 32));
}

export interface MasterKey {
  /** Raw key for the SQLite cipher of one database file (by file name). */
  sqliteKey(fileName: string): Buffer;
  /** AES-256-GCM key that wraps the data keys. */
  readonly wrapKey: Buffer;
  /** 16 hex digits that name this master key in logs and `keys status` (derived, not the key). */
  readonly fingerprint: string;
}

export function masterKeyFrom(bytes: Buffer): MasterKey {
  if (bytes.length !== MASTER_KEY_BYTES) throw new KeyError(KeyErrorCode.KeyInvalid, `a master key is ${MASTER_KEY_BYTES} bytes, got ${bytes.length}`);
  const master = Buffer.from(bytes);
  return {
    sqliteKey: (fileName) => derive(master, `sqlite-cipher:${fileName}`),
    wrapKey: derive(master, 'data-key-wrap'),
    fingerprint: derive(master, 'fingerprint').subarray(0, 8).toString('hex'),
  };
}

/**
 * The key as written in a key file or CARECOORD_MASTER_KEY: base64 (padded or not) or 64 hex digits
 * of 32 bytes; surrounding white space is ignored.
 */
export function parseMasterKeyText(text: string, where: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === MASTER_KEY_BYTES) return b;
  }
  throw new KeyError(KeyErrorCode.KeyInvalid, `${where} must hold 32 random bytes as base64 or 64 hex digits (e.g. openssl rand -base64 32)`);
}

export function newMasterKeyText(): string {
  return `${randomBytes(MASTER_KEY_BYTES).toString('base64')}\n`;
}

/** True when `path` is `dir` or inside it (both absolute and already resolved through symlinks). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The SQLCipher raw-key syntax x'<64 hex>' (no PBKDF2: the key is already uniformly random). */
export function sqlcipherRawKey(key: Buffer): Buffer {
  return Buffer.from(`x'${key.toString('hex')}'`, 'latin1');
}

// Data keys are wrapped with AES-256-GCM: nonce (12) | ciphertext (32) | tag (16), bound to their id.
const wrapAad = (id: number) => Buffer.from(`carecoord data_key v1:${id}`, 'utf8');

export function wrapDataKey(wrapKey: Buffer, id: number, key: Buffer): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', wrapKey, nonce);
  cipher.setAAD(wrapAad(id));
  return Buffer.concat([nonce, cipher.update(key), cipher.final(), cipher.getAuthTag()]);
}

/** Undefined when the wrapping key is not the one this data key was wrapped under. */
export function unwrapDataKey(wrapKey: Buffer, id: number, wrapped: Buffer): Buffer | undefined {
  if (wrapped.length !== 12 + 32 + 16) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', wrapKey, wrapped.subarray(0, 12), { authTagLength: 16 });
    decipher.setAAD(wrapAad(id));
    decipher.setAuthTag(wrapped.subarray(44));
    return Buffer.concat([decipher.update(wrapped.subarray(12, 44)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** SHA-256 prefix, for tests and status output that must show which key without showing it. */
export function keyDigest(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
