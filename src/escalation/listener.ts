import type { Transaction } from 'kysely';
import type { AlertChange, AlertListener } from '../alerts/contract.js';
import type { Database } from '../store/schema.js';
import { EscalationStatus } from './policy.js';
import {
  raiseEscalation, resumeEscalation, severityChanged, snoozeEscalation, stopEscalation, type EscalationDeps,
} from './service.js';

/**
 * The contract's snooze carries its end here when the engine sends it (`snoozedUntil`, epoch ms);
 * without it escalation stays paused until the engine reports 'reopened'.
 */
type SnoozeChange = AlertChange & { snoozedUntil?: number | null };

/**
 * Escalation as an alert listener, inside the transaction that changed the alert: 'raised' tells
 * level 0 and starts the timer; 'updated' with a higher severity shortens it; 'acknowledged' stops
 * escalation; 'resolved' and 'withdrawn' cancel every timer; 'snoozed' pauses until an unsnooze
 * timer; 'reopened' restarts the current level's clock.
 */
export class EscalationListener implements AlertListener {
  constructor(private readonly deps: EscalationDeps) {}

  async alertChanged(trx: Transaction<Database>, change: AlertChange): Promise<void> {
    switch (change.kind) {
      case 'raised':
        return raiseEscalation(trx, this.deps, change);
      case 'updated':
        return severityChanged(trx, this.deps, change);
      case 'acknowledged':
        return stopEscalation(trx, change.alertId, EscalationStatus.Acknowledged, change.at);
      case 'resolved':
      case 'withdrawn':
        return stopEscalation(trx, change.alertId, EscalationStatus.Stopped, change.at);
      case 'snoozed':
        return snoozeEscalation(trx, this.deps, change.alertId, (change as SnoozeChange).snoozedUntil ?? null, change.at);
      case 'reopened':
        return resumeEscalation(trx, this.deps, change.alertId, change.at);
    }
  }
}
