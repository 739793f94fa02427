import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { appendEntries, getEntry } from '../store/message-log.js';
import { RetentionJob } from './retention.js';

const DAY = 86_400_000;

describe.each(DIALECTS)('retention job on %s', (dialect) => {
  const ctx = useFreshStore(dialect);

  async function entryAged(days: number, controlId: string): Promise<number> {
    const [o] = await ctx.store.db.transaction().execute((trx) => appendEntries(trx, [{
      received_at: Date.now() - days * DAY, listener: 'default', peer: 'p', raw: Buffer.from('MSH|'), byte_length: 4,
      charset: 'UTF-8', sender_key: 'A|B', control_id: controlId, content_hash: controlId, message_type: 'ADT^A01',
      patient_key: null, merge_key: null, accept_code: 'AA', error_code: null, error_text: null, ack: null,
    }]));
    return o!.id;
  }

  it('removes only entries older than the retention period', async () => {
    const old = await entryAged(2200, 'old');
    const recent = await entryAged(2000, 'recent');
    const job = new RetentionJob(ctx.store.db, pino({ level: 'silent' }), 2192);
    expect(await job.runOnce()).toBe(1);
    expect(await getEntry(ctx.store.db, old)).toBeUndefined();
    expect(await getEntry(ctx.store.db, recent)).toBeDefined();
  });

  it('cannot remove entries younger than the six-year floor even when configured shorter', async () => {
    const young = await entryAged(400, 'young');
    const job = new RetentionJob(ctx.store.db, pino({ level: 'silent' }), 365);
    expect(await job.runOnce()).toBe(0);
    expect(await getEntry(ctx.store.db, young)).toBeDefined();
  });
});
