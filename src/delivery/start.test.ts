import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { addUser } from '../care/user-service.js';
import { createMetrics } from '../metrics/index.js';
import { insertTestPatient } from '../store/care/test-fixtures.js';
import { deliveryConfigFromEnv } from './config.js';
import { enqueueDeliveries } from './enqueue.js';
import { startDelivery } from './start.js';
import { deliveriesOf } from './store.js';
import { startHttpReceiver, type Receiver } from './testing.js';

const silent = { info() {}, warn() {}, error() {} };

describe('deliveryConfigFromEnv', () => {
  it('defaults: in-app and push on, no email/SMS/voice, no PHI', () => {
    const c = deliveryConfigFromEnv({});
    expect(c).toMatchObject({ publicUrl: 'https://localhost:8080', phi: {}, smtp: undefined, sms: undefined, voice: undefined, push: { keys: undefined } });
  });
  it('refuses half a configuration, naming the variable', () => {
    expect(() => deliveryConfigFromEnv({ CARECOORD_SMTP_HOST: 'mail' })).toThrow(/CARECOORD_SMTP_FROM/);
    expect(() => deliveryConfigFromEnv({ CARECOORD_SMS_WEBHOOK_URL: 'https://sms.example' })).toThrow(/CARECOORD_SMS_WEBHOOK_SECRET/);
    expect(() => deliveryConfigFromEnv({ CARECOORD_SMS_WEBHOOK_URL: 'http://sms.example', CARECOORD_SMS_WEBHOOK_SECRET: 'x'.repeat(16) })).toThrow(/https/);
    expect(() => deliveryConfigFromEnv({ CARECOORD_VAPID_PUBLIC: 'abc' })).toThrow(/CARECOORD_VAPID_PRIVATE/);
    expect(() => deliveryConfigFromEnv({ CARECOORD_DELIVERY_PHI: 'sms:everything' })).toThrow(/CARECOORD_DELIVERY_PHI/);
  });
});

describe.each(DIALECTS)('startDelivery on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  let rx: Receiver;
  afterEach(async () => rx?.close());

  it('sends what is queued through the configured channels, counts it, keeps one sealed VAPID pair, stops', async () => {
    rx = await startHttpReceiver();
    const config = deliveryConfigFromEnv({ CARECOORD_PUBLIC_URL: 'https://cc.example.org/', CARECOORD_SMS_WEBHOOK_URL: rx.url, CARECOORD_SMS_WEBHOOK_SECRET: 's'.repeat(32), CARECOORD_DELIVERY_POLL_MS: '20' });
    const metrics = createMetrics();
    const db = ctx.store.db;
    const running = await startDelivery(ctx.store, config, silent, { count: (c, o) => metrics.countDelivery(c, o) });
    expect(running.channels).toEqual(['in-app', 'sms', 'push']);
    const user = await addUser(db, { username: 'c1', displayName: 'C', roles: ['coordinator'], phone: '+15550100' }, 1, 'test');
    const patientId = await insertTestPatient(db);
    await db.transaction().execute((trx) => enqueueDeliveries(trx, { alertId: 9, patientId, severity: 'high', ruleId: 'ed-visit', channels: ['sms'], recipients: [user.id], at: Date.now() }));
    for (let i = 0; i < 200 && rx.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await running.stop();
    await running.stop();
    expect(JSON.parse(rx.requests[0]!.body).alertLink).toBe('https://cc.example.org/alerts/9');
    expect((await deliveriesOf(db, 9)).map((r) => [r.channel, r.status])).toEqual([['in-app', 'delivered'], ['sms', 'delivered']]);
    expect(await metrics.registry.getSingleMetricAsString('carecoord_alert_deliveries_total')).toContain('carecoord_alert_deliveries_total{channel="sms",outcome="delivered"} 1');

    const key = await db.selectFrom('delivery_key').selectAll().executeTakeFirstOrThrow();
    expect(key.public_value).toBe(running.vapidPublicKey);
    expect(key.private_sealed).not.toMatch(/^[A-Za-z0-9_-]{43}$/); // sealed, not the bare key
    const again = await startDelivery(ctx.store, config, silent);
    expect(again.vapidPublicKey).toBe(running.vapidPublicKey);
    await again.stop();
  });
});
