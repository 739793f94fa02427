import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { KeyErrorCode, masterKeyFrom } from '../keys/index.js';
import { getCredentials, saveMfa } from './auth.js';
import { addDataKey, listDataKeys, reloadKeyring, retireOtherKeys } from './data-keys.js';
import { appendEntries, getEntry, type LogDraft } from './message-log.js';
import { createLogAppender } from './log-appender.js';
import { openStore, type Store } from './open.js';
import { countSealedValues, resealAll } from './reseal.js';
import { rotateMasterKey } from './rotate-master.js';

const NAME = 'QUILLFEATHER';

function draft(controlId: string): LogDraft {
  const raw = Buffer.from(`MSH|^~\\&|EPIC|GENHOSP|||20261125||ADT^A01|${controlId}|P|2.5.1\rPID|1||${controlId}^^^GENHOSP^MR||${NAME}^XAVIER\r`);
  return {
    received_at: Date.now(), listener: 'default', peer: '127.0.0.1:5000', raw, byte_length: raw.length, charset: 'UTF-8',
    sender_key: 'EPIC|GENHOSP', control_id: controlId, content_hash: createHash('sha256').update(raw).digest('hex'), message_type: 'ADT^A01',
    patient_key: `${controlId}^GENHOSP`, merge_key: null, accept_code: 'AA', error_code: null, error_text: null, ack: Buffer.from('ACK'),
  };
}

/** The column as stored, without the repository's unsealing. */
async function storedRaw(store: Store, id: number): Promise<Buffer> {
  const r = await sql<{ raw: Buffer }>`SELECT raw FROM hl7log.message_log WHERE id = ${id}`.execute(store.db);
  return Buffer.from(r.rows[0]!.raw);
}

async function addUser(store: Store): Promise<number> {
  const now = Date.now();
  const r = await store.db.insertInto('app_user').values({ username: `u${now}${Math.random()}`.slice(0, 20), display_name: 'U', roles: '["admin"]', status: 'active', created_at: now, updated_at: now } as never)
    .returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

describe.each(DIALECTS)('encryption at rest on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('stores message bodies sealed (through appendEntries and the intake appender) and reads them back opened', async () => {
    const [a] = await ctx.store.db.transaction().execute((trx) => appendEntries(trx, [draft('E1')]));
    const appender = createLogAppender(ctx.store);
    const [b] = await appender.append([draft('E2')]);
    await appender.close();
    for (const [o, id] of [[a!, 'E1'], [b!, 'E2']] as const) {
      const stored = await storedRaw(ctx.store, o.id);
      expect(stored.subarray(0, 4).toString('hex')).toBe('00434301');
      expect(stored.readUInt32BE(4)).toBe(ctx.store.keyring.currentId);
      expect(stored.includes(NAME)).toBe(false);
      expect((await getEntry(ctx.store.db, o.id))!.raw.equals(draft(id).raw)).toBe(true);
    }
  });

  it('a body moved to another entry does not open (AAD binds it to its content hash)', async () => {
    const [a] = await ctx.store.db.transaction().execute((trx) => appendEntries(trx, [draft('M1'), draft('M2')]));
    const other = await storedRaw(ctx.store, a!.id + 1);
    // The narrow re-seal exception lets a sealed value in; opening it under entry M1 must fail.
    await sql`UPDATE hl7log.message_log SET raw = ${other} WHERE id = ${a!.id}`.execute(ctx.store.db);
    await expect(getEntry(ctx.store.db, a!.id)).rejects.toMatchObject({ code: KeyErrorCode.SealTampered });
  });

  it('keeps the log append-only apart from re-sealing raw: other columns and plaintext bodies are refused', async () => {
    const [a] = await ctx.store.db.transaction().execute((trx) => appendEntries(trx, [draft('U1')]));
    await expect(sql`UPDATE hl7log.message_log SET control_id = 'X' WHERE id = ${a!.id}`.execute(ctx.store.db)).rejects.toThrow(/append-only/);
    await expect(sql`UPDATE hl7log.message_log SET raw = ${Buffer.from('MSH|plain')} WHERE id = ${a!.id}`.execute(ctx.store.db)).rejects.toThrow(/append-only/);
    const sealed = await storedRaw(ctx.store, a!.id);
    await expect(sql`UPDATE hl7log.message_log SET raw = ${sealed}, ack = ${Buffer.from('X')} WHERE id = ${a!.id}`.execute(ctx.store.db)).rejects.toThrow(/append-only/);
  });

  it('stores the TOTP secret sealed and bound to its user', async () => {
    const [u1, u2] = [await addUser(ctx.store), await addUser(ctx.store)];
    await saveMfa(ctx.store.db, u1, { secret: 'JBSWY3DPEHPK3PXP', enrolled: true, lastStep: null }, Date.now());
    const row = await ctx.store.db.selectFrom('app_user').select('mfa_secret').where('id', '=', u1).executeTakeFirstOrThrow();
    expect(row.mfa_secret).toMatch(/^ccs1:/);
    expect(row.mfa_secret).not.toContain('JBSWY3DPEHPK3PXP');
    expect((await getCredentials(ctx.store.db, u1))!.mfaSecret).toBe('JBSWY3DPEHPK3PXP');
    await ctx.store.db.updateTable('app_user').set({ mfa_secret: row.mfa_secret }).where('id', '=', u2).execute();
    await expect(getCredentials(ctx.store.db, u2)).rejects.toMatchObject({ code: KeyErrorCode.SealTampered });
  });

  it('rotation: a new data key takes new writes, re-sealing moves every value (and legacy plaintext) under it, old values stay readable meanwhile', async () => {
    const user = await addUser(ctx.store);
    await saveMfa(ctx.store.db, user, { secret: 'JBSWY3DPEHPK3PXP', enrolled: true, lastStep: null }, Date.now());
    const first = ctx.store.keyring.currentId!;
    const out = await ctx.store.db.transaction().execute((trx) => appendEntries(trx, Array.from({ length: 7 }, (_, i) => draft(`R${i}`))));
    // A body written before encryption at rest (plaintext): still readable, counted, then sealed.
    const legacy = draft('LEGACY');
    await sql`INSERT INTO hl7log.message_log (received_at, listener, peer, raw, byte_length, charset, content_hash, accept_code)
      VALUES (${legacy.received_at}, 'default', 'p', ${legacy.raw}, ${legacy.byte_length}, 'UTF-8', ${legacy.content_hash}, 'AA')`.execute(ctx.store.db);

    const second = await addDataKey(ctx.store.db, ctx.store.keyring, Date.now());
    await retireOtherKeys(ctx.store.db, second, Date.now());
    await reloadKeyring(ctx.store.db, ctx.store.keyring, Date.now());
    expect(ctx.store.keyring.currentId).toBe(second);
    const [fresh] = await ctx.store.db.transaction().execute((trx) => appendEntries(trx, [draft('AFTER')]));
    expect((await storedRaw(ctx.store, fresh!.id)).readUInt32BE(4)).toBe(second);
    expect((await getEntry(ctx.store.db, out[0]!.id))!.raw.equals(draft('R0').raw)).toBe(true);

    const before = await countSealedValues(ctx.store.db, dialect);
    expect(before).toEqual(expect.arrayContaining([
      { column: 'hl7log.message_log.raw', keyId: first, count: 7 },
      { column: 'hl7log.message_log.raw', keyId: second, count: 1 },
      { column: 'hl7log.message_log.raw', keyId: null, count: 1 },
      { column: 'app_user.mfa_secret', keyId: first, count: 1 },
    ]));
    const done = await resealAll(ctx.store.db, { batch: 3 });
    expect(done).toEqual([{ column: 'hl7log.message_log.raw', resealed: 8 }, { column: 'app_user.mfa_secret', resealed: 1 }]);
    const after = await countSealedValues(ctx.store.db, dialect);
    expect(after.sort((x, y) => x.column.localeCompare(y.column))).toEqual([
      { column: 'app_user.mfa_secret', keyId: second, count: 1 },
      { column: 'hl7log.message_log.raw', keyId: second, count: 9 },
    ]);
    for (let i = 0; i < 7; i++) expect((await getEntry(ctx.store.db, out[i]!.id))!.raw.equals(draft(`R${i}`).raw)).toBe(true);
    expect((await getCredentials(ctx.store.db, user))!.mfaSecret).toBe('JBSWY3DPEHPK3PXP');
    const keys = await listDataKeys(ctx.store.db);
    expect(keys.find((k) => k.id === first)!.retired_at).not.toBeNull();
    // Idempotent: nothing left to do.
    expect(await resealAll(ctx.store.db)).toEqual([{ column: 'hl7log.message_log.raw', resealed: 0 }, { column: 'app_user.mfa_secret', resealed: 0 }]);
  });

  it('a running store picks up a data key added by another process when it meets a value sealed under it', async () => {
    const other = await ctx.tdb.open();
    try {
      const id = await addDataKey(other.db, other.keyring, Date.now());
      await retireOtherKeys(other.db, id, Date.now());
      await reloadKeyring(other.db, other.keyring, Date.now());
      const [o] = await other.db.transaction().execute((trx) => appendEntries(trx, [draft('OTHER')]));
      expect(ctx.store.keyring.has(id)).toBe(false);
      expect((await getEntry(ctx.store.db, o!.id))!.raw.equals(draft('OTHER').raw)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('refuses to open with another master key, and opens with the new one after rotate-master', async () => {
    const [a] = await ctx.store.db.transaction().execute((trx) => appendEntries(trx, [draft('K1')]));
    await ctx.store.close();
    const wrong = masterKeyFrom(randomBytes(32));
    const opts = { dataDir: ctx.tdb.dataDir, databaseUrl: ctx.tdb.databaseUrl };
    await expect(openStore({ ...opts, masterKey: wrong })).rejects.toMatchObject({ code: KeyErrorCode.KeyMismatch });

    const keyDir = mkdtempSync(join(tmpdir(), 'carecoord-newkey-'));
    dirs.push(keyDir);
    const newKeyFile = join(keyDir, 'next.key');
    const newKeyText = randomBytes(32).toString('base64');
    writeFileSync(newKeyFile, newKeyText, { mode: 0o600 });
    const done = await rotateMasterKey({ ...opts, newKeyFile });
    expect(done.rewrapped).toBe(1);
    expect(done.rekeyedFiles).toEqual(dialect === 'sqlite' ? ['carecoord.db', 'hl7-log.db'] : []);
    // Resumable: a second run (a first one cut short) finds nothing left to do.
    expect(await rotateMasterKey({ ...opts, newKeyFile })).toMatchObject({ rewrapped: 0, rekeyedFiles: [] });
    await expect(openStore(opts)).rejects.toMatchObject({ code: KeyErrorCode.KeyMismatch });
    (ctx as { store: Store }).store = await openStore({ ...opts, masterKey: masterKeyFrom(Buffer.from(newKeyText, 'base64')) });
    expect((await getEntry(ctx.store.db, a!.id))!.raw.equals(draft('K1').raw)).toBe(true);
  });
});
