import { Agent } from 'node:https';
import webpush from 'web-push';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { emailChannel } from './channels/email.js';
import { pushChannel } from './channels/push.js';
import { verifyWebhook, webhookChannel } from './channels/webhook.js';
import { composeMessage } from './content.js';
import { addPushSubscription, pushSubscriptionsOf } from './store.js';
import { browserSubscription, decryptPush, startHttpReceiver, startHttpsReceiver, startSmtp, verifyVapid } from './testing.js';
import type { OutboundMessage } from './types.js';

const SECRET = 'test-webhook-secret';
const msg = (over: Partial<OutboundMessage> = {}): OutboundMessage => {
  const text = composeMessage({ alertId: 7, severity: 'critical', ruleId: 'readmission-30d' }, over.channel ?? 'sms', {}, 'https://cc.example.org');
  return { deliveryId: 11, alertId: 7, patientId: 3, userId: 5, channel: 'sms', severity: 'critical', ruleId: 'readmission-30d', to: '+15550100', ...text, ...over };
};
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe('email over a real SMTP server', () => {
  it('delivers over STARTTLS: envelope, subject and body as composed, the queue id kept', async () => {
    const smtp = await startSmtp();
    closers.push(smtp.close);
    const email = emailChannel({ host: '127.0.0.1', port: smtp.port, from: 'alerts@cc.example.org', timeoutMs: 5000, tlsRejectUnauthorized: false });
    closers.push(() => email.close!());
    const r = await email.send(msg({ channel: 'email', to: 'coord@example.org', ...composeMessage({ alertId: 7, severity: 'critical', ruleId: 'readmission-30d' }, 'email', {}, 'https://cc.example.org') }));
    expect(r).toEqual({ outcome: 'delivered', providerResponse: 'smtp 250 id=TEST123', retryable: false });
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail).toMatchObject({ from: 'alerts@cc.example.org', to: ['coord@example.org'], secure: true });
    expect(mail.raw).toMatch(/^Subject: carecoord: critical alert #7\r?$/m);
    expect(mail.raw).toContain('CRITICAL alert (readmission-30d). Open: https://cc.example.org/alerts/7');
  });

  it('an unreachable server is a retryable failure', async () => {
    const email = emailChannel({ url: 'smtp://127.0.0.1:1', from: 'alerts@cc.example.org', timeoutMs: 2000 });
    const r = await email.send(msg({ channel: 'email', to: 'coord@example.org' }));
    expect(r).toMatchObject({ outcome: 'failed', retryable: true, errorCode: 'delivery.provider_unavailable' });
  });
});

describe('SMS/voice webhook', () => {
  it('POSTs signed JSON; the receiver verifies the signature; the provider id is kept', async () => {
    const rx = await startHttpReceiver();
    closers.push(rx.close);
    const sms = webhookChannel('sms', { url: `${rx.url}/sms`, secret: SECRET, timeoutMs: 2000 });
    expect(await sms.send(msg())).toEqual({ outcome: 'delivered', providerResponse: 'http 201 id=msg-1', retryable: false });
    const req = rx.requests[0]!;
    expect(verifyWebhook(SECRET, req.headers['x-carecoord-timestamp'] as string, req.headers['x-carecoord-signature'] as string, req.body, Date.now())).toBe(true);
    expect(verifyWebhook('other', req.headers['x-carecoord-timestamp'] as string, req.headers['x-carecoord-signature'] as string, req.body, Date.now())).toBe(false);
    expect(verifyWebhook(SECRET, req.headers['x-carecoord-timestamp'] as string, req.headers['x-carecoord-signature'] as string, req.body.replace('+15550100', '+15550199'), Date.now())).toBe(false);
    expect(JSON.parse(req.body)).toEqual({ id: 'cc-delivery-11', channel: 'sms', to: '+15550100', body: 'CRITICAL alert (readmission-30d). Open: https://cc.example.org/alerts/7', alertLink: 'https://cc.example.org/alerts/7', severity: 'critical', rule: 'readmission-30d' });
  });

  it('500 and a timeout are retryable failures; a 400 is a rejection', async () => {
    const rx = await startHttpReceiver();
    closers.push(rx.close);
    rx.answers.push(500, 'hang', 400);
    const voice = webhookChannel('voice', { url: rx.url, secret: SECRET, timeoutMs: 300 });
    expect(await voice.send(msg({ channel: 'voice' }))).toMatchObject({ outcome: 'failed', retryable: true, providerResponse: 'http 500 id=msg-1' });
    expect(await voice.send(msg({ channel: 'voice' }))).toMatchObject({ outcome: 'failed', retryable: true, errorCode: 'delivery.timeout' });
    expect(await voice.send(msg({ channel: 'voice' }))).toMatchObject({ outcome: 'rejected', retryable: false, errorCode: 'delivery.provider_rejected' });
  });
});

describe.each(DIALECTS)('Web Push on %s', (dialect) => {
  const ctx = useFreshStore(dialect);

  it('sends VAPID-signed, aes128gcm-encrypted pushes the subscription decrypts; a gone subscription is removed', async () => {
    const service = await startHttpsReceiver();
    closers.push(service.close);
    const vapid = { ...webpush.generateVAPIDKeys(), subject: 'mailto:ops@cc.example.org' };
    const browser = browserSubscription(`${service.url}/push/abc`);
    await addPushSubscription(ctx.store.db, 5, browser.keys, 1);
    const push = pushChannel(ctx.store.db, vapid, 2000, new Agent({ ca: service.cert }));
    const r = await push.send(msg({ channel: 'push', to: undefined }));
    expect(r).toMatchObject({ outcome: 'delivered', providerResponse: 'http 201' });
    const req = service.requests[0]!;
    expect(req.url).toBe('/push/abc');
    expect(req.headers['content-encoding']).toBe('aes128gcm');
    expect(req.headers.urgency).toBe('high');
    expect(verifyVapid(req.headers.authorization, vapid.publicKey, service.url)).toMatchObject({ sub: 'mailto:ops@cc.example.org' });
    const payload = JSON.parse(decryptPush(Buffer.from(req.body, 'latin1'), browser.ecdh, browser.auth));
    expect(payload).toEqual({ title: 'carecoord: critical alert #7', body: 'CRITICAL alert (readmission-30d). Open: https://cc.example.org/alerts/7', url: 'https://cc.example.org/alerts/7', severity: 'critical', alertId: 7 });

    service.answers.push(410);
    expect(await push.send(msg({ channel: 'push' }))).toMatchObject({ outcome: 'rejected', retryable: false });
    expect(await pushSubscriptionsOf(ctx.store.db, 5)).toEqual([]);
    expect(await push.send(msg({ channel: 'push' }))).toMatchObject({ outcome: 'rejected', errorCode: 'delivery.no_contact' });
  });
});
