import { readFileSync } from 'node:fs';
import { defaultMatchModel, IdentityError, IdentityErrorCode, overrideModel, type MatchModel, type MatchModelOverride } from './index.js';

/**
 * The match model resolvePatient uses when its caller passes none. It is set once at start, from the
 * JSON file named by CARECOORD_MATCH_MODEL (see registerIdentityHandlers), so that every handler that
 * resolves patients (ADT, ORU, merges) matches with the same configured model without each of them
 * carrying it. Defaults to the matcher's defaultMatchModel.
 */
let current: MatchModel = defaultMatchModel;

export function setMatchModel(model: MatchModel): void {
  current = model;
}

export function currentMatchModel(): MatchModel {
  return current;
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

const invalid = (text: string, cause: unknown) => Object.assign(new IdentityError(IdentityErrorCode.INVALID_MODEL, text), { cause });

/**
 * The model of a JSON file: a MatchModelOverride laid over defaultMatchModel (a file may change only
 * the thresholds, say) by the matcher's overrideModel, which validates it; frozen, since compare()
 * caches per model object. Throws IdentityError INVALID_MODEL.
 */
export function loadMatchModel(path: string): MatchModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw invalid(`cannot read match model ${path}: ${(err as Error).message}`, err);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(`match model ${path} is not JSON: ${(err as Error).message}`, err);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid(`match model ${path} must be a JSON object`, undefined);
  return deepFreeze(overrideModel(defaultMatchModel, parsed as MatchModelOverride));
}
