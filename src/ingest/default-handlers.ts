import type { HandlerRegistry } from './handlers.js';
import { registerIdentityHandlers } from '../identity/handlers.js';
import { registerOruHandlers } from '../oru/index.js';
import { registerAdtHandlers } from '../adt/index.js';
import { AlertEngine } from '../alerts/engine.js';
import { alertListeners, alertReactions } from '../app-alerts.js';
import type { EscalationLog } from '../escalation/index.js';

/** What the processing thread hands its handlers: the on-call pool (Config.onCallUsers) and its logger. */
export interface HandlerContext {
  onCallUsers?: readonly string[];
  log?: EscalationLog;
}

const silent: EscalationLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The handlers `carecoord serve` registers in its processing thread: ADT (src/adt), merges
 * (src/identity: A40 and the other merge events) and results (src/oru), then the alert engine (src/alerts).
 * Any other accepted message
 * is recorded as unhandled (acknowledged, listed, reprocessable once a handler exists).
 */
export function registerHandlers(registry: HandlerRegistry, context: HandlerContext = {}): void {
  registerIdentityHandlers(registry, { matchModelFile: process.env.CARECOORD_MATCH_MODEL });
  registerOruHandlers(registry);
  registerAdtHandlers(registry);
  // After every handled message, in its savepoint: the alert rules, then the reactions (the ADT
  // handler has run). Listeners: escalation (recipients, delivery jobs, timers), then delivery's stop.
  const listeners = alertListeners({ onCallUsernames: context.onCallUsers ?? [], log: context.log ?? silent });
  const onRuleFailure = (f: { ruleId: string; ruleVersion: number; code: string }) => context.log?.warn({ ...f }, 'alert rule skipped');
  registry.observe(new AlertEngine({ listeners, reactions: alertReactions(process.env), onRuleFailure }));
}
