/**
 * Estimating m and u from unlabelled data, as Splink does (Fellegi & Sunter 1969; EM for record
 * linkage: Winkler 1988, "Using the EM algorithm for weight computation in the Fellegi-Sunter model
 * of record linkage"; Splink: u from random pairs, m and the prior by EM on blocked pairs):
 *  - estimateU: u from random record pairs, which are almost all different persons;
 *  - estimateModel: EM over the comparison vectors of candidate pairs (two classes, conditional
 *    independence of fields within a class). Identical vectors are counted once with a weight.
 *  - estimateTermFrequencies: name frequencies for the term-frequency adjustment.
 * None of them sees labels. Term-frequency and cap settings are not estimated: they are copied from init.
 */
import { compareLevels, LEVELS, MISSING } from './levels.js';
import { MATCH_FIELDS, type FieldParameters, type LevelParameters, type MatchField, type MatchModel, type NormalizedPerson, type TermFrequencies } from './types.js';

export interface EstimateOptions {
  /** Upper bound on EM iterations (default 100). */
  readonly maxIterations?: number;
  /** Stop when no parameter moves more than this between iterations (default 1e-6). */
  readonly tolerance?: number;
  /** Re-estimate u as well (default false: u stays as in init, e.g. from estimateU). */
  readonly estimateU?: boolean;
  /**
   * Return the prior EM found (default false: init's prior is kept). EM always estimates the share of
   * matches among the training pairs, but that share depends on how the pairs were gathered (in a
   * linkage where every record has a partner most blocked pairs are matches) and is not the prior of a
   * live lookup.
   */
  readonly estimatePrior?: boolean;
  /** Floor for every m and u, so that no weight is infinite (default 1e-6). */
  readonly floor?: number;
}

/** Comparison vectors of pairs, identical vectors counted together. */
interface Patterns {
  readonly vectors: Int8Array[];
  readonly counts: number[];
}

function collectPatterns(pairs: Iterable<readonly [NormalizedPerson, NormalizedPerson]>): Patterns {
  const levels = new Int8Array(MATCH_FIELDS.length);
  const byKey = new Map<number, number>();
  const vectors: Int8Array[] = [];
  const counts: number[] = [];
  for (const [a, b] of pairs) {
    compareLevels(a, b, levels);
    // Base-16 key: at most 11 fields of at most 15 levels + missing fit in 2^53.
    let key = 0;
    for (let i = 0; i < levels.length; i++) key = key * 16 + (levels[i]! + 1);
    const at = byKey.get(key);
    if (at !== undefined) counts[at]!++;
    else {
      byKey.set(key, vectors.length);
      vectors.push(Int8Array.from(levels));
      counts.push(1);
    }
  }
  return { vectors, counts };
}

/** Mutable copy of the m/u tables of the fields a model compares. */
function tables(model: MatchModel): { field: number; names: readonly string[]; m: Float64Array; u: Float64Array }[] {
  const out = [];
  for (let f = 0; f < MATCH_FIELDS.length; f++) {
    const name = MATCH_FIELDS[f]!;
    const params = model.fields[name];
    if (params === undefined) continue;
    const names: readonly string[] = LEVELS[name];
    out.push({ field: f, names, m: Float64Array.from(names, (n) => params.levels[n]!.m), u: Float64Array.from(names, (n) => params.levels[n]!.u) });
  }
  return out;
}

function withTables(init: MatchModel, t: ReturnType<typeof tables>, prior: number): MatchModel {
  const fields: Partial<Record<MatchField, FieldParameters>> = { ...init.fields };
  for (const { field, names, m, u } of t) {
    const levels: Record<string, LevelParameters> = {};
    names.forEach((n, i) => { levels[n] = { m: m[i]!, u: u[i]! }; });
    fields[MATCH_FIELDS[field]!] = { levels };
  }
  return { ...init, prior, fields };
}

/** Normalises counts to probabilities with a floor; unchanged when nothing was observed. */
function normalise(counts: Float64Array, into: Float64Array, floor: number): number {
  let total = 0;
  for (const c of counts) total += c;
  if (total <= 0) return 0;
  let moved = 0;
  let sum = 0;
  for (let i = 0; i < counts.length; i++) sum += Math.max(floor, counts[i]! / total);
  for (let i = 0; i < counts.length; i++) {
    const v = Math.max(floor, counts[i]! / total) / sum;
    moved = Math.max(moved, Math.abs(v - into[i]!));
    into[i] = v;
  }
  return moved;
}

/**
 * Expectation-maximisation of m (and optionally u) and the prior over candidate pairs (pairs that
 * share a blocking key, as compare() sees them). Returns a new model; init is not modified.
 */
export function estimateModel(pairs: Iterable<readonly [NormalizedPerson, NormalizedPerson]>, init: MatchModel, opts: EstimateOptions = {}): MatchModel {
  const maxIterations = opts.maxIterations ?? 100;
  const tolerance = opts.tolerance ?? 1e-6;
  const floor = opts.floor ?? 1e-6;
  const { vectors, counts } = collectPatterns(pairs);
  const t = tables(init);
  let prior = init.prior;
  if (vectors.length === 0) return withTables(init, t, prior);
  const mCounts = t.map((x) => new Float64Array(x.names.length));
  const uCounts = t.map((x) => new Float64Array(x.names.length));
  for (let iter = 0; iter < maxIterations; iter++) {
    for (const c of [...mCounts, ...uCounts]) c.fill(0);
    let matched = 0;
    let total = 0;
    const logPrior = Math.log(prior / (1 - prior));
    for (let p = 0; p < vectors.length; p++) {
      const v = vectors[p]!;
      let logOdds = logPrior;
      for (let k = 0; k < t.length; k++) {
        const level = v[t[k]!.field]!;
        if (level !== MISSING) logOdds += Math.log(t[k]!.m[level]! / t[k]!.u[level]!);
      }
      const pm = 1 / (1 + Math.exp(-logOdds));
      const n = counts[p]!;
      matched += pm * n;
      total += n;
      for (let k = 0; k < t.length; k++) {
        const level = v[t[k]!.field]!;
        if (level === MISSING) continue;
        mCounts[k]![level]! += pm * n;
        uCounts[k]![level]! += (1 - pm) * n;
      }
    }
    let moved = 0;
    for (let k = 0; k < t.length; k++) {
      moved = Math.max(moved, normalise(mCounts[k]!, t[k]!.m, floor));
      if (opts.estimateU === true) moved = Math.max(moved, normalise(uCounts[k]!, t[k]!.u, floor));
    }
    {
      const next = Math.min(1 - floor, Math.max(floor, matched / total));
      moved = Math.max(moved, Math.abs(next - prior));
      prior = next;
    }
    if (moved < tolerance) break;
  }
  return withTables(init, t, opts.estimatePrior === true ? prior : init.prior);
}

/** Small deterministic generator (mulberry32), so estimates are reproducible. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export interface EstimateUOptions {
  /** Random pairs drawn (default 1,000,000). */
  readonly samples?: number;
  readonly seed?: number;
}

/**
 * u of every level from random pairs of records (nearly all different persons): the share of
 * non-missing comparisons falling in each level, with add-one-half smoothing for unseen levels.
 */
export function estimateU(people: readonly NormalizedPerson[], init: MatchModel, opts: EstimateUOptions = {}): MatchModel {
  const samples = opts.samples ?? 1_000_000;
  const next = random(opts.seed ?? 1);
  const t = tables(init);
  const levels = new Int8Array(MATCH_FIELDS.length);
  const uCounts = t.map((x) => new Float64Array(x.names.length));
  if (people.length < 2) return init;
  for (let s = 0; s < samples; s++) {
    const i = Math.floor(next() * people.length);
    let j = Math.floor(next() * (people.length - 1));
    if (j >= i) j++;
    compareLevels(people[i]!, people[j]!, levels);
    for (let k = 0; k < t.length; k++) {
      const level = levels[t[k]!.field]!;
      if (level !== MISSING) uCounts[k]![level]! += 1;
    }
  }
  for (let k = 0; k < t.length; k++) {
    const c = uCounts[k]!;
    // A field no sampled pair had on both sides keeps init's u.
    if (c.every((x) => x === 0)) continue;
    for (let i = 0; i < c.length; i++) c[i] = c[i]! + 0.5;
    normalise(c, t[k]!.u, 0);
  }
  return withTables(init, t, init.prior);
}

export interface TermFrequencyOptions {
  /** Values seen fewer times are not listed (default 2). */
  readonly minCount?: number;
}

/** Frequencies of given and family names among the records, for MatchModel.termFrequencies. */
export function estimateTermFrequencies(people: Iterable<NormalizedPerson>, opts: TermFrequencyOptions = {}): Record<'given' | 'family', TermFrequencies> {
  const minCount = opts.minCount ?? 2;
  const list = [...people];
  return { given: countIn(list, 'given', minCount), family: countIn(list, 'family', minCount) };
}

function countIn(people: readonly NormalizedPerson[], field: 'given' | 'family', minCount: number): TermFrequencies {
  const seen = new Map<string, number>();
  let total = 0;
  for (const p of people) {
    const v = p[field];
    if (v === '') continue;
    seen.set(v, (seen.get(v) ?? 0) + 1);
    total++;
  }
  const values: Record<string, number> = {};
  for (const [v, n] of seen) if (n >= minCount) values[v] = n / total;
  // A value seen once (or never): its frequency is at most one in the whole population.
  return { values, otherFrequency: total === 0 ? 1 : 1 / total };
}
