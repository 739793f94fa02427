import type { HandlerRegistry } from './handlers.js';
import { registerIdentityHandlers } from '../identity/handlers.js';
import { registerOruHandlers } from '../oru/index.js';
import { registerAdtHandlers } from '../adt/index.js';

/**
 * The handlers `carecoord serve` registers in its processing thread. None yet: every accepted
 * message is recorded as unhandled (acknowledged, listed, reprocessable). The clinical ADT and ORU
 * handlers register here.
 */
export function registerHandlers(registry: HandlerRegistry): void {
  registerIdentityHandlers(registry, { matchModelFile: process.env.CARECOORD_MATCH_MODEL });
  registerOruHandlers(registry);
  registerAdtHandlers(registry);
}
