import { readFileSync } from 'node:fs';
import { defaultMatchModel, LEVELS, MATCH_FIELDS, type MatchModel } from './index.js';
import { IdentityError, IdentityErrorCode } from './store-errors.js';

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

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `over` laid over `base`: objects merge key by key, anything else (arrays included) replaces. */
function overlay(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = overlay(base[k], v);
  return out;
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

const invalid = (what: string) => new IdentityError(IdentityErrorCode.InvalidModel, `match model: ${what}`);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Throws IdentityError(invalid_model) naming the first thing compare() and decide() could not use. */
export function validateMatchModel(m: unknown): asserts m is MatchModel {
  if (!isObject(m)) throw invalid('not an object');
  if (!finite(m.prior) || m.prior <= 0 || m.prior >= 1) throw invalid('prior must be a number between 0 and 1');
  const t = m.thresholds as Json | undefined;
  for (const k of ['autoLink', 'review', 'possible', 'tieMargin']) if (!finite(t?.[k])) throw invalid(`thresholds.${k} must be a number`);
  if (!((t!.autoLink as number) >= (t!.review as number) && (t!.review as number) >= (t!.possible as number))) throw invalid('thresholds must be autoLink >= review >= possible');
  if (!isObject(m.fields)) throw invalid('fields must be an object');
  for (const [field, params] of Object.entries(m.fields)) {
    if (!(MATCH_FIELDS as readonly string[]).includes(field)) throw invalid(`unknown field "${field}"`);
    for (const level of LEVELS[field as keyof typeof LEVELS]) {
      const p = ((params as Json | undefined)?.levels as Json | undefined)?.[level] as Json | undefined;
      for (const k of ['m', 'u']) {
        if (!finite(p?.[k]) || (p![k] as number) <= 0 || (p![k] as number) > 1) throw invalid(`fields.${field}.levels.${level}.${k} must be in (0, 1]`);
      }
    }
  }
}

/**
 * The model of a JSON file: its values laid over defaultMatchModel (a file may change only the
 * thresholds, say), validated and frozen (compare() caches per model object).
 */
export function loadMatchModel(path: string): MatchModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new IdentityError(IdentityErrorCode.InvalidModel, `cannot read match model ${path}: ${(err as Error).message}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new IdentityError(IdentityErrorCode.InvalidModel, `match model ${path} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const model = overlay(defaultMatchModel, parsed);
  validateMatchModel(model);
  return deepFreeze(model);
}
