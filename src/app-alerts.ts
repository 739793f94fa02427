/**
 * How `carecoord serve` connects the alert engine (src/alerts) to escalation (src/escalation),
 * delivery (src/delivery) and transitions of care (src/transitions). One place, used by the
 * processing thread (the engine's listeners and reactions) and by the main process (the lifecycle
 * behind the API and CLI, the escalation timers, the overdue-task reminders), so that every alert
 * change, wherever it is made, reaches the same listeners.
 */
import type { AlertListener, EventReaction } from './alerts/contract.js';
import { AlertLifecycle } from './alerts/lifecycle.js';
import { escalationDeliverySink } from './delivery/sink.js';
import { stopDeliveriesListener } from './delivery/enqueue.js';
import { EscalationListener, escalationTimerHandler, type AlertReopener, type EscalationDeps, type EscalationLog } from './escalation/index.js';
import { TransitionOfCareReaction } from './transitions/reaction.js';
import type { OverdueTaskListener } from './transitions/reminders.js';
import { transitionOptionsFromEnv } from './transitions/settings.js';

export interface AlertWiringOptions {
  /** The on-call pool (Config.onCallUsers, CARECOORD_ONCALL_USERS), usernames in order. */
  onCallUsernames: readonly string[];
  /** Codes and ids only (a pino logger fits). */
  log: EscalationLog;
  now?: () => number;
}

function depsOf(options: AlertWiringOptions, reopener?: AlertReopener): EscalationDeps {
  return { sink: escalationDeliverySink(options.now), log: options.log, onCallUsernames: options.onCallUsernames, reopener };
}

/** Every alert change is told to escalation (recipients, delivery jobs, timers), then to delivery (stop what is queued). */
export function alertListeners(options: AlertWiringOptions, reopener?: AlertReopener): AlertListener[] {
  return [new EscalationListener(depsOf(options, reopener)), stopDeliveriesListener];
}

/** The engine's EventReactions (run after the rules, which run after the message's handler). */
export function alertReactions(env: Record<string, string | undefined>): EventReaction[] {
  return [new TransitionOfCareReaction(transitionOptionsFromEnv(env))];
}

/** The main process's side: the lifecycle (acknowledge, snooze, resolve, reopen) and the escalation timer handler, which reopens through it. */
export function alertServices(options: AlertWiringOptions) {
  const reopener: AlertReopener = {
    reopen: async (trx, alertId, at) => void (await lifecycle.reopenAfterSnooze(trx, alertId, at)),
  };
  const lifecycle = new AlertLifecycle(alertListeners(options, reopener));
  return { lifecycle, timerHandler: escalationTimerHandler(depsOf(options, reopener)) };
}

/**
 * Overdue transition tasks past their grace period: the engine has no API yet to raise an alert
 * outside a message, so the report is logged by code and ids only (the reminder already reached the
 * assignee's worklist and stream).
 */
export function overdueTaskLogger(log: Pick<EscalationLog, 'warn'>): OverdueTaskListener {
  return {
    taskOverdue: async (_trx, r) => log.warn({ code: 'transitions.task_overdue', taskId: r.taskId, patientId: r.patientId, kind: r.kind }, 'transition task overdue past its grace period'),
  };
}
