import { parsePhiPolicy, type PhiPolicy } from './content.js';
import type { SmtpConfig } from './channels/email.js';
import type { WebhookConfig } from './channels/webhook.js';
import type { RetryPolicy } from './retry.js';

/** Delivery settings (read once by loadConfig; RangeError names the variable). */
export interface DeliveryConfig {
  /** CARECOORD_PUBLIC_URL: the dashboard's address; links are PUBLIC_URL/alerts/:id. */
  publicUrl: string;
  phi: PhiPolicy;
  /** undefined: email off. */
  smtp: SmtpConfig | undefined;
  sms: WebhookConfig | undefined;
  voice: WebhookConfig | undefined;
  /** Web Push: on unless CARECOORD_PUSH=off; keys from the environment or generated into the store (vapid.ts). */
  push: { keys: { publicKey: string; privateKey: string } | undefined; subject: string } | undefined;
  retry: RetryPolicy;
  timeoutMs: number;
  pollIntervalMs: number;
}

/**
 * Parse the delivery variables: CARECOORD_PUBLIC_URL, CARECOORD_DELIVERY_PHI, CARECOORD_SMTP_URL or
 * CARECOORD_SMTP_HOST/_PORT/_USER/_PASS with CARECOORD_SMTP_FROM (CARECOORD_SMTP_REQUIRE_TLS, on),
 * CARECOORD_SMS_WEBHOOK_URL/_SECRET, CARECOORD_VOICE_WEBHOOK_URL/_SECRET, CARECOORD_PUSH (on|off),
 * CARECOORD_VAPID_PUBLIC/_PRIVATE/_SUBJECT, CARECOORD_DELIVERY_MAX_ATTEMPTS (3),
 * CARECOORD_DELIVERY_RETRY_BASE_MS (30000), CARECOORD_DELIVERY_TIMEOUT_MS (10000), CARECOORD_DELIVERY_POLL_MS (1000).
 */
export function deliveryConfigFromEnv(env: NodeJS.ProcessEnv): DeliveryConfig {
  const publicUrl = (env.CARECOORD_PUBLIC_URL || 'https://localhost:8080').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(publicUrl)) throw new RangeError(`CARECOORD_PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);
  const timeoutMs = int(env.CARECOORD_DELIVERY_TIMEOUT_MS, 10_000, 'CARECOORD_DELIVERY_TIMEOUT_MS', 100, 120_000);
  const smtpSet = env.CARECOORD_SMTP_URL || env.CARECOORD_SMTP_HOST;
  if (smtpSet && !env.CARECOORD_SMTP_FROM) throw new RangeError('CARECOORD_SMTP_FROM is required with CARECOORD_SMTP_URL / CARECOORD_SMTP_HOST');
  const smtp: SmtpConfig | undefined = smtpSet
    ? {
        url: env.CARECOORD_SMTP_URL || undefined, host: env.CARECOORD_SMTP_HOST || undefined,
        port: env.CARECOORD_SMTP_PORT ? int(env.CARECOORD_SMTP_PORT, 587, 'CARECOORD_SMTP_PORT', 1, 65_535) : undefined,
        user: env.CARECOORD_SMTP_USER || undefined, pass: env.CARECOORD_SMTP_PASS || undefined,
        requireTls: !/^(0|off|false|no)$/i.test(env.CARECOORD_SMTP_REQUIRE_TLS ?? 'on'),
        from: env.CARECOORD_SMTP_FROM!, timeoutMs,
      }
    : undefined;
  const vapidPublic = env.CARECOORD_VAPID_PUBLIC || undefined;
  const vapidPrivate = env.CARECOORD_VAPID_PRIVATE || undefined;
  if (!!vapidPublic !== !!vapidPrivate) throw new RangeError('CARECOORD_VAPID_PUBLIC and CARECOORD_VAPID_PRIVATE must be set together');
  const pushOff = /^(0|off|false|no)$/i.test(env.CARECOORD_PUSH ?? 'on');
  return {
    publicUrl,
    phi: parsePhiPolicy(env.CARECOORD_DELIVERY_PHI),
    smtp,
    sms: webhook(env, 'SMS', timeoutMs),
    voice: webhook(env, 'VOICE', timeoutMs),
    push: pushOff ? undefined : {
      keys: vapidPublic && vapidPrivate ? { publicKey: vapidPublic, privateKey: vapidPrivate } : undefined,
      subject: env.CARECOORD_VAPID_SUBJECT || (env.CARECOORD_SMTP_FROM ? `mailto:${env.CARECOORD_SMTP_FROM}` : publicUrl),
    },
    retry: {
      maxAttempts: int(env.CARECOORD_DELIVERY_MAX_ATTEMPTS, 3, 'CARECOORD_DELIVERY_MAX_ATTEMPTS', 1, 20),
      baseDelayMs: int(env.CARECOORD_DELIVERY_RETRY_BASE_MS, 30_000, 'CARECOORD_DELIVERY_RETRY_BASE_MS', 1, 3_600_000),
      maxDelayMs: 15 * 60_000,
    },
    timeoutMs,
    pollIntervalMs: int(env.CARECOORD_DELIVERY_POLL_MS, 1000, 'CARECOORD_DELIVERY_POLL_MS', 10, 60_000),
  };
}

function webhook(env: NodeJS.ProcessEnv, which: 'SMS' | 'VOICE', timeoutMs: number): WebhookConfig | undefined {
  const url = env[`CARECOORD_${which}_WEBHOOK_URL`];
  const secret = env[`CARECOORD_${which}_WEBHOOK_SECRET`];
  if (!url) return undefined;
  if (!secret || secret.length < 16) throw new RangeError(`CARECOORD_${which}_WEBHOOK_SECRET (16 characters at least) is required with CARECOORD_${which}_WEBHOOK_URL`);
  // Plain http only to this host (a local relay); anything else must be https.
  if (!/^https:\/\//.test(url) && !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(url)) throw new RangeError(`CARECOORD_${which}_WEBHOOK_URL must be https:// (http:// only to localhost)`);
  return { url, secret, timeoutMs };
}

function int(value: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}
