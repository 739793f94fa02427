import type { Kysely } from 'kysely';
import type { AlertListener, Channel, Severity } from '../alerts/contract.js';
import type { Database } from '../store/schema.js';
import { plan } from './plan.js';
import { cancelPending, insertDeliveries, preferencesOf, type NewDelivery } from './store.js';

/** Who is to be told about an alert, and through which channels the rule names. */
export interface DeliveryRequest {
  alertId: number;
  patientId: number;
  severity: Severity;
  ruleId: string;
  /** The rule's channels (used when a user has no preference for the severity). */
  channels: readonly Channel[];
  /** app_user ids, as resolved by src/escalation (roles on the care team, fallback pool). */
  recipients: readonly number[];
  at: number;
}

/**
 * Queue the deliveries of one alert to its recipients, in `trx`: the alert's own transaction, so
 * the outbox rows commit with the alert or not at all. Per recipient: in-app now, and the first
 * out-of-band channel of their plan (plan.ts) at its time, the rest as its fall-over list.
 * Returns the rows queued.
 */
export async function enqueueDeliveries(trx: Kysely<Database>, req: DeliveryRequest): Promise<NewDelivery[]> {
  const rows: NewDelivery[] = [];
  for (const userId of new Set(req.recipients)) {
    const p = plan(await preferencesOf(trx, userId), req.severity, req.channels, req.at);
    const base = { alertId: req.alertId, patientId: req.patientId, userId, attempt: 1, severity: req.severity, ruleId: req.ruleId, queuedAt: req.at };
    for (const channel of p.immediate) rows.push({ ...base, channel, fallback: [], notBefore: req.at });
    const [first, ...rest] = p.sequence;
    if (first) rows.push({ ...base, channel: first, fallback: rest, notBefore: p.notBefore });
  }
  await insertDeliveries(trx, rows);
  return rows;
}

/**
 * An AlertListener for the other half: an alert acknowledged, resolved or withdrawn stops what is
 * still queued for it. (Raising is src/escalation's: it resolves the recipients and calls
 * enqueueDeliveries.)
 */
export const stopDeliveriesListener: AlertListener = {
  async alertChanged(trx, change) {
    if (change.kind === 'acknowledged' || change.kind === 'resolved' || change.kind === 'withdrawn') await cancelPending(trx, change.alertId, change.at);
  },
};
