import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { appendEntries, deleteEntriesBefore, getEntry, type LogDraft } from './message-log.js';
import { countByStatus, insertInboxRows, lastInboxEntryId, markDone, requeue, InboxStatus } from './inbox.js';
import { LOG_RETENTION_FLOOR_DAYS } from './migrations/2026-11-25T1400-message-log.js';
import { openStore } from './open.js';
import { createLogAppender } from './log-appender.js';

const DAY = 86_400_000;

function draft(over: Partial<LogDraft> = {}): LogDraft {
  return {
    received_at: Date.now(),
    listener: 'default',
    peer: '127.0.0.1:5000',
    raw: Buffer.from('MSH|^~\\&|LAB|HOSP|||20240101||ORU^R01|C1|P|2.5.1\r'),
    byte_length: 48,
    charset: 'UTF-8',
    sender_key: 'LAB|HOSP',
    control_id: 'C1',
    content_hash: 'h1',
    message_type: 'ORU^R01',
    patient_key: 'MRN1^HOSP',
    merge_key: null,
    accept_code: 'AA',
    error_code: null,
    error_text: null,
    ack: Buffer.from('ACK'),
    ...over,
  };
}

describe.each(DIALECTS)('store on %s', (dialect) => {
  const ctx = useFreshStore(dialect);

  it('appends entries with increasing ids and keeps the exact bytes', async () => {
    const raw = Buffer.from([0x4d, 0x53, 0x48, 0x7c, 0xe9, 0x00, 0xff, 0x0d]);
    const out = await ctx.store.db.transaction().execute((trx) =>
      appendEntries(trx, [draft({ control_id: 'A', raw }), draft({ control_id: 'B' })]),
    );
    expect(out.map((o) => o.kind)).toEqual(['appended', 'appended']);
    expect(out[1]!.id).toBeGreaterThan(out[0]!.id);
    const entry = await getEntry(ctx.store.db, out[0]!.id);
    expect(Buffer.compare(entry!.raw, raw)).toBe(0);
  });

  it('answers a retransmission with the earlier entry and its ACK, even within one batch', async () => {
    const first = await ctx.store.db.transaction().execute((trx) =>
      appendEntries(trx, [draft({ ack: Buffer.from('ACK-1') }), draft({ ack: Buffer.from('ACK-2') })]),
    );
    expect(first[0]!.kind).toBe('appended');
    expect(first[1]).toMatchObject({ kind: 'duplicate', id: first[0]!.id });
    expect((first[1] as { ack: Buffer }).ack.toString()).toBe('ACK-1');
    const later = await ctx.store.db.transaction().execute((trx) => appendEntries(trx, [draft()]));
    expect(later[0]).toMatchObject({ kind: 'duplicate', id: first[0]!.id });
  });

  it('keeps a reused control id with different content as a new entry', async () => {
    const out = await ctx.store.db.transaction().execute((trx) =>
      appendEntries(trx, [draft(), draft({ content_hash: 'h2' })]),
    );
    expect(out.map((o) => o.kind)).toEqual(['appended', 'appended']);
  });

  it('appends through the intake appender with the same semantics, across batches posted together', async () => {
    const appender = createLogAppender(ctx.store);
    try {
      const raw = Buffer.from([0x4d, 0x53, 0x48, 0xe9, 0x0d]);
      // Posted without waiting, as the intake does with a pipelined appender.
      const [a, b] = await Promise.all([
        appender.append([draft({ control_id: 'P1', raw }), draft({ control_id: 'P2' })]),
        appender.append([draft({ control_id: 'P1', raw, ack: Buffer.from('other') }), draft({ control_id: 'P3' })]),
      ]);
      expect(a.map((o) => o.kind)).toEqual(['appended', 'appended']);
      expect(b[0]).toMatchObject({ kind: 'duplicate', id: a[0]!.id });
      expect(Buffer.isBuffer((b[0] as { ack: Buffer }).ack)).toBe(true);
      expect((b[0] as { ack: Buffer }).ack.toString()).toBe('ACK');
      expect(b[1]!.id).toBeGreaterThan(a[1]!.id);
      expect(Buffer.compare((await getEntry(ctx.store.db, a[0]!.id))!.raw, raw)).toBe(0);
    } finally {
      await appender.close();
    }
  });

  it('never treats entries without a control id as retransmissions', async () => {
    const out = await ctx.store.db.transaction().execute((trx) =>
      appendEntries(trx, [draft({ control_id: null }), draft({ control_id: null })]),
    );
    expect(out.map((o) => o.kind)).toEqual(['appended', 'appended']);
  });

  it('refuses updates of log entries in the database itself', async () => {
    const [o] = await ctx.store.db.transaction().execute((trx) => appendEntries(trx, [draft()]));
    await expect(
      ctx.store.db.updateTable('hl7log.message_log').set({ error_text: 'tampered' }).where('id', '=', o!.id).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(sql`UPDATE hl7log.message_log SET raw = ${Buffer.from('x')}`.execute(ctx.store.db)).rejects.toThrow(/append-only/);
    expect((await getEntry(ctx.store.db, o!.id))!.error_text).toBeNull();
  });

  it('refuses deletes of entries younger than the retention floor, allows older ones', async () => {
    const now = Date.now();
    const out = await ctx.store.db.transaction().execute((trx) =>
      appendEntries(trx, [
        draft({ control_id: 'old', received_at: now - (LOG_RETENTION_FLOOR_DAYS + 10) * DAY }),
        draft({ control_id: 'young', received_at: now - 30 * DAY }),
      ]),
    );
    await expect(ctx.store.db.deleteFrom('hl7log.message_log').where('id', '=', out[1]!.id).execute()).rejects.toThrow(
      /retention/,
    );
    expect(await deleteEntriesBefore(ctx.store.db, now - (LOG_RETENTION_FLOOR_DAYS + 1) * DAY, 100)).toBe(1);
    expect(await getEntry(ctx.store.db, out[0]!.id)).toBeUndefined();
    expect(await getEntry(ctx.store.db, out[1]!.id)).toBeDefined();
  });

  it('keeps processing state in the inbox and requeues only failed or unhandled entries', async () => {
    const now = Date.now();
    const out = await ctx.store.db.transaction().execute((trx) =>
      appendEntries(trx, [draft({ control_id: '1' }), draft({ control_id: '2' })]),
    );
    await insertInboxRows(ctx.store.db, out.map((o) => ({
      entry_id: o.id, received_at: now, message_type: 'ORU^R01', patient_key: 'K', merge_key: null,
      status: InboxStatus.Queued, attempts: 0, updated_at: now,
    })));
    expect(await lastInboxEntryId(ctx.store.db)).toBe(out[1]!.id);
    expect(await markDone(ctx.store.db, out[0]!.id, 'processed', now)).toBe(true);
    expect(await markDone(ctx.store.db, out[0]!.id, 'processed', now)).toBe(false);
    expect((await requeue(ctx.store.db, out[0]!.id, now))!.status).toBe('processed');
    expect(await countByStatus(ctx.store.db)).toEqual({ processed: 1, queued: 1 });
  });

  it('migrates idempotently when a second process opens the same database', async () => {
    const second = await openStore({ dataDir: ctx.tdb.dataDir, databaseUrl: ctx.tdb.databaseUrl });
    await second.close();
    expect(await lastInboxEntryId(ctx.store.db)).toBe(0);
  });
});
