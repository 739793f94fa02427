/**
 * The shipped model (defaultMatchModel) and its compiled form. A MatchModel is plain data; compare()
 * compiles it once (weights, shared FieldScore objects, term-frequency maps) and caches the result per
 * model object, so a model must not be mutated after first use (defaultMatchModel is frozen).
 */
import { FIELD_INDEX, LEVELS } from './levels.js';
import { MATCH_FIELDS, type FieldScore, type MatchField, type MatchModel, type TermFrequencies } from './types.js';

const lv = (m: number, u: number) => ({ m, u });

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * The model as shipped. README.md ("The default model and how it was chosen") says where the numbers come from.
 * Weights are log2(m / u); thresholds are on log2 posterior odds (PairScore.weight).
 */
export const defaultMatchModel: MatchModel = deepFreeze({
  prior: 0.01,
  fields: {
    given: { levels: {
      exact: lv(0.82, 0.003), swapped: lv(0.005, 0.0001), nickname: lv(0.03, 0.0015), jw94: lv(0.04, 0.0005), jw88: lv(0.02, 0.0015),
      middle: lv(0.01, 0.001), phonetic: lv(0.01, 0.0015), initial: lv(0.01, 0.001), else: lv(0.055, 0.9903),
    } },
    middle: { levels: { exact: lv(0.8, 0.005), initial: lv(0.15, 0.06), else: lv(0.05, 0.935) } },
    family: { levels: {
      exact: lv(0.85, 0.002), swapped: lv(0.005, 0.0001), jw94: lv(0.04, 0.001), jw88: lv(0.015, 0.002), phonetic: lv(0.01, 0.001),
      token: lv(0.01, 0.0003), else: lv(0.07, 0.9936),
    } },
    birthDate: { levels: { exact: lv(0.93, 0.00005), swap: lv(0.01, 0.00005), typo: lv(0.025, 0.001), partial: lv(0.005, 0.0006), else: lv(0.03, 0.99830) } },
    sex: { levels: { exact: lv(0.98, 0.55), else: lv(0.02, 0.45) } },
    addressLine: { levels: { exact: lv(0.6, 0.0003), close: lv(0.15, 0.0002), street: lv(0.03, 0.003), else: lv(0.22, 0.9965) } },
    city: { levels: { exact: lv(0.8, 0.1), jw90: lv(0.03, 0.001), else: lv(0.17, 0.899) } },
    state: { levels: { exact: lv(0.97, 0.9), else: lv(0.03, 0.1) } },
    postcode: { levels: { exact: lv(0.75, 0.01), typo: lv(0.03, 0.04), else: lv(0.22, 0.95) } },
    phone: { levels: { exact: lv(0.6, 0.00001), last7: lv(0.03, 0.00001), typo: lv(0.02, 0.0001), else: lv(0.35, 0.99988) } },
    ssnLast4: { levels: { exact: lv(0.92, 0.0001), typo: lv(0.01, 0.004), else: lv(0.07, 0.9959) } },
  },
  thresholds: { autoLink: 20, review: 6, possible: 0, tieMargin: 5 },
  caps: [
    { name: 'contact', fields: ['addressLine', 'city', 'state', 'postcode', 'phone'], maxWeight: 12, unlessAgree: ['given', 'birthDate'] },
    { name: 'household', fields: ['family', 'addressLine', 'city', 'state', 'postcode', 'phone'], maxWeight: 14, unlessAgree: ['given', 'birthDate'] },
  ],
  termFrequencyLimits: [-6, 4],
} satisfies MatchModel);

/** The model in the form compare() reads it. */
export interface CompiledModel {
  readonly priorWeight: number;
  /** Per field index: weight per level, or undefined when the model leaves the field out. */
  readonly weights: readonly (Float64Array | undefined)[];
  /** Per field index and level: the shared FieldScore reported for it (index LEVELS.length = missing). */
  readonly scores: readonly (readonly FieldScore[])[];
  readonly termFrequency: readonly (CompiledTermFrequency | undefined)[];
  /** In model order; `inner` lists earlier caps whose fields all belong to this one (their cut counts here). */
  readonly caps: readonly CompiledCap[];
}

export interface CompiledCap {
  readonly name: string;
  readonly fields: readonly number[];
  readonly maxWeight: number;
  /** Earlier caps whose fields all belong to this one: their cut counts in this one's sum. */
  readonly inner: readonly number[];
  /** Field indices that lift the cap when all have positive weight. */
  readonly unlessAgree: readonly number[];
}

export interface CompiledTermFrequency {
  readonly values: ReadonlyMap<string, number>;
  readonly other: number;
  /** u of the exact level, the average the term frequency replaces. */
  readonly uExact: number;
  readonly min: number;
  readonly max: number;
}

const cache = new WeakMap<MatchModel, CompiledModel>();

/** Weight of one level: log2(m / u). */
export function levelWeight(m: number, u: number): number {
  return Math.log2(m / u);
}

function compileTf(model: MatchModel, field: 'given' | 'family', tf: TermFrequencies | undefined): CompiledTermFrequency | undefined {
  const exact = model.fields[field]?.levels['exact'];
  if (tf === undefined || exact === undefined) return undefined;
  const [min, max] = model.termFrequencyLimits ?? [-6, 4];
  return { values: new Map(Object.entries(tf.values)), other: tf.otherFrequency, uExact: exact.u, min, max };
}

/** The compiled form of a model, built on first use and cached per model object. */
export function compileModel(model: MatchModel): CompiledModel {
  const hit = cache.get(model);
  if (hit) return hit;
  const weights: (Float64Array | undefined)[] = [];
  const scores: FieldScore[][] = [];
  for (const field of MATCH_FIELDS) {
    const names: readonly string[] = LEVELS[field];
    const params = model.fields[field];
    const w = params === undefined ? undefined : Float64Array.from(names, (n) => levelWeight(params.levels[n]!.m, params.levels[n]!.u));
    weights.push(w);
    const s: FieldScore[] = names.map((level, i) => Object.freeze({ field, level, weight: w === undefined ? 0 : w[i]! }));
    s.push(Object.freeze({ field, level: 'missing', weight: 0 }));
    scores.push(s);
  }
  const termFrequency = MATCH_FIELDS.map((f) =>
    f === 'given' || f === 'family' ? compileTf(model, f, model.termFrequencies?.[f]) : undefined);
  const modelCaps = model.caps ?? [];
  const caps = modelCaps.map((c, k) => ({
    name: c.name,
    fields: c.fields.map((f: MatchField) => FIELD_INDEX[f]),
    maxWeight: c.maxWeight,
    inner: modelCaps.slice(0, k).flatMap((e, j) => (e.fields.every((f) => c.fields.includes(f)) ? [j] : [])),
    unlessAgree: (c.unlessAgree ?? []).map((f: MatchField) => FIELD_INDEX[f]),
  }));
  const compiled: CompiledModel = { priorWeight: Math.log2(model.prior / (1 - model.prior)), weights, scores, termFrequency, caps };
  cache.set(model, compiled);
  return compiled;
}
