/**
 * ADT (HL7 v2.5.1 chapter 3): admits, transfers, discharges, registrations, pre-admits, class changes,
 * updates, their cancels, and person add/update. See triggers.ts for what each trigger does and
 * docs/architecture.md for the encounter fold. A40 (merge) is identity/'s.
 */
import type { HandlerRegistry } from '../ingest/handlers.js';
import { applyAdt } from './apply.js';
import { ADT_MESSAGE_TYPES } from './triggers.js';

export { applyAdt, type AdtOutcome } from './apply.js';
export { foldEncounter, isOutOfOrder, cancelTarget, EncounterStatus, type EncounterState, type FoldEvent } from './encounter-state.js';
export { chooseEventTime, EventTimeSource } from './event-time.js';
export { ADT_TRIGGERS, ADT_MESSAGE_TYPES, EncounterPolicy, adtTrigger, type AdtTrigger } from './triggers.js';
export { EXPIRED_DISPOSITIONS } from './death.js';

/** Register the ADT handler for every trigger of triggers.ts. `clock` gives the processing time (recorded_at). */
export function registerAdtHandlers(registry: HandlerRegistry, clock: () => number = Date.now): void {
  registry.register(ADT_MESSAGE_TYPES, {
    name: 'adt',
    handle: async (trx, input) => {
      await applyAdt(trx, input, clock());
    },
  });
}
