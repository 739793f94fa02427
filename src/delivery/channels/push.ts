import type { Agent } from 'node:https';
import type { Kysely } from 'kysely';
import webpush from 'web-push';
import type { Database } from '../../store/schema.js';
import { pushSubscriptionsOf, removePushSubscription } from '../store.js';
import { DeliveryErrorCode, type ChannelAdapter, type DeliveryResult, type OutboundMessage } from '../types.js';
import { httpResult, networkFailure } from './classify.js';

export interface VapidKeys {
  /** URL-safe base64 (uncompressed P-256 point / 32-byte scalar), as web-push generates them. */
  publicKey: string;
  privateKey: string;
  /** mailto: or https: contact for the push services (RFC 8292 `sub`). */
  subject: string;
}

/**
 * Web Push (RFC 8030 with VAPID, RFC 8292; payload encrypted aes128gcm, RFC 8291) to every
 * subscription of the user. Delivered if one push service accepted it; a subscription the service
 * says is gone (404, 410) is removed. Payload: title, body, url, severity, alert id (no PHI by default).
 * `agent`: an https.Agent trusting a test push service's certificate (tests only).
 */
export function pushChannel(db: Kysely<Database>, vapid: VapidKeys, timeoutMs: number, agent?: Agent): ChannelAdapter {
  return {
    channel: 'push',
    async send(msg: OutboundMessage): Promise<DeliveryResult> {
      const subscriptions = await pushSubscriptionsOf(db, msg.userId);
      if (subscriptions.length === 0) return { outcome: 'rejected', providerResponse: null, retryable: false, errorCode: DeliveryErrorCode.NoContact };
      const payload = JSON.stringify({ title: msg.subject, body: msg.body, url: msg.link, severity: msg.severity, alertId: msg.alertId });
      const results: DeliveryResult[] = [];
      for (const s of subscriptions) {
        try {
          const res = await webpush.sendNotification({ endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } }, payload, {
            vapidDetails: vapid, TTL: 3600, timeout: timeoutMs, urgency: msg.severity === 'critical' || msg.severity === 'high' ? 'high' : 'normal',
            contentEncoding: 'aes128gcm', ...(agent ? { agent } : {}),
          });
          results.push(httpResult(res.statusCode));
        } catch (err) {
          const status = (err as { statusCode?: number }).statusCode;
          if (status === 404 || status === 410) await removePushSubscription(db, s.endpoint);
          results.push(status ? httpResult(status) : networkFailure(err));
        }
      }
      const delivered = results.find((r) => r.outcome === 'delivered');
      const summary = results.map((r) => r.providerResponse).join(', ').slice(0, 200);
      if (delivered) return { ...delivered, providerResponse: summary };
      const retry = results.find((r) => r.retryable);
      return { ...(retry ?? results[0]!), providerResponse: summary };
    },
  };
}
