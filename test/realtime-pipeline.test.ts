import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type ApiServer } from '../src/access/testing.js';
import { addUserWithPassword, authConfig } from '../src/auth/testing.js';
import { createEpisode } from '../src/care/episode-service.js';
import { readHl7 } from '../src/hl7/index.js';
import { SseClient } from '../src/realtime/testing.js';
import { adt, eventually, startTestPlatform, type TestPlatform } from './support/platform.js';
import { DIALECTS } from './support/stores.js';

/**
 * Through the real platform (`carecoord serve`'s startPlatform with the default handlers on the
 * processing thread): an ADT A01 sent over MLLP reaches the stream of a coordinator on that
 * patient's care team; the writer is another thread, the hub hears it through the table.
 */
describe.each(DIALECTS)('an ADT over MLLP on the stream, %s', (dialect) => {
  let tp: TestPlatform;
  beforeAll(async () => {
    tp = await startTestPlatform(dialect);
  }, 60_000);
  afterAll(async () => {
    await tp?.stop();
    await tp?.tdb.cleanup();
  });

  async function send(message: string): Promise<number> {
    const client = await tp.connect();
    try {
      const reply = readHl7(await client.send(message));
      expect(reply.ok && reply.message.get('MSA-1')).toBe('AA');
      return Date.now();
    } finally {
      await client.close();
    }
  }

  it('delivers the admission to the coordinator on the care team, and not to a clinician on no team', async () => {
    const db = tp.platform.store.db;
    await send(adt(`${dialect}-reg-1`, 'RT1001', { trigger: 'A04' }));
    const patientId = await eventually(async () => {
      const row = await db.selectFrom('patient_identifier').select('patient_id').where('value', '=', 'RT1001').executeTakeFirst();
      return row && Number(row.patient_id);
    }, 20_000, 'the registered patient');
    const coord = await addUserWithPassword(db, 'coord1', ['coordinator']);
    await addUserWithPassword(db, 'doc1', ['physician']);
    await createEpisode(db, { patientId, type: 'home-health', status: 'active', startAt: Date.now(), coordinatorUserId: coord }, Date.now(), 'admin:test');

    const server: ApiServer = { url: `http://127.0.0.1:${tp.platform.httpPort}`, config: authConfig(), clock: { now: Date.now() }, breakGlassMs: 0, close: async () => {} };
    const stream = await SseClient.open(server, await signIn(server, 'coord1'));
    const other = await SseClient.open(server, await signIn(server, 'doc1'));
    try {
      await stream.until((c) => c.of('ready').length === 1);
      await other.until((c) => c.of('ready').length === 1);
      const ackedAt = await send(adt(`${dialect}-adm-1`, 'RT1001', { trigger: 'A01' }));
      await stream.until((c) => c.data.some((m) => m.json.type === 'admit'), 10_000, 'the admission');
      const admit = stream.data.find((m) => m.json.type === 'admit')!;
      expect(admit).toMatchObject({ event: 'clinical-event', json: { patientId, kind: 'clinical-event', type: 'admit' } });
      const clinical = await db.selectFrom('clinical_event').select(['id', 'message_type']).where('id', '=', admit.json.refId).executeTakeFirstOrThrow();
      expect(clinical.message_type).toBe('ADT^A01');
      expect(Date.now() - ackedAt).toBeLessThan(10_000);
      expect(other.data).toEqual([]);
    } finally {
      stream.close();
      other.close();
    }
  }, 60_000);

  it("tells the care team's streams of a new address (A08), in the transaction that stored it, and nobody off the team", async () => {
    const db = tp.platform.store.db;
    const server: ApiServer = { url: `http://127.0.0.1:${tp.platform.httpPort}`, config: authConfig(), clock: { now: Date.now() }, breakGlassMs: 0, close: async () => {} };
    const stream = await SseClient.open(server, await signIn(server, 'coord1'));
    const other = await SseClient.open(server, await signIn(server, 'doc1'));
    try {
      await stream.until((c) => c.of('ready').length === 1);
      await other.until((c) => c.of('ready').length === 1);
      const moved = [
        `MSH|^~\\&|EPIC|GENHOSP|CARECOORD|CC|20261125111500-0500||ADT^A08^ADT_A01|${dialect}-upd-1|P|2.5.1`,
        'EVN|A08|20261125111500-0500',
        'PID|1||RT1001^^^GENHOSP^MR||DOE^JANE^Q||19500101|F|||12 New Street^^Springfield^IL^62704^^H',
        'PV1|1|I|4W^401^A',
      ].join('\r') + '\r';
      await send(moved);
      await stream.until((c) => c.of('patient').length === 1, 10_000, 'the patient update');
      const update = stream.of('patient')[0]!;
      const patientId = update.json.patientId;
      expect(update.json).toMatchObject({ kind: 'patient', refId: patientId, change: 'demographics' });
      expect(update.data).not.toMatch(/New Street|Springfield/);
      const row = await db.selectFrom('patient').select(['address_line', 'updated_at']).where('id', '=', patientId).executeTakeFirstOrThrow();
      expect(row.address_line).toBe('12 New Street');
      expect(Number((await db.selectFrom('realtime_event').select('at').where('id', '=', Number(update.id)).executeTakeFirstOrThrow()).at)).toBe(Number(row.updated_at));
      await new Promise((r) => setTimeout(r, 300));
      expect(other.data).toEqual([]);
    } finally {
      stream.close();
      other.close();
    }
  }, 60_000);
});
