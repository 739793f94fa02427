import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_T0, seedWorld, signIn, type ApiClient, type ApiServer, type ApiWorld } from '../src/access/testing.js';
import { addUserWithPassword } from '../src/auth/testing.js';
import { createEpisode } from '../src/care/episode-service.js';
import { mergePatients, MergeSource, unmergePatients } from '../src/identity/merge.js';
import { SseClient, startStreamServer } from '../src/realtime/testing.js';
import type { CareDb } from '../src/store/care/db.js';
import { insertEvent } from '../src/store/events.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

/** Counts the SELECTs that read realtime_event through the db it is plugged into (the hub's polls, replays). */
class RealtimeReads implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (args.node.kind === 'SelectQueryNode' && JSON.stringify(args.node).includes('"realtime_event"')) this.count++;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

const admit = (db: CareDb, patientId: number, n = 0) => db.transaction().execute((trx) => insertEvent(trx, {
  patientId, encounterId: null, type: 'admit', occurredAt: API_T0 + n, recordedAt: Date.now(), facility: 'GENHOSP', sourceEntryId: null, messageType: 'ADT^A01', payload: { n },
}));
const idsOf = async (db: CareDb, patientId: number, after: number) =>
  (await db.selectFrom('realtime_event').select('id').where('patient_id', '=', patientId).where('id', '>', after).orderBy('id').execute()).map((r) => Number(r.id));
const ids = (c: SseClient) => c.data.map((m) => Number(m.id));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DIALECTS)('the real-time hub at rest and across merges, %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  let world: ApiWorld;
  let server: ApiServer | undefined;
  let reads: RealtimeReads;
  const streams: SseClient[] = [];
  const open = async (client: ApiClient, lastEventId?: number) => {
    const s = await SseClient.open(server!, client, lastEventId);
    streams.push(s);
    await s.until((x) => x.of('ready').length === 1);
    return s;
  };
  beforeEach(async () => {
    world = await seedWorld(ctx.store.db);
    reads = new RealtimeReads();
    server = await startStreamServer(ctx.store.db.withPlugin(reads));
  });
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await server?.close();
  });

  it('reads nothing while nobody listens, and a subscriber after a quiet spell gets replay then live without gap', async () => {
    const db = ctx.store.db;
    // The hub polls every 20 ms here: 300 ms without a stream, events being published, and not one read.
    for (let i = 0; i < 3; i++) await admit(db, world.patientId, i);
    await sleep(300);
    expect(reads.count).toBe(0);

    const coord = await signIn(server!, 'coord1');
    const first = await open(coord);
    const head = Number((await db.selectFrom('realtime_event').select((eb) => eb.fn.max('id').as('m')).executeTakeFirstOrThrow()).m);
    expect(Number(first.of('ready')[0]!.id)).toBe(head);
    await admit(db, world.patientId, 10);
    await first.until((x) => x.data.length === 1);
    first.close();
    const last = Number(first.data[0]!.id);
    await sleep(100);
    const atRest = reads.count;
    // Quiet again: events for my patient and another one while nobody listens.
    for (let i = 0; i < 6; i++) await admit(db, i % 2 ? world.otherPatientId : world.patientId, 20 + i);
    await sleep(300);
    expect(reads.count).toBe(atRest);

    const again = await open(coord, last);
    expect(ids(again)).toEqual(await idsOf(db, world.patientId, last));
    expect(ids(again)).toHaveLength(3);
    await admit(db, world.patientId, 30);
    await again.until((x) => x.data.length === 4);
    expect(ids(again)).toEqual(await idsOf(db, world.patientId, last));
  });

  it("keeps a merged patient's past stream events on it: the survivor's team never replays them, and gets every event from the merge on", async () => {
    const db = ctx.store.db;
    const [a, b] = [world.patientId, world.otherPatientId];
    const bUser = await addUserWithPassword(db, 'bcoord', ['coordinator']);
    await createEpisode(db, { patientId: b, type: 'home-health', status: 'active', startAt: API_T0, coordinatorUserId: bUser }, API_T0, 'admin:test');
    const coord = await signIn(server!, 'coord1');
    const bcoord = await signIn(server!, 'bcoord');
    const before = await open(coord);
    const h0 = Number(before.of('ready')[0]!.id);
    before.close();

    const bEvent = await admit(db, b, 1);
    await admit(db, a, 2);
    const merged = await mergePatients(db, { survivorId: a, mergedId: b, source: MergeSource.Admin, sourceEntryId: null, decidedBy: 'admin:test', at: Date.now() });
    const bRow = await db.selectFrom('realtime_event').select(['id', 'patient_id']).where('kind', '=', 'clinical-event').where('ref_id', '=', bEvent).executeTakeFirstOrThrow();
    expect(Number(bRow.patient_id)).toBe(b);

    const replay = await open(coord, h0);
    expect(ids(replay)).toEqual(await idsOf(db, a, h0));
    expect(ids(replay)).not.toContain(Number(bRow.id));
    expect(replay.data.map((m) => [m.event, m.json.type ?? m.json.change])).toEqual([['clinical-event', 'admit'], ['patient', 'merge'], ['clinical-event', 'merge']]);
    expect(replay.of('patient')[0]!.json).toMatchObject({ patientId: a, change: 'merge', otherPatientId: b });
    expect(replay.of('clinical-event')[1]!.json.refId).toBe(merged.eventId);
    // B's own team (its episode now on A) does not replay B's past either, and hears the merge.
    const bReplay = await open(bcoord, h0);
    expect(ids(bReplay)).not.toContain(Number(bRow.id));
    expect(bReplay.of('patient').map((m) => [m.json.patientId, m.json.change])).toEqual([[a, 'merge']]);

    // Going forward: events about the survivor reach both teams; an unmerge tells both patients' streams.
    await admit(db, a, 3);
    await replay.until((x) => x.data.length === 4);
    await bReplay.until((x) => x.of('clinical-event').some((m) => m.json.refId > merged.eventId));
    await unmergePatients(db, merged.mergeId, 'admin:test', Date.now());
    await replay.until((x) => x.of('patient').length === 2);
    await bReplay.until((x) => x.of('patient').some((m) => m.json.patientId === b && m.json.change === 'unmerge'));
    expect(replay.of('patient')[1]!.json).toMatchObject({ patientId: a, change: 'unmerge', otherPatientId: b });
    expect(ids(replay)).toEqual(await idsOf(db, a, h0));
  });
});
