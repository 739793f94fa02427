import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChannelAdapter, DeliveryResult, OutboundMessage } from '../types.js';
import { httpResult, networkFailure, providerId } from './classify.js';

export interface WebhookConfig {
  /** https:// in production (http:// is accepted for local receivers in tests). */
  url: string;
  /** HMAC-SHA256 key shared with the provider. */
  secret: string;
  timeoutMs: number;
}

export const TIMESTAMP_HEADER = 'x-carecoord-timestamp';
export const SIGNATURE_HEADER = 'x-carecoord-signature';

/** `v1=` + hex HMAC-SHA256(secret, timestamp + "." + body): the receiver checks it and the timestamp's age. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The receiver's check (constant time), for providers and tests: the signature, and a timestamp within `toleranceMs`. */
export function verifyWebhook(secret: string, timestamp: string | undefined, signature: string | undefined, body: string, now: number, toleranceMs = 300_000): boolean {
  if (!timestamp || !signature || !/^[0-9]+$/.test(timestamp)) return false;
  if (Math.abs(now - Number(timestamp) * 1000) > toleranceMs) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const got = Buffer.from(signature);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

/**
 * SMS or voice through a generic HTTPS webhook: POST JSON {id, channel, to, body, alertLink,
 * severity, rule}, signed in the Stripe style (X-Carecoord-Timestamp: unix seconds,
 * X-Carecoord-Signature: v1=hex). The provider's status and message id (JSON `id` or `sid`) are kept.
 */
export function webhookChannel(channel: 'sms' | 'voice', config: WebhookConfig, now: () => number = Date.now): ChannelAdapter {
  return {
    channel,
    async send(msg: OutboundMessage): Promise<DeliveryResult> {
      const body = JSON.stringify({ id: `cc-delivery-${msg.deliveryId}`, channel, to: msg.to, body: msg.body, alertLink: msg.link, severity: msg.severity, rule: msg.ruleId });
      const timestamp = String(Math.floor(now() / 1000));
      try {
        const res = await fetch(config.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: webhookSignature(config.secret, timestamp, body), 'idempotency-key': `cc-delivery-${msg.deliveryId}` },
          body,
          signal: AbortSignal.timeout(config.timeoutMs),
          redirect: 'error',
        });
        const text = await res.text();
        let id: string | undefined;
        try {
          const json = JSON.parse(text) as { id?: unknown; sid?: unknown };
          id = providerId(json.id) ?? providerId(json.sid);
        } catch { /* not JSON: the status is enough */ }
        return httpResult(res.status, id);
      } catch (err) {
        return networkFailure(err);
      }
    },
  };
}
