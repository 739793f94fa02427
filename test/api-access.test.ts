import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTask } from '../src/care/task-service.js';
import { API_T0, HOUR, seedWorld, signIn, startApiServer, type ApiClient, type ApiServer, type ApiWorld } from '../src/access/testing.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

/**
 * The access matrix, generated from the route table: every route the OpenAPI document lists with
 * x-access-scope patient or task is called as each kind of caller. A new route under
 * /api/patients/:id (or /api/tasks/:id) must declare its scope, and a patient-scoped one must have an
 * example below, so a route added without scoping fails here.
 */
const EXAMPLES: Record<string, { query?: string; body?: unknown }> = {
  'GET /api/patients/{id}': {},
  'GET /api/patients/{id}/timeline': { query: '?limit=5' },
  'GET /api/patients/{id}/observations': { query: '?code=2345-7' },
  'POST /api/tasks/{id}/complete': { body: { note: 'called, all well' } },
};
const REASON = 'patient unresponsive in clinic, no team member reachable';

interface Operation {
  method: string;
  path: string;
  scope: string | undefined;
}

async function operations(client: ApiClient): Promise<Operation[]> {
  const doc = (await client.get('/api/openapi.json')).body;
  return Object.entries(doc.paths as Record<string, Record<string, { 'x-access-scope'?: string }>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, scope: op['x-access-scope'] })));
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

  /** The id to put in the path: the patient, or a fresh open task of the patient (completing consumes it). */
  async function idFor(op: Operation, patientId = world.patientId): Promise<number> {
    if (op.scope === 'patient') return patientId;
    return (await createTask(ctx.store.db, { patientId, title: 'Matrix task', assigneeRole: 'care-coordinator' }, API_T0, 'admin:test')).id;
  }

  async function call(client: ApiClient, op: Operation, id: number) {
    const example = EXAMPLES[`${op.method} ${op.path}`]!;
    return client.send(op.method, op.path.replace('{id}', String(id)) + (example.query ?? ''), example.body);
  }

  it('knows the scope of every /api route, and has an example for every scoped one', async () => {
    const ops = (await operations(clients.coord)).filter((o) => o.path.startsWith('/api/') && !o.path.startsWith('/api/auth/'));
    expect(ops.length).toBeGreaterThan(5);
    for (const op of ops) {
      expect(op.scope, `${op.method} ${op.path} declares no config.scope`).toBeDefined();
      if (/^\/api\/(patients|tasks)\/\{id\}/.test(op.path)) expect(['patient', 'task', 'break-glass'], `${op.method} ${op.path}`).toContain(op.scope);
      if (op.scope === 'patient' || op.scope === 'task') expect(EXAMPLES[`${op.method} ${op.path}`], `add an example for ${op.method} ${op.path}`).toBeDefined();
    }
  });

  it('answers 2xx to the care team and 404 to everyone else, on every patient-scoped route', async () => {
    const scoped = (await operations(clients.coord)).filter((o) => o.scope === 'patient' || o.scope === 'task');
    expect(scoped.map((o) => `${o.method} ${o.path}`).sort()).toEqual(Object.keys(EXAMPLES).sort());
    for (const op of scoped) {
      const label = `${op.method} ${op.path}`;
      for (const who of ['coord', 'nurse'] as const) expect((await call(clients[who], op, await idFor(op))).status, `${who}: ${label}`).toBeLessThan(300);
      for (const who of ['doctor', 'admin', 'auditor', 'privacy'] as const) {
        const r = await call(clients[who], op, await idFor(op));
        expect([r.status, r.body.error.code], `${who}: ${label}`).toEqual([404, 'access.not_found']);
      }
      // A patient on nobody's team, and one that does not exist: the same 404.
      expect((await call(clients.coord, op, await idFor(op, world.otherPatientId))).status, label).toBe(404);
      const missing = await call(clients.coord, op, 987_654);
      expect([missing.status, missing.body.error.code], label).toEqual([404, 'access.not_found']);
    }
  });

  it('gives 2xx after breaking the glass on every patient-scoped route, until the grant expires', async () => {
    const scoped = (await operations(clients.coord)).filter((o) => o.scope === 'patient' || o.scope === 'task');
    const grant = await clients.doctor.post(`/api/patients/${world.patientId}/break-glass`, { reason: REASON });
    expect(grant.status).toBe(201);
    expect(grant.body.grant.expiresAt).toBe(new Date(API_T0 + 4 * HOUR).toISOString());
    for (const op of scoped) expect((await call(clients.doctor, op, await idFor(op))).status, `${op.method} ${op.path}`).toBeLessThan(300);
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
