import type { HandlerRegistry } from './handlers.js';
import { registerIdentityHandlers } from '../identity/handlers.js';
import { registerOruHandlers } from '../oru/index.js';
import { registerAdtHandlers } from '../adt/index.js';
import { AlertEngine } from '../alerts/engine.js';

/**
 * The handlers `carecoord serve` registers in its processing thread: ADT (src/adt), merges
 * (src/identity: A40 and the other merge events) and results (src/oru), then the alert engine (src/alerts).
 * Any other accepted message
 * is recorded as unhandled (acknowledged, listed, reprocessable once a handler exists).
 */
export function registerHandlers(registry: HandlerRegistry): void {
  registerIdentityHandlers(registry, { matchModelFile: process.env.CARECOORD_MATCH_MODEL });
  registerOruHandlers(registry);
  registerAdtHandlers(registry);
  // After every handled message, in its savepoint: the alert rules, then the reactions. Alert
  // listeners (delivery, escalation) and EventReactions (transitions of care) are registered here.
  registry.observe(new AlertEngine({ listeners: [], reactions: [] }));
}
