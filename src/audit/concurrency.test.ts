import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { openStore } from '../store/open.js';
import { appendAudit } from './append.js';
import { sampleEntry } from './testing.js';
import { verifyAuditChain } from './verify.js';

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

describe.each(DIALECTS)('concurrent audit appends on %s', (dialect) => {
  const ctx = useFreshStore(dialect);

  it('keep one linear chain when many transactions append at once', async () => {
    const n = 40;
    const records = await Promise.all(Array.from({ length: n }, (_, i) =>
      ctx.store.db.transaction().execute((trx) => appendAudit(trx, sampleEntry(i + 1)))));
    expect(records.map((r) => r.id).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(await verifyAuditChain(ctx.store.db)).toMatchObject({ intact: true, checked: n });
  });

  // SQLite connections of one thread cannot interleave write transactions (a waiting connection's busy
  // handler blocks the thread that would commit); several processes do, in test/cli-audit.test.ts.
  it.runIf(dialect === 'postgres')('keep one chain across separate pools, with verify running meanwhile', async () => {
    const others = await Promise.all([1, 2, 3].map(() => openStore({ dataDir: ctx.tdb.dataDir, databaseUrl: ctx.tdb.databaseUrl, migrate: false })));
    try {
      const stores = [ctx.store, ...others];
      const verdicts: boolean[] = [];
      const appends = stores.map(async (s, k) => {
        for (let i = 0; i < 15; i++) await appendAudit(s.db, sampleEntry(k * 100 + i));
      });
      const verifying = (async () => {
        for (let i = 0; i < 5; i++) verdicts.push((await verifyAuditChain(others[0]!.db)).intact);
      })();
      await Promise.all([...appends, verifying]);
      expect(verdicts.every(Boolean)).toBe(true);
      expect(await verifyAuditChain(ctx.store.db)).toMatchObject({ intact: true, checked: 60 });
    } finally {
      for (const s of others) await s.close();
    }
  });

  it.runIf(dialect === 'postgres')('do not deadlock with other work on shared rows when appended last, and hold the head only briefly', async () => {
    const db = ctx.store.db;
    await sql`CREATE TABLE scratch (id int primary key, n int not null)`.execute(db);
    await sql`INSERT INTO scratch SELECT g, 0 FROM generate_series(1, 4) g`.execute(db);
    const held: number[] = [];
    const failures: string[] = [];
    // 8 workers (the pool holds 10 connections), each 25 transactions: lock two of four shared rows
    // (in id order, as any deadlock-free code does), pause, then audit last.
    const worker = async (w: number) => {
      for (let i = 0; i < 25; i++) {
        const rows = [1 + ((w + i) % 4), 1 + ((w + 2 * i + 1) % 4)].sort();
        try {
          await db.transaction().execute(async (trx) => {
            for (const id of rows) await sql`UPDATE scratch SET n = n + 1 WHERE id = ${id}`.execute(trx);
            await new Promise((r) => setTimeout(r, 1));
            const t = performance.now();
            await appendAudit(trx, sampleEntry(w * 1000 + i, { detail: { rows } }));
            held.push(performance.now() - t);
          });
        } catch (err) {
          failures.push((err as { code?: string }).code ?? String(err));
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    const total = performance.now() - started;
    expect(failures).toEqual([]);
    expect(await verifyAuditChain(db)).toMatchObject({ intact: true, checked: 200 });
    // The append (head wait + three statements) while 8 connections contend; the lock is then held until commit.
    console.info(`200 audited transactions on 8 connections in ${total.toFixed(0)} ms; append p50 ${percentile(held, 0.5).toFixed(1)} ms, p99 ${percentile(held, 0.99).toFixed(1)} ms`);
  });
});
