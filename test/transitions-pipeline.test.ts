/**
 * Transition-of-care reactions through the real pipeline: ADT over MLLP, the durable log, the ordered
 * workers and the ADT handler, then TransitionOfCareReaction in the message's processing transaction,
 * on every dialect. Until the alert engine's hook (src/alerts) runs the registered EventReactions, the
 * test registers the ADT handler wrapped with the same call the engine makes: react(trx, effects)
 * with the events the message inserted and withdrew.
 */
import type { Kysely, Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAdtHandlers } from '../src/adt/index.js';
import { adtMessage, type AdtSpec } from '../src/adt/testing.js';
import type { MessageEffects } from '../src/alerts/contract.js';
import { createEpisode } from '../src/care/episode-service.js';
import { addSchedule } from '../src/care/schedule-service.js';
import { createTask, listPatientTasks } from '../src/care/task-service.js';
import { addStaff, type Staff } from '../src/care/testing.js';
import { readHl7 } from '../src/hl7/index.js';
import { ADT_MESSAGE_TYPES } from '../src/adt/triggers.js';
import { HandlerRegistry } from '../src/ingest/handlers.js';
import { findEncountersByVisit } from '../src/store/encounters.js';
import { eventsOfEntry, listEncounterEvents } from '../src/store/events.js';
import { getInboxRow } from '../src/store/inbox.js';
import { listMessages } from '../src/store/message-query.js';
import { findByIdentifier } from '../src/store/patients.js';
import * as schedules from '../src/store/care/schedules.js';
import type { Database } from '../src/store/schema.js';
import { isUniqueViolation } from '../src/store/care/db.js';
import { insertTransitionTask, listTasksOfEvents } from '../src/store/transitions.js';
import { usFederalCalendar } from '../src/transitions/calendar.js';
import { DEFAULT_POLICY, holdReason } from '../src/transitions/plan.js';
import { TransitionOfCareReaction } from '../src/transitions/reaction.js';
import { TaskReminderJob, type OverdueTaskReport } from '../src/transitions/reminders.js';
import { eventually, startTestPlatform, type TestPlatform } from './support/platform.js';
import { DIALECTS } from './support/stores.js';

/** The processing time the reaction is given (the engine's clock), fixed so that due dates are never in the past. */
const PROCESSED_AT = Date.parse('2026-11-16T18:00:00Z');
const reaction = new TransitionOfCareReaction({ calendar: usFederalCalendar('America/Chicago'), policy: DEFAULT_POLICY });

/** What the engine hands the reactions: the entry's events, and those its cancels withdrew. */
async function effectsOf(trx: Kysely<Database>, entryId: number, at: number): Promise<MessageEffects> {
  const inserted = await eventsOfEntry(trx, entryId);
  const withdrawn = [];
  for (const c of inserted) {
    if (c.encounterId !== null && typeof c.payload.cancels === 'number') withdrawn.push(...(await listEncounterEvents(trx, c.encounterId)).filter((e) => e.withdrawnBy === c.id));
  }
  return { entryId, inserted, withdrawn, at };
}

function registerWithReaction(registry: HandlerRegistry): void {
  const inner = new HandlerRegistry();
  registerAdtHandlers(inner);
  const adt = inner.resolve('ADT', 'A01')!;
  registry.register(ADT_MESSAGE_TYPES, {
    name: 'adt+transitions',
    handle: async (trx, input) => {
      await adt.handle(trx, input);
      await reaction.react(trx as Transaction<Database>, await effectsOf(trx, input.entryId, PROCESSED_AT));
    },
  });
}

describe.each(DIALECTS)('transition-of-care reactions through the pipeline on %s', (dialect) => {
  let tp: TestPlatform;
  let staff: Staff;
  const db = () => tp.platform.store.db;
  beforeAll(async () => {
    tp = await startTestPlatform(dialect, {}, { registerHandlers: registerWithReaction });
    staff = await addStaff(db());
  }, 60_000);
  afterAll(async () => {
    await tp?.stop();
    await tp?.tdb.cleanup();
  });

  let n = 0;
  const PEOPLE: Record<string, Record<number, string>> = {
    HH1: { 5: 'ABERNATHY^CORDELIA', 7: '19410203', 8: 'F' },
    HH2: { 5: 'BALTAZAR^DESMOND', 7: '19380517', 8: 'M' },
    NOEP: { 5: 'CARRINGTON^EULALIA', 7: '19520911', 8: 'F' },
    REM: { 5: 'DRUMMOND^FLETCHER', 7: '19470126', 8: 'M' },
  };
  const msg = (spec: Omit<AdtSpec, 'controlId'>) => adtMessage({ ...spec, pid: PEOPLE[spec.mrn], controlId: `${dialect}-toc-${++n}` });

  async function send(...messages: string[]): Promise<number[]> {
    const client = await tp.connect();
    const ids: number[] = [];
    try {
      for (const m of messages) {
        const reply = readHl7(await client.send(m));
        expect(reply.ok && reply.message.get('MSA-1')).toBe('AA');
        const [row] = await listMessages(db(), { controlId: m.split('\r')[0]!.split('|')[9]! });
        ids.push(row!.id);
      }
    } finally {
      await client.close();
    }
    for (const id of ids) {
      const row = await eventually(async () => {
        const r = await getInboxRow(db(), id);
        return r && r.status !== 'queued' ? r : undefined;
      }, 20_000, `entry ${id}`);
      expect(row.status, row.last_error_text ?? '').toBe('processed');
    }
    return ids;
  }

  /** A patient (from an A28) with an active home-health episode and a weekly field visit schedule. */
  async function homeHealthPatient(mrn: string) {
    await send(msg({ trigger: 'A28', mrn }));
    const patient = (await findByIdentifier(db(), 'GENHOSP', mrn))!;
    const episode = await createEpisode(db(), { patientId: patient.id, type: 'home-health', status: 'active', startAt: Date.parse('2026-11-01T00:00:00Z'), coordinatorUserId: staff.coord.id }, Date.now(), 'admin:test');
    const schedule = await addSchedule(db(), episode.id, { visitType: 'skilled-nursing', discipline: 'SN', assigneeRole: 'field-clinician', everyDays: 7, startDate: '2026-11-02' }, Date.now(), 'admin:test');
    return { patient, episode, schedule };
  }
  const encounterId = async (visit: string) => (await findEncountersByVisit(db(), 'GENHOSP', visit))[0]!.id;
  const scheduleOf = async (id: number) => (await schedules.getSchedule(db(), id))!;
  const tasksOf = async (patientId: number) => (await listPatientTasks(db(), patientId)).sort((a, b) => a.id - b.id);
  const summary = (list: Awaited<ReturnType<typeof tasksOf>>) => list.map((t) => `${t.assignee.kind === 'role' ? t.assignee.role : t.assignee.userId}:${t.status}:${t.title.split(':')[0]}`);

  it('home health: an A01 holds the field visits and tells the field clinician; the A03 lifts the hold and starts the transition tasks with due dates in Chicago business days; a repeated A03 adds nothing; an A13 cancels them and holds again', async () => {
    const { patient, episode, schedule } = await homeHealthPatient('HH1');
    const [admit] = await send(msg({ trigger: 'A01', mrn: 'HH1', evn: { 2: '20261110080000-0600' }, pv1: { 2: 'I', 3: '4W^1', 19: 'V-HH1' } }));
    const enc = await encounterId('V-HH1');
    expect(await scheduleOf(schedule.id)).toMatchObject({ status: 'on-hold', holdReason: holdReason(enc) });
    let tasks = await tasksOf(patient.id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ episodeId: episode.id, assignee: { kind: 'role', role: 'field-clinician' }, status: 'open', dueAt: null, priority: 'high', createdBy: 'system:transitions' });
    expect((await listTasksOfEvents(db(), [(await eventsOfEntry(db(), admit!))[0]!.id]))[0]!.link.kind).toBe('hold-notice');

    // Discharged home with home health on Friday 2026-11-13 10:45 Chicago time.
    const a03 = msg({ trigger: 'A03', mrn: 'HH1', evn: { 2: '20261113110000-0600' }, pv1: { 2: 'I', 3: '4W^1', 19: 'V-HH1', 36: '06', 45: '20261113104500-0600' } });
    const [discharge] = await send(a03);
    expect(await scheduleOf(schedule.id)).toMatchObject({ status: 'active', holdReason: null });
    tasks = await tasksOf(patient.id);
    expect(tasks[0]).toMatchObject({ status: 'cancelled', completionNote: 'hold lifted: discharged' });
    const dischargeEvent = (await eventsOfEntry(db(), discharge!))[0]!;
    const links = await listTasksOfEvents(db(), [dischargeEvent.id]);
    const due = Object.fromEntries(links.map((l) => [l.link.kind, l.task]));
    expect(Object.keys(due).sort()).toEqual(['face-to-face', 'interactive-contact', 'medication-reconciliation', 'resumption-of-care']);
    expect(due['interactive-contact']).toMatchObject({ assignee: { kind: 'role', role: 'care-coordinator' }, sourceEventId: dischargeEvent.id, dueAt: Date.parse('2026-11-18T05:59:59.999Z') }); // end of Tuesday, Chicago
    expect(due['face-to-face']!.dueAt).toBe(Date.parse('2026-11-28T05:59:59.999Z')); // end of the 14th day (Friday 11-27), Chicago
    expect(due['medication-reconciliation']).toMatchObject({ assignee: { kind: 'role', role: 'field-clinician' }, dueAt: due['face-to-face']!.dueAt });
    expect(due['resumption-of-care']).toMatchObject({ assignee: { kind: 'role', role: 'field-clinician' }, dueAt: Date.parse('2026-11-15T16:45:00Z'), priority: 'urgent' });

    // The same discharge sent again, and the engine running the reaction again for the first one: nothing new.
    await send(msg({ trigger: 'A03', mrn: 'HH1', evn: { 2: '20261113113000-0600' }, pv1: { 2: 'I', 3: '4W^1', 19: 'V-HH1', 36: '06', 45: '20261113104500-0600' } }));
    await db().transaction().execute(async (trx) => reaction.react(trx, await effectsOf(trx, discharge!, PROCESSED_AT)));
    expect(await tasksOf(patient.id)).toHaveLength(5);

    // A13 withdraws the latest discharge (the repeat); the stay is in progress again (the encounter fold): the tasks are
    // cancelled and the visits held again, with a new notice. A second A13 (the first discharge) changes nothing more.
    await send(msg({ trigger: 'A13', mrn: 'HH1', evn: { 2: '20261113120000-0600' }, pv1: { 2: 'I', 3: '4W^1', 19: 'V-HH1' } }));
    tasks = await tasksOf(patient.id);
    expect(tasks.slice(1, 5).map((t) => [t.status, t.completionNote])).toEqual(Array(4).fill(['cancelled', 'discharge cancelled (A13)']));
    expect(await scheduleOf(schedule.id)).toMatchObject({ status: 'on-hold', holdReason: holdReason(enc) });
    expect(tasks[5]).toMatchObject({ title: expect.stringContaining('on hold'), status: 'open' });
    await send(msg({ trigger: 'A13', mrn: 'HH1', evn: { 2: '20261113121000-0600' }, pv1: { 2: 'I', 3: '4W^1', 19: 'V-HH1' } }));
    expect(await tasksOf(patient.id)).toHaveLength(6);

    // Discharged again: a new set, the hold lifted once more.
    await send(msg({ trigger: 'A03', mrn: 'HH1', evn: { 2: '20261116090000-0600' }, pv1: { 2: 'I', 3: '4W^1', 19: 'V-HH1', 36: '01', 45: '20261116085000-0600' } }));
    expect(await scheduleOf(schedule.id)).toMatchObject({ status: 'active' });
    expect(summary(await tasksOf(patient.id))).toEqual([
      'field-clinician:cancelled:Home health', 'care-coordinator:cancelled:Transition of care', 'care-coordinator:cancelled:Transition of care',
      'field-clinician:cancelled:Transition of care', 'field-clinician:cancelled:Home health', 'field-clinician:cancelled:Home health',
      'care-coordinator:open:Transition of care', 'care-coordinator:open:Transition of care', 'field-clinician:open:Transition of care', 'field-clinician:open:Home health',
    ]);
    // The database holds the rule too: one task per (event, kind).
    const extra = await createTask(db(), { patientId: patient.id, title: 'another', assigneeRole: 'care-coordinator' }, Date.now(), 'admin:test');
    await expect(insertTransitionTask(db(), { taskId: extra.id, sourceEventId: dischargeEvent.id, kind: 'interactive-contact', encounterId: enc, createdAt: 0 })).rejects.toSatisfy(isUniqueViolation);
  });

  it('an A11 releases the hold its admission caused and cancels the notice; an ED visit holds nothing', async () => {
    const { patient, schedule } = await homeHealthPatient('HH2');
    await send(msg({ trigger: 'A01', mrn: 'HH2', evn: { 2: '20261110080000' }, pv1: { 2: 'E', 3: 'ED^1', 19: 'V-HH2-ED' } }));
    expect(await scheduleOf(schedule.id)).toMatchObject({ status: 'active' });
    await send(msg({ trigger: 'A01', mrn: 'HH2', evn: { 2: '20261111080000' }, pv1: { 2: 'I', 3: '4W^2', 19: 'V-HH2' } }));
    expect(await scheduleOf(schedule.id)).toMatchObject({ status: 'on-hold' });
    await send(msg({ trigger: 'A11', mrn: 'HH2', evn: { 2: '20261111090000' }, pv1: { 2: 'I', 3: '4W^2', 19: 'V-HH2' } }));
    expect(await scheduleOf(schedule.id)).toMatchObject({ status: 'active', holdReason: null });
    expect((await tasksOf(patient.id)).map((t) => [t.status, t.completionNote])).toEqual([['cancelled', 'admission cancelled (A11)']]);
    // An A01 arriving after its own A03 (the stay already over) holds nothing.
    await send(
      msg({ trigger: 'A03', mrn: 'HH2', evn: { 2: '20261114120000' }, pv1: { 2: 'I', 19: 'V-HH2-LATE', 36: '01', 44: '20261112080000' } }),
      msg({ trigger: 'A01', mrn: 'HH2', evn: { 2: '20261112080000' }, pv1: { 2: 'I', 19: 'V-HH2-LATE' } }),
    );
    expect(await scheduleOf(schedule.id)).toMatchObject({ status: 'active', holdReason: null });
    expect((await tasksOf(patient.id)).filter((t) => t.status === 'open')).toHaveLength(4);
  });

  it('no open episode, or a transfer to a SNF: no tasks', async () => {
    await send(
      msg({ trigger: 'A01', mrn: 'NOEP', evn: { 2: '20261110080000' }, pv1: { 2: 'I', 19: 'V-NOEP' } }),
      msg({ trigger: 'A03', mrn: 'NOEP', evn: { 2: '20261112080000' }, pv1: { 2: 'I', 19: 'V-NOEP', 36: '01' } }),
    );
    const patient = (await findByIdentifier(db(), 'GENHOSP', 'NOEP'))!;
    expect(await tasksOf(patient.id)).toEqual([]);
    const { patient: p2 } = await homeHealthPatient('REM');
    await send(
      msg({ trigger: 'A01', mrn: 'REM', evn: { 2: '20261110080000' }, pv1: { 2: 'I', 19: 'V-REM-1' } }),
      msg({ trigger: 'A03', mrn: 'REM', evn: { 2: '20261112080000' }, pv1: { 2: 'I', 19: 'V-REM-1', 36: '03' } }),
    );
    expect(summary(await tasksOf(p2.id))).toEqual(['field-clinician:open:Home health']); // the notice: still in a facility
  });

  it('TaskReminderJob: past due a reminder on the stream, a grace period later one report to the listener, then nothing', async () => {
    const patient = (await findByIdentifier(db(), 'GENHOSP', 'REM'))!;
    await send(
      msg({ trigger: 'A01', mrn: 'REM', evn: { 2: '20261201080000' }, pv1: { 2: 'I', 19: 'V-REM-2' } }),
      msg({ trigger: 'A03', mrn: 'REM', evn: { 2: '20261204080000' }, pv1: { 2: 'I', 19: 'V-REM-2', 36: '01', 45: '20261204080000' } }),
    );
    const open = (await listPatientTasks(db(), patient.id, { statuses: ['open'] })).filter((t) => t.dueAt !== null);
    const contact = open.find((t) => t.title.includes('contact'))!;
    expect(contact.dueAt).toBe(Date.parse('2026-12-09T05:59:59.999Z'));
    const reports: OverdueTaskReport[] = [];
    let now = contact.dueAt! + 1;
    const job = new TaskReminderJob(db(), { taskOverdue: async (_trx, r) => void reports.push(r) }, { error: () => {} }, { now: () => now, graceMs: 3_600_000 });
    const reminded = await job.runOnce();
    expect(reminded.reminded).toBeGreaterThanOrEqual(1); // the contact task, and the other overdue tasks of earlier tests
    const stream = await db().selectFrom('realtime_event').select(['payload']).where('kind', '=', 'task').where('ref_id', '=', contact.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(stream.payload)).toMatchObject({ overdue: true, dueAt: contact.dueAt, status: 'open' });
    expect(reports).toEqual([]);
    now += 3_600_000 - 1;
    expect((await job.runOnce()).reported).toBe(0);
    now += 1;
    await job.runOnce();
    expect(reports.find((r) => r.taskId === contact.id)).toMatchObject({ patientId: patient.id, kind: 'interactive-contact', dueAt: contact.dueAt, remindedAt: contact.dueAt! + 1, at: now });
    const count = reports.length;
    now += 10 * 3_600_000;
    expect(await job.runOnce()).toEqual({ reminded: 0, reported: 0 });
    expect(reports).toHaveLength(count);
    job.start();
    await job.stop();
    await job.stop();
  });
});
