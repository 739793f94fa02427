import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_T0, HOUR, seedWorld, signIn, type ApiClient, type ApiServer, type ApiWorld } from '../src/access/testing.js';
import { createTask, completeTask } from '../src/care/task-service.js';
import { publish, RealtimeKind } from '../src/realtime/index.js';
import { SseClient, startStreamServer } from '../src/realtime/testing.js';
import { insertEvent } from '../src/store/events.js';
import type { CareDb } from '../src/store/care/db.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

/** A clinical event about the patient, recorded in its own transaction (as a handler does). */
const admit = (db: CareDb, patientId: number, n = 0) => db.transaction().execute((trx) => insertEvent(trx, {
  patientId, encounterId: null, type: 'admit', occurredAt: API_T0 + n, recordedAt: Date.now(), facility: 'GENHOSP', sourceEntryId: null, messageType: 'ADT^A01', payload: { n },
}));

/** The realtime ids a user on the patient's team should see, after `after`. */
async function visibleIds(db: CareDb, patientId: number, after: number): Promise<number[]> {
  const rows = await db.selectFrom('realtime_event').select('id').where('patient_id', '=', patientId).where('id', '>', after).orderBy('id').execute();
  return rows.map((r) => Number(r.id));
}

const ids = (c: SseClient) => c.data.map((m) => Number(m.id));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DIALECTS)('GET /api/stream on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  let world: ApiWorld;
  let server: ApiServer | undefined;
  let coord: ApiClient;
  const streams: SseClient[] = [];
  const open = async (client: ApiClient, lastEventId?: number | string) => {
    const s = await SseClient.open(server!, client, lastEventId);
    streams.push(s);
    return s;
  };
  const start = async (options: Parameters<typeof startStreamServer>[1] = {}) => {
    server = await startStreamServer(ctx.store.db, options);
    coord = await signIn(server, 'coord1');
  };
  beforeEach(async () => {
    world = await seedWorld(ctx.store.db);
  });
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await server?.close();
    server = undefined;
  });

  it('sends events about a patient on my care team, and never one about another patient', async () => {
    await start();
    const s = await open(coord);
    expect(s.status).toBe(200);
    await s.until((c) => c.of('ready').length === 1);
    await admit(ctx.store.db, world.otherPatientId);
    const eventId = await admit(ctx.store.db, world.patientId);
    const task = await createTask(ctx.store.db, { patientId: world.patientId, title: 'Call about the admission', assigneeUserId: world.users.coord }, API_T0, 'admin:test');
    await completeTask(ctx.store.db, task.id, 'called, all well', API_T0 + HOUR, 'coord1');
    await s.until((c) => c.data.length >= 3, 5_000, 'three events');
    await sleep(150);
    expect(s.data.map((m) => [m.event, m.json.patientId, m.json.refId])).toEqual([
      ['clinical-event', world.patientId, eventId], ['task', world.patientId, task.id], ['task', world.patientId, task.id],
    ]);
    expect(s.data[0]!.json).toMatchObject({ type: 'admit', encounterId: null });
    expect(s.data.map((m) => m.json.status).slice(1)).toEqual(['open', 'completed']);
    // No free text: the task's title and note stay out of the stream.
    expect(s.data.some((m) => /Call about|all well/.test(m.data))).toBe(false);
    expect(ids(s)).toEqual(await visibleIds(ctx.store.db, world.patientId, Number(s.of('ready')[0]!.id)));
  });

  it('answers 401 without a session', async () => {
    await start();
    const stranger = { cookie: 'x'.repeat(43) } as ApiClient;
    const s = await open(stranger);
    expect(s.status).toBe(401);
  });

  it('decides visibility when the event is delivered: break the glass and the events come, end the team and they stop', async () => {
    await start();
    const doctor = await signIn(server!, 'doc1');
    const d = await open(doctor);
    const n = await open(await signIn(server!, 'nurse1'));
    await d.until((c) => c.of('ready').length === 1);
    await n.until((c) => c.of('ready').length === 1);
    await admit(ctx.store.db, world.patientId, 1);
    await n.until((c) => c.data.length === 1);
    expect((await doctor.post(`/api/patients/${world.patientId}/break-glass`, { reason: 'Called by the ED about this patient now' })).status).toBe(201);
    await ctx.store.db.updateTable('care_team_member').set({ active_to: API_T0 }).where('user_id', '=', world.users.nurse).execute();
    const second = await admit(ctx.store.db, world.patientId, 2);
    await d.until((c) => c.data.length === 1);
    await sleep(150);
    expect(ids(d)).toEqual([await lastRealtimeId(ctx.store.db, second)]);
    expect(n.data).toHaveLength(1);
  });

  it('replays exactly what was missed after Last-Event-ID, then continues live', async () => {
    await start();
    const first = await open(coord);
    await first.until((c) => c.of('ready').length === 1);
    for (let i = 0; i < 3; i++) await admit(ctx.store.db, world.patientId, i);
    await first.until((c) => c.data.length === 3);
    const last = Number(first.data[2]!.id);
    first.close();
    // Missed while away: 4 about my patient, 3 about another.
    for (let i = 0; i < 7; i++) await admit(ctx.store.db, i % 2 ? world.otherPatientId : world.patientId, 10 + i);
    const again = await open(coord, last);
    await again.until((c) => c.of('ready').length === 1);
    expect(ids(again)).toEqual(await visibleIds(ctx.store.db, world.patientId, last));
    expect(ids(again)).toHaveLength(4);
    await admit(ctx.store.db, world.patientId, 20);
    await again.until((c) => c.data.length === 5);
    expect(ids(again)).toEqual(await visibleIds(ctx.store.db, world.patientId, last));
  });

  it('hands over from replay to live without gap or duplicate while events keep coming', async () => {
    await start();
    const first = await open(coord);
    await first.until((c) => c.of('ready').length === 1);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await admit(ctx.store.db, i % 3 ? world.patientId : world.otherPatientId, i);
        if (i % 5 === 0) await sleep(2);
      }
    })();
    await first.until((c) => c.data.length >= 20);
    const last = Number(first.data[first.data.length - 1]!.id);
    first.close();
    await sleep(100);
    const again = await open(coord, last);
    await again.until((c) => c.of('ready').length === 1);
    await again.until((c) => c.data.length >= 60);
    writing = false;
    await writer;
    const expected = await visibleIds(ctx.store.db, world.patientId, last);
    await again.until((c) => c.data.length === expected.length, 5_000, 'the last events');
    expect(ids(again)).toEqual(expected);
  });

  it('sends reset to a client further behind than the replay window, with the id to continue from', async () => {
    await start({ realtime: { stream: { maxReplayEvents: 3 } } });
    for (let i = 0; i < 5; i++) await admit(ctx.store.db, world.patientId, i);
    const s = await open(coord, 0);
    await s.until((c) => c.of('ready').length === 1);
    expect(s.messages.map((m) => m.event)).toEqual(['reset', 'ready']);
    expect(s.of('reset')[0]!.id).toBe(s.of('ready')[0]!.id);
    const future = await open(coord, 1_000_000);
    await future.until((c) => c.of('ready').length === 1);
    expect(future.messages.map((m) => m.event)).toEqual(['reset', 'ready']);
  });

  it('sends a heartbeat comment at the configured interval', async () => {
    await start({ realtime: { stream: { heartbeatMs: 100 } } });
    const s = await open(coord);
    await s.until((c) => c.comments >= 3, 3_000, 'three heartbeats');
    expect(s.closed).toBe(false);
  });

  it('ends the stream when the session idles out, and when the user signs out', async () => {
    await start({ auth: { sessionIdleMs: 1_500 }, realtime: { stream: { heartbeatMs: 100 } } });
    const s = await open(coord);
    await s.until((c) => c.closed, 4_000, 'the end of the stream');
    expect(s.of('end').map((m) => m.json.reason)).toEqual(['idle-timeout']);
    const other = await signIn(server!, 'nurse1');
    const t = await open(other);
    await t.until((c) => c.of('ready').length === 1);
    expect((await other.post('/api/auth/logout')).status).toBeLessThan(300);
    await t.until((c) => c.closed, 2_000, 'the end after logout');
    expect(t.of('end').map((m) => m.json.reason)).toEqual(['logout']);
  });

  it('cuts off a client that stops reading instead of buffering without bound', async () => {
    await start({ realtime: { stream: { maxBufferedBytes: 64 * 1024 } } });
    const s = await open(coord);
    await s.until((c) => c.of('ready').length === 1);
    s.res!.pause();
    const code = 'X'.repeat(1000);
    const total = 12_000;
    await ctx.store.db.transaction().execute(async (trx) => {
      for (let i = 0; i < total; i++) await publish(trx, { at: Date.now(), patientId: world.patientId, kind: RealtimeKind.ClinicalEvent, refId: i, payload: { code } });
    });
    await sleep(1_500);
    s.res!.resume();
    await s.until((c) => c.closed, 10_000, 'the cut');
    expect(s.data.length).toBeLessThan(total);
  }, 30_000);
});

async function lastRealtimeId(db: CareDb, clinicalEventId: number): Promise<number> {
  const r = await db.selectFrom('realtime_event').select('id').where('kind', '=', 'clinical-event').where('ref_id', '=', clinicalEventId).executeTakeFirstOrThrow();
  return Number(r.id);
}
