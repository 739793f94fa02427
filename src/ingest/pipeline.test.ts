import { afterEach, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { readHl7 } from '../hl7/index.js';
import { DIALECTS } from '../../test/support/stores.js';
import { adt, eventually, startTestPlatform, type TestPlatform } from '../../test/support/platform.js';
import type { Database } from '../store/schema.js';
import { getInboxRow, requeue } from '../store/inbox.js';
import { listMessages } from '../store/message-query.js';
import type { HandlerRegistry } from './handlers.js';
import { IngestError, ProcessErrorCode } from './retry.js';

function ackOf(reply: Buffer) {
  const r = readHl7(reply);
  if (!r.ok) throw new Error(`unreadable ACK: ${r.error.message}`);
  return { code: r.message.get('MSA-1'), refersTo: r.message.get('MSA-2'), err: r.message.get('ERR-8') || r.message.get('ERR-3.2'), message: r.message };
}

/** A handler that records each message it applies in a table of its own, inside the processing transaction. */
async function createEffectsTable(db: Kysely<Database>) {
  await sql`CREATE TABLE test_effects (seq integer, patient text, control_id text, entry_id bigint)`.execute(db);
}
let seq = 0;
function recordingHandlers(opts: { failFor?: Set<string>; failCode?: string } = {}) {
  return (registry: HandlerRegistry) => {
    registry.register(['ADT^*'], {
      name: 'test-recorder',
      async handle(trx, input) {
        const control = input.message.controlId;
        if (opts.failFor?.has(control)) throw new IngestError(opts.failCode ?? ProcessErrorCode.HandlerError, `refusing ${control}`);
        await sql`INSERT INTO test_effects (seq, patient, control_id, entry_id) VALUES (${seq++}, ${input.message.get('PID-3.1')}, ${control}, ${input.entryId})`.execute(trx);
      },
    });
  };
}
async function effects(db: Kysely<Database>) {
  const r = await sql<{ patient: string; control_id: string }>`SELECT patient, control_id FROM test_effects ORDER BY seq`.execute(db);
  return r.rows;
}

describe.each(DIALECTS)('ingest pipeline on %s', (dialect) => {
  let tp: TestPlatform | undefined;
  afterEach(async () => {
    await tp?.stop();
    await tp?.tdb.cleanup();
    tp = undefined;
  });

  it('stores a message durably, answers AA naming it, and processes it', async () => {
    tp = await startTestPlatform(dialect, {}, { registerHandlers: recordingHandlers() });
    await createEffectsTable(tp.platform.store.db);
    const client = await tp.connect();
    const ack = ackOf(await client.send(adt('MSG0001', 'MRN1')));
    await client.close();
    expect(ack).toMatchObject({ code: 'AA', refersTo: 'MSG0001' });
    expect(ack.message.get('MSH-5')).toBe('EPIC');
    expect(ack.message.get('MSH-3')).toBe('CARECOORD');
    const [row] = await listMessages(tp.platform.store.db, { controlId: 'MSG0001' });
    expect(row).toMatchObject({ acceptCode: 'AA', messageType: 'ADT^A08', patientKey: 'MRN1^GENHOSP', senderKey: 'EPIC|GENHOSP' });
    await eventually(async () => (await getInboxRow(tp!.platform.store.db, row!.id))?.status === 'processed', 20_000, 'processing');
    expect(await effects(tp.platform.store.db)).toEqual([{ patient: 'MRN1', control_id: 'MSG0001' }]);
  });

  it('answers a retransmission with the same ACK and processes it once', async () => {
    tp = await startTestPlatform(dialect, {}, { registerHandlers: recordingHandlers() });
    await createEffectsTable(tp.platform.store.db);
    const client = await tp.connect();
    const first = await client.send(adt('DUP1', 'MRN2'));
    // Before the ACK (pipelined on the same connection) and after it.
    const [second, third] = await Promise.all([client.send(adt('DUP1', 'MRN2')), client.send(adt('DUP1', 'MRN2'))]);
    const fourth = await client.send(adt('DUP1', 'MRN2'));
    await client.close();
    for (const again of [second, third, fourth]) expect(Buffer.compare(again, first)).toBe(0);
    await eventually(async () => (await effects(tp!.platform.store.db)).length === 1 && tp!.platform.workers.stats.inFlight === 0);
    await new Promise((r) => setTimeout(r, 200));
    expect(await effects(tp.platform.store.db)).toHaveLength(1);
    expect(await listMessages(tp.platform.store.db, { controlId: 'DUP1' })).toHaveLength(1);
  });

  it('stores an unreadable message raw and answers AR with an ERR that says why', async () => {
    tp = await startTestPlatform(dialect);
    const client = await tp.connect();
    const bad = 'MSH|&&&&|LAB|HOSP|||20261125||ORU^R01|BAD1|P|2.5.1\rPID|1||X\r';
    const ack = ackOf(await client.send(bad));
    await client.close();
    expect(ack.code).toBe('AR');
    expect(ack.refersTo).toBe('BAD1');
    expect(ack.message.segmentsNamed('ERR').length).toBeGreaterThan(0);
    const [row] = await listMessages(tp.platform.store.db, { controlId: 'BAD1' });
    expect(row).toMatchObject({ acceptCode: 'AR', errorCode: 'INVALID_ENCODING_CHARACTERS' });
    await eventually(async () => (await listMessages(tp!.platform.store.db, { status: 'error' })).length === 1);
  });

  it('records message types without a handler as unhandled, acknowledged and listed', async () => {
    tp = await startTestPlatform(dialect);
    const client = await tp.connect();
    // ADT^A17 (swap patients) has no handler.
    expect(ackOf(await client.send(adt('U1', 'MRN3', { trigger: 'A17' }))).code).toBe('AA');
    await client.close();
    await eventually(async () => (await listMessages(tp!.platform.store.db, { status: 'unhandled' })).length === 1);
  });

  it('refuses a facility the listener does not accept', async () => {
    tp = await startTestPlatform(dialect, { CARECOORD_MLLP_ALLOWED_FACILITIES: 'GENHOSP,NORTHCLINIC' });
    const client = await tp.connect();
    expect(ackOf(await client.send(adt('F1', 'MRN4', { facility: 'NORTHCLINIC' }))).code).toBe('AA');
    const refused = ackOf(await client.send(adt('F2', 'MRN4', { facility: 'ROGUE' })));
    await client.close();
    expect(refused.code).toBe('AR');
    expect(refused.err).toContain('ROGUE');
  });

  it('keeps each patient in arrival order across connections while patients run in parallel', async () => {
    tp = await startTestPlatform(dialect, { CARECOORD_WORKERS: '4' }, { registerHandlers: recordingHandlers() });
    await createEffectsTable(tp.platform.store.db);
    const patients = ['P1', 'P2', 'P3', 'P4'];
    const clients = await Promise.all([1, 2, 3].map(() => tp!.connect()));
    // Each patient's messages are sent in sequence, alternating connections; patients interleave.
    const sent: Record<string, string[]> = Object.fromEntries(patients.map((p) => [p, []]));
    await Promise.all(patients.map(async (p, pi) => {
      for (let i = 0; i < 15; i++) {
        const id = `${p}-${String(i).padStart(2, '0')}`;
        const ack = ackOf(await clients[(i + pi) % clients.length]!.send(adt(id, p)));
        expect(ack.code).toBe('AA');
        sent[p]!.push(id);
      }
    }));
    await Promise.all(clients.map((c) => c.close()));
    await eventually(async () => (await effects(tp!.platform.store.db)).length === 60, 30_000, 'all processed');
    const rows = await effects(tp.platform.store.db);
    for (const p of patients) expect(rows.filter((r) => r.patient === p).map((r) => r.control_id)).toEqual(sent[p]);
  });

  it('retries a failing message, parks it, holds only that patient, and reprocesses it on request', async () => {
    const failFor = new Set(['BAD-1']);
    tp = await startTestPlatform(dialect, { CARECOORD_MAX_ATTEMPTS: '3' }, { registerHandlers: recordingHandlers({ failFor }) });
    await createEffectsTable(tp.platform.store.db);
    const client = await tp.connect();
    for (const [id, mrn] of [['BAD-1', 'PX'], ['PX-2', 'PX'], ['OK-1', 'PY'], ['OK-2', 'PY']] as const) {
      expect(ackOf(await client.send(adt(id, mrn))).code).toBe('AA');
    }
    await client.close();
    const db = tp.platform.store.db;
    const [bad] = await listMessages(db, { controlId: 'BAD-1' });
    await eventually(async () => (await getInboxRow(db, bad!.id))?.status === 'failed', 20_000, 'parked');
    expect((await getInboxRow(db, bad!.id))!.attempts).toBe(3);
    await eventually(async () => (await effects(db)).length === 2);
    expect((await effects(db)).map((r) => r.control_id)).toEqual(['OK-1', 'OK-2']);
    const [held] = await listMessages(db, { controlId: 'PX-2' });
    expect(held!.status).toBe('queued');
    failFor.clear();
    await requeue(db, bad!.id, Date.now());
    await eventually(async () => (await effects(db)).length === 4, 20_000, 'reprocessed');
    expect((await effects(db)).slice(2).map((r) => r.control_id)).toEqual(['BAD-1', 'PX-2']);
  });

  it('parks at once a message whose content can never succeed', async () => {
    tp = await startTestPlatform(dialect, {}, { registerHandlers: recordingHandlers({ failFor: new Set(['NOPE']), failCode: ProcessErrorCode.InvalidContent }) });
    await createEffectsTable(tp.platform.store.db);
    const client = await tp.connect();
    await client.send(adt('NOPE', 'PZ'));
    await client.close();
    const [row] = await listMessages(tp.platform.store.db, { controlId: 'NOPE' });
    await eventually(async () => (await getInboxRow(tp!.platform.store.db, row!.id))?.status === 'failed');
    expect((await getInboxRow(tp.platform.store.db, row!.id))!.attempts).toBe(1);
  });

  it('processes, after a restart, entries that were logged but never processed', async () => {
    // The state a crash leaves: entries committed to the log (and ACKed) with no inbox row yet.
    const { freshDatabase } = await import('../../test/support/stores.js');
    const { decideFrame } = await import('./decide.js');
    const { appendEntries } = await import('../store/message-log.js');
    const tdb = await freshDatabase(dialect);
    const store = await tdb.open();
    const ctx = { listener: 'default', peer: 'test', allowedFacilities: [], application: 'CC', facility: 'CC' };
    let n = 0;
    const drafts = [0, 1, 2, 3, 4].flatMap((i) => decideFrame(Buffer.from(adt(`R${i}`, 'PR')), ctx, new Date(), () => `A${n++}`).messages.map((m) => m.draft));
    await store.db.transaction().execute((trx) => appendEntries(trx, drafts));
    await createEffectsTable(store.db);
    await store.close();
    tp = await startTestPlatform(dialect, {}, { registerHandlers: recordingHandlers() }, tdb);
    await eventually(async () => {
      const rows = await listMessages(tp!.platform.store.db, {});
      return rows.length === 5 && rows.every((r) => r.status === 'processed');
    }, 20_000, 'resumed');
    expect((await effects(tp.platform.store.db)).map((r) => r.control_id)).toEqual(['R0', 'R1', 'R2', 'R3', 'R4']);
  });
});
