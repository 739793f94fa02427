import type { Agent } from 'node:https';
import type { Channel } from '../alerts/contract.js';
import type { Store } from '../store/open.js';
import { emailChannel } from './channels/email.js';
import { inAppChannel } from './channels/in-app.js';
import { pushChannel } from './channels/push.js';
import { webhookChannel } from './channels/webhook.js';
import type { DeliveryConfig } from './config.js';
import type { ChannelAdapter } from './types.js';
import { loadVapidKeys } from './vapid.js';
import { DeliveryWorker, type DeliveryLog } from './worker.js';

export interface RunningDelivery {
  worker: DeliveryWorker;
  /** The channels on (in-app always). */
  channels: readonly Channel[];
  /** The VAPID public key browsers subscribe with (undefined: push off). */
  vapidPublicKey: string | undefined;
  stop(): Promise<void>;
}

/**
 * Start delivery inside `serve`: the configured channels and one DeliveryWorker polling the outbox.
 * In-app is always on; email, SMS, voice when configured; push unless CARECOORD_PUSH=off.
 * stop() is idempotent: the worker finishes its pass, then the SMTP pool closes.
 */
export async function startDelivery(store: Store, config: DeliveryConfig, log: DeliveryLog, options: { count?: (channel: Channel, outcome: string) => void; now?: () => number; pushAgent?: Agent } = {}): Promise<RunningDelivery> {
  const now = options.now ?? Date.now;
  const adapters: ChannelAdapter[] = [inAppChannel(store.db, now)];
  if (config.smtp) adapters.push(emailChannel(config.smtp));
  if (config.sms) adapters.push(webhookChannel('sms', config.sms, now));
  if (config.voice) adapters.push(webhookChannel('voice', config.voice, now));
  let vapidPublicKey: string | undefined;
  if (config.push) {
    const keys = await loadVapidKeys(store.db, now(), config.push.keys);
    vapidPublicKey = keys.publicKey;
    adapters.push(pushChannel(store.db, { ...keys, subject: config.push.subject }, config.timeoutMs, options.pushAgent));
  }
  const worker = new DeliveryWorker(store.db, {
    dialect: store.dialect, channels: adapters, publicUrl: config.publicUrl, phi: config.phi, retry: config.retry,
    pollIntervalMs: config.pollIntervalMs, leaseMs: Math.max(60_000, config.timeoutMs * 6), now, log,
    ...(options.count ? { count: options.count } : {}),
  });
  worker.start();
  log.info({ channels: adapters.map((a) => a.channel), publicUrl: config.publicUrl }, 'alert delivery started');
  let stopped: Promise<void> | undefined;
  return {
    worker, channels: adapters.map((a) => a.channel), vapidPublicKey,
    stop: () => (stopped ??= (async () => {
      await worker.stop();
      for (const a of adapters) await a.close?.();
    })()),
  };
}
