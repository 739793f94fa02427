import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { isSealedText, KeyError, KeyErrorCode, sealedKeyId, sealedTextToBytes, type Keyring } from '../keys/index.js';
import type { DialectName } from './open.js';
import type { Database } from './schema.js';
import { mfaSecretContext } from './auth.js';
import { rawContext } from './message-log.js';
import { keyringOf, reloadKeyring } from './data-keys.js';

/** The sealed columns, as `keys status` names them. */
export const SEALED_COLUMNS = ['hl7log.message_log.raw', 'app_user.mfa_secret'] as const;
export type SealedColumn = (typeof SEALED_COLUMNS)[number];

/** How many values of a column are sealed under each data key; keyId null = plaintext (written before encryption). */
export interface SealedCount {
  column: SealedColumn;
  keyId: number | null;
  count: number;
}

/** Counts per data key, read from each value's header (the message log is counted in SQL). */
export async function countSealedValues(db: Kysely<Database>, dialect: DialectName): Promise<SealedCount[]> {
  const keyExpr = dialect === 'postgres'
    ? sql<string | null>`CASE WHEN substring(raw from 1 for 4) = '\\x00434301'::bytea THEN encode(substring(raw from 5 for 4), 'hex') END`
    : sql<string | null>`CASE WHEN substr(raw, 1, 4) = X'00434301' THEN hex(substr(raw, 5, 4)) END`;
  const log = await db.selectFrom('hl7log.message_log').select([keyExpr.as('k'), (eb) => eb.fn.countAll<number>().as('n')]).groupBy('k').execute();
  const out: SealedCount[] = log.map((r) => ({ column: 'hl7log.message_log.raw' as const, keyId: r.k === null ? null : parseInt(r.k, 16), count: Number(r.n) }));
  const secrets = await db.selectFrom('app_user').select('mfa_secret').where('mfa_secret', 'is not', null).execute();
  const byKey = new Map<number | null, number>();
  for (const { mfa_secret: s } of secrets) {
    const id = isSealedText(s!) ? sealedKeyId(sealedTextToBytes(s!)) : null;
    byKey.set(id, (byKey.get(id) ?? 0) + 1);
  }
  for (const [keyId, count] of byKey) out.push({ column: 'app_user.mfa_secret', keyId, count });
  return out;
}

export interface ResealProgress {
  column: SealedColumn;
  resealed: number;
}

/**
 * Re-seal every value not sealed under the current data key (older keys' values and plaintext ones),
 * in batches of `batch` rows, one transaction each; a value changed meanwhile is left for the next
 * run. A message body is opened, checked against its content_hash, and sealed again: the log's
 * UPDATE trigger allows exactly this change (see migration 1700). Safe beside a running server.
 */
export async function resealAll(db: Kysely<Database>, options: { batch?: number; onProgress?: (p: ResealProgress) => void } = {}): Promise<ResealProgress[]> {
  const keyring = keyringOf(db);
  await reloadKeyring(db, keyring, Date.now());
  const batch = options.batch ?? 500;
  const log: ResealProgress = { column: 'hl7log.message_log.raw', resealed: 0 };
  for (let after = 0; ;) {
    const rows = await db.selectFrom('hl7log.message_log').select(['id', 'raw', 'content_hash']).where('id', '>', after).orderBy('id').limit(batch).execute();
    if (rows.length === 0) break;
    after = Number(rows[rows.length - 1]!.id);
    const stale = rows.filter((r) => !isCurrent(keyring, r.raw));
    if (stale.length === 0) continue;
    await db.transaction().execute(async (trx) => {
      for (const r of stale) {
        const ctx = rawContext(r.content_hash);
        const plain = keyring.unseal(r.raw, ctx);
        if (createHash('sha256').update(plain).digest('hex') !== r.content_hash) {
          throw new KeyError(KeyErrorCode.SealTampered, `message log entry ${r.id}: the body does not match its content hash`);
        }
        const u = await trx.updateTable('hl7log.message_log').set({ raw: keyring.seal(plain, ctx) }).where('id', '=', r.id).where('raw', '=', r.raw).executeTakeFirst();
        log.resealed += Number(u.numUpdatedRows);
      }
    });
    options.onProgress?.(log);
  }
  const totp: ResealProgress = { column: 'app_user.mfa_secret', resealed: 0 };
  const users = await db.selectFrom('app_user').select(['id', 'mfa_secret']).where('mfa_secret', 'is not', null).execute();
  for (const u of users) {
    const s = u.mfa_secret!;
    if (isSealedText(s) && sealedKeyId(sealedTextToBytes(s)) === keyring.currentId) continue;
    const ctx = mfaSecretContext(Number(u.id));
    const r = await db.updateTable('app_user').set({ mfa_secret: keyring.sealText(keyring.unsealText(s, ctx), ctx) })
      .where('id', '=', u.id).where('mfa_secret', '=', s).executeTakeFirst();
    totp.resealed += Number(r.numUpdatedRows);
  }
  options.onProgress?.(totp);
  return [log, totp];
}

function isCurrent(keyring: Keyring, raw: Buffer): boolean {
  return raw.length >= 8 && raw[0] === 0x00 && raw[1] === 0x43 && raw[2] === 0x43 && raw[3] === 0x01 && raw.readUInt32BE(4) === keyring.currentId;
}
