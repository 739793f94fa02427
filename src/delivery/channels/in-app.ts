import type { Kysely } from 'kysely';
import { publish, RealtimeKind } from '../../realtime/publish.js';
import type { Database } from '../../store/schema.js';
import type { ChannelAdapter, DeliveryResult, OutboundMessage } from '../types.js';

/**
 * In-app: an 'alert-delivery' event on the real-time stream (a realtime_event row the hub fans out
 * to the patient's viewers; the dashboard shows it to `userId`). Codes and ids only.
 */
export function inAppChannel(db: Kysely<Database>, now: () => number = Date.now): ChannelAdapter {
  return {
    channel: 'in-app',
    async send(msg: OutboundMessage): Promise<DeliveryResult> {
      await publish(db, {
        at: now(), patientId: msg.patientId, kind: RealtimeKind.AlertDelivery, refId: msg.alertId,
        payload: { userId: msg.userId, severity: msg.severity, ruleId: msg.ruleId, deliveryId: msg.deliveryId },
      });
      return { outcome: 'delivered', providerResponse: 'realtime', retryable: false };
    },
  };
}
