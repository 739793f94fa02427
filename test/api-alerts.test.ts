import { describe, expect, it } from 'vitest';
import { AlertLifecycle } from '../src/alerts/lifecycle.js';
import { API_T0, HOUR, signIn, startApiServer } from '../src/access/testing.js';
import { insertTestAlert } from './support/alerts.js';
import { expectStatus, useApiWorld } from './support/api.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

const REASON = 'patient unresponsive in clinic, no team member reachable';

/** The alerts API over real HTTP: the inbox, one alert, a patient's history, acknowledge / snooze / resolve. */
describe.each(DIALECTS)('the alerts API on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  const api = useApiWorld(ctx);

  const ok = expectStatus;
  const alert = (patientId: number, over: Parameters<typeof insertTestAlert>[2] = {}) => insertTestAlert(ctx.store.db, patientId, over);
  const ids = (body: any) => body.items.map((a: any) => a.id);

  it("shows in the inbox only the alerts of the patients the caller sees, still to handle, filtered and sorted", async () => {
    const low = await alert(api.world.patientId, { severity: 'low', raisedAt: API_T0 - HOUR });
    const critical = await alert(api.world.patientId, { severity: 'critical', raisedAt: API_T0 - 3 * HOUR });
    await alert(api.world.patientId, { status: 'resolved', raisedAt: API_T0 });
    const other = await alert(api.world.otherPatientId, { severity: 'critical' });
    expect(ids(ok(await api.coord.get('/api/alerts')))).toEqual([low, critical]);
    expect(ids(ok(await api.coord.get('/api/alerts?sort=severity')))).toEqual([critical, low]);
    expect(ids(ok(await api.coord.get('/api/alerts?severity=critical&severity=high')))).toEqual([critical]);
    expect(ids(ok(await api.coord.get(`/api/alerts?patientId=${api.world.otherPatientId}`)))).toEqual([]);
    const doctor = await signIn(api.server, 'doc1');
    expect(ids(ok(await doctor.get('/api/alerts')))).toEqual([]);
    ok(await doctor.post(`/api/patients/${api.world.otherPatientId}/break-glass`, { reason: REASON }), 201);
    expect(ids(ok(await doctor.get('/api/alerts')))).toEqual([other]);
    const search = await ctx.store.db.selectFrom('audit_log').select(['detail']).where('actor', '=', 'coord1').where('entity_type', '=', 'alert-inbox').orderBy('id').execute();
    expect(search.length).toBe(4);
    expect(JSON.parse(search[0]!.detail)).toMatchObject({ alerts: [low, critical], patients: [api.world.patientId] });
    const bad = await api.coord.get('/api/alerts?status=resolved');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'api.invalid_request']);
    expect(bad.body.error.message).toMatch(/status/);
  });

  it('walks each alert once through the pages, in both sorts; a cursor of the other sort is refused', async () => {
    const made: number[] = [];
    const severities = ['low', 'critical', 'medium', 'high'];
    for (let i = 0; i < 11; i++) made.push(await alert(api.world.patientId, { severity: severities[i % 4]!, raisedAt: API_T0 - (i % 3) * HOUR }));
    for (const sort of ['newest', 'severity']) {
      const seen: any[] = [];
      let cursor: string | null = null;
      do {
        const page: any = ok(await api.coord.get(`/api/alerts?limit=3&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`));
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.map((a) => a.id).sort((a, b) => a - b), sort).toEqual(made);
      const keys = seen.map((a) => [sort === 'severity' ? ['critical', 'high', 'medium', 'low'].indexOf(a.severity) : 0, -Date.parse(a.raisedAt), -a.id]);
      expect(keys, sort).toEqual([...keys].sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!));
    }
    const first = ok(await api.coord.get('/api/alerts?limit=3&sort=newest'));
    const wrong = await api.coord.get(`/api/alerts?limit=3&sort=severity&cursor=${first.nextCursor}`);
    expect([wrong.status, wrong.body.error.code]).toEqual([400, 'access.invalid_cursor']);
    const history: number[] = [];
    let cursor: string | null = null;
    do {
      const page: any = ok(await api.coord.get(`/api/patients/${api.world.patientId}/alerts?limit=4${cursor ? `&cursor=${cursor}` : ''}`));
      history.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(history.sort((a, b) => a - b)).toEqual(made);
  });

  it('acknowledges, snoozes and resolves through the lifecycle: one audit entry and one realtime alert event each; 409 on resolving twice', async () => {
    const id = await alert(api.world.patientId);
    const acked = ok(await api.coord.post(`/api/alerts/${id}/acknowledge`)).alert;
    expect([acked.status, acked.acknowledgedBy, acked.acknowledgedAt]).toEqual(['acknowledged', api.world.users.coord, new Date(API_T0).toISOString()]);
    const until = new Date(API_T0 + 2 * HOUR).toISOString();
    const snoozed = ok(await api.coord.post(`/api/alerts/${id}/snooze`, { until, reason: 'patient at dialysis' })).alert;
    expect([snoozed.status, snoozed.snoozedUntil, snoozed.snoozeReason]).toEqual(['snoozed', until, 'patient at dialysis']);
    expect(ids(ok(await api.coord.get('/api/alerts?status=snoozed')))).toEqual([id]);
    const resolved = ok(await api.coord.post(`/api/alerts/${id}/resolve`, { resolution: 'seen at home, no readmission risk' })).alert;
    expect([resolved.status, resolved.resolvedBy, resolved.resolution]).toEqual(['resolved', api.world.users.coord, 'seen at home, no readmission risk']);
    const again = await api.coord.post(`/api/alerts/${id}/resolve`, { resolution: 'twice' });
    expect([again.status, again.body.error.code]).toEqual([409, 'alerts.invalid_transition']);
    const detail = ok(await api.coord.get(`/api/alerts/${id}`));
    expect(detail.alert).toMatchObject({ id, status: 'resolved', acknowledgedByUsername: 'coord1', resolvedByUsername: 'coord1', eventCount: 1, ruleId: 'readmission-30d', ruleVersion: 1 });
    expect(detail.alert.reasons).toHaveLength(1);
    expect([detail.recipients, detail.deliveries]).toEqual([[], []]);
    expect(ids(ok(await api.coord.get('/api/alerts')))).toEqual([]);
    const audits = await ctx.store.db.selectFrom('audit_log').select(['action', 'entity_type', 'entity_id', 'patient_id', 'detail'])
      .where('actor', '=', 'coord1').where('entity_type', '=', 'alert').orderBy('id').execute();
    expect(audits.map((a) => [a.action, String(a.entity_id), Number(a.patient_id), JSON.parse(a.detail).change ?? null, JSON.parse(a.detail).via])).toEqual([
      ['update', String(id), api.world.patientId, 'acknowledged', 'care-team'], ['update', String(id), api.world.patientId, 'snoozed', 'care-team'],
      ['update', String(id), api.world.patientId, 'resolved', 'care-team'], ['read', String(id), api.world.patientId, null, 'care-team'],
    ]);
    const events = await ctx.store.db.selectFrom('realtime_event').select(['kind', 'ref_id', 'payload']).where('kind', '=', 'alert').orderBy('id').execute();
    expect(events.map((e) => [Number(e.ref_id), JSON.parse(e.payload).change])).toEqual([[id, 'acknowledged'], [id, 'snoozed'], [id, 'resolved']]);
  });

  it('refuses bad bodies naming the field, and snoozes beyond the bound (1 hour for a critical alert)', async () => {
    const id = await alert(api.world.patientId, { severity: 'critical' });
    const cases: [string, unknown, RegExp][] = [
      ['resolve', {}, /resolution/],
      ['resolve', { resolution: 'done', note: 'x' }, /note/],
      ['snooze', { until: 'tomorrow', reason: 'x' }, /until/],
      ['snooze', { until: new Date(API_T0 + HOUR).toISOString() }, /reason/],
    ];
    for (const [action, body, field] of cases) {
      const r = await api.coord.post(`/api/alerts/${id}/${action}`, body);
      expect([r.status, r.body.error.code], JSON.stringify(body)).toEqual([400, 'api.invalid_request']);
      expect(r.body.error.message).toMatch(field);
    }
    for (const until of [API_T0 + 2 * HOUR, API_T0 - HOUR]) {
      const r = await api.coord.post(`/api/alerts/${id}/snooze`, { until: new Date(until).toISOString(), reason: 'later' });
      expect([r.status, r.body.error.code]).toEqual([400, 'alerts.invalid_input']);
      expect(r.body.error.message).toMatch(/^body\/until/);
    }
    expect(ok(await api.coord.post(`/api/alerts/${id}/snooze`, { until: new Date(API_T0 + HOUR).toISOString(), reason: 'later' })).alert.status).toBe('snoozed');
    const high = await alert(api.world.patientId);
    expect((await api.coord.post(`/api/alerts/${high}/snooze`, { until: new Date(API_T0 + 25 * HOUR).toISOString(), reason: 'later' })).status).toBe(400);
    expect(ok(await api.coord.post(`/api/alerts/${high}/snooze`, { until: new Date(API_T0 + 24 * HOUR).toISOString(), reason: 'later' })).alert.status).toBe('snoozed');
  });

  it("runs the lifecycle's listeners in the request's transaction: a listener that fails rolls the change, its event and its audit entry back", async () => {
    const told: [string, number | null | undefined, string][] = [];
    let fail = false;
    const lifecycle = new AlertLifecycle([{
      alertChanged: async (trx, change) => {
        // The change is visible in the transaction, and the request's audit entry is not yet written (it comes last).
        const row = await trx.selectFrom('alert').select('status').where('id', '=', change.alertId).executeTakeFirstOrThrow();
        told.push([change.kind, change.snoozedUntil, row.status]);
        if (fail) throw new Error('listener down');
      },
    }]);
    const wired = await startApiServer(ctx.store.db, { alerts: lifecycle });
    try {
      const client = await signIn(wired, 'nurse1');
      const id = await alert(api.world.patientId);
      const until = API_T0 + 30 * 60_000;
      ok(await client.post(`/api/alerts/${id}/snooze`, { until: new Date(until).toISOString(), reason: 'in surgery' }));
      expect(told).toEqual([['snoozed', until, 'snoozed']]);
      fail = true;
      expect((await client.post(`/api/alerts/${id}/acknowledge`)).status).toBe(500);
      expect(ok(await client.get(`/api/alerts/${id}`)).alert.status).toBe('snoozed');
      const changes = await ctx.store.db.selectFrom('audit_log').select('detail').where('entity_type', '=', 'alert').where('action', '=', 'update').execute();
      expect(changes.map((c) => [JSON.parse(c.detail).change, JSON.parse(c.detail).via])).toEqual([['snoozed', 'care-team']]);
      expect((await ctx.store.db.selectFrom('realtime_event').select('id').where('kind', '=', 'alert').execute()).length).toBe(1);
    } finally {
      await wired.close();
    }
  });
});
