/**
 * Checking and overriding models. A model from configuration goes through overrideModel (or
 * validateModel) once at start-up; compare() itself trusts its model.
 */
import { IdentityError, IdentityErrorCode } from './errors.js';
import { LEVELS } from './levels.js';
import { MATCH_FIELDS, type MatchModel } from './types.js';

function fail(path: string, why: string): never {
  throw new IdentityError(IdentityErrorCode.INVALID_MODEL, `match model ${path}: ${why}`, path);
}

const isProbability = (x: unknown): x is number => typeof x === 'number' && x > 0 && x <= 1;
const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const known = new Set<string>(MATCH_FIELDS);

function validateFields(model: MatchModel): void {
  for (const [field, params] of Object.entries(model.fields ?? fail('fields', 'missing'))) {
    if (!known.has(field)) fail(`fields.${field}`, `unknown field (known: ${MATCH_FIELDS.join(', ')})`);
    const levels: readonly string[] = LEVELS[field as keyof typeof LEVELS];
    const given = params?.levels ?? fail(`fields.${field}.levels`, 'missing');
    for (const name of Object.keys(given)) if (!levels.includes(name)) fail(`fields.${field}.levels.${name}`, `unknown level (levels: ${levels.join(', ')})`);
    for (const name of levels) {
      const p = given[name] ?? fail(`fields.${field}.levels.${name}`, 'missing');
      if (!isProbability(p.m)) fail(`fields.${field}.levels.${name}.m`, 'must be a number in (0, 1]');
      if (!isProbability(p.u)) fail(`fields.${field}.levels.${name}.u`, 'must be a number in (0, 1]');
    }
  }
}

function validateRest(model: MatchModel): void {
  if (!(typeof model.prior === 'number' && model.prior > 0 && model.prior < 1)) fail('prior', 'must be a number in (0, 1)');
  const t = model.thresholds ?? fail('thresholds', 'missing');
  for (const k of ['autoLink', 'review', 'possible', 'tieMargin'] as const) if (!isFiniteNumber(t[k])) fail(`thresholds.${k}`, 'must be a finite number');
  if (!(t.autoLink >= t.review && t.review >= t.possible)) fail('thresholds', 'need autoLink >= review >= possible');
  if (t.tieMargin < 0) fail('thresholds.tieMargin', 'must not be negative');
  (model.caps ?? []).forEach((c, i) => {
    if (typeof c.name !== 'string' || c.name === '') fail(`caps.${i}.name`, 'must be a non-empty string');
    if (!isFiniteNumber(c.maxWeight)) fail(`caps.${i}.maxWeight`, 'must be a finite number');
    for (const f of c.fields ?? fail(`caps.${i}.fields`, 'missing')) if (!known.has(f)) fail(`caps.${i}.fields`, `unknown field ${f}`);
    for (const f of c.unlessAgree ?? []) if (!known.has(f)) fail(`caps.${i}.unlessAgree`, `unknown field ${f}`);
  });
  for (const [field, tf] of Object.entries(model.termFrequencies ?? {})) {
    if (field !== 'given' && field !== 'family') fail(`termFrequencies.${field}`, 'only given and family');
    if (!isProbability(tf?.otherFrequency)) fail(`termFrequencies.${field}.otherFrequency`, 'must be a number in (0, 1]');
    for (const [v, f] of Object.entries(tf.values ?? {})) if (!isProbability(f)) fail(`termFrequencies.${field}.values.${v}`, 'must be a number in (0, 1]');
  }
  const limits = model.termFrequencyLimits;
  if (limits !== undefined && !(limits.length === 2 && isFiniteNumber(limits[0]) && isFiniteNumber(limits[1]) && limits[0] <= 0 && limits[1] >= 0)) {
    fail('termFrequencyLimits', 'must be [min <= 0, max >= 0]');
  }
}

/** Throws IdentityError INVALID_MODEL unless compare() and decide() can use the model. Returns it. */
export function validateModel(model: MatchModel): MatchModel {
  if (model === null || typeof model !== 'object') fail('', 'must be an object');
  validateFields(model);
  validateRest(model);
  return model;
}

/** A partial model, as configuration gives it: any subset of fields, levels, thresholds. */
export interface MatchModelOverride {
  readonly prior?: number;
  readonly fields?: { readonly [field: string]: { readonly levels?: { readonly [level: string]: { readonly m?: number; readonly u?: number } } } | null };
  readonly thresholds?: Partial<MatchModel['thresholds']>;
  readonly caps?: MatchModel['caps'];
  readonly termFrequencies?: MatchModel['termFrequencies'];
  readonly termFrequencyLimits?: MatchModel['termFrequencyLimits'];
}

/**
 * base with override applied: per-level m/u, thresholds and prior merge entry by entry; a field set to
 * null is dropped (not compared); caps and term frequencies replace base's. The result is validated.
 */
export function overrideModel(base: MatchModel, override: MatchModelOverride): MatchModel {
  const fields: Record<string, { levels: Record<string, { m: number; u: number }> }> = {};
  for (const [f, p] of Object.entries(base.fields)) fields[f] = { levels: { ...p!.levels } };
  for (const [f, p] of Object.entries(override.fields ?? {})) {
    if (p === null) {
      delete fields[f];
      continue;
    }
    const levels = { ...(fields[f]?.levels ?? {}) };
    for (const [l, v] of Object.entries(p.levels ?? {})) levels[l] = { ...levels[l]!, ...v } as { m: number; u: number };
    fields[f] = { levels };
  }
  return validateModel({
    ...base,
    ...override,
    prior: override.prior ?? base.prior,
    fields,
    thresholds: { ...base.thresholds, ...override.thresholds },
  } as MatchModel);
}
