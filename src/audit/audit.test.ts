import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { openSqliteFile } from '../store/open.js';
import { appendAudit, appendAudits } from './append.js';
import { ChainProblemKind } from './chain.js';
import { AuditAction } from './entry.js';
import { chainHash, GENESIS_HASH } from './hash.js';
import { inAuditedTransaction, toRecord } from './store.js';
import { dropAuditGuards, rawRow, sampleEntry } from './testing.js';
import { verifyAuditChain } from './verify.js';

describe.each(DIALECTS)('the audit chain on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  const db = () => ctx.store.db;
  const appendMany = async (n: number) => {
    for (let i = 1; i <= n; i++) await appendAudit(db(), sampleEntry(i));
  };

  it('appends entries at positions 1, 2, 3... each naming the hash of the one before', async () => {
    const a = await appendAudit(db(), sampleEntry(1, { detail: { q: 'Zoë 😀', n: 1 } }));
    const b = await appendAudit(db(), sampleEntry(2, { outcome: 'denied', userId: 5 }));
    expect([a.id, b.id]).toEqual([1, 2]);
    expect(a.prevHash).toBe(GENESIS_HASH);
    expect(b.prevHash).toBe(a.hash);
    const stored = toRecord(await rawRow(db(), 2));
    expect(stored).toEqual(b);
    expect(await verifyAuditChain(db())).toMatchObject({ intact: true, checked: 2, head: { id: 2, hash: b.hash }, anchor: { id: 0, hash: GENESIS_HASH } });
  });

  it('keeps what it hashed: text either database would not store as is comes back exactly', async () => {
    const r = await appendAudit(db(), sampleEntry(1, { actor: 'ev\u0000il\uD800', detail: { why: 'a\u0000b', list: ['x', 2, null] } }));
    expect(toRecord(await rawRow(db(), r.id))).toEqual(r);
    expect((await verifyAuditChain(db())).intact).toBe(true);
  });

  it('writes in the caller transaction: rolled back with it, the chain unmoved', async () => {
    await appendAudit(db(), sampleEntry(1));
    await expect(db().transaction().execute(async (trx) => {
      await appendAudit(trx, sampleEntry(2));
      throw new Error('the change failed');
    })).rejects.toThrow(/change failed/);
    const next = await appendAudit(db(), sampleEntry(3));
    expect(next.id).toBe(2);
    expect((await verifyAuditChain(db())).intact).toBe(true);
  });

  it('appends several entries under one acquisition, in order', async () => {
    const rs = await appendAudits(db(), [sampleEntry(1), sampleEntry(2), sampleEntry(3)]);
    expect(rs.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(rs[2]!.prevHash).toBe(rs[1]!.hash);
    expect((await verifyAuditChain(db(), { pageSize: 2 })).checked).toBe(3);
  });

  it('refuses an invalid entry before touching the chain', async () => {
    await expect(appendAudit(db(), sampleEntry(1, { action: 'peek' as AuditAction }))).rejects.toMatchObject({ code: 'audit.invalid_entry' });
    expect((await verifyAuditChain(db())).head.id).toBe(0);
  });

  it.runIf(dialect === 'sqlite')('can append after reads beside another writer inside inAuditedTransaction, not in a deferred transaction', async () => {
    await sql`CREATE TABLE scratch (x integer)`.execute(db());
    const other = openSqliteFile(join(ctx.tdb.dataDir, 'carecoord.db'), ctx.store.keyring.master);
    other.pragma('busy_timeout = 0');
    try {
      // Deferred: the read fixes a snapshot, another connection commits, the append cannot upgrade.
      await expect(db().transaction().execute(async (trx) => {
        await trx.selectFrom('patient').select('id').execute();
        other.exec('INSERT INTO scratch VALUES (1)');
        await appendAudit(trx, sampleEntry(1));
      })).rejects.toMatchObject({ code: 'SQLITE_BUSY_SNAPSHOT' });
      // inAuditedTransaction holds the write lock from the start: the other writer waits instead.
      await inAuditedTransaction(db(), async (trx) => {
        await trx.selectFrom('patient').select('id').execute();
        expect(() => other.exec('INSERT INTO scratch VALUES (2)')).toThrow(/locked/);
        await appendAudit(trx, sampleEntry(2));
      });
    } finally {
      other.close();
    }
    expect(await verifyAuditChain(db())).toMatchObject({ intact: true, checked: 1 });
  });

  describe('the database itself', () => {
    it('refuses to update an entry', async () => {
      await appendMany(2);
      await expect(db().updateTable('audit_log').set({ actor: 'nobody' }).where('id', '=', 1).execute()).rejects.toThrow(/append-only/);
      await expect(sql`UPDATE audit_log SET hash = 'x'`.execute(db())).rejects.toThrow(/append-only/);
      if (dialect === 'postgres') await expect(sql`TRUNCATE audit_log`.execute(db())).rejects.toThrow(/append-only/);
      expect((await verifyAuditChain(db())).intact).toBe(true);
    });

    it('refuses to delete entries younger than the retention floor, and old ones not behind the retention anchor', async () => {
      const old = Date.now() - 2200 * 86_400_000;
      await appendAudit(db(), sampleEntry(1, { at: old }));
      await appendMany(1);
      await expect(db().deleteFrom('audit_log').where('id', '=', 2).execute()).rejects.toThrow(/retention period/);
      await expect(db().deleteFrom('audit_log').where('id', '=', 1).execute()).rejects.toThrow(/retention anchor/);
      expect((await verifyAuditChain(db())).checked).toBe(2);
    });

    it('refuses an entry not appended at the chain head', async () => {
      const r = await appendAudit(db(), sampleEntry(1));
      const forged = { ...(await rawRow(db(), 1)), id: 2, prev_hash: r.hash };
      await expect(db().insertInto('audit_log').values(forged).execute()).rejects.toThrow(/chain head/);
    });

    it('keeps the chain head moving forward only, to hashes of existing entries', async () => {
      const heads = db().withTables<{ audit_chain: { id: number; last_id: number; last_hash: string; anchor_id: number; min_retention_days: number } }>();
      await appendMany(2);
      await expect(heads.updateTable('audit_chain').set({ last_id: 1 }).execute()).rejects.toThrow(/only moves forward/);
      await expect(heads.updateTable('audit_chain').set({ last_hash: 'f'.repeat(64) }).execute()).rejects.toThrow(/only moves forward/);
      await expect(heads.updateTable('audit_chain').set({ min_retention_days: 30 }).execute()).rejects.toThrow(/only moves forward/);
      await expect(heads.updateTable('audit_chain').set({ anchor_id: 5 }).execute()).rejects.toThrow(/only moves forward/);
      await expect(heads.deleteFrom('audit_chain').execute()).rejects.toThrow(/cannot be deleted/);
    });
  });

  describe('verify, once the triggers are out of the way, names', () => {
    it('an entry whose field was changed', async () => {
      await appendMany(5);
      await dropAuditGuards(ctx.store);
      await db().updateTable('audit_log').set({ patient_id: 99 }).where('id', '=', 3).execute();
      expect((await verifyAuditChain(db())).problem).toMatchObject({ id: 3, kind: ChainProblemKind.Altered });
    });

    it('an entry whose field and hash were both changed (the next entry no longer links to it)', async () => {
      await appendMany(5);
      await dropAuditGuards(ctx.store);
      const row = toRecord(await rawRow(db(), 3));
      const forged = { ...row, outcome: 'denied' as const };
      await db().updateTable('audit_log').set({ outcome: 'denied', hash: chainHash(row.prevHash, 3, forged) }).where('id', '=', 3).execute();
      const v = await verifyAuditChain(db());
      expect(v.problem).toMatchObject({ id: 4, kind: ChainProblemKind.BrokenLink });
      expect(v.problem!.message).toContain('entry 3 was replaced');
    });

    it('a removed entry in the middle, and entries removed from the end', async () => {
      await appendMany(5);
      await dropAuditGuards(ctx.store);
      await db().deleteFrom('audit_log').where('id', '=', 3).execute();
      expect((await verifyAuditChain(db())).problem).toMatchObject({ id: 3, kind: ChainProblemKind.Removed });
      await db().deleteFrom('audit_log').where('id', '>=', 3).execute();
      expect((await verifyAuditChain(db())).problem).toMatchObject({ id: 3, kind: ChainProblemKind.Removed, message: expect.stringContaining('from the end') });
    });

    it('a forged entry appended past the head, even with a well-computed hash', async () => {
      const [, last] = [await appendAudit(db(), sampleEntry(1)), await appendAudit(db(), sampleEntry(2))];
      await dropAuditGuards(ctx.store);
      const fields = { ...toRecord(await rawRow(db(), 2)), actor: 'intruder', entityId: '7', patientId: 7 };
      const hash = chainHash(last.hash, 3, fields);
      await db().insertInto('audit_log').values({ ...(await rawRow(db(), 2)), id: 3, actor: 'intruder', entity_id: '7', patient_id: 7, prev_hash: last.hash, hash }).execute();
      expect((await verifyAuditChain(db())).problem).toMatchObject({ id: 3, kind: ChainProblemKind.Inserted });
    });

    it('reordered entries', async () => {
      await appendMany(5);
      await dropAuditGuards(ctx.store);
      const [two, four] = [await rawRow(db(), 2), await rawRow(db(), 4)];
      await db().updateTable('audit_log').set({ ...four, id: 2 }).where('id', '=', 2).execute();
      await db().updateTable('audit_log').set({ ...two, id: 4 }).where('id', '=', 4).execute();
      expect((await verifyAuditChain(db())).problem).toMatchObject({ id: 2, kind: ChainProblemKind.Altered });
    });

    it('a chain rewritten from a pinned entry on', async () => {
      await appendMany(3);
      const pinned = (await verifyAuditChain(db())).head;
      await dropAuditGuards(ctx.store);
      // The whole chain recomputed with entry 2 changed: only an outside record of a hash can tell.
      let prev = toRecord(await rawRow(db(), 1)).hash;
      for (const id of [2, 3]) {
        const r = { ...toRecord(await rawRow(db(), id)), actor: id === 2 ? 'rewritten' : `u${id}` };
        const hash = chainHash(prev, id, r);
        await db().updateTable('audit_log').set({ actor: r.actor, prev_hash: prev, hash }).where('id', '=', id).execute();
        prev = hash;
      }
      await sql`UPDATE audit_chain SET last_hash = ${prev}`.execute(db());
      expect((await verifyAuditChain(db())).intact).toBe(true);
      expect((await verifyAuditChain(db(), { pins: new Map([[pinned.id, pinned.hash]]) })).problem).toMatchObject({ id: 3, kind: ChainProblemKind.PinMismatch });
    });
  });
});
