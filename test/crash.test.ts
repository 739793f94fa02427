import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient } from '../src/mllp/index.js';
import { readHl7 } from '../src/hl7/index.js';
import { listMessages } from '../src/store/message-query.js';
import { DIALECTS, freshDatabase, type TestDatabase } from './support/stores.js';
import { startServe, type ServeProcess } from './support/child.js';
import { adt, eventually } from './support/platform.js';

const CONNECTIONS = 8;

/** Each connection sends its own patients' messages synchronously (send, wait for ACK, next) until told to stop. */
async function sendUntilKilled(port: number, acked: Set<string>, stop: { killed: boolean }, connection: number) {
  const client = await MllpClient.connect({ host: '127.0.0.1', port });
  try {
    for (let i = 0; !stop.killed; i++) {
      const id = `K${connection}-${i}`;
      const reply = await client.send(adt(id, `CRASH${connection}-${i % 5}`), { timeoutMs: 10_000 });
      const r = readHl7(reply);
      if (r.ok && r.message.get('MSA-1') === 'AA') acked.add(id);
    }
  } catch {
    // The server died mid-send: messages without an ACK may or may not be stored; that is allowed.
  } finally {
    await client.close().catch(() => undefined);
  }
}

describe.each(DIALECTS)('kill -9 of carecoord serve on %s', (dialect) => {
  let tdb: TestDatabase | undefined;
  let serve: ServeProcess | undefined;
  afterEach(async () => {
    serve?.child.kill('SIGKILL');
    await serve?.exited;
    await tdb?.cleanup();
  });

  it('loses no acknowledged message and applies each one\'s effects exactly once after restart', async () => {
    tdb = await freshDatabase(dialect);
    // An empty DATABASE_URL keeps the SQLite child off the PostgreSQL the test process may have been given.
    const env: Record<string, string> = { DATABASE_URL: tdb.databaseUrl ?? '' };
    const args = ['--data-dir', tdb.dataDir];
    serve = await startServe(args, env);
    const acked = new Set<string>();
    const stop = { killed: false };
    const senders = Array.from({ length: CONNECTIONS }, (_, c) => sendUntilKilled(serve!.mllpPort, acked, stop, c));
    await eventually(async () => acked.size >= 400, 60_000, '400 ACKs before the kill');
    serve.child.kill('SIGKILL');
    stop.killed = true;
    await serve.exited;
    await Promise.all(senders);
    const ackedAtKill = new Set(acked);

    serve = await startServe(args, env);
    const store = await tdb.open();
    try {
      const all = await listMessages(store.db, { limit: 100_000 });
      const logged = new Set(all.map((m) => m.controlId));
      const missing = [...ackedAtKill].filter((id) => !logged.has(id));
      expect({ logged: all.length, acked: ackedAtKill.size, missing: missing.length, sample: missing.slice(0, 5) }).toMatchObject({ missing: 0 });
      // One log entry per control id: the unique index makes a second copy impossible.
      expect(logged.size).toBe(all.length);
      // serve runs the real ADT handlers: every entry ends processed, with exactly one clinical event.
      await eventually(async () => {
        const rows = await listMessages(store.db, { limit: 100_000 });
        return rows.every((r) => r.status === 'processed') && rows.length === all.length;
      }, 60_000, 'every entry processed after restart');
      const perEntry = await store.db
        .selectFrom('clinical_event')
        .select(['source_entry_id', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('source_entry_id')
        .execute();
      expect(perEntry.length).toBe(all.length);
      expect(perEntry.filter((r) => Number(r.n) !== 1)).toEqual([]);
    } finally {
      await store.close();
    }
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    serve = undefined;
  });
});
