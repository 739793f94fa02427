import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { auditReport } from '../audit/index.js';
import { addUser } from '../care/user-service.js';
import { insertTestPatient } from '../store/care/test-fixtures.js';
import type { Store } from '../store/open.js';
import { emailChannel } from './channels/email.js';
import { inAppChannel } from './channels/in-app.js';
import { webhookChannel } from './channels/webhook.js';
import { parsePhiPolicy, type PhiPolicy } from './content.js';
import { enqueueDeliveries, stopDeliveriesListener, type DeliveryRequest } from './enqueue.js';
import { deliveriesOf, setPreference } from './store.js';
import { startHttpReceiver, startSmtp, type Receiver } from './testing.js';
import { DeliveryWorker } from './worker.js';

const T0 = Date.UTC(2026, 11, 1, 15); // 15:00 UTC, 10:00 in New York
const SECRET = 'worker-test-secret';
const silent = { info() {}, warn() {}, error() {} };

describe.each(DIALECTS)('delivery worker on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  let clock = T0;
  let sms: Receiver;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let users: { coord: number; doc: number };
  let patientId: number;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    clock = T0;
    sms = await startHttpReceiver();
    smtp = await startSmtp();
    closers.push(sms.close, smtp.close);
    const db = ctx.store.db;
    const add = async (username: string, email: string) => (await addUser(db, { username, displayName: username, roles: ['coordinator'], email, phone: '+1 555 0100' }, T0, 'test')).id;
    users = { coord: await add('coord1', 'coord1@example.org'), doc: await add('doc1', 'doc1@example.org') };
    patientId = await insertTestPatient(db, { mrn: 'M1' });
    await db.updateTable('patient').set({ family_name: 'ZEBEDEE', given_name: 'Quintessa' }).where('id', '=', patientId).execute();
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  function worker(store: Store, phi: PhiPolicy = {}) {
    const email = emailChannel({ host: '127.0.0.1', port: smtp.port, from: 'alerts@cc.example.org', timeoutMs: 5000, tlsRejectUnauthorized: false });
    closers.push(() => email.close!());
    const counted: string[] = [];
    const w = new DeliveryWorker(store.db, {
      dialect, publicUrl: 'https://cc.example.org', phi, log: silent, now: () => clock, batchSize: 5,
      retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 },
      channels: [inAppChannel(store.db, () => clock), email, webhookChannel('sms', { url: sms.url, secret: SECRET, timeoutMs: 2000 })],
      count: (channel, outcome) => counted.push(`${channel}:${outcome}`),
    });
    return Object.assign(w, { counted });
  }
  const request = (alertId: number, over: Partial<DeliveryRequest> = {}): DeliveryRequest => ({
    alertId, patientId, severity: 'critical', ruleId: 'readmission-30d', channels: ['sms', 'email', 'in-app'], recipients: [users.coord], at: clock, ...over,
  });
  async function drain(...workers: DeliveryWorker[]) {
    for (;;) {
      const n = await Promise.all(workers.map((w) => w.runOnce()));
      if (n.every((x) => x === 0)) return;
    }
  }

  it('sends each queued delivery once, even with two workers racing (PostgreSQL: two pools, as two nodes)', async () => {
    const db = ctx.store.db;
    for (let a = 1; a <= 20; a++) await db.transaction().execute((trx) => enqueueDeliveries(trx, request(a)));
    // SQLite has one writer per process (a second connection in this thread would block it): both
    // workers share the store there, their passes interleaving on the event loop.
    const second = dialect === 'postgres' ? await ctx.tdb.open() : ctx.store;
    if (second !== ctx.store) closers.push(() => second.close());
    await drain(worker(ctx.store), worker(second));
    expect(sms.requests).toHaveLength(20);
    expect(new Set(sms.requests.map((r) => JSON.parse(r.body).id)).size).toBe(20);
    const inApp = await db.selectFrom('realtime_event').select(['ref_id', 'payload']).where('kind', '=', 'alert-delivery').execute();
    expect(inApp).toHaveLength(20);
    const rows = await db.selectFrom('alert_delivery').select(['status', 'channel']).execute();
    expect(rows.filter((r) => r.status === 'delivered')).toHaveLength(40);
    expect(rows).toHaveLength(40);
  });

  it('retries with exponential backoff, then falls over to the next channel; every attempt logged', async () => {
    await ctx.store.db.transaction().execute((trx) => enqueueDeliveries(trx, request(1)));
    sms.answers.push(500, 503, 500);
    const w = worker(ctx.store);
    await w.runOnce(); // in-app + sms attempt 1
    await w.runOnce();
    expect(sms.requests).toHaveLength(1); // the retry waits for its backoff
    clock += 999;
    expect(await w.runOnce()).toBe(0);
    clock += 1;
    await w.runOnce(); // attempt 2
    clock += 1999;
    expect(await w.runOnce()).toBe(0);
    clock += 1;
    await w.runOnce(); // attempt 3 -> fall over to email, due now
    await w.runOnce();
    expect(sms.requests).toHaveLength(3);
    expect(smtp.mails).toHaveLength(1);
    const log = (await deliveriesOf(ctx.store.db, 1)).map((r) => [r.channel, r.attempt, r.status, r.provider_response, r.error_code, Number(r.attempted_at) - T0]);
    expect(log).toEqual([
      ['in-app', 1, 'delivered', 'realtime', null, 0],
      ['sms', 1, 'failed', 'http 500 id=msg-1', 'delivery.provider_unavailable', 0],
      ['sms', 2, 'failed', 'http 503 id=msg-2', 'delivery.provider_unavailable', 1000],
      ['sms', 3, 'failed', 'http 500 id=msg-3', 'delivery.provider_unavailable', 3000],
      ['email', 1, 'delivered', 'smtp 250 id=TEST123', null, 3000],
    ]);
    expect(w.counted).toEqual(['in-app:delivered', 'sms:failed', 'sms:failed', 'sms:failed', 'email:delivered']);
  });

  it('quiet hours hold a non-critical alert (in-app still at once); a critical one goes through', async () => {
    const db = ctx.store.db;
    await setPreference(db, users.coord, { severity: '*', channels: ['sms'], quietStart: '09:00', quietEnd: '11:30', timeZone: 'America/New_York' }, T0);
    await db.transaction().execute(async (trx) => {
      await enqueueDeliveries(trx, request(1, { severity: 'medium' }));
      await enqueueDeliveries(trx, request(2, { severity: 'critical' }));
    });
    const w = worker(ctx.store);
    await drain(w);
    expect(sms.requests.map((r) => JSON.parse(r.body).alertLink)).toEqual(['https://cc.example.org/alerts/2']);
    expect((await deliveriesOf(db, 1)).map((r) => [r.channel, r.status])).toEqual([['in-app', 'delivered'], ['sms', 'queued']]);
    clock = T0 + 90 * 60_000; // 11:30 New York
    await drain(w);
    expect(sms.requests).toHaveLength(2);
  });

  it('acknowledging stops what is still queued', async () => {
    const db = ctx.store.db;
    await setPreference(db, users.coord, { severity: '*', channels: ['sms'], quietStart: '09:00', quietEnd: '11:30', timeZone: 'America/New_York' }, T0);
    await db.transaction().execute((trx) => enqueueDeliveries(trx, request(1, { severity: 'high' })));
    await db.transaction().execute((trx) => stopDeliveriesListener.alertChanged(trx, {
      kind: 'acknowledged', alertId: 1, patientId, episodeId: null, ruleId: 'r', ruleVersion: 1, severity: 'high', previousSeverity: null,
      status: 'acknowledged', recipients: [], channels: [], escalationPolicy: null, actorUserId: users.coord, at: T0 + 5,
    }));
    clock = T0 + 3 * 3_600_000;
    await drain(worker(ctx.store));
    expect(sms.requests).toHaveLength(0);
    expect((await deliveriesOf(db, 1)).map((r) => [r.channel, r.status, r.error_code, r.acknowledged_at])).toEqual([
      ['in-app', 'skipped', 'delivery.acknowledged', T0 + 5], ['sms', 'skipped', 'delivery.acknowledged', T0 + 5],
    ]);
  });

  it('no patient name leaves by default; with email:names it does, audited as a disclosure', async () => {
    const db = ctx.store.db;
    await db.transaction().execute((trx) => enqueueDeliveries(trx, request(1, { channels: ['email'], recipients: [users.coord] })));
    await setPreference(db, users.doc, { severity: '*', channels: ['sms'], quietStart: null, quietEnd: null, timeZone: null }, T0);
    await db.transaction().execute((trx) => enqueueDeliveries(trx, request(2, { recipients: [users.doc] })));
    await drain(worker(ctx.store));
    const sent = [...smtp.mails.map((m) => m.raw), ...sms.requests.map((r) => r.body), ...(await db.selectFrom('realtime_event').select('payload').execute()).map((r) => r.payload)];
    expect(sent).toHaveLength(4);
    for (const text of sent) expect(text).not.toMatch(/ZEBEDEE|Quintessa/i);
    expect((await auditReport(db)).filter((e) => e.action === 'disclosure')).toEqual([]);

    await db.transaction().execute((trx) => enqueueDeliveries(trx, request(3, { channels: ['email'], recipients: [users.coord] })));
    await drain(worker(ctx.store, parsePhiPolicy('email:names')));
    expect(smtp.mails.at(-1)!.raw).toContain('Patient: ZEBEDEE Quintessa.');
    const disclosures = (await auditReport(db)).filter((e) => e.action === 'disclosure');
    expect(disclosures).toHaveLength(1);
    expect(disclosures[0]).toMatchObject({ actor: 'system', userId: users.coord, patientId, entityType: 'alert-delivery', outcome: 'success' });
    expect(JSON.parse(disclosures[0]!.detail)).toEqual({ alertId: 3, channel: 'email', attempt: 1 });
  });
});
