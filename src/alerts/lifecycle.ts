/**
 * Alert lifecycle: acknowledge, snooze (until, reason), resolve (resolution), and the end of a snooze
 * (called by the escalation scheduler). Each change, in one transaction: the alert row (locked), the
 * realtime 'alert' event, the listeners (delivery stops, escalation timers), and the audit entry last
 * (audit/append.ts contract). Who may act on which alert is the caller's check (src/access for the API).
 * Given a transaction (`db.isTransaction`), a change runs inside it: the API's audited access transaction.
 */
import { PostgresAdapter, type Kysely } from 'kysely';
import { appendAudit, AuditAction } from '../audit/index.js';
import { dueSnoozes, getAlert, lockAlert, updateAlert, type AlertRecord, type AlertValues } from '../store/alerts.js';
import type { Database } from '../store/schema.js';
import { announce, changeOf } from './changes.js';
import type { AlertChangeKind, AlertListener, AlertStatus, Severity } from './contract.js';
import { AlertError, AlertErrorCode } from './errors.js';
import { RuleSet } from './rules.js';
import { inAuditedTransaction } from '../audit/index.js';

export type LifecycleAction =
  | { kind: 'acknowledge' }
  | { kind: 'snooze'; until: number; reason: string }
  | { kind: 'resolve'; resolution: string }
  | { kind: 'reopen' };

/** Who acts: a signed-in user, or the CLI operator ('cli:NAME'), or 'system' (snooze end). */
export interface AlertActor {
  username: string;
  userId: number | null;
  /** Client IP, 'cli' or 'system'. */
  source: string;
  /** How the API caller reached the patient (care-team, break-glass), recorded in the audit entry. */
  via?: string;
}

const FROM: Record<LifecycleAction['kind'], readonly AlertStatus[]> = {
  acknowledge: ['open', 'snoozed'],
  snooze: ['open', 'acknowledged'],
  resolve: ['open', 'acknowledged', 'snoozed'],
  reopen: ['snoozed'],
};

/** The row change an action makes, or an AlertError. Pure. */
export function decideLifecycle(alert: Pick<AlertRecord, 'id' | 'status' | 'snoozedUntil'>, action: LifecycleAction, actorUserId: number | null, at: number): { kind: AlertChangeKind; set: Partial<AlertValues> } {
  if (!FROM[action.kind].includes(alert.status as AlertStatus)) throw new AlertError(AlertErrorCode.InvalidTransition, `alert ${alert.id} cannot ${action.kind} from ${alert.status}`);
  switch (action.kind) {
    case 'acknowledge':
      return { kind: 'acknowledged', set: { status: 'acknowledged', acknowledged_at: at, acknowledged_by: actorUserId, snoozed_until: null, updated_at: at } };
    case 'snooze':
      if (!Number.isFinite(action.until) || action.until <= at) throw new AlertError(AlertErrorCode.InvalidInput, 'a snooze ends in the future', 'until');
      if (action.reason.trim() === '' || action.reason.length > 500) throw new AlertError(AlertErrorCode.InvalidInput, 'a snooze needs a reason of at most 500 characters', 'reason');
      return { kind: 'snoozed', set: { status: 'snoozed', snoozed_until: action.until, snooze_reason: action.reason, updated_at: at } };
    case 'resolve':
      if (action.resolution.trim() === '' || action.resolution.length > 1000) throw new AlertError(AlertErrorCode.InvalidInput, 'a resolution of at most 1000 characters is required', 'resolution');
      return { kind: 'resolved', set: { status: 'resolved', resolved_at: at, resolved_by: actorUserId, resolution: action.resolution, snoozed_until: null, updated_at: at } };
    case 'reopen':
      if (alert.snoozedUntil !== null && alert.snoozedUntil > at) throw new AlertError(AlertErrorCode.InvalidTransition, `alert ${alert.id} is snoozed until later`);
      return { kind: 'reopened', set: { status: 'open', snoozed_until: null, updated_at: at } };
  }
}

const SYSTEM: AlertActor = { username: 'system', userId: null, source: 'system' };

export class AlertLifecycle {
  readonly #rules = new RuleSet();
  constructor(private readonly listeners: readonly AlertListener[] = []) {}

  acknowledge(db: Kysely<Database>, alertId: number, actor: AlertActor, at: number): Promise<AlertRecord> {
    return this.change(db, alertId, { kind: 'acknowledge' }, actor, at);
  }

  snooze(db: Kysely<Database>, alertId: number, until: number, reason: string, actor: AlertActor, at: number): Promise<AlertRecord> {
    return this.change(db, alertId, { kind: 'snooze', until, reason }, actor, at);
  }

  resolve(db: Kysely<Database>, alertId: number, resolution: string, actor: AlertActor, at: number): Promise<AlertRecord> {
    return this.change(db, alertId, { kind: 'resolve', resolution }, actor, at);
  }

  /** The escalation scheduler's call when a snooze ends: open again (no-op, returning undefined, when no longer snoozed or not yet due). */
  async reopenAfterSnooze(db: Kysely<Database>, alertId: number, at: number): Promise<AlertRecord | undefined> {
    try {
      return await this.change(db, alertId, { kind: 'reopen' }, SYSTEM, at);
    } catch (err) {
      if (err instanceof AlertError && err.code === AlertErrorCode.InvalidTransition) return undefined;
      throw err;
    }
  }

  /** Reopen every snooze that ended by `at`, each in its own transaction. */
  async reopenDueSnoozes(db: Kysely<Database>, at: number): Promise<number[]> {
    const reopened: number[] = [];
    for (const id of await dueSnoozes(db, at)) if (await this.reopenAfterSnooze(db, id, at)) reopened.push(id);
    return reopened;
  }

  private change(db: Kysely<Database>, alertId: number, action: LifecycleAction, actor: AlertActor, at: number): Promise<AlertRecord> {
    return inAuditedTransaction(db, async (trx) => {
      const before = await lockAlert(trx, alertId, trx.getExecutor().adapter instanceof PostgresAdapter);
      if (!before) throw new AlertError(AlertErrorCode.NotFound, `alert ${alertId} does not exist`);
      const { kind, set } = decideLifecycle(before, action, actor.userId, at);
      await updateAlert(trx, alertId, set);
      const after = (await getAlert(trx, alertId))!;
      const change = await changeOf(after, kind, before.severity as Severity, (id, v) => this.#rules.definitionOf(trx, id, v), actor.userId, at);
      await announce(trx, this.listeners, kind === 'snoozed' ? { ...change, snoozedUntil: after.snoozedUntil } : change, after);
      await appendAudit(trx, {
        at, actor: actor.username, userId: actor.userId, patientId: after.patientId, action: AuditAction.Update, entityType: 'alert', entityId: alertId, source: actor.source,
        detail: { change: kind, from: before.status, to: after.status, severity: after.severity, ruleId: after.ruleId, ...(actor.via ? { via: actor.via } : {}) },
      });
      return after;
    });
  }
}
