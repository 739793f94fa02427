import type { HandlerRegistry } from './handlers.js';
import { registerIdentityHandlers } from '../identity/handlers.js';
import { registerOruHandlers } from '../oru/index.js';
import { registerAdtHandlers } from '../adt/index.js';

/**
 * The handlers `carecoord serve` registers in its processing thread: ADT (src/adt), merges
 * (src/identity: A40 and the other merge events) and results (src/oru). Any other accepted message
 * is recorded as unhandled (acknowledged, listed, reprocessable once a handler exists).
 */
export function registerHandlers(registry: HandlerRegistry): void {
  registerIdentityHandlers(registry, { matchModelFile: process.env.CARECOORD_MATCH_MODEL });
  registerOruHandlers(registry);
  registerAdtHandlers(registry);
}
