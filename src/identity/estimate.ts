/**
 * Estimating m and u from unlabelled data, as Splink does (Fellegi & Sunter 1969; EM for record
 * linkage: Winkler 1988, "Using the EM algorithm for weight computation in the Fellegi-Sunter model
 * of record linkage"; Splink: u from random pairs, m by EM over blocked pairs, one EM session per
 * blocking rule):
 *  - estimateU: u from random record pairs, which are almost all different persons;
 *  - estimateModel: EM over the comparison vectors of candidate pairs (two classes, fields
 *    independent within a class). Pairs found through a kind of blocking key agree on that key's
 *    fields whatever the class, so they say nothing about those fields' m and break the independence
 *    EM relies on: as in Splink, EM runs once per kind of key, over the pairs sharing such a key, with
 *    that key's fields left out, and each field's m is the mean over the sessions that estimated it.
 *  - estimateTermFrequencies: name frequencies for the term-frequency adjustment.
 * None of them sees labels. Caps, thresholds and term frequencies are copied from init.
 */
import { BLOCKING_RULES, blockingKeys } from './blocking.js';
import { FIELD_INDEX, compareLevels, LEVELS, MISSING } from './levels.js';
import { MATCH_FIELDS, type FieldParameters, type LevelParameters, type MatchField, type MatchModel, type NormalizedPerson, type TermFrequencies } from './types.js';

export interface EstimateOptions {
  /** Upper bound on EM iterations per session (default 100). */
  readonly maxIterations?: number;
  /** Stop when no parameter moves more than this between iterations (default 1e-6). */
  readonly tolerance?: number;
  /** Re-estimate u as well (default false: u stays as in init, e.g. from estimateU). */
  readonly estimateU?: boolean;
  /**
   * Return the share of matches EM finds among the pairs as the prior (default false: init's prior
   * is kept). That share depends on how the pairs were gathered (in a linkage where every record has
   * a partner, most blocked pairs are matches) and is not the prior of a live lookup.
   */
  readonly estimatePrior?: boolean;
  /** Floor for every m and u, so that no weight is infinite (default 1e-6). */
  readonly floor?: number;
  /** A kind of key found in fewer pairs gets no EM session of its own (default 100). */
  readonly minPairsPerSession?: number;
}

/** Mutable m/u tables of the fields a model compares. */
interface Table {
  readonly field: number;
  readonly names: readonly string[];
  readonly m: Float64Array;
  readonly u: Float64Array;
}

function tables(model: MatchModel): Table[] {
  const out: Table[] = [];
  MATCH_FIELDS.forEach((name, field) => {
    const params = model.fields[name];
    if (params === undefined) return;
    const names: readonly string[] = LEVELS[name];
    out.push({ field, names, m: Float64Array.from(names, (n) => params.levels[n]!.m), u: Float64Array.from(names, (n) => params.levels[n]!.u) });
  });
  return out;
}

const copyTables = (t: readonly Table[]): Table[] => t.map((x) => ({ ...x, m: x.m.slice(), u: x.u.slice() }));

function withTables(init: MatchModel, t: readonly Table[], prior: number): MatchModel {
  const fields: Partial<Record<MatchField, FieldParameters>> = { ...init.fields };
  for (const { field, names, m, u } of t) {
    const levels: Record<string, LevelParameters> = {};
    names.forEach((n, i) => { levels[n] = { m: m[i]!, u: u[i]! }; });
    fields[MATCH_FIELDS[field]!] = { levels };
  }
  return { ...init, prior, fields };
}

/** Normalises counts into `into` with a floor; returns the largest change (0 and unchanged when empty). */
function normalise(counts: Float64Array, into: Float64Array, floor: number): number {
  let total = 0;
  for (const c of counts) total += c;
  if (total <= 0) return 0;
  let sum = 0;
  for (let i = 0; i < counts.length; i++) sum += Math.max(floor, counts[i]! / total);
  let moved = 0;
  for (let i = 0; i < counts.length; i++) {
    const v = Math.max(floor, counts[i]! / total) / sum;
    moved = Math.max(moved, Math.abs(v - into[i]!));
    into[i] = v;
  }
  return moved;
}

/** Comparison vectors, identical ones counted together (keyed in base 16: 11 fields fit in 2^53). */
class Patterns {
  readonly vectors: Int8Array[] = [];
  readonly counts: number[] = [];
  private readonly byKey = new Map<number, number>();
  total = 0;
  add(levels: Int8Array): void {
    let key = 0;
    for (let i = 0; i < levels.length; i++) key = key * 16 + (levels[i]! + 1);
    const at = this.byKey.get(key);
    if (at !== undefined) this.counts[at]!++;
    else {
      this.byKey.set(key, this.vectors.length);
      this.vectors.push(Int8Array.from(levels));
      this.counts.push(1);
    }
    this.total++;
  }
}

/** The kinds of blocking key two records share ('' when none: pairs gathered some other way). */
function sharedRules(a: NormalizedPerson, b: NormalizedPerson, keysOf: (p: NormalizedPerson) => ReadonlySet<string>): string[] {
  const kb = keysOf(b);
  const rules = new Set<string>();
  for (const k of keysOf(a)) if (kb.has(k)) rules.add(k.slice(0, k.indexOf(':')));
  return rules.size === 0 ? [''] : [...rules];
}

interface SessionResult {
  readonly t: Table[];
  readonly prior: number;
}

/** One EM run over patterns; tables whose field is in `fixed` are neither read nor updated. */
function emSession(p: Patterns, t: Table[], fixed: ReadonlySet<number>, prior0: number, opts: EstimateOptions): SessionResult {
  const floor = opts.floor ?? 1e-6;
  const free = t.filter((x) => !fixed.has(x.field));
  const mCounts = free.map((x) => new Float64Array(x.names.length));
  const uCounts = free.map((x) => new Float64Array(x.names.length));
  let prior = prior0;
  for (let iter = 0; iter < (opts.maxIterations ?? 100); iter++) {
    for (const c of [...mCounts, ...uCounts]) c.fill(0);
    let matched = 0;
    const logPrior = Math.log(prior / (1 - prior));
    for (let i = 0; i < p.vectors.length; i++) {
      const v = p.vectors[i]!;
      let logOdds = logPrior;
      for (const x of free) {
        const level = v[x.field]!;
        if (level !== MISSING) logOdds += Math.log(x.m[level]! / x.u[level]!);
      }
      const n = p.counts[i]!;
      const pm = 1 / (1 + Math.exp(-logOdds));
      matched += pm * n;
      free.forEach((x, k) => {
        const level = v[x.field]!;
        if (level === MISSING) return;
        mCounts[k]![level]! += pm * n;
        uCounts[k]![level]! += (1 - pm) * n;
      });
    }
    let moved = 0;
    free.forEach((x, k) => {
      moved = Math.max(moved, normalise(mCounts[k]!, x.m, floor));
      if (opts.estimateU === true) moved = Math.max(moved, normalise(uCounts[k]!, x.u, floor));
    });
    const next = Math.min(1 - floor, Math.max(floor, matched / p.total));
    moved = Math.max(moved, Math.abs(next - prior));
    prior = next;
    if (moved < (opts.tolerance ?? 1e-6)) break;
  }
  return { t, prior };
}

/** Means of the sessions' tables for every field some session estimated; init's values elsewhere. */
function combine(init: readonly Table[], sessions: readonly { fixed: ReadonlySet<number>; t: readonly Table[] }[]): Table[] {
  return init.map((x, k) => {
    const from = sessions.filter((s) => !s.fixed.has(x.field)).map((s) => s.t[k]!);
    if (from.length === 0) return x;
    const mean = (pick: (t: Table) => Float64Array) => Float64Array.from(x.m, (_, i) => from.reduce((n, t) => n + pick(t)[i]!, 0) / from.length);
    return { ...x, m: mean((t) => t.m), u: mean((t) => t.u) };
  });
}

/**
 * Expectation-maximisation of m (and optionally u) over candidate pairs (pairs that share a blocking
 * key, as compare() sees them), one session per kind of key. Returns a new model; init is untouched.
 */
export function estimateModel(pairs: Iterable<readonly [NormalizedPerson, NormalizedPerson]>, init: MatchModel, opts: EstimateOptions = {}): MatchModel {
  const keyCache = new WeakMap<NormalizedPerson, ReadonlySet<string>>();
  const keysOf = (p: NormalizedPerson) => keyCache.get(p) ?? keyCache.set(p, new Set(blockingKeys(p))).get(p)!;
  const levels = new Int8Array(MATCH_FIELDS.length);
  const all = new Patterns();
  const byRule = new Map<string, Patterns>();
  for (const [a, b] of pairs) {
    compareLevels(a, b, levels);
    all.add(levels);
    for (const rule of sharedRules(a, b, keysOf)) {
      const p = byRule.get(rule) ?? byRule.set(rule, new Patterns()).get(rule)!;
      p.add(levels);
    }
  }
  const t0 = tables(init);
  if (all.total === 0) return withTables(init, t0, init.prior);
  const sessions = [...byRule]
    .filter(([, p]) => p.total >= (opts.minPairsPerSession ?? 100))
    .map(([rule, p]) => {
      const fixed = new Set((BLOCKING_RULES[rule] ?? []).map((f) => FIELD_INDEX[f]));
      return { fixed, t: emSession(p, copyTables(t0), fixed, init.prior, opts).t };
    });
  const t = combine(t0, sessions);
  // The prior, when asked: EM on the share of matches alone, over every pair, m and u as estimated.
  return withTables(init, t, opts.estimatePrior === true ? estimatePriorOnly(all, t, init.prior, opts) : init.prior);
}

/** EM on the share of matches only (m and u fixed). */
function estimatePriorOnly(p: Patterns, t: readonly Table[], prior0: number, opts: EstimateOptions): number {
  const floor = opts.floor ?? 1e-6;
  const logBf = p.vectors.map((v) => t.reduce((n, x) => (v[x.field] === MISSING ? n : n + Math.log(x.m[v[x.field]!]! / x.u[v[x.field]!]!)), 0));
  let prior = prior0;
  for (let iter = 0; iter < (opts.maxIterations ?? 100); iter++) {
    const logPrior = Math.log(prior / (1 - prior));
    let matched = 0;
    logBf.forEach((bf, i) => { matched += p.counts[i]! / (1 + Math.exp(-(logPrior + bf))); });
    const next = Math.min(1 - floor, Math.max(floor, matched / p.total));
    if (Math.abs(next - prior) < (opts.tolerance ?? 1e-6)) return next;
    prior = next;
  }
  return prior;
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
 * A field no sampled pair has on both sides keeps init's u.
 */
export function estimateU(people: readonly NormalizedPerson[], init: MatchModel, opts: EstimateUOptions = {}): MatchModel {
  if (people.length < 2) return init;
  const next = random(opts.seed ?? 1);
  const t = tables(init);
  const levels = new Int8Array(MATCH_FIELDS.length);
  const uCounts = t.map((x) => new Float64Array(x.names.length));
  for (let s = 0; s < (opts.samples ?? 1_000_000); s++) {
    const i = Math.floor(next() * people.length);
    let j = Math.floor(next() * (people.length - 1));
    if (j >= i) j++;
    compareLevels(people[i]!, people[j]!, levels);
    t.forEach((x, k) => {
      const level = levels[x.field]!;
      if (level !== MISSING) uCounts[k]![level]! += 1;
    });
  }
  t.forEach((x, k) => {
    const c = uCounts[k]!;
    if (c.every((n) => n === 0)) return;
    for (let i = 0; i < c.length; i++) c[i] = c[i]! + 0.5;
    normalise(c, x.u, 0);
  });
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
