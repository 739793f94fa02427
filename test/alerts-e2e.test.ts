/**
 * Alerting end to end in the platform `carecoord serve` runs, on every dialect: ADT over MLLP, the
 * processing thread's AlertEngine with its listeners (escalation, delivery's stop) and reaction
 * (transitions of care), the outbox worker sending email to a real SMTP server, the escalation
 * TimerScheduler of the main process, and an acknowledgement through the platform's AlertLifecycle.
 * The default policy's first level is shortened through its row so the timer fires within the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adtMessage, type AdtSpec } from '../src/adt/testing.js';
import { createEpisode } from '../src/care/episode-service.js';
import { addTeamMember } from '../src/care/team-service.js';
import { addUser } from '../src/care/user-service.js';
import type { User } from '../src/care/user.js';
import { setPreference, deliveriesOf } from '../src/delivery/store.js';
import { startSmtp } from '../src/delivery/testing.js';
import { DEFAULT_POLICY, getEscalation, listRecipients, listTimers, savePolicy } from '../src/escalation/index.js';
import { listAlerts } from '../src/store/alerts.js';
import { eventsOfEntry } from '../src/store/events.js';
import { getInboxRow } from '../src/store/inbox.js';
import { listMessages } from '../src/store/message-query.js';
import { findByIdentifier } from '../src/store/patients.js';
import { listTasksOfEvents } from '../src/store/transitions.js';
import { eventually, startTestPlatform, type TestPlatform } from './support/platform.js';
import { DIALECTS } from './support/stores.js';

const DAY = 86_400_000;
/** HL7 DTM in UTC. */
const hl7Time = (ms: number) => `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}+0000`;

describe.each(DIALECTS)('alerts end to end on %s', (dialect) => {
  let tp: TestPlatform;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const db = () => tp.platform.store.db;
  const users: Record<string, User> = {};
  beforeAll(async () => {
    smtp = await startSmtp();
    tp = await startTestPlatform(dialect, {
      CARECOORD_SMTP_URL: `smtp://127.0.0.1:${smtp.port}?tls.rejectUnauthorized=false`,
      CARECOORD_SMTP_FROM: 'alerts@cc.example.org',
      CARECOORD_PUBLIC_URL: 'https://cc.example.org',
      CARECOORD_DELIVERY_POLL_MS: '50',
      CARECOORD_PUSH: 'off',
    });
    const add = async (username: string, roles: string[], email?: string) =>
      (users[username] = await addUser(db(), { username, displayName: username.toUpperCase(), roles, ...(email ? { email } : {}) }, Date.now(), 'admin:test'));
    await add('coord1', ['coordinator'], 'coord1@example.org');
    await add('doc1', ['physician']);
    await add('nurse1', ['field-clinician']);
    await add('sup1', ['supervisor'], 'sup1@example.org');
    // The policy row decides the timeouts: the coordinator has ~1 s before the supervisor is told, who has an hour.
    const [first, second, ...rest] = DEFAULT_POLICY.levels;
    await savePolicy(db(), {
      ...DEFAULT_POLICY,
      levels: [{ ...first!, timeoutMinutesBySeverity: { ...first!.timeoutMinutesBySeverity, critical: 0.02 } }, { ...second!, timeoutMinutesBySeverity: { ...second!.timeoutMinutesBySeverity, critical: 60 } }, ...rest],
    }, Date.now());
  }, 60_000);
  afterAll(async () => {
    await tp?.stop();
    await tp?.tdb.cleanup();
    await smtp?.close();
  });

  let n = 0;
  const msg = (spec: Omit<AdtSpec, 'controlId'>) => adtMessage({ ...spec, pid: { 3: `${spec.mrn}^^^GENHOSP^MR`, 5: 'QUINTESSA^ZEBEDEE', 7: '19440312', 8: 'F' }, controlId: `${dialect}-e2e-${++n}` });
  const visit = (trigger: string, visitNo: string, at: number, pv1: Record<number, string> = {}) =>
    msg({ trigger, mrn: 'E2E1', facility: 'GENHOSP', evn: { 2: hl7Time(at) }, pv1: { 2: 'I', 3: '4W^1', 19: visitNo, ...pv1 } });

  async function send(m: string): Promise<number> {
    const client = await tp.connect();
    const ack = (await client.send(m)).toString('latin1');
    await client.close();
    const control = /MSA\|[A-Z]{2}\|([^|\r]*)/.exec(ack)![1]!;
    const [entry] = await listMessages(db(), { controlId: control });
    const row = await eventually(async () => {
      const r = await getInboxRow(db(), entry!.id);
      return r && r.status !== 'queued' ? r : undefined;
    }, 20_000, `processing of ${control}`);
    expect(row.status, row.last_error_text ?? '').toBe('processed');
    return entry!.id;
  }

  it('admit, discharge, readmit after 12 days: one critical alert, in-app and email without the name, the contact task, escalation to the supervisor, stopped by the acknowledgement', async () => {
    const discharged = Date.now() - 13 * DAY;
    await send(visit('A01', 'V-1', discharged - 3 * DAY));
    const patient = (await findByIdentifier(db(), 'GENHOSP', 'E2E1'))!;
    const episode = await createEpisode(db(), { patientId: patient.id, type: 'home-health', status: 'active', startAt: discharged - 30 * DAY, coordinatorUserId: users.coord1!.id }, Date.now(), 'admin:test');
    await addTeamMember(db(), episode.id, { userId: users.doc1!.id, role: 'primary-physician' }, Date.now(), 'admin:test');
    await addTeamMember(db(), episode.id, { userId: users.nurse1!.id, role: 'field-clinician' }, Date.now(), 'admin:test');
    await setPreference(db(), users.coord1!.id, { severity: 'critical', channels: ['email'], quietStart: null, quietEnd: null, timeZone: null }, Date.now());

    const a03 = await send(visit('A03', 'V-1', discharged, { 36: '01', 45: hl7Time(discharged) }));
    const links = await listTasksOfEvents(db(), [(await eventsOfEntry(db(), a03))[0]!.id]);
    expect(links.map((l) => l.link.kind)).toContain('interactive-contact');

    await send(visit('A01', 'V-2', discharged + 12 * DAY));
    const alerts = await listAlerts(db(), { patientId: patient.id });
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert).toMatchObject({ severity: 'critical', status: 'open', ruleId: 'readmission-30d' });
    const level0 = await listRecipients(db(), alert.id);
    expect(level0.map((r) => `${r.level}:${r.userId}`)).toEqual(expect.arrayContaining([`0:${users.coord1!.id}`, `0:${users.doc1!.id}`]));
    expect(level0.filter((r) => r.level !== 0 || r.gap), JSON.stringify(level0)).toEqual([]);
    expect((await listTimers(db(), alert.id)).filter((t) => t.kind === 'escalate')).toHaveLength(1);

    // The worker delivers in-app and email to the coordinator; the email names no patient.
    const coordSent = await eventually(async () => {
      const rows = (await deliveriesOf(db(), alert.id)).filter((d) => Number(d.user_id) === users.coord1!.id && d.status === 'delivered');
      return rows.length >= 2 ? rows : undefined;
    }, 20_000, 'coordinator deliveries');
    expect(coordSent.map((d) => d.channel).sort()).toEqual(['email', 'in-app']);
    const mail = await eventually(async () => smtp.mails.find((m) => m.to.includes('coord1@example.org')), 20_000, 'email');
    expect(mail.secure).toBe(true);
    expect(mail.raw).toContain(`https://cc.example.org/alerts/${alert.id}`);
    expect(mail.raw).not.toMatch(/QUINTESSA|ZEBEDEE/i);

    // The first level's timeout passes: the scheduler tells the supervisor (level 1).
    const sup = await eventually(async () => (await listRecipients(db(), alert.id)).find((r) => r.level === 1 && r.userId === users.sup1!.id), 20_000, 'supervisor told');
    expect(sup.level).toBe(1);
    await eventually(async () => (await deliveriesOf(db(), alert.id)).some((d) => Number(d.user_id) === users.sup1!.id), 20_000, 'supervisor delivery');

    // Acknowledged through the platform's lifecycle: escalation stops, its timers are cancelled.
    await tp.platform.alerts.acknowledge(db(), alert.id, { username: 'coord1', userId: users.coord1!.id, source: '127.0.0.1' }, Date.now());
    expect(await getEscalation(db(), alert.id)).toMatchObject({ state: 'acknowledged' });
    expect((await listTimers(db(), alert.id)).filter((t) => t.firedAt === null && t.cancelledAt === null)).toEqual([]);
    const told = (await listRecipients(db(), alert.id)).length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(await listRecipients(db(), alert.id)).toHaveLength(told);
  }, 90_000);
});
