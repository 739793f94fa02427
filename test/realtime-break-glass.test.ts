import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_T0, seedWorld, signIn, type ApiClient, type ApiServer, type ApiWorld } from '../src/access/testing.js';
import { addUserWithPassword } from '../src/auth/testing.js';
import { SseClient, startStreamServer } from '../src/realtime/testing.js';
import { insertEvent } from '../src/store/events.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

const REASON = 'patient collapsed in the waiting room, team unreachable';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Break the glass over real HTTP: the grant is raised to every signed-in privacy officer's stream (and
 * to nobody else's, not even the care team's), reviewed once by a privacy officer, audited, and listed
 * with an `unreviewed` filter and keyset pages.
 */
describe.each(DIALECTS)('break-the-glass oversight on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  let world: ApiWorld;
  let server: ApiServer;
  let c: Record<'coord' | 'doctor' | 'auditor' | 'privacy' | 'privacy2', ApiClient>;
  const streams: SseClient[] = [];
  const open = async (client: ApiClient, lastEventId?: number) => {
    const s = await SseClient.open(server, client, lastEventId);
    streams.push(s);
    await s.until((x) => x.of('ready').length === 1);
    return s;
  };
  beforeEach(async () => {
    world = await seedWorld(ctx.store.db);
    await addUserWithPassword(ctx.store.db, 'privacy2', ['privacy-officer']);
    server = await startStreamServer(ctx.store.db);
    c = {
      coord: await signIn(server, 'coord1'), doctor: await signIn(server, 'doc1'), auditor: await signIn(server, 'auditor1'),
      privacy: await signIn(server, 'privacy1'), privacy2: await signIn(server, 'privacy2'),
    };
  });
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await server.close();
  });

  const breakGlass = async (who: ApiClient, patientId = world.patientId) => {
    const r = await who.post(`/api/patients/${patientId}/break-glass`, { reason: REASON });
    expect(r.status).toBe(201);
    return r.body.grant;
  };

  it("raises a grant to every privacy officer's stream and to nobody else's, without the reason", async () => {
    const [p1, p2, coord, doctor, auditor] = [await open(c.privacy), await open(c.privacy2), await open(c.coord), await open(c.doctor), await open(c.auditor)];
    const grant = await breakGlass(c.doctor);
    for (const p of [p1, p2]) await p.until((x) => x.of('break-glass').length === 1, 5_000, 'the grant');
    expect(p1.of('break-glass')[0]!.json).toMatchObject({
      kind: 'break-glass', refId: grant.id, patientId: world.patientId, state: 'granted', userId: world.users.doctor, username: 'doc1',
      grantedAt: API_T0, expiresAt: API_T0 + server.breakGlassMs, outcome: null,
    });
    expect(p1.of('break-glass')[0]!.data).not.toContain('waiting room');
    // The care team sees the patient but not the oversight event; the grant holder and the auditor neither.
    await sleep(200);
    for (const s of [coord, doctor, auditor]) expect(s.of('break-glass')).toEqual([]);
    // The privacy officer is on no team: the patient's clinical events do not reach them.
    await ctx.store.db.transaction().execute((trx) => insertEvent(trx, {
      patientId: world.patientId, encounterId: null, type: 'admit', occurredAt: API_T0, recordedAt: Date.now(), facility: 'GENHOSP', sourceEntryId: null, messageType: 'ADT^A01', payload: {},
    }));
    await coord.until((x) => x.of('clinical-event').length === 1);
    await doctor.until((x) => x.of('clinical-event').length === 1);
    await sleep(200);
    expect(p1.of('clinical-event')).toEqual([]);
  });

  it('replays the grant to a privacy officer reconnecting with Last-Event-ID, and to no one else', async () => {
    const p = await open(c.privacy);
    const coord = await open(c.coord);
    const [pReady, coordReady] = [Number(p.of('ready')[0]!.id), Number(coord.of('ready')[0]!.id)];
    p.close();
    coord.close();
    const grant = await breakGlass(c.doctor);
    const again = await open(c.privacy, pReady);
    expect(again.of('break-glass').map((m) => m.json.refId)).toEqual([grant.id]);
    const coordAgain = await open(c.coord, coordReady);
    expect(coordAgain.data).toEqual([]);
    // A privacy officer who loses the role stops receiving them.
    await ctx.store.db.updateTable('app_user').set({ roles: JSON.stringify(['auditor']) }).where('username', '=', 'privacy1').execute();
    const live = await open(c.privacy2);
    await breakGlass(c.doctor, world.otherPatientId);
    await live.until((x) => x.of('break-glass').length === 1);
    await sleep(200);
    expect(again.of('break-glass')).toHaveLength(1);
  });

  it('lets a privacy officer review a grant once, audited, and tells the other privacy officers', async () => {
    const p2 = await open(c.privacy2);
    const grant = await breakGlass(c.doctor);
    const review = { outcome: 'inappropriate', note: 'no emergency on record; spoke with the user' };
    for (const who of ['doctor', 'coord', 'auditor'] as const) expect((await c[who].post(`/api/break-glass/${grant.id}/review`, review)).status, who).toBe(403);
    expect((await c.privacy.post('/api/break-glass/987654/review', review)).status).toBe(404);
    expect((await c.privacy.post(`/api/break-glass/${grant.id}/review`, { outcome: 'fine' })).status).toBe(400);
    const r = await c.privacy.post(`/api/break-glass/${grant.id}/review`, review);
    expect(r.status).toBe(200);
    expect(r.body.grant).toMatchObject({ id: grant.id, reviewedBy: 'privacy1', reviewOutcome: 'inappropriate', reviewNote: review.note, reviewedAt: new Date(API_T0).toISOString() });
    const again = await c.privacy2.post(`/api/break-glass/${grant.id}/review`, { outcome: 'appropriate' });
    expect([again.status, again.body.error.code]).toEqual([409, 'access.already_reviewed']);
    await p2.until((x) => x.of('break-glass').length === 2, 5_000, 'the review');
    expect(p2.of('break-glass')[1]!.json).toMatchObject({ refId: grant.id, state: 'reviewed', outcome: 'inappropriate' });
    expect(p2.of('break-glass')[1]!.data).not.toContain('spoke with');
    const row = await ctx.store.db.selectFrom('break_glass_grant').selectAll().where('id', '=', grant.id).executeTakeFirstOrThrow();
    expect([row.reviewed_by, row.review_outcome, row.review_note, Number(row.reviewed_at)]).toEqual(['privacy1', 'inappropriate', review.note, API_T0]);
    const audited = await ctx.store.db.selectFrom('audit_log').select(['actor', 'action', 'entity_type', 'entity_id', 'patient_id', 'outcome'])
      .where('entity_type', '=', 'break-glass-grant').where('action', '=', 'update').execute();
    expect(audited.map((a) => [a.actor, a.outcome, Number(a.entity_id), Number(a.patient_id)])).toEqual([['privacy1', 'success', grant.id, world.patientId]]);
  });

  it('does not let a privacy officer review their own grant', async () => {
    await addUserWithPassword(ctx.store.db, 'drpriv', ['physician', 'privacy-officer']);
    const both = await signIn(server, 'drpriv');
    const grant = await breakGlass(both);
    const r = await both.post(`/api/break-glass/${grant.id}/review`, { outcome: 'appropriate' });
    expect([r.status, r.body.error.code]).toEqual([403, 'access.forbidden']);
  });

  it('lists grants still to review, in keyset pages', async () => {
    const grants = [];
    for (let i = 0; i < 3; i++) grants.push(await breakGlass(c.doctor, i % 2 ? world.otherPatientId : world.patientId));
    expect((await c.privacy.post(`/api/break-glass/${grants[1].id}/review`, { outcome: 'appropriate' })).status).toBe(200);
    const open = await c.privacy.get('/api/break-glass?unreviewed=true');
    expect(open.body.grants.map((g: any) => g.id)).toEqual([grants[2].id, grants[0].id]);
    expect(open.body.nextBefore).toBeNull();
    const first = await c.privacy.get('/api/break-glass?limit=2');
    expect(first.body.grants.map((g: any) => g.id)).toEqual([grants[2].id, grants[1].id]);
    expect(first.body.grants[1]).toMatchObject({ reviewOutcome: 'appropriate', reviewedBy: 'privacy1' });
    const second = await c.privacy.get(`/api/break-glass?limit=2&before=${first.body.nextBefore}`);
    expect(second.body.grants.map((g: any) => g.id)).toEqual([grants[0].id]);
    expect(second.body.nextBefore).toBeNull();
    expect((await c.doctor.get('/api/break-glass?unreviewed=true')).status).toBe(403);
  });
});
