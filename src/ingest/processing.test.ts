import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readHl7 } from '../hl7/index.js';
import { getInboxRow } from '../store/inbox.js';
import { listMessages } from '../store/message-query.js';
import { adt, eventually, startTestPlatform, type TestPlatform } from '../../test/support/platform.js';

describe('the processing thread', () => {
  let tp: TestPlatform | undefined;
  afterEach(async () => {
    await tp?.stop();
    await tp?.tdb.cleanup();
    tp = undefined;
  });

  it('processes with the handlers module in a thread of its own, and is restarted when it dies', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'carecoord-die-')), 'marker');
    process.env.CARECOORD_TEST_DIE_MARKER = marker;
    tp = await startTestPlatform('sqlite', {}, { handlersModule: new URL('../../test/fixtures/dying-handlers.ts', import.meta.url).href });
    const client = await tp.connect();
    const first = readHl7(await client.send(adt('DIE', 'PD1')));
    // The ACK does not depend on processing: the thread dies after the message is durable.
    expect(first.ok && first.message.get('MSA-1')).toBe('AA');
    await eventually(async () => existsSync(marker), 20_000, 'the thread to die on DIE');
    expect((await client.send(adt('AFTER', 'PD2'))).length).toBeGreaterThan(0);
    await client.close();
    const db = tp.platform.store.db;
    const [die] = await listMessages(db, { controlId: 'DIE' });
    const [after] = await listMessages(db, { controlId: 'AFTER' });
    await eventually(async () => (await getInboxRow(db, die!.id))?.status === 'processed', 30_000, 'DIE processed after restart');
    await eventually(async () => (await getInboxRow(db, after!.id))?.status === 'processed', 30_000, 'AFTER processed');
  });
});
