/**
 * Patient matching quality and speed on the FEBRL synthetic datasets (../shared/matching/febrl beside
 * the repo; SOURCE.md there). Run: npm run bench:matching
 *
 * Online, as messages arrive: each record is normalised, looked up in an in-memory blocking index
 * (Map key -> record numbers, standing in for the store), compared with every candidate, decided on
 * (src/identity decide), then indexed as a record of its patient (an auto-link joins the best
 * candidate's patient). See bench/lib/febrl-linkage.ts.
 *   febrl4: all of dataset4a first, then dataset4b one at a time; precision/recall/F1 over the 5,000
 *           true cross links (A-B pairs in one patient); review-rate = reviews per B lookup.
 *   febrl3: dataset3 one at a time; precision/recall/F1 over all within-patient pairs (6,538 true);
 *           review-rate = reviews per lookup.
 * "auto-link" counts only automatic links; "auto-link+review" also counts each review as a link to its
 * best candidate (as if every review were accepted), without changing what later lookups see.
 *
 * Two models: defaultMatchModel as shipped, and one estimated on each dataset without its labels
 * (u from 1,000,000 random pairs, m by EM over the blocked candidate pairs; caps, prior and thresholds
 * as shipped). A third run, for information only, drops the household caps from the estimated model:
 * FEBRL has no households, so it shows what those caps cost there (see src/identity/README.md).
 * No threshold is tuned here; labels are read only to score.
 */
import { compare, defaultMatchModel, LEVELS, MATCH_FIELDS, normalizePerson, type MatchModel } from '../src/identity/index.js';
import { readFebrl, type FebrlRecord } from './lib/febrl.js';
import { dedupeFebrl3, estimateOnRecords, linkFebrl4, type Quality, type RunResult } from './lib/febrl-linkage.js';

const f4 = (x: number) => x.toFixed(4);

function line(dataset: string, what: string, q: Quality, reviewRate: number): string {
  return `${dataset} ${what}: precision ${f4(q.precision)} recall ${f4(q.recall)} F1 ${f4(q.f1)} review-rate ${reviewRate.toFixed(3)}`;
}

function report(dataset: string, r: RunResult): void {
  console.log(line(dataset, 'auto-link', r.autoLink, r.reviewRate));
  console.log(line(dataset, 'auto-link+review', r.withReview, r.reviewRate));
}

function lookups(dataset: string, runs: readonly RunResult[]): void {
  let n = 0;
  let total = 0;
  let max = 0;
  for (const r of runs) {
    for (const s of [r.setup, r.stats]) {
      if (!s) continue;
      n += s.lookups;
      total += s.candidatesTotal;
      max = Math.max(max, s.candidatesMax);
    }
  }
  const { setup, stats } = runs[0]!;
  const extra = setup
    ? ` (B lookups: mean ${(stats.candidatesTotal / stats.lookups).toFixed(2)}); phase A (no duplicates): ${setup.autoLinks} auto-links, ${setup.reviews} reviews`
    : '';
  console.log(`${dataset} candidates per lookup: mean ${(total / n).toFixed(2)} max ${max}${extra}`);
}

/** Steady-state compare() throughput over the given pairs of an online run's records. */
function comparesPerSecond(run: RunResult, model: MatchModel, pairs: readonly (readonly [number, number])[]): number {
  const people = run.linker.records.map((r) => normalizePerson(r.person));
  let sink = 0;
  let done = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < 1_500_000_000n) {
    for (const [a, b] of pairs) sink += compare(people[a]!, people[b]!, model).weight;
    done += pairs.length;
    elapsed = process.hrtime.bigint() - start;
  }
  if (Number.isNaN(sink)) console.log('');
  return done / (Number(elapsed) / 1e9);
}

function weights(title: string, model: MatchModel): void {
  console.log(`weights (${title}): prior ${model.prior}; log2(m/u) per level [m, u]`);
  for (const field of MATCH_FIELDS) {
    const p = model.fields[field];
    if (!p) continue;
    const cells = LEVELS[field].map((l) => {
      const { m, u } = p.levels[l]!;
      return `${l} ${Math.log2(m / u).toFixed(1)} [${m.toPrecision(2)}, ${u.toPrecision(2)}]`;
    });
    console.log(`  ${field.padEnd(11)} ${cells.join(' | ')}`);
  }
}

function run(title: string, m4: MatchModel, m3: MatchModel, a: FebrlRecord[], b: FebrlRecord[], c: FebrlRecord[], speed: boolean): void {
  console.log(`\n== ${title}`);
  const r4 = linkFebrl4(m4, a, b, speed);
  report('febrl4', r4);
  const r3 = dedupeFebrl3(m3, c);
  report('febrl3', r3);
  lookups('febrl4', [r4]);
  lookups('febrl3', [r3]);
  if (speed) {
    // The candidates an online run met (mostly true matches here), and random pairs (different people,
    // what most candidates of a large store are).
    const n = r4.linker.records.length;
    const random = Array.from({ length: 20_000 }, (_, i) => [i % n, (i * 7919 + 13) % n] as const);
    const seen = comparesPerSecond(r4, m4, r4.linker.pairs);
    const other = comparesPerSecond(r4, m4, random);
    const show = (cps: number) => `${Math.round(cps).toLocaleString('en-US')} (${(1e6 / cps).toFixed(2)} us each)`;
    console.log(`compares per second: ${show(seen)} on febrl4 candidate pairs; ${show(other)} on random pairs`);
  }
}

const a = readFebrl('dataset4a.csv');
const b = readFebrl('dataset4b.csv');
const c = readFebrl('dataset3.csv');

run('defaultMatchModel (as shipped)', defaultMatchModel, defaultMatchModel, a, b, c, true);

const em4 = estimateOnRecords([...a, ...b]);
const em3 = estimateOnRecords(c);
run(`estimated on each dataset without labels (EM over ${em4.pairs} febrl4 / ${em3.pairs} febrl3 blocked pairs)`, em4.model, em3.model, a, b, c, false);
run('for information: the estimated models without household caps (caps: [])', { ...em4.model, caps: [] }, { ...em3.model, caps: [] }, a, b, c, false);

console.log('\nreference (published, not run here): Splink batch, best threshold, F1 0.9998 on febrl4; at match probability >= 0.99 precision 1.000 F1 0.9958');
const t = defaultMatchModel.thresholds;
console.log(`thresholds (log2 posterior odds): auto-link ${t.autoLink}, review ${t.review}, possible ${t.possible}, tie margin ${t.tieMargin}; caps ${(defaultMatchModel.caps ?? []).map((x) => `${x.name} ${x.maxWeight}`).join(', ')}\n`);
weights('defaultMatchModel', defaultMatchModel);
weights('estimated on febrl4', em4.model);
weights('estimated on febrl3', em3.model);
