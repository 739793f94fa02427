/**
 * Online linkage over FEBRL records, as messages would arrive: each record is normalised, looked up
 * in an in-memory blocking index (Map key -> record numbers, standing in for the store), scored against
 * every candidate record, decided on, then indexed as a record of its patient. A patient is a cluster
 * of records: an auto-link joins the best candidate's cluster. A review joins it only in the second,
 * "review counted as found" clustering, which the online decisions never see.
 */
import {
  blockingKeys, compare, decide, defaultMatchModel, estimateModel, estimateU, normalizePerson, type MatchModel, type NormalizedPerson, type PairScore,
} from '../../src/identity/index.js';
import type { FebrlRecord } from './febrl.js';

class UnionFind {
  private readonly parent: number[] = [];
  add(): number {
    this.parent.push(this.parent.length);
    return this.parent.length - 1;
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

export interface LookupStats {
  lookups: number;
  candidatesTotal: number;
  candidatesMax: number;
  compares: number;
  compareNs: bigint;
  autoLinks: number;
  reviews: number;
}

export class OnlineLinker {
  readonly records: FebrlRecord[] = [];
  /** Every (incoming, candidate) pair compared, as indices into records, when constructed with keepPairs. */
  readonly pairs: [number, number][] = [];
  private readonly people: NormalizedPerson[] = [];
  private readonly index = new Map<string, number[]>();
  private readonly linked = new UnionFind();
  private readonly linkedOrReviewed = new UnionFind();
  private seen = new Int32Array(1024);
  private stamp = 0;

  constructor(
    private readonly model: MatchModel,
    private readonly keepPairs = false,
  ) {}

  /** Matches one record against everything indexed so far, then indexes it. */
  feed(rec: FebrlRecord, stats: LookupStats): void {
    const person = normalizePerson(rec.person);
    const keys = blockingKeys(person);
    const candidates = this.candidates(keys);
    const t0 = process.hrtime.bigint();
    const scores: { candidateId: number; score: PairScore }[] = [];
    for (const r of candidates) scores.push({ candidateId: this.linked.find(r), score: compare(person, this.people[r]!, this.model) });
    stats.compareNs += process.hrtime.bigint() - t0;
    stats.compares += candidates.length;
    const decision = decide(scores, this.model);
    const id = this.records.length;
    if (this.keepPairs) for (const r of candidates) this.pairs.push([id, r]);
    this.records.push(rec);
    this.people.push(person);
    this.linked.add();
    this.linkedOrReviewed.add();
    for (const k of keys) {
      const list = this.index.get(k);
      if (list) list.push(id);
      else this.index.set(k, [id]);
    }
    stats.lookups++;
    stats.candidatesTotal += candidates.length;
    stats.candidatesMax = Math.max(stats.candidatesMax, candidates.length);
    if (decision.outcome === 'auto-link') {
      stats.autoLinks++;
      this.linked.union(id, decision.best!.candidateId);
      this.linkedOrReviewed.union(id, decision.best!.candidateId);
    } else if (decision.outcome === 'review') {
      stats.reviews++;
      this.linkedOrReviewed.union(id, decision.best!.candidateId);
    }
  }

  private candidates(keys: readonly string[]): number[] {
    if (this.seen.length < this.records.length + 1) {
      const grown = new Int32Array(this.seen.length * 2 + this.records.length);
      grown.set(this.seen);
      this.seen = grown;
    }
    const stamp = ++this.stamp;
    const out: number[] = [];
    for (const k of keys) {
      const list = this.index.get(k);
      if (!list) continue;
      for (const r of list) {
        if (this.seen[r] === stamp) continue;
        this.seen[r] = stamp;
        out.push(r);
      }
    }
    return out;
  }

  /** Final clusters (record numbers), auto-links only or with reviews counted as links. */
  clusters(withReviews: boolean): number[][] {
    const uf = withReviews ? this.linkedOrReviewed : this.linked;
    const byRoot = new Map<number, number[]>();
    for (let i = 0; i < this.records.length; i++) {
      const r = uf.find(i);
      const c = byRoot.get(r);
      if (c) c.push(i);
      else byRoot.set(r, [i]);
    }
    return [...byRoot.values()];
  }
}

export function newStats(): LookupStats {
  return { lookups: 0, candidatesTotal: 0, candidatesMax: 0, compares: 0, compareNs: 0n, autoLinks: 0, reviews: 0 };
}

export interface Quality {
  truePairs: number;
  predicted: number;
  correct: number;
  precision: number;
  recall: number;
  f1: number;
}

function quality(truePairs: number, predicted: number, correct: number): Quality {
  const precision = predicted === 0 ? 1 : correct / predicted;
  const recall = truePairs === 0 ? 1 : correct / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePairs, predicted, correct, precision, recall, f1 };
}

const pairs = (n: number): number => (n * (n - 1)) / 2;

/** Deduplication quality: predicted pairs are all pairs within a cluster (febrl1/2/3). */
export function dedupeQuality(records: readonly FebrlRecord[], clusters: readonly number[][]): Quality {
  const perEntity = new Map<number, number>();
  for (const r of records) perEntity.set(r.entity, (perEntity.get(r.entity) ?? 0) + 1);
  let truePairs = 0;
  for (const n of perEntity.values()) truePairs += pairs(n);
  let predicted = 0;
  let correct = 0;
  for (const c of clusters) {
    predicted += pairs(c.length);
    const inCluster = new Map<number, number>();
    for (const i of c) inCluster.set(records[i]!.entity, (inCluster.get(records[i]!.entity) ?? 0) + 1);
    for (const n of inCluster.values()) correct += pairs(n);
  }
  return quality(truePairs, predicted, correct);
}

/**
 * Linkage quality (febrl4): predicted links are the (A, B) record pairs in one cluster, A from the
 * first file (isA) and B from the second; true links are the pairs of the same entity across files.
 */
export function linkQuality(records: readonly FebrlRecord[], isA: (i: number) => boolean, clusters: readonly number[][]): Quality {
  const a = new Map<number, number>();
  const b = new Map<number, number>();
  for (let i = 0; i < records.length; i++) {
    const m = isA(i) ? a : b;
    m.set(records[i]!.entity, (m.get(records[i]!.entity) ?? 0) + 1);
  }
  let truePairs = 0;
  for (const [e, n] of a) truePairs += n * (b.get(e) ?? 0);
  let predicted = 0;
  let correct = 0;
  for (const c of clusters) {
    const ca = new Map<number, number>();
    const cb = new Map<number, number>();
    for (const i of c) {
      const m = isA(i) ? ca : cb;
      m.set(records[i]!.entity, (m.get(records[i]!.entity) ?? 0) + 1);
    }
    let na = 0;
    let nb = 0;
    for (const n of ca.values()) na += n;
    for (const n of cb.values()) nb += n;
    predicted += na * nb;
    for (const [e, n] of ca) correct += n * (cb.get(e) ?? 0);
  }
  return quality(truePairs, predicted, correct);
}

export interface RunResult {
  readonly autoLink: Quality;
  readonly withReview: Quality;
  /** Reviews per lookup of the measured phase (febrl4: the B file; febrl3: every record). */
  readonly reviewRate: number;
  /** Lookups of the measured phase and what they decided. */
  readonly stats: LookupStats;
  /** The first phase of febrl4 (file A, no duplicates): every auto-link or review there is wrong. */
  readonly setup?: LookupStats;
  readonly linker: OnlineLinker;
}

/** febrl4 online: all of A (each decided against what is indexed, then indexed), then B one at a time. */
export function linkFebrl4(model: MatchModel, a: readonly FebrlRecord[], b: readonly FebrlRecord[], keepPairs = false): RunResult {
  const linker = new OnlineLinker(model, keepPairs);
  const setup = newStats();
  for (const r of a) linker.feed(r, setup);
  const stats = newStats();
  for (const r of b) linker.feed(r, stats);
  const isA = (i: number) => i < a.length;
  return {
    autoLink: linkQuality(linker.records, isA, linker.clusters(false)),
    withReview: linkQuality(linker.records, isA, linker.clusters(true)),
    reviewRate: stats.reviews / Math.max(1, stats.lookups),
    stats,
    setup,
    linker,
  };
}

/** febrl3 online deduplication: every record in file order; an auto-link joins the best candidate's patient. */
export function dedupeFebrl3(model: MatchModel, records: readonly FebrlRecord[], keepPairs = false): RunResult {
  const linker = new OnlineLinker(model, keepPairs);
  const stats = newStats();
  for (const r of records) linker.feed(r, stats);
  return {
    autoLink: dedupeQuality(linker.records, linker.clusters(false)),
    withReview: dedupeQuality(linker.records, linker.clusters(true)),
    reviewRate: stats.reviews / Math.max(1, stats.lookups),
    stats,
    linker,
  };
}

/** The candidate pairs an online run compares: each record with every earlier one sharing a blocking key. */
export function blockedPairs(people: readonly NormalizedPerson[]): [NormalizedPerson, NormalizedPerson][] {
  const index = new Map<string, number[]>();
  const out: [NormalizedPerson, NormalizedPerson][] = [];
  people.forEach((p, i) => {
    const seen = new Set<number>();
    for (const k of blockingKeys(p)) {
      const list = index.get(k);
      for (const j of list ?? []) {
        if (seen.has(j)) continue;
        seen.add(j);
        out.push([people[j]!, p]);
      }
      if (list) list.push(i);
      else index.set(k, [i]);
    }
  });
  return out;
}

/**
 * A model estimated on the records themselves, without their labels: u from random pairs, m by EM over
 * the blocked candidate pairs; prior, caps and thresholds stay those of defaultMatchModel.
 */
export function estimateOnRecords(records: readonly FebrlRecord[]): { model: MatchModel; pairs: number } {
  const people = records.map((r) => normalizePerson(r.person));
  const pairs = blockedPairs(people);
  const withU = estimateU(people, defaultMatchModel, { samples: 1_000_000, seed: 1 });
  return { model: estimateModel(pairs, withU), pairs: pairs.length };
}
