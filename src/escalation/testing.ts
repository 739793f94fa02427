import type { Kysely } from 'kysely';
import type { AlertChange, AlertChangeKind, Severity } from '../alerts/contract.js';
import type { Database } from '../store/schema.js';
import type { DeliveryJob, DeliverySink, EscalationLog } from './service.js';

/** Test helpers for escalation: an in-memory delivery sink, a recording log, alert changes. Tests only. */
export class MemorySink implements DeliverySink {
  readonly jobs: DeliveryJob[] = [];
  async enqueue(_trx: Kysely<Database>, job: DeliveryJob): Promise<void> {
    this.jobs.push(job);
  }
}

export class MemoryLog implements EscalationLog {
  readonly entries: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  info(obj: object, msg: string): void {
    this.entries.push({ level: 'info', obj: obj as Record<string, unknown>, msg });
  }
  warn(obj: object, msg: string): void {
    this.entries.push({ level: 'warn', obj: obj as Record<string, unknown>, msg });
  }
  error(obj: object, msg: string): void {
    this.entries.push({ level: 'error', obj: obj as Record<string, unknown>, msg });
  }
  codes(): unknown[] {
    return this.entries.map((e) => e.obj.code);
  }
}

/** An alert change as the engine would send it. */
export function alertChange(kind: AlertChangeKind, alertId: number, patientId: number, at: number, over: Partial<AlertChange> = {}): AlertChange {
  const severity: Severity = over.severity ?? 'critical';
  return {
    kind, alertId, patientId, episodeId: null, ruleId: 'test-rule', ruleVersion: 1, severity, previousSeverity: null,
    status: kind === 'acknowledged' ? 'acknowledged' : kind === 'snoozed' ? 'snoozed' : kind === 'resolved' ? 'resolved' : kind === 'withdrawn' ? 'withdrawn' : 'open',
    recipients: ['care-coordinator'], channels: ['in-app', 'sms'], escalationPolicy: 'default', actorUserId: null, at, ...over,
  };
}
