import type { HandlerRegistry } from '../ingest/handlers.js';
import { mergeHandler, MERGE_TRIGGERS } from './a40-handler.js';
import { loadMatchModel, setMatchModel } from './resolve-model.js';

export interface IdentityHandlerOptions {
  /** JSON file of a match model laid over the default (CARECOORD_MATCH_MODEL); read once, here. */
  matchModelFile?: string | undefined;
  /** Clock of what the handlers record; default Date.now. */
  now?: () => number;
}

/**
 * Identity's message handlers: the patient merges (ADT A40, A34, A36, A39). Also sets the match model
 * every resolvePatient call of this process uses (the ADT and ORU handlers' too) when a file is given.
 */
export function registerIdentityHandlers(registry: HandlerRegistry, options: IdentityHandlerOptions = {}): void {
  if (options.matchModelFile) setMatchModel(loadMatchModel(options.matchModelFile));
  registry.register(MERGE_TRIGGERS, mergeHandler(options.now ?? Date.now));
}
