import { describe, expect, it } from 'vitest';
import { API_T0, HOUR, signIn, ApiClient } from '../src/access/testing.js';
import { createTask } from '../src/care/task-service.js';
import { insertEvent } from '../src/store/events.js';
import { insertObservation, type NewObservation } from '../src/store/observations.js';
import { expectStatus, useApiWorld } from './support/api.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

const ROUTES = [
  'GET /healthz', 'POST /api/auth/login', 'GET /api/panel', 'GET /api/patients/{id}', 'GET /api/patients/{id}/timeline',
  'GET /api/patients/{id}/observations', 'POST /api/patients/{id}/break-glass', 'GET /api/break-glass', 'POST /api/tasks/{id}/complete',
  'GET /api/openapi.json',
];

function glucose(patientId: number, eventId: number, at: number, value: number): NewObservation {
  return {
    patientId, eventId, encounterId: null, orderCode: 'BMP', orderText: null, fillerOrder: `F${at}`, setId: '1', subId: null, code: '2345-7',
    codeSystem: 'LN', codeText: 'Glucose', valueType: 'NM', value: String(value), valueNum: value, valueComparator: null, valueCode: null,
    valueCodeSystem: null, valueTime: null, units: 'mg/dL', referenceRange: '70-99', rangeLow: 70, rangeHigh: 99, abnormalFlags: value > 99 ? ['H'] : [],
    interpretation: value > 99 ? 'high' : 'normal', outOfRange: value > 99, resultStatus: 'F', observedAt: at, notes: null, sourceEntryId: null,
  };
}

describe.each(DIALECTS)('API routes on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  const api = useApiWorld(ctx);

  it('shows the patient with identifiers, episodes, care team and care plan, and audits the read', async () => {
    const r = await api.coord.get(`/api/patients/${api.world.patientId}`);
    expect(r.status).toBe(200);
    expect(r.body.identifiers).toEqual([{ authority: 'GENHOSP', value: 'MRN1', typeCode: 'MR', facility: null }]);
    expect(r.body.episodes.map((e: any) => [e.id, e.type, e.status])).toEqual([[api.world.episodeId, 'home-health', 'active']]);
    expect(r.body.careTeam.map((m: any) => [m.username, m.role, m.isPrimary])).toEqual([['coord1', 'care-coordinator', true], ['nurse1', 'field-clinician', false]]);
    expect(r.body.carePlan[0].goals.map((g: any) => g.description)).toEqual(['Walk 100 m unaided']);
    expect(r.body.access).toBe('care-team');
    const audit = await ctx.store.db.selectFrom('audit_log').select(['actor', 'action', 'entity_id', 'detail']).where('action', '=', 'read').execute();
    expect(audit.map((a) => [a.actor, a.entity_id, JSON.parse(a.detail).parts])).toEqual([
      ['coord1', String(api.world.patientId), ['care-plan', 'care-team', 'demographics', 'episodes', 'identifiers']],
    ]);
  });

  it('pages the timeline with limit and an opaque cursor, newest first, events and tasks together', async () => {
    for (let i = 0; i < 4; i++) {
      await insertEvent(ctx.store.db, { patientId: api.world.patientId, encounterId: null, type: 'admit', occurredAt: API_T0 - i * HOUR, recordedAt: API_T0, facility: 'GENHOSP', sourceEntryId: null, messageType: 'ADT^A01', payload: { n: i } });
      await createTask(ctx.store.db, { patientId: api.world.patientId, title: `T${i}`, assigneeRole: 'care-coordinator' }, API_T0 - i * HOUR, 'admin:test');
    }
    const seen: string[] = [];
    let path = `/api/patients/${api.world.patientId}/timeline?limit=3`;
    for (let pages = 0; ; pages++) {
      const r = await api.coord.get(path);
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...r.body.items.map((i: any) => `${i.at} ${i.kind} ${i.kind === 'event' ? i.event.payload.n : i.task.title}`));
      if (!r.body.nextCursor) break;
      expect(pages).toBeLessThan(5);
      path = `/api/patients/${api.world.patientId}/timeline?limit=3&cursor=${encodeURIComponent(r.body.nextCursor)}`;
    }
    // 4 events + 4 tasks + the seeded task, each once, newest first (an event before a task at the same instant).
    expect(seen).toHaveLength(9);
    expect(seen.slice(0, 3)).toEqual([`${new Date(API_T0).toISOString()} event 0`, `${new Date(API_T0).toISOString()} task T0`, `${new Date(API_T0 - HOUR).toISOString()} event 1`]);
    const ats = seen.map((s) => s.split(' ')[0]!);
    expect([...ats].sort().reverse()).toEqual(ats);
    const bad = await api.coord.get(`/api/patients/${api.world.patientId}/timeline?cursor=garbage`);
    expect([bad.status, bad.body.error.code]).toEqual([400, 'access.invalid_cursor']);
  });

  it('returns a lab trend for one code, oldest first', async () => {
    const eventId = await insertEvent(ctx.store.db, { patientId: api.world.patientId, encounterId: null, type: 'observation', occurredAt: API_T0, recordedAt: API_T0, facility: 'LAB', sourceEntryId: null, messageType: 'ORU^R01', payload: {} });
    for (const [h, v] of [[3, 110], [1, 95], [2, 130]] as const) await insertObservation(ctx.store.db, glucose(api.world.patientId, eventId, API_T0 - h * HOUR, v));
    const r = await api.coord.get(`/api/patients/${api.world.patientId}/observations?code=2345-7`);
    expect(r.status).toBe(200);
    expect(r.body.observations.map((o: any) => [o.valueNum, o.interpretation])).toEqual([[110, 'high'], [130, 'high'], [95, 'normal']]);
    expect((await api.coord.get(`/api/patients/${api.world.patientId}/observations?code=2345-7&limit=1`)).body.observations.map((o: any) => o.valueNum)).toEqual([95]);
  });

  it('completes a task once; a second completion is a conflict', async () => {
    const nurse = await signIn(api.server, 'nurse1');
    const task = await createTask(ctx.store.db, { patientId: api.world.patientId, title: 'Check wound', assigneeUserId: api.world.users.nurse }, API_T0, 'admin:test');
    const done = await nurse.post(`/api/tasks/${task.id}/complete`, { note: 'healing well' });
    expect(done.status).toBe(200);
    expect([done.body.task.status, done.body.task.completedBy, done.body.task.completionNote]).toEqual(['completed', 'nurse1', 'healing well']);
    const again = await nurse.post(`/api/tasks/${task.id}/complete`, {});
    expect([again.status, again.body.error.code]).toEqual([409, 'care.invalid_transition']);
  });

  it('answers bad input with 400 {error: {code, message}} naming the field, never a stack trace', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['GET', '/api/patients/abc', undefined, /params\/id/],
      ['GET', `/api/patients/${api.world.patientId}/timeline?limit=0`, undefined, /querystring\/limit/],
      ['GET', `/api/patients/${api.world.patientId}/observations`, undefined, /querystring must have required property 'code'/],
      ['POST', `/api/patients/${api.world.patientId}/break-glass`, {}, /body must have required property 'reason'/],
      ['POST', `/api/tasks/1/complete`, { note: { text: 'x' } }, /body\/note/],
      ['POST', `/api/tasks/1/complete`, '{not json', /JSON/i],
    ];
    for (const [method, path, body, message] of cases) {
      const r = await api.coord.send(method, path, body);
      expect(r.status, path).toBe(400);
      expect(r.body, path).toEqual({ error: { code: 'api.invalid_request', message: expect.stringMatching(message) } });
      expect(JSON.stringify(r.body)).not.toMatch(/at .*\.(ts|js):\d+/);
    }
  });

  it('answers unknown routes, missing sessions and missing CSRF tokens in the same shape', async () => {
    const unknown = await api.coord.get('/api/nope');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'api.not_found']);
    expect((await api.coord.get('/elsewhere')).body.error.code).toBe('api.not_found');
    const anonymous = await new ApiClient(api.server).get(`/api/patients/${api.world.patientId}`);
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'auth.unauthenticated']);
    api.coord.csrf = undefined;
    const noCsrf = await api.coord.post(`/api/patients/${api.world.patientId}/break-glass`, { reason: 'x'.repeat(30) });
    expect([noCsrf.status, noCsrf.body.error.code]).toEqual([403, 'auth.csrf_invalid']);
  });

  it('publishes an OpenAPI document listing every route with its schemas', async () => {
    const r = await api.coord.get('/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    const listed = Object.entries(r.body.paths as Record<string, Record<string, any>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const route of ROUTES) expect(listed).toContain(route);
    const timeline = r.body.paths['/api/patients/{id}/timeline'].get;
    expect(timeline.parameters.map((p: any) => `${p.in}:${p.name}`)).toEqual(['path:id', 'query:limit', 'query:cursor']);
    expect(timeline.security).toEqual([{ session: [] }]);
    expect(Object.keys(timeline.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404']));
    expect(r.body.paths['/api/patients/{id}/break-glass'].post.requestBody.content['application/json'].schema.required).toEqual(['reason']);
  });
});
