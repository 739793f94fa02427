/**
 * Results (ORU): observations with their interpretation, order events, corrections.
 * `registerOruHandlers` is what ingest/default-handlers.ts (and tests) call.
 */
import type { HandlerRegistry } from '../ingest/handlers.js';
import { ORU_MESSAGE_TYPES, oruHandler } from './handler.js';

export { applyResults, oruHandler, ORU_MESSAGE_TYPES, type ApplyOutcome } from './handler.js';
export { Interpretation, INTERPRETATIONS, Severity, interpretFlags, flagClass, severityOf, severityRank } from './interpret.js';
export { parseReferenceRange, isOutOfRange, type ReferenceRange, type Bound, type Comparator } from './range.js';
export { observationValue, structuredNumeric, comparedNumber, type ObservationValue } from './value.js';
export { planCorrection, isWithdrawal, isPreliminary, type CorrectionPlan, type EarlierResult } from './corrections.js';
export { summarize, type ResultSummary, type NotableResult } from './summary.js';
export type { OrderInfo, OrderResult, ResultRecord } from './result.js';

/** Register the results handler for ORU^R01 and ORU^R30/R31/R32. */
export function registerOruHandlers(registry: HandlerRegistry): void {
  registry.register(ORU_MESSAGE_TYPES, oruHandler);
}
