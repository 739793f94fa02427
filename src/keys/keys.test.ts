import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyErrorCode } from './errors.js';
import { Keyring } from './keyring.js';
import { resolveMasterKey } from './load.js';
import { masterKeyFrom, parseMasterKeyText, unwrapDataKey, wrapDataKey } from './master.js';
import { isSealed, seal, sealedKeyId, SEAL_OVERHEAD, unseal } from './seal.js';

const key = (id = 7) => ({ id, key: randomBytes(32) });
const body = Buffer.from('MSH|^~\\&|EPIC|GENHOSP|||20261125||ADT^A01|1|P|2.5.1\rPID|1||123^^^GENHOSP^MR||QUILLFEATHER^XAVIER\r');

describe('seal / unseal (AES-256-GCM, format v1)', () => {
  it('round-trips, and the sealed bytes carry the header, the key id and no plaintext', () => {
    const k = key(0xdeadbeef);
    const sealed = seal(k, body, 'ctx');
    expect(sealed.length).toBe(body.length + SEAL_OVERHEAD);
    expect(isSealed(sealed)).toBe(true);
    expect(sealedKeyId(sealed)).toBe(0xdeadbeef);
    expect(sealed.includes('QUILLFEATHER')).toBe(false);
    expect(unseal(k, sealed, 'ctx').equals(body)).toBe(true);
    // A fresh nonce each time: the same body never seals to the same bytes.
    expect(seal(k, body, 'ctx').equals(sealed)).toBe(false);
  });

  it('refuses a tampered ciphertext, tag, nonce or header', () => {
    const k = key();
    const sealed = seal(k, body, 'ctx');
    for (const at of [3 + 0, 10, 30, sealed.length - 1]) {
      const t = Buffer.from(sealed);
      t[at] = t[at]! ^ 0x01;
      expect(() => unseal(k, t, 'ctx'), `byte ${at}`).toThrow(expect.objectContaining({ code: expect.stringMatching(/keys\.seal_(tampered|malformed)/) }));
    }
    expect(() => unseal(k, sealed.subarray(0, sealed.length - 1), 'ctx')).toThrow(expect.objectContaining({ code: KeyErrorCode.SealTampered }));
  });

  it('refuses the wrong key (same id) and another context (AAD: a body moved to another row)', () => {
    const k = key();
    const sealed = seal(k, body, 'hl7log.message_log.raw:aaaa');
    expect(() => unseal({ id: k.id, key: randomBytes(32) }, sealed, 'hl7log.message_log.raw:aaaa')).toThrow(expect.objectContaining({ code: KeyErrorCode.SealTampered }));
    expect(() => unseal(k, sealed, 'hl7log.message_log.raw:bbbb')).toThrow(expect.objectContaining({ code: KeyErrorCode.SealTampered }));
    expect(() => unseal(key(8), sealed, 'hl7log.message_log.raw:aaaa')).toThrow(expect.objectContaining({ code: KeyErrorCode.SealTampered }));
  });
});

describe('master key, subkeys and data key wrapping', () => {
  it('reads base64 (padded or not, url-safe too) and 64 hex digits, and nothing else', () => {
    const raw = randomBytes(32);
    expect(parseMasterKeyText(`${raw.toString('base64')}\n`, 'k').equals(raw)).toBe(true);
    expect(parseMasterKeyText(raw.toString('base64url'), 'k').equals(raw)).toBe(true);
    expect(parseMasterKeyText(` ${raw.toString('hex')} `, 'k').equals(raw)).toBe(true);
    for (const bad of ['', 'secret', randomBytes(16).toString('base64'), randomBytes(31).toString('hex'), randomBytes(33).toString('base64')]) {
      expect(() => parseMasterKeyText(bad, 'k')).toThrow(expect.objectContaining({ code: KeyErrorCode.KeyInvalid }));
    }
  });

  it('derives independent subkeys per purpose and file, and a fingerprint that is not the key', () => {
    const raw = randomBytes(32);
    const m = masterKeyFrom(raw);
    const parts = [m.wrapKey, m.sqliteKey('carecoord.db'), m.sqliteKey('hl7-log.db'), raw].map((b) => b.toString('hex'));
    expect(new Set(parts).size).toBe(4);
    expect(raw.toString('hex')).not.toContain(m.fingerprint);
    expect(masterKeyFrom(Buffer.from(raw)).fingerprint).toBe(m.fingerprint);
  });

  it('unwraps a data key only with the same wrapping key and id', () => {
    const m = masterKeyFrom(randomBytes(32));
    const dk = randomBytes(32);
    const wrapped = wrapDataKey(m.wrapKey, 42, dk);
    expect(unwrapDataKey(m.wrapKey, 42, wrapped)?.equals(dk)).toBe(true);
    expect(unwrapDataKey(m.wrapKey, 43, wrapped)).toBeUndefined();
    expect(unwrapDataKey(masterKeyFrom(randomBytes(32)).wrapKey, 42, wrapped)).toBeUndefined();
  });

  it('a keyring seals under its newest key, opens older keys, passes legacy plaintext through, and refuses another master key', () => {
    const m = masterKeyFrom(randomBytes(32));
    const rows = [1, 2].map((id) => ({ id, wrapped: wrapDataKey(m.wrapKey, id, randomBytes(32)), created_at: id, retired_at: id === 1 ? 5 : null }));
    const ring = new Keyring(m);
    ring.load(rows, 0);
    expect(ring.currentId).toBe(2);
    const sealed = ring.seal(body, 'c');
    expect(sealedKeyId(sealed)).toBe(2);
    expect(ring.unseal(sealed, 'c').equals(body)).toBe(true);
    expect(ring.unseal(body, 'c').equals(body)).toBe(true);
    expect(ring.unsealText(ring.sealText('JBSWY3DPEHPK3PXP', 'u:1'), 'u:1')).toBe('JBSWY3DPEHPK3PXP');
    expect(ring.unsealText('JBSWY3DPEHPK3PXP', 'u:1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => new Keyring(masterKeyFrom(randomBytes(32))).load(rows, 0)).toThrow(expect.objectContaining({ code: KeyErrorCode.KeyMismatch }));
    expect(() => new Keyring(m).unseal(seal({ id: 99, key: randomBytes(32) }, body, 'c'), 'c')).toThrow(expect.objectContaining({ code: KeyErrorCode.SealUnknownKey }));
  });
});

describe('where the master key comes from', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'carecoord-keys-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const keyText = () => `${randomBytes(32).toString('base64')}\n`;

  it('refuses a key file inside the data directory, also through a symlink', () => {
    const root = tmp();
    const data = join(root, 'data');
    mkdirSync(data);
    writeFileSync(join(data, 'master.key'), keyText(), { mode: 0o600 });
    const opts = { dataDir: data, existingDataFiles: [] };
    expect(() => resolveMasterKey({ keyFile: join(data, 'master.key'), defaultKeyFile: '/nonexistent' }, opts))
      .toThrow(expect.objectContaining({ code: KeyErrorCode.KeyFileInDataDir }));
    symlinkSync(data, join(root, 'alias'));
    expect(() => resolveMasterKey({ keyFile: join(root, 'alias', 'master.key'), defaultKeyFile: '/nonexistent' }, opts))
      .toThrow(expect.objectContaining({ code: KeyErrorCode.KeyFileInDataDir }));
    // The default location inside the data dir (XDG_CONFIG_HOME pointing into it) is refused too.
    expect(() => resolveMasterKey({ defaultKeyFile: join(data, 'cfg', 'carecoord', 'master.key') }, opts))
      .toThrow(expect.objectContaining({ code: KeyErrorCode.KeyFileInDataDir }));
  });

  it('refuses both sources at once, an unreadable file and a malformed key', () => {
    const root = tmp();
    const opts = { dataDir: join(root, 'data'), existingDataFiles: [] };
    expect(() => resolveMasterKey({ keyFile: join(root, 'k'), masterKey: randomBytes(32).toString('base64'), defaultKeyFile: '' }, opts))
      .toThrow(expect.objectContaining({ code: KeyErrorCode.KeyAmbiguous }));
    expect(() => resolveMasterKey({ keyFile: join(root, 'missing.key'), defaultKeyFile: '' }, opts)).toThrow(expect.objectContaining({ code: KeyErrorCode.KeyFileUnreadable }));
    writeFileSync(join(root, 'short.key'), 'c2hvcnQ=');
    expect(() => resolveMasterKey({ keyFile: join(root, 'short.key'), defaultKeyFile: '' }, opts)).toThrow(expect.objectContaining({ code: KeyErrorCode.KeyInvalid }));
  });

  it('generates the default key once (mode 0600, outside the data dir), then reuses it', () => {
    const root = tmp();
    const source = { defaultKeyFile: join(root, 'config', 'carecoord', 'master.key') };
    const opts = { dataDir: join(root, 'data'), existingDataFiles: [join(root, 'data', 'carecoord.db')] };
    const first = resolveMasterKey(source, opts);
    expect(first.origin).toBe('generated');
    expect(statSync(source.defaultKeyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'config', 'carecoord')).mode & 0o777).toBe(0o700);
    const again = resolveMasterKey(source, opts);
    expect(again.origin).toBe('default');
    expect(again.key.fingerprint).toBe(first.key.fingerprint);
  });

  it('does not generate a new key when the data dir already holds databases (the key is missing, not new)', () => {
    const root = tmp();
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'data', 'hl7-log.db'), randomBytes(4096));
    expect(() => resolveMasterKey({ defaultKeyFile: join(root, 'cfg', 'master.key') }, { dataDir: join(root, 'data'), existingDataFiles: [join(root, 'data', 'hl7-log.db')] }))
      .toThrow(expect.objectContaining({ code: KeyErrorCode.KeyMissing, message: expect.stringContaining('hl7-log.db') }));
  });

  it('warns about a key file others can read', () => {
    const root = tmp();
    writeFileSync(join(root, 'open.key'), keyText(), { mode: 0o644 });
    const r = resolveMasterKey({ keyFile: join(root, 'open.key'), defaultKeyFile: '' }, { dataDir: join(root, 'data'), existingDataFiles: [] });
    expect(r.warnings.join()).toMatch(/chmod 600/);
  });
});
