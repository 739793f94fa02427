import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { setEpisodeStatus } from '../care/episode-service.js';
import { createTask } from '../care/task-service.js';
import { addTeamMember, removeTeamMember } from '../care/team-service.js';
import { activeEpisode, addStaff, ADMIN, HOUR, T0 } from '../care/testing.js';
import { addUser } from '../care/user-service.js';
import type { User } from '../care/user.js';
import { AccessError, DEFAULT_BREAK_GLASS_MS, withPatientAccess, type Caller } from './index.js';
import { decodeCursor, encodeCursor } from './timeline-cursor.js';

const caller = (u: User): Caller => ({ userId: u.id, username: u.username, roles: u.roles, source: '127.0.0.1' });
const opts = (now = T0 + HOUR) => ({ now, breakGlassMs: DEFAULT_BREAK_GLASS_MS });
const REASON = 'unconscious patient in the ED, team unreachable';

async function accessCode(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof AccessError)) throw new Error(`expected an AccessError, got ${String(err)}`);
  return err.code;
}

describe.each(DIALECTS)('patient access on %s', (dialect) => {
  const ctx = useFreshStore(dialect);

  async function setup() {
    const { db } = ctx.store;
    const staff = await addStaff(db);
    const admin = await addUser(db, { username: 'root', displayName: 'ROOT', roles: ['admin'] }, T0, ADMIN);
    const officer = await addUser(db, { username: 'privacy', displayName: 'PRIVACY', roles: ['privacy-officer'] }, T0, ADMIN);
    const episode = await activeEpisode(db, staff.coord, { mrn: 'A1' });
    await addTeamMember(db, episode.id, { userId: staff.nurse.id, role: 'field-clinician' }, T0, ADMIN);
    return { db, staff, admin, officer, episode, patientId: episode.patientId };
  }

  const read = (c: Caller, patientId: number, now?: number) =>
    withPatientAccess(ctx.store.db, c, opts(now), async (a) => (await a.patient(patientId)).summary());

  it('lets a current team member read the patient, and no one else: not another clinician, not an admin', async () => {
    const { staff, admin, patientId } = await setup();
    expect((await read(caller(staff.coord), patientId))?.id).toBe(patientId);
    expect((await read(caller(staff.nurse), patientId))?.id).toBe(patientId);
    expect(await accessCode(read(caller(staff.doctor), patientId))).toBe('access.not_found');
    expect(await accessCode(read(caller(admin), patientId))).toBe('access.not_found');
    // A patient that does not exist gets the same answer.
    expect(await accessCode(read(caller(staff.coord), 999_999))).toBe('access.not_found');
  });

  it('ends access when the membership ends or the episode finishes; on hold keeps it', async () => {
    const { db, staff, episode, patientId } = await setup();
    await setEpisodeStatus(db, episode.id, 'on-hold', T0 + 1, ADMIN);
    expect((await read(caller(staff.nurse), patientId))?.id).toBe(patientId);
    const nurseMember = (await db.selectFrom('care_team_member').select('id').where('user_id', '=', staff.nurse.id).executeTakeFirstOrThrow()).id;
    await removeTeamMember(db, Number(nurseMember), T0 + 2, ADMIN);
    expect(await accessCode(read(caller(staff.nurse), patientId))).toBe('access.not_found');
    await setEpisodeStatus(db, episode.id, 'finished', T0 + 3, ADMIN);
    expect(await accessCode(read(caller(staff.coord), patientId))).toBe('access.not_found');
  });

  it('gives a clinician who breaks the glass access until the grant expires, and lists it for the privacy officer', async () => {
    const { staff, admin, officer, patientId } = await setup();
    const doctor = caller(staff.doctor);
    const grant = await withPatientAccess(ctx.store.db, doctor, opts(T0), (a) => a.breakGlass(patientId, REASON));
    expect(grant.expiresAt).toBe(T0 + 4 * HOUR);
    expect((await read(doctor, patientId, T0 + 4 * HOUR - 1))?.id).toBe(patientId);
    expect(await accessCode(read(doctor, patientId, T0 + 4 * HOUR))).toBe('access.not_found');
    // Admins and privacy officers do not break the glass; reasons must say something.
    expect(await accessCode(withPatientAccess(ctx.store.db, caller(admin), opts(), (a) => a.breakGlass(patientId, REASON)))).toBe('access.forbidden');
    expect(await accessCode(withPatientAccess(ctx.store.db, doctor, opts(), (a) => a.breakGlass(patientId, ' short '.repeat(2))))).toBe('access.invalid_reason');
    const grants = await withPatientAccess(ctx.store.db, caller(officer), opts(), (a) => a.breakGlassGrants({ limit: 10 }));
    expect(grants.map((g) => [g.username, g.patientId, g.reason])).toEqual([['doc1', patientId, REASON]]);
    expect(await accessCode(withPatientAccess(ctx.store.db, doctor, opts(), (a) => a.breakGlassGrants({ limit: 10 })))).toBe('access.forbidden');
  });

  it('audits reads with the parts read and how, grants as break-glass, and refusals as denied', async () => {
    const { db, staff, patientId } = await setup();
    await withPatientAccess(db, caller(staff.coord), opts(), async (a) => {
      const p = await a.patient(patientId);
      await p.identifiers();
      await p.careTeam();
    });
    await accessCode(read(caller(staff.doctor), patientId));
    await withPatientAccess(db, caller(staff.doctor), opts(), (a) => a.breakGlass(patientId, REASON));
    await read(caller(staff.doctor), patientId);
    const rows = await db.selectFrom('audit_log').select(['actor', 'action', 'entity_type', 'patient_id', 'outcome', 'detail']).orderBy('id').execute();
    expect(rows.map((r) => [r.actor, r.action, r.entity_type, r.outcome, JSON.parse(r.detail).via ?? JSON.parse(r.detail).code ?? null])).toEqual([
      ['coord1', 'read', 'patient', 'success', 'care-team'],
      ['doc1', 'read', 'patient', 'denied', 'access.not_found'],
      ['doc1', 'break-glass', 'break-glass-grant', 'success', null],
      ['doc1', 'read', 'patient', 'success', 'break-glass'],
    ]);
    expect(JSON.parse(rows[0]!.detail).parts).toEqual(['care-team', 'identifiers']);
  });

  it('builds the panel from current teams only, with open tasks and the last discharge', async () => {
    const { db, staff, episode, patientId } = await setup();
    const other = await activeEpisode(db, staff.coord2, { mrn: 'B2' });
    await createTask(db, { patientId, episodeId: episode.id, title: 'Call', assigneeUserId: staff.nurse.id }, T0, ADMIN);
    await db.insertInto('encounter').values({
      patient_id: patientId, facility: 'GENHOSP', visit_number: 'V1', patient_class: 'I', status: 'finished', admitted_at: T0 - 48 * HOUR,
      discharged_at: T0 - 24 * HOUR, location: null, hospital_service: null, attending: null, admit_source: null, discharge_disposition: '01',
      discharged_to: null, created_at: T0, updated_at: T0,
    }).execute();
    const panel = await withPatientAccess(db, caller(staff.nurse), opts(), (a) => a.panel());
    expect(panel).toEqual([{
      patient: expect.objectContaining({ id: patientId }), episode: { id: episode.id, type: 'home-health', status: 'active', startAt: T0 },
      myRole: 'field-clinician', openTasks: 1, lastDischargeAt: T0 - 24 * HOUR,
    }]);
    expect((await withPatientAccess(db, caller(staff.coord2), opts(), (a) => a.panel())).map((e) => e.patient.id)).toEqual([other.patientId]);
  });

  it('pages the timeline newest first through ties without losing or repeating an item', async () => {
    const { db, staff, patientId } = await setup();
    for (let i = 0; i < 5; i++) {
      await db.insertInto('clinical_event').values({
        patient_id: patientId, encounter_id: null, event_type: 'admit', occurred_at: T0 + (i % 2) * HOUR, recorded_at: T0, facility: 'GENHOSP',
        source_entry_id: null, message_type: 'ADT^A01', payload: '{}', out_of_order: 0, withdrawn_at: null, withdrawn_by: null,
      }).execute();
      await createTask(db, { patientId, title: `Task ${i}`, assigneeUserId: staff.coord.id }, T0 + (i % 2) * HOUR, ADMIN);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await withPatientAccess(db, caller(staff.coord), opts(T0 + 2 * HOUR), async (a) => (await a.patient(patientId)).timeline({ limit: 3, cursor }));
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((i) => `${i.kind}:${i.at}:${i.kind === 'event' ? i.event.id : i.task.id}`));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(10);
    expect(new Set(seen).size).toBe(10);
    const ats = seen.map((s) => Number(s.split(':')[1]));
    expect([...ats].sort((a, b) => b - a)).toEqual(ats);
    expect(await accessCode(withPatientAccess(db, caller(staff.coord), opts(), async (a) => (await a.patient(patientId)).timeline({ limit: 3, cursor: 'nope' })))).toBe('access.invalid_cursor');
  });

  it('completes a task only for a caller who sees its patient', async () => {
    const { db, staff, patientId } = await setup();
    const task = await createTask(db, { patientId, title: 'Call', assigneeUserId: staff.nurse.id }, T0, ADMIN);
    expect(await accessCode(withPatientAccess(db, caller(staff.doctor), opts(), (a) => a.completeTask(task.id, 'done')))).toBe('access.not_found');
    const done = await withPatientAccess(db, caller(staff.nurse), opts(), (a) => a.completeTask(task.id, 'done'));
    expect([done.status, done.completedBy, done.completionNote]).toEqual(['completed', 'nurse1', 'done']);
  });
});

describe('timeline cursor', () => {
  it('round-trips and refuses anything else', () => {
    expect(decodeCursor(encodeCursor({ t: 5, r: 1, id: 9 }))).toEqual({ t: 5, r: 1, id: 9 });
    expect(() => decodeCursor('W1tdXQ')).toThrow(AccessError);
  });
});
