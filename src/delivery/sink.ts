import type { Kysely } from 'kysely';
import type { Channel, Severity } from '../alerts/contract.js';
import type { Database } from '../store/schema.js';
import { enqueueDeliveries } from './enqueue.js';

/** The shape src/escalation's DeliverySink expects (structurally; delivery does not import escalation). */
export interface EscalationDeliveryJob {
  alertId: number;
  userId: number;
  severity: Severity;
  channels: readonly Channel[];
  level: number;
}

/**
 * The delivery sink for src/escalation: each job (one user told at one escalation level) becomes
 * enqueueDeliveries in the caller's transaction; the patient and rule are read from the alert row.
 */
export function escalationDeliverySink(now: () => number = Date.now) {
  return {
    async enqueue(trx: Kysely<Database>, job: EscalationDeliveryJob): Promise<void> {
      const alert = await trx.selectFrom('alert').select(['patient_id', 'rule_id']).where('id', '=', job.alertId).executeTakeFirstOrThrow();
      await enqueueDeliveries(trx, {
        alertId: job.alertId, patientId: Number(alert.patient_id), severity: job.severity, ruleId: alert.rule_id,
        channels: job.channels, recipients: [job.userId], at: now(),
      });
    },
  };
}
