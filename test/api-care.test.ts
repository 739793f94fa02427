import { describe, expect, it } from 'vitest';
import { API_T0, HOUR, signIn, type ApiClient } from '../src/access/testing.js';
import { createTask } from '../src/care/task-service.js';
import { expectStatus, useApiWorld } from './support/api.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

/** The care write API over real HTTP: episodes, care plans, visit schedules, care teams, tasks, the worklist. */
describe.each(DIALECTS)('the care API on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  const api = useApiWorld(ctx);

  const ok = expectStatus;
  const audits = (actor: string) => ctx.store.db.selectFrom('audit_log').select(['action', 'entity_type', 'patient_id', 'actor', 'outcome'])
    .where('actor', '=', actor).where('action', 'in', ['create', 'update', 'permission-change']).orderBy('id').execute();

  it('runs an episode from planned to finished with its plan, schedules and visits, each change audited', async () => {
    const p = api.world.patientId;
    const { episode } = ok(await api.coord.post(`/api/patients/${p}/episodes`, { type: 'post-surgical', goal: 'Recover at home' }), 201);
    expect([episode.status, episode.patientId, episode.createdBy]).toEqual(['planned', p, 'coord1']);
    const added = ok(await api.coord.post(`/api/episodes/${episode.id}/team`, { userId: api.world.users.coord, role: 'care-coordinator' }), 201);
    expect(added.members.map((m: any) => [m.username, m.isPrimary])).toEqual([['coord1', true]]);
    expect(ok(await api.coord.post(`/api/episodes/${episode.id}/status`, { status: 'active' })).episode.status).toBe('active');
    const { goal } = ok(await api.coord.post(`/api/episodes/${episode.id}/goals`, { description: 'Climb stairs', targetDate: '2027-01-15' }), 201);
    expect(ok(await api.coord.send('PATCH', `/api/goals/${goal.id}`, { status: 'active' })).goal.status).toBe('active');
    const achieved = ok(await api.coord.send('PATCH', `/api/goals/${goal.id}`, { status: 'achieved' })).goal;
    expect([achieved.status, achieved.achievedAt]).toEqual(['achieved', new Date(API_T0).toISOString()]);
    const { intervention } = ok(await api.coord.post(`/api/episodes/${episode.id}/interventions`, { description: 'Wound care', discipline: 'RN' }), 201);
    expect(ok(await api.coord.post(`/api/interventions/${intervention.id}/status`, { status: 'completed' })).intervention.status).toBe('completed');
    const { schedule } = ok(await api.coord.post(`/api/episodes/${episode.id}/schedules`, { visitType: 'nursing', assigneeRole: 'field-clinician', everyDays: 7, startDate: '2026-12-01' }), 201);
    expect(ok(await api.coord.post(`/api/schedules/${schedule.id}/hold`, { reason: 'readmitted' })).schedule).toMatchObject({ status: 'on-hold', holdReason: 'readmitted' });
    expect(ok(await api.coord.post(`/api/schedules/${schedule.id}/release`)).schedule.status).toBe('active');
    const { visit } = ok(await api.coord.post(`/api/episodes/${episode.id}/visits`, { scheduleId: schedule.id, dueDate: '2026-12-08', status: 'completed' }), 201);
    expect([visit.status, visit.visitedAt]).toEqual(['completed', new Date(API_T0).toISOString()]);
    expect(ok(await api.coord.post(`/api/schedules/${schedule.id}/end`)).schedule.status).toBe('ended');
    const plan = ok(await api.coord.get(`/api/episodes/${episode.id}/plan`));
    expect([plan.goals.length, plan.interventions.length, plan.schedules.map((s: any) => s.status)]).toEqual([1, 1, ['ended']]);
    expect(ok(await api.coord.post(`/api/episodes/${episode.id}/status`, { status: 'finished', reason: 'goals met' })).episode.status).toBe('finished');
    expect(ok(await api.coord.get(`/api/episodes/${episode.id}`)).episode.endAt).toBe(new Date(API_T0).toISOString());
    const rows = await audits('coord1');
    expect(rows.map((r) => [r.action, r.entity_type])).toEqual([
      ['create', 'episode'], ['permission-change', 'team-member'], ['update', 'episode'], ['create', 'goal'], ['update', 'goal'], ['update', 'goal'],
      ['create', 'intervention'], ['update', 'intervention'], ['create', 'schedule'], ['update', 'schedule'], ['update', 'schedule'], ['create', 'visit'],
      ['update', 'schedule'], ['update', 'episode'],
    ]);
    expect(new Set(rows.map((r) => `${Number(r.patient_id)} ${r.outcome}`))).toEqual(new Set([`${p} success`]));
    const events = await ctx.store.db.selectFrom('realtime_event').select('kind').where('patient_id', '=', p).execute();
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(['episode', 'care-team', 'care-plan', 'task']));
  });

  it('creates, starts, reassigns, completes and cancels tasks; refuses what the state machine does not allow with 409', async () => {
    const p = api.world.patientId;
    const { task } = ok(await api.coord.post(`/api/patients/${p}/tasks`, { title: 'Check INR', assigneeUserId: api.world.users.nurse, priority: 'high', dueAt: new Date(API_T0 + HOUR).toISOString() }), 201);
    expect([task.status, task.assigneeUserId, task.priority, task.createdBy]).toEqual(['open', api.world.users.nurse, 'high', 'coord1']);
    expect(ok(await api.coord.post(`/api/tasks/${task.id}/start`)).task.status).toBe('in-progress');
    const moved = ok(await api.coord.post(`/api/tasks/${task.id}/reassign`, { role: 'care-coordinator' })).task;
    expect([moved.status, moved.assigneeUserId, moved.assigneeRole]).toEqual(['open', null, 'care-coordinator']);
    expect(ok(await api.coord.post(`/api/tasks/${task.id}/complete`, { note: 'in range' })).task.status).toBe('completed');
    for (const [path, body] of [[`/api/tasks/${task.id}/cancel`, { reason: 'late' }], [`/api/tasks/${task.id}/start`, undefined]] as const) {
      const r = await api.coord.post(path, body);
      expect([r.status, r.body.error.code], path).toEqual([409, 'care.invalid_transition']);
    }
    expect(ok(await api.coord.get(`/api/tasks/${task.id}`)).task).toMatchObject({ title: 'Check INR', status: 'completed', completionNote: 'in range' });
    const episode = ok(await api.coord.get(`/api/episodes/${api.world.episodeId}`)).episode;
    const back = await api.coord.post(`/api/episodes/${episode.id}/status`, { status: 'planned' });
    expect([back.status, back.body.error.code, back.body.error.message]).toEqual([409, 'care.invalid_transition', `episode ${episode.id} cannot go from active to planned`]);
    const goal = ok(await api.coord.post(`/api/episodes/${episode.id}/goals`, { description: 'Walk' }), 201).goal;
    expect((await api.coord.send('PATCH', `/api/goals/${goal.id}`, { status: 'achieved' })).status).toBe(409);
    const stranger = await api.coord.post(`/api/patients/${p}/tasks`, { title: 'x', assigneeUserId: api.world.users.doctor });
    expect([stranger.status, stranger.body.error.code]).toEqual([400, 'care.invalid_input']);
  });

  it('answers bad bodies with 400 naming the field, and refuses unknown fields', async () => {
    const e = api.world.episodeId;
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', `/api/patients/${api.world.patientId}/episodes`, {}, /body must have required property 'type'/],
      ['POST', `/api/patients/${api.world.patientId}/episodes`, { type: 'spa' }, /body\/type must be equal to one of the allowed values/],
      ['POST', `/api/patients/${api.world.patientId}/episodes`, { type: 'hospice', createdBy: 'someone else' }, /body\/createdBy is not a known field/],
      ['POST', `/api/patients/${api.world.patientId}/tasks`, { title: 'x', assigneeRole: 'care-coordinator', status: 'completed' }, /body\/status is not a known field/],
      ['POST', `/api/patients/${api.world.patientId}/tasks`, { title: 'x', assigneeRole: 'care-coordinator', alertId: 5 }, /body\/alertId is not a known field/],
      ['POST', `/api/episodes/${e}/schedules`, { visitType: 'nursing', assigneeRole: 'field-clinician', everyDays: 0, startDate: '2026-12-01' }, /body\/everyDays must be >= 1/],
      ['POST', `/api/episodes/${e}/goals`, { description: 'x', targetDate: '2026-02-30' }, /body\/targetDate must match format "date"/],
      ['PATCH', `/api/goals/1`, {}, /body must NOT have fewer than 1 properties/],
      ['POST', `/api/episodes/${e}/team`, { userId: api.world.users.doctor, role: 'care-coordinator', isPrimary: true }, /body\/isPrimary is not a known field/],
      ['POST', `/api/tasks/1/cancel`, {}, /body must have required property 'reason'/],
    ];
    for (const [method, path, body, message] of cases) {
      const r = await api.coord.send(method, path, body);
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body, path).toEqual({ error: { code: 'api.invalid_request', message: expect.stringMatching(message) } });
    }
    // Nothing was created by the refused requests.
    expect((await ctx.store.db.selectFrom('care_episode').select('id').execute()).length).toBe(1);
  });

  it('pages the worklist overdue first, the team and the visits, each item exactly once', async () => {
    const db = ctx.store.db;
    const nurse = await signIn(api.server, 'nurse1');
    // The seeded task (no due time) plus: 3 overdue, 2 due later, 2 for the nurse's team role; one for the coordinator only.
    for (let i = 0; i < 3; i++) await createTask(db, { patientId: api.world.patientId, title: `late ${i}`, assigneeUserId: api.world.users.nurse, dueAt: API_T0 - (i + 1) * HOUR }, API_T0 - 48 * HOUR, 'admin:test');
    for (let i = 0; i < 2; i++) await createTask(db, { patientId: api.world.patientId, title: `soon ${i}`, assigneeUserId: api.world.users.nurse, dueAt: API_T0 + (i + 1) * HOUR, priority: 'urgent' }, API_T0, 'admin:test');
    for (let i = 0; i < 2; i++) await createTask(db, { patientId: api.world.patientId, title: `role ${i}`, assigneeRole: 'field-clinician' }, API_T0, 'admin:test');
    await createTask(db, { patientId: api.world.patientId, title: 'not mine', assigneeRole: 'care-coordinator' }, API_T0, 'admin:test');
    const titles = await walk(nurse, '/api/tasks?limit=3', (t) => t.title);
    expect(titles.slice(0, 5)).toEqual(['late 2', 'late 1', 'late 0', 'soon 0', 'soon 1']);
    expect(titles.slice(5).sort()).toEqual(['Call patient', 'role 0', 'role 1']);
    expect((await walk(api.coord, '/api/tasks?limit=2', (t) => t.title))).toEqual(['not mine']);
    const bad = await nurse.get('/api/tasks?cursor=garbage');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'access.invalid_cursor']);

    ok(await api.coord.post(`/api/episodes/${api.world.episodeId}/team`, { userId: api.world.users.doctor, role: 'primary-physician' }), 201);
    ok(await api.coord.post(`/api/episodes/${api.world.episodeId}/team`, { userId: api.world.users.doctor, role: 'specialist' }), 201);
    const members = await walk(api.coord, `/api/episodes/${api.world.episodeId}/team?limit=2`, (m) => `${m.username}:${m.role}`);
    expect(members.sort()).toEqual(['coord1:care-coordinator', 'doc1:primary-physician', 'doc1:specialist', 'nurse1:field-clinician']);

    for (let i = 0; i < 5; i++) ok(await api.coord.post(`/api/episodes/${api.world.episodeId}/visits`, { status: 'missed', note: `v${i}` }), 201);
    expect(await walk(api.coord, `/api/episodes/${api.world.episodeId}/visits?limit=2`, (v) => v.note)).toEqual(['v4', 'v3', 'v2', 'v1', 'v0']);
  });

  it('lets the administrator find a patient and assign a care team, without reading clinical data', async () => {
    const admin = await signIn(api.server, 'root');
    const other = api.world.otherPatientId;
    await ctx.store.db.updateTable('patient').set({ family_name: "O'Brien", given_name: 'Ann', birth_date: '1950-03-04' }).where('id', '=', other).execute();
    const byMrn = ok(await admin.get('/api/admin/patients?identifier=MRN2'));
    expect(byMrn.items).toEqual([{ id: other, status: 'active', familyName: "O'Brien", givenName: 'Ann', birthDate: '1950-03-04', mrns: [{ authority: 'GENHOSP', value: 'MRN2' }], episodes: [] }]);
    expect(ok(await admin.get("/api/admin/patients?familyName=o'brien&birthDate=1950-03-04")).items.map((p: any) => p.id)).toEqual([other]);
    const vague = await admin.get("/api/admin/patients?familyName=o'brien");
    expect([vague.status, vague.body.error.code]).toEqual([400, 'access.invalid_search']);
    expect((await api.coord.get('/api/admin/patients?identifier=MRN2')).status).toBe(403);

    const { episode } = ok(await admin.post(`/api/patients/${other}/episodes`, { type: 'home-health', status: 'active', coordinatorUserId: api.world.users.coord }), 201);
    ok(await admin.post(`/api/episodes/${episode.id}/team`, { userId: api.world.users.nurse, role: 'field-clinician' }), 201);
    expect(ok(await admin.get(`/api/episodes/${episode.id}/team`)).items.map((m: any) => m.username)).toEqual(['coord1', 'nurse1']);
    for (const path of [`/api/patients/${other}`, `/api/episodes/${episode.id}`, `/api/episodes/${episode.id}/plan`, `/api/patients/${other}/timeline`]) {
      const r = await admin.get(path);
      expect([r.status, r.body.error.code], path).toEqual([404, 'access.not_found']);
    }
    expect(ok(await admin.get('/api/admin/patients?identifier=MRN2')).items[0].episodes.map((e: any) => [e.id, e.status])).toEqual([[episode.id, 'active']]);
    expect(ok(await api.coord.get('/api/panel')).patients.map((e: any) => e.patient.id).sort()).toEqual([api.world.patientId, other].sort());
    const rows = await audits('root');
    expect(rows.map((r) => [r.action, r.entity_type, Number(r.patient_id)])).toEqual([['create', 'episode', other], ['permission-change', 'team-member', other]]);
    const search = await ctx.store.db.selectFrom('audit_log').select(['detail']).where('actor', '=', 'root').where('action', '=', 'search').execute();
    expect(search.map((s) => JSON.parse(s.detail).patients)).toEqual([[other], [other], [other]]);
  });

  it('shows a patient on the panel of a user added to the team at once, and takes it away when the membership ends', async () => {
    const doctor = await signIn(api.server, 'doc1');
    expect(ok(await doctor.get('/api/panel')).patients).toEqual([]);
    const { members } = ok(await api.coord.post(`/api/episodes/${api.world.episodeId}/team`, { userId: api.world.users.doctor, role: 'primary-physician' }), 201);
    expect(ok(await doctor.get('/api/panel')).patients.map((e: any) => [e.patient.id, e.myRole])).toEqual([[api.world.patientId, 'primary-physician']]);
    expect((await doctor.get(`/api/patients/${api.world.patientId}`)).status).toBe(200);
    const ended = ok(await api.coord.post(`/api/team-members/${members.at(-1).id}/end`)).member;
    expect(ended.activeTo).toBe(new Date(API_T0).toISOString());
    expect(ok(await doctor.get('/api/panel')).patients).toEqual([]);
    expect((await doctor.get(`/api/patients/${api.world.patientId}`)).status).toBe(404);
    // The primary coordinator of an active episode stays until another is made primary.
    const primary = ok(await api.coord.get(`/api/episodes/${api.world.episodeId}/team`)).items.find((m: any) => m.isPrimary);
    const refused = await api.coord.post(`/api/team-members/${primary.id}/end`);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'care.conflict']);
    const kinds = await ctx.store.db.selectFrom('realtime_event').select(['kind', 'payload']).where('kind', '=', 'care-team').orderBy('id').execute();
    expect(kinds.slice(-2).map((k) => JSON.parse(k.payload).ended)).toEqual([false, true]);
  });

  /** Follow nextCursor from `path` to the last page; the mapped items in order (each page within its limit). */
  async function walk(client: ApiClient, path: string, pick: (item: any) => string): Promise<string[]> {
    const limit = Number(/limit=(\d+)/.exec(path)![1]);
    const seen: string[] = [];
    let next: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const body = ok(await client.get(next === null ? path : `${path}&cursor=${encodeURIComponent(next)}`));
      expect(body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...body.items.map(pick));
      next = body.nextCursor;
      if (next === null) return seen;
    }
    throw new Error('more than 20 pages');
  }
});
