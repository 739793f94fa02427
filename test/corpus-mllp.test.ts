/**
 * Every file of the shared sample corpus, sent over MLLP one file per frame to a real carecoord:
 * each is answered (unless every message in it asked for no acknowledgment with MSH-15 NE), each is
 * stored, and nothing that could not be read is ever answered AA/CA.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLenientHeader, splitBatch } from '../src/hl7/index.js';
import { MllpClient } from '../src/mllp/index.js';
import { listMessages } from '../src/store/message-query.js';
import { DIALECTS } from './support/stores.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';

const CORPUS = new URL('../../shared/hl7-samples/', import.meta.url);
const rows = readFileSync(new URL('INDEX.tsv', CORPUS), 'utf8').split('\n').slice(1).filter(Boolean)
  .map((l) => { const [file = '', type = '', , , notable = ''] = l.split('\t'); return { file, type, notable }; });

/** MSA-1 codes in a reply (one per ACK; a batch reply carries several). */
function ackCodes(reply: Buffer): string[] {
  return reply.toString('latin1').split(/\r|\n/).filter((s) => s.startsWith('MSA')).map((s) => s.split(s[3]!)[1] ?? '');
}

/**
 * A readable frame whose messages all say MSH-15 NE (never) or ER (only on error) expects no reply;
 * batches and anything unreadable are always answered.
 */
function expectsNoReply(bytes: Buffer, readable: boolean): boolean {
  const split = splitBatch(bytes);
  if (!readable || split.kind === 'invalid' || split.kind === 'batch') return false;
  return split.messages.every((m) => ['NE', 'ER'].includes(readLenientHeader(Buffer.from(m).toString('latin1')).acceptAckType.toUpperCase()));
}

describe.each(DIALECTS)('the sample corpus over MLLP on %s', (dialect) => {
  let tp: TestPlatform;
  beforeAll(async () => {
    tp = await startTestPlatform(dialect);
  });
  afterAll(async () => {
    await tp.stop();
    await tp.tdb.cleanup();
  });

  it.each(rows)('$file is stored and answered as it deserves', async ({ file, type, notable }) => {
    const bytes = readFileSync(new URL(file, CORPUS));
    const before = await listMessages(tp.platform.store.db, { limit: 100_000 });
    // Some samples are copies of others (same sender and MSH-10): those are retransmissions, not new entries.
    const known = new Set(before.map((m) => `${m.senderKey}/${m.controlId}`));
    const split = splitBatch(bytes);
    const retransmission = split.kind !== 'invalid' && split.messages.every((m) => {
      const h = readLenientHeader(Buffer.from(m).toString('latin1'));
      return h.controlId !== '' && known.has(`${h.sendingApplication}|${h.sendingFacility}/${h.controlId}`);
    });
    const client = await tp.connect();
    try {
      const unreadable = /NEGATIVE|FUZZ/.test(notable) || type === '(none)';
      if (expectsNoReply(bytes, !unreadable)) {
        await client.post(bytes);
      } else {
        const codes = ackCodes(await client.send(bytes, { timeoutMs: 10_000 }));
        if (unreadable) {
          expect(codes.length).toBeGreaterThan(0);
          for (const c of codes) expect(['AE', 'AR', 'CE', 'CR']).toContain(c);
        } else if (!type.startsWith('BATCH') || codes.length > 0) {
          for (const c of codes) expect(['AA', 'CA']).toContain(c);
        }
      }
    } finally {
      await client.close();
    }
    if (retransmission) return;
    await expect.poll(async () => (await listMessages(tp.platform.store.db, { limit: 100_000 })).length, { timeout: 10_000 })
      .toBeGreaterThan(before.length);
  });
});
