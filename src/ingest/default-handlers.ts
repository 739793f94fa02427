import type { HandlerRegistry } from './handlers.js';

/**
 * The handlers `carecoord serve` registers in its processing thread. None yet: every accepted
 * message is recorded as unhandled (acknowledged, listed, reprocessable). The clinical ADT and ORU
 * handlers register here.
 */
export function registerHandlers(_registry: HandlerRegistry): void {}
