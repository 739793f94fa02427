import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEpisode } from '../src/care/episode-service.js';
import { addGoal, addIntervention } from '../src/care/plan-service.js';
import { addSchedule, holdSchedule } from '../src/care/schedule-service.js';
import { createTask } from '../src/care/task-service.js';
import { addTeamMember } from '../src/care/team-service.js';
import { API_T0, HOUR, seedWorld, signIn, startApiServer, type ApiClient, type ApiServer, type ApiWorld } from '../src/access/testing.js';
import { insertTestAlert } from './support/alerts.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

/**
 * The access matrix, generated from the route table: every route the OpenAPI document lists with a
 * patient-scoped x-access-scope (patient, task, episode, team-member, goal, intervention, schedule)
 * is called as each kind of caller. A new route under /api/patients/:id (or /api/tasks/:id, ...)
 * must declare its scope, and a scoped one must have an example below, so a route added without
 * scoping fails here. Routes marked x-care-team-assignment also let the care-team administrator in
 * (any live patient), and refuse changes under break-the-glass (403).
 */
const EXAMPLES: Record<string, { query?: string; body?: unknown }> = {
  'GET /api/patients/{id}': {},
  'GET /api/patients/{id}/timeline': { query: '?limit=5' },
  'GET /api/patients/{id}/observations': { query: '?code=2345-7' },
  'POST /api/tasks/{id}/complete': { body: { note: 'called, all well' } },
  'POST /api/patients/{id}/episodes': { body: { type: 'home-health' } },
  'POST /api/patients/{id}/tasks': { body: { title: 'Matrix', assigneeRole: 'care-coordinator' } },
  'GET /api/episodes/{id}': {},
  'POST /api/episodes/{id}/status': { body: { status: 'cancelled', reason: 'opened twice' } },
  'GET /api/episodes/{id}/plan': {},
  'POST /api/episodes/{id}/goals': { body: { description: 'Walk to the mailbox' } },
  'POST /api/episodes/{id}/interventions': { body: { description: 'Wound care', discipline: 'RN' } },
  'POST /api/episodes/{id}/schedules': { body: { visitType: 'nursing', assigneeRole: 'field-clinician', everyDays: 7, startDate: '2026-12-01' } },
  'POST /api/episodes/{id}/visits': { body: { status: 'completed' } },
  'GET /api/episodes/{id}/visits': { query: '?limit=5' },
  'GET /api/episodes/{id}/team': { query: '?limit=5' },
  'POST /api/episodes/{id}/team': { body: { userId: 0, role: 'care-coordinator' } },
  'POST /api/team-members/{id}/end': {},
  'PATCH /api/goals/{id}': { body: { status: 'active' } },
  'POST /api/interventions/{id}/status': { body: { status: 'completed' } },
  'POST /api/schedules/{id}/hold': { body: { reason: 'inpatient admission' } },
  'POST /api/schedules/{id}/release': {},
  'POST /api/schedules/{id}/end': {},
  'GET /api/tasks/{id}': {},
  'POST /api/tasks/{id}/start': {},
  'POST /api/tasks/{id}/cancel': { body: { reason: 'duplicate' } },
  'POST /api/tasks/{id}/reassign': { body: { role: 'field-clinician' } },
  'GET /api/patients/{id}/alerts': { query: '?limit=5' },
  'GET /api/alerts/{id}': {},
  'POST /api/alerts/{id}/acknowledge': {},
  'POST /api/alerts/{id}/resolve': { body: { resolution: 'called the patient, seen in clinic' } },
  'POST /api/alerts/{id}/snooze': { body: { until: new Date(API_T0 + HOUR).toISOString(), reason: 'family visiting, call back' } },
};
/** Scopes whose `:id` names something of one patient; the kind of id each path's first segment takes. */
const SCOPED = new Set(['patient', 'task', 'episode', 'team-member', 'goal', 'intervention', 'schedule', 'alert']);
const SCOPE_OF_PATH: Record<string, string[]> = {
  patients: ['patient', 'break-glass'], tasks: ['task'], episodes: ['episode'], 'team-members': ['team-member'], goals: ['goal'],
  interventions: ['intervention'], schedules: ['schedule'], alerts: ['alert'],
};
const REASON = 'patient unresponsive in clinic, no team member reachable';

interface Operation {
  method: string;
  path: string;
  scope: string | undefined;
  assignment: boolean;
}

async function operations(client: ApiClient): Promise<Operation[]> {
  const doc = (await client.get('/api/openapi.json')).body;
  return Object.entries(doc.paths as Record<string, Record<string, { 'x-access-scope'?: string; 'x-care-team-assignment'?: boolean }>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, scope: op['x-access-scope'], assignment: op['x-care-team-assignment'] === true })));
}

describe.each(DIALECTS)('the access matrix on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  let server: ApiServer;
  let world: ApiWorld;
  let clients: Record<'coord' | 'nurse' | 'doctor' | 'admin' | 'auditor' | 'privacy', ApiClient>;
  beforeEach(async () => {
    world = await seedWorld(ctx.store.db);
    server = await startApiServer(ctx.store.db);
    clients = {
      coord: await signIn(server, 'coord1'), nurse: await signIn(server, 'nurse1'), doctor: await signIn(server, 'doc1'),
      admin: await signIn(server, 'root'), auditor: await signIn(server, 'auditor1'), privacy: await signIn(server, 'privacy1'),
    };
  });
  afterEach(() => server.close());

  /**
   * The id to put in the path: the patient, or something fresh of the patient (changes consume it):
   * an open task, or a planned episode (no one sees a patient through it) with a goal, an
   * intervention, a schedule (held first when the route releases it) or a team member; an open alert.
   */
  async function idFor(op: Operation, patientId = world.patientId): Promise<number> {
    const db = ctx.store.db;
    if (op.scope === 'patient') return patientId;
    if (op.scope === 'alert') return insertTestAlert(db, patientId);
    if (op.scope === 'task') return (await createTask(db, { patientId, title: 'Matrix task', assigneeRole: 'care-coordinator' }, API_T0, 'admin:test')).id;
    const episodeId = (await createEpisode(db, { patientId, type: 'home-health', startAt: API_T0 }, API_T0, 'admin:test')).id;
    switch (op.scope) {
      case 'episode': return episodeId;
      case 'goal': return (await addGoal(db, episodeId, { description: 'Matrix goal' }, API_T0, 'admin:test')).id;
      case 'intervention': return (await addIntervention(db, episodeId, { description: 'Matrix intervention' }, API_T0, 'admin:test')).id;
      case 'team-member': return (await addTeamMember(db, episodeId, { userId: world.users.nurse, role: 'field-clinician' }, API_T0, 'admin:test')).at(-1)!.id;
      case 'schedule': {
        const s = await addSchedule(db, episodeId, { visitType: 'nursing', assigneeRole: 'field-clinician', everyDays: 7, startDate: '2026-12-01' }, API_T0, 'admin:test');
        if (op.path.endsWith('/release')) await holdSchedule(db, s.id, 'matrix', API_T0, 'admin:test');
        return s.id;
      }
      default: throw new Error(`no fresh id for scope ${op.scope}`);
    }
  }

  async function call(client: ApiClient, op: Operation, id: number) {
    const example = EXAMPLES[`${op.method} ${op.path}`]!;
    // Team additions name a real user: the coordinator, as the (first, so primary) coordinator of a fresh episode.
    const body = op.method === 'POST' && op.path === '/api/episodes/{id}/team' ? { ...(example.body as object), userId: world.users.coord } : example.body;
    return client.send(op.method, op.path.replace('{id}', String(id)) + (example.query ?? ''), body);
  }

  const scopedOps = async () => (await operations(clients.coord)).filter((o) => o.scope !== undefined && SCOPED.has(o.scope));

  it('knows the scope of every /api route, and has an example for every scoped one', async () => {
    const ops = (await operations(clients.coord)).filter((o) => o.path.startsWith('/api/') && !o.path.startsWith('/api/auth/'));
    expect(ops.length).toBeGreaterThan(5);
    for (const op of ops) {
      expect(op.scope, `${op.method} ${op.path} declares no config.scope`).toBeDefined();
      const kind = /^\/api\/([a-z-]+)\/\{id\}/.exec(op.path)?.[1];
      if (kind && SCOPE_OF_PATH[kind]) expect(SCOPE_OF_PATH[kind], `${op.method} ${op.path}`).toContain(op.scope);
      if (SCOPED.has(op.scope!)) expect(EXAMPLES[`${op.method} ${op.path}`], `add an example for ${op.method} ${op.path}`).toBeDefined();
    }
  });

  it('answers 2xx to the care team and 404 to everyone else, on every patient-scoped route', async () => {
    const scoped = await scopedOps();
    expect(scoped.map((o) => `${o.method} ${o.path}`).sort()).toEqual(Object.keys(EXAMPLES).sort());
    for (const op of scoped) {
      const label = `${op.method} ${op.path}`;
      const inside: ('coord' | 'nurse' | 'admin')[] = op.assignment ? ['coord', 'nurse', 'admin'] : ['coord', 'nurse'];
      for (const who of inside) {
        const r = await call(clients[who], op, await idFor(op));
        expect(r.status, `${who}: ${label}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
      }
      for (const who of (['doctor', 'admin', 'auditor', 'privacy'] as const).filter((w) => !inside.includes(w as 'admin'))) {
        const r = await call(clients[who], op, await idFor(op));
        expect([r.status, r.body.error.code], `${who}: ${label}`).toEqual([404, 'access.not_found']);
      }
      // A patient on nobody's team, and one that does not exist: the same 404 (the administrator assigns any live patient).
      expect((await call(clients.coord, op, await idFor(op, world.otherPatientId))).status, label).toBe(404);
      if (op.assignment) expect((await call(clients.admin, op, await idFor(op, world.otherPatientId))).status, `admin: ${label}`).toBeLessThan(300);
      for (const who of ['coord', 'admin'] as const) {
        const missing = await call(clients[who], op, 987_654);
        expect([missing.status, missing.body.error.code], `${who}: ${label}`).toEqual([404, 'access.not_found']);
      }
    }
  });

  it('gives 2xx after breaking the glass on every patient-scoped route, until the grant expires; care-team changes stay refused', async () => {
    const scoped = await scopedOps();
    const grant = await clients.doctor.post(`/api/patients/${world.patientId}/break-glass`, { reason: REASON });
    expect(grant.status).toBe(201);
    expect(grant.body.grant.expiresAt).toBe(new Date(API_T0 + 4 * HOUR).toISOString());
    for (const op of scoped) {
      const r = await call(clients.doctor, op, await idFor(op));
      if (op.assignment && op.method !== 'GET') expect([r.status, r.body.error.code], `${op.method} ${op.path}`).toEqual([403, 'access.forbidden']);
      else expect(r.status, `${op.method} ${op.path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    }
    server.clock.now = API_T0 + 4 * HOUR;
    for (const op of scoped) expect((await call(clients.doctor, op, await idFor(op))).status, `${op.method} ${op.path}`).toBe(404);
    // The grant opened one patient only.
    server.clock.now = API_T0;
    for (const op of scoped) expect((await call(clients.doctor, op, await idFor(op, world.otherPatientId))).status).toBe(404);
  });

  it('lets clinicians only break the glass, with a reason, and shows the grants to the privacy officer only', async () => {
    const path = `/api/patients/${world.patientId}/break-glass`;
    expect((await clients.admin.post(path, { reason: REASON })).body.error.code).toBe('access.forbidden');
    const short = await clients.doctor.post(path, { reason: 'because' });
    expect([short.status, short.body.error.code]).toEqual([400, 'api.invalid_request']);
    expect(short.body.error.message).toMatch(/reason/);
    expect((await clients.doctor.post('/api/patients/987654/break-glass', { reason: REASON })).status).toBe(404);
    expect((await clients.doctor.post(path, { reason: REASON })).status).toBe(201);
    const list = await clients.privacy.get('/api/break-glass');
    expect(list.status).toBe(200);
    expect(list.body.grants.map((g: any) => [g.username, g.patientId, g.reason])).toEqual([['doc1', world.patientId, REASON]]);
    for (const who of ['doctor', 'admin', 'auditor', 'coord'] as const) expect((await clients[who].get('/api/break-glass')).status, who).toBe(403);
    const audited = await ctx.store.db.selectFrom('audit_log').select(['actor', 'action', 'patient_id']).where('action', '=', 'break-glass').execute();
    expect(audited.map((r) => [r.actor, Number(r.patient_id)])).toEqual([['doc1', world.patientId]]);
  });

  it('shows each user their own panel only', async () => {
    expect((await clients.nurse.get('/api/panel')).body.patients.map((p: any) => p.patient.id)).toEqual([world.patientId]);
    for (const who of ['doctor', 'admin', 'privacy'] as const) expect((await clients[who].get('/api/panel')).body.patients, who).toEqual([]);
  });
});
