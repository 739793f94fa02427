/**
 * Patient matching speed at scale: N synthetic US-style patients (bench/lib/population.ts, default
 * 1,000,000) loaded with `carecoord patient import` (the built CLI, a real child process, SQLite in a
 * temp data dir), then M incoming records (default 20,000) resolved against them. Run:
 *   npm run build && npm run bench:matching-speed
 *
 * Incoming records, in a fixed shuffled order: 35% exact duplicates of a stored patient sent by another
 * system (another MRN, authority CLINIC), 40% corrupted duplicates (one or two of: a typo in the family
 * or given name, a nickname, a transposed birth date, a move to another address and phone, a thin record
 * without middle name, phone and SSN) and 25% new people (same generator, another seed).
 * Per record, interleaved (the order rotates so machine noise hits all three alike):
 *   resolve   resolvePatient, the production path of a message (identifier, blocking keys, candidates,
 *             compare, decide, vetoes, and its writes: link, new patient or review), in a transaction
 *             that is rolled back so the population stays fixed. The target is on this one:
 *             p99 under 5 ms on the embedded store.
 *   lookup    the matching lookup alone (blockingKeys, findMatchCandidates, compare, decide), read-only.
 *   baseline  the same lookup through ONE blocking key, the naive design (y: Soundex of given and family
 *             + birth year), with the ratio lookup / baseline and what each finds of the duplicates.
 *
 * Environment: BENCH_PATIENTS (N), BENCH_LOOKUPS (M), BENCH_SEED, BENCH_DIR=DIR (keep the imported
 * store there and reuse it on the next run with the same N and seed; default: a temp dir, removed).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { blockingKeys, compare, decide, defaultMatchModel, normalizePerson, type MatchDecision } from '../src/identity/index.js';
import { readImportHeader, readImportRow, type ImportHeader } from '../src/identity/import-row.js';
import { NICKNAME_GROUPS } from '../src/identity/nickname-data.js';
import { DEFAULT_CANDIDATE_LIMIT, resolvePatient, type ResolveResult } from '../src/identity/resolve.js';
import { personFromDemographics } from '../src/identity/resolve-policy.js';
import type { IncomingPatient } from '../src/patients/index.js';
import { findMatchCandidates } from '../src/store/identity.js';
import { openStore, SQLITE_OPS_FILE } from '../src/store/open.js';
import { findByIdentifier } from '../src/store/patients.js';
import type { Database } from '../src/store/schema.js';
import type { Kysely } from 'kysely';
import { CLI } from './lib/children.js';
import { percentile } from './lib/load.js';
import { corrupt, CORRUPTIONS, csvLine, loadShape, nicknameIndex, population, POPULATION_CSV_HEADER, rng, type SyntheticPerson } from './lib/population.js';

const N = Number(process.env.BENCH_PATIENTS ?? 1_000_000);
const M = Number(process.env.BENCH_LOOKUPS ?? 20_000);
const SEED = Number(process.env.BENCH_SEED ?? 20261125);
const WARMUP = Math.min(1000, Math.floor(M / 10));
const TARGET_P99_MS = 5;
const AUTHORITY = 'MPI';
const model = defaultMatchModel;

type Kind = 'exact duplicate' | 'corrupted duplicate' | 'new person';
interface Lookup {
  kind: Kind;
  incoming: IncomingPatient;
  /** The stored patient a duplicate came from (its MRN; its id once imported). */
  sourceMrn?: string;
  truth?: number;
}

const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (part: number, whole: number) => `${fmt((100 * part) / Math.max(1, whole), 1)}%`;

/** Which population indexes become duplicates, and how (deterministic from the seed). */
function pickDuplicates(): Map<number, 'exact' | 'corrupted'> {
  const r = rng(SEED + 1);
  const picked = new Map<number, 'exact' | 'corrupted'>();
  const exact = Math.round(M * 0.35);
  const wanted = Math.min(N, exact + Math.round(M * 0.4));
  while (picked.size < wanted) {
    const i = Math.floor(r() * N);
    if (!picked.has(i)) picked.set(i, picked.size < exact ? 'exact' : 'corrupted');
  }
  return picked;
}

/** Writes the population CSV (unless `csv` is null) and returns the people picked as duplicate sources. */
async function generate(shape: ReturnType<typeof loadShape>, picked: ReadonlyMap<number, string>, csv: string | null): Promise<Map<number, SyntheticPerson>> {
  const kept = new Map<number, SyntheticPerson>();
  const out = csv ? createWriteStream(csv) : null;
  let chunk = `${POPULATION_CSV_HEADER}\n`;
  let i = 0;
  for (const p of population(shape, N, SEED)) {
    if (picked.has(i)) kept.set(i, p);
    i++;
    if (!out) continue;
    chunk += csvLine(p, AUTHORITY);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  if (out) await new Promise<void>((resolve, reject) => out.end(chunk, () => resolve()).once('error', reject));
  return kept;
}

/** Seeding a store nothing else writes to: the largest batch the verb takes (its help says so). */
const IMPORT_ARGS = ['--batch', '100000'];

/** `carecoord patient import` as a child process; its stdout summary is returned, stderr (progress) passed through. */
function importCsv(csv: string, dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'patient', 'import', csv, '--data-dir', dataDir, ...IMPORT_ARGS], { env: { ...process.env, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`patient import exited with ${code}:\n${stdout}`))));
  });
}

const HEADER: ImportHeader = (() => {
  const h = readImportHeader(POPULATION_CSV_HEADER.split(','));
  if (!h.ok) throw new Error(h.message);
  return h.header;
})();

/** A person as another system's message would carry it (same mapping as the import: readImportRow). */
function toIncoming(p: SyntheticPerson, authority: string, mrn: string): IncomingPatient {
  const r = readImportRow(HEADER, [mrn, authority, p.family, p.given, p.middle, p.birthDate, p.sex, p.addressLine, p.city, p.state, p.postcode, p.phone, p.ssnLast4], 0);
  if (!r.ok) throw new Error(`${mrn}: ${r.message}`);
  return { identifiers: [{ ...r.record.identifier, facility: authority }], demographics: r.record.demographics };
}

function buildLookups(shape: ReturnType<typeof loadShape>, picked: ReadonlyMap<number, 'exact' | 'corrupted'>, kept: ReadonlyMap<number, SyntheticPerson>): Lookup[] {
  const r = rng(SEED + 2);
  const groups = nicknameIndex(NICKNAME_GROUPS);
  const lookups: Lookup[] = [];
  let n = 0;
  for (const [i, how] of picked) {
    const p = kept.get(i)!;
    const mrn = `C${String(++n).padStart(7, '0')}`;
    if (how === 'exact') lookups.push({ kind: 'exact duplicate', incoming: toIncoming(p, 'CLINIC', mrn), sourceMrn: p.mrn });
    else {
      const first = CORRUPTIONS[Math.floor(r() * CORRUPTIONS.length)]!;
      const kinds = r() < 0.5 ? [first] : [first, CORRUPTIONS[Math.floor(r() * CORRUPTIONS.length)]!];
      lookups.push({ kind: 'corrupted duplicate', incoming: toIncoming(corrupt(p, kinds, shape, groups, r), 'CLINIC', mrn), sourceMrn: p.mrn });
    }
  }
  for (const p of population(shape, M - lookups.length, SEED + 3, 'X')) lookups.push({ kind: 'new person', incoming: toIncoming(p, 'CLINIC', `C${String(++n).padStart(7, '0')}`) });
  for (let i = lookups.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [lookups[i], lookups[j]] = [lookups[j]!, lookups[i]!];
  }
  return lookups;
}

class Rollback extends Error {
  constructor(readonly result: ResolveResult) {
    super('rolled back on purpose');
  }
}

/** resolvePatient inside a transaction that is then rolled back: the production path, no lasting writes. */
async function resolveRolledBack(db: Kysely<Database>, incoming: IncomingPatient, at: number): Promise<ResolveResult> {
  try {
    await db.transaction().execute(async (trx) => {
      throw new Rollback(await resolvePatient(trx, incoming, { sourceEntryId: null, at, updateDemographics: true }));
    });
  } catch (err) {
    if (err instanceof Rollback) return err.result;
    throw err;
  }
  throw new Error('unreachable');
}

/** blockingKeys (all, or those `keep` accepts), candidates, compare, decide: the matching lookup. */
async function lookup(db: Kysely<Database>, incoming: IncomingPatient, keep?: (key: string) => boolean): Promise<{ decision: MatchDecision<number>; candidates: number; capped: boolean }> {
  const normalized = normalizePerson(personFromDemographics(incoming.demographics));
  const keys = blockingKeys(normalized).filter((k) => !keep || keep(k));
  const search = await findMatchCandidates(db, keys, DEFAULT_CANDIDATE_LIMIT);
  const scores = search.candidates.map((c) => ({ candidateId: c.patientId, score: compare(normalized, normalizePerson(c.person), model) }));
  return { decision: decide(scores, model), candidates: search.candidates.length, capped: search.capped };
}

const singleKey = (k: string) => k.startsWith('y:');

interface Series {
  ms: Float64Array;
  total: number;
}

function summary(label: string, s: Series): string {
  const sorted = Float64Array.from(s.ms).sort();
  const p = (q: number) => fmt(percentile(sorted, q), 2);
  return `${label}: ${fmt(s.ms.length / (s.total / 1000))} lookups/s; latency ms p50 ${p(0.5)}  p95 ${p(0.95)}  p99 ${p(0.99)}  max ${fmt(sorted[sorted.length - 1]!, 2)}`;
}

async function main(): Promise<void> {
  const keepDir = process.env.BENCH_DIR;
  const dataDir = keepDir ? path.resolve(keepDir) : mkdtempSync(path.join(os.tmpdir(), 'carecoord-matching-speed-'));
  mkdirSync(dataDir, { recursive: true });
  const reuse = keepDir !== undefined && existsSync(path.join(dataDir, SQLITE_OPS_FILE));
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  console.log(`matching speed: ${fmt(N)} patients, ${fmt(M)} lookups, seed ${SEED}, node ${process.version}, ${os.cpus().length} cpus`);

  let t = performance.now();
  const shape = loadShape();
  const picked = pickDuplicates();
  const csv = reuse ? null : path.join(dataDir, 'population.csv');
  const kept = await generate(shape, picked, csv);
  console.log(`generated ${fmt(N)} people${csv ? ` (${fmt(statSync(csv).size / 1e6)} MB CSV)` : ''} in ${fmt((performance.now() - t) / 1000, 1)} s`);
  if (csv) {
    t = performance.now();
    const out = await importCsv(csv, dataDir);
    const seconds = (performance.now() - t) / 1000;
    console.log(out.trimEnd().replace(/^/gm, '  '));
    console.log(`import time: ${fmt(N)} patients in ${fmt(seconds, 1)} s = ${fmt(N / seconds)} patients/s (carecoord patient import ${IMPORT_ARGS.join(' ')}, child process, SQLite ${fmt(statSync(path.join(dataDir, SQLITE_OPS_FILE)).size / 1e6)} MB)`);
    rmSync(csv);
  } else console.log(`reusing the store imported in ${dataDir}`);

  const store = await openStore({ dataDir });
  try {
    await run(store.db, shape, picked, kept);
  } finally {
    await store.close();
    if (!keepDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function run(db: Kysely<Database>, shape: ReturnType<typeof loadShape>, picked: ReadonlyMap<number, 'exact' | 'corrupted'>, kept: ReadonlyMap<number, SyntheticPerson>): Promise<void> {
  const lookups = buildLookups(shape, picked, kept);
  for (const l of lookups) if (l.sourceMrn) l.truth = (await findByIdentifier(db, AUTHORITY, l.sourceMrn))?.id;
  const at = Date.now();
  for (const l of lookups.slice(0, WARMUP)) {
    await resolveRolledBack(db, l.incoming, at);
    await lookup(db, l.incoming);
    await lookup(db, l.incoming, singleKey);
  }
  const series = { resolve: { ms: new Float64Array(M), total: 0 }, lookup: { ms: new Float64Array(M), total: 0 }, baseline: { ms: new Float64Array(M), total: 0 } };
  const outcomes = new Map<string, number>();
  const found = { lookup: 0, baseline: 0, duplicates: 0 };
  let candidates = 0;
  let maxCandidates = 0;
  let capped = 0;
  const time = async <T>(s: Series, i: number, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const r = await work();
    s.ms[i] = performance.now() - start;
    s.total += s.ms[i]!;
    return r;
  };
  for (const [i, l] of lookups.entries()) {
    const steps = [
      async () => {
        const r = await time(series.resolve, i, () => resolveRolledBack(db, l.incoming, at));
        const right = r.via !== 'auto-link' ? '' : l.truth === undefined ? ' (to another person)' : r.patientId === l.truth ? ' (right patient)' : ' (WRONG patient)';
        const key = `${l.kind}: ${r.via}${right}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      },
      async () => {
        const r = await time(series.lookup, i, () => lookup(db, l.incoming));
        candidates += r.candidates;
        maxCandidates = Math.max(maxCandidates, r.candidates);
        if (r.capped) capped++;
        if (l.truth !== undefined && r.decision.outcome !== 'new' && r.decision.best?.candidateId === l.truth) found.lookup++;
      },
      async () => {
        const r = await time(series.baseline, i, () => lookup(db, l.incoming, singleKey));
        if (l.truth !== undefined && r.decision.outcome !== 'new' && r.decision.best?.candidateId === l.truth) found.baseline++;
      },
    ];
    for (let k = 0; k < 3; k++) await steps[(i + k) % 3]!();
    if (l.truth !== undefined) found.duplicates++;
  }
  report(lookups, series, outcomes, found, { mean: candidates / M, max: maxCandidates, capped });
}

function report(lookups: Lookup[], series: Record<'resolve' | 'lookup' | 'baseline', Series>, outcomes: Map<string, number>, found: { lookup: number; baseline: number; duplicates: number }, c: { mean: number; max: number; capped: number }): void {
  const kinds = new Map<Kind, number>();
  for (const l of lookups) kinds.set(l.kind, (kinds.get(l.kind) ?? 0) + 1);
  const plural = (k: Kind) => (k === 'new person' ? 'new people' : `${k}s`);
  console.log(`\nlookups: ${fmt(M)} incoming records (${[...kinds].sort().map(([k, n]) => `${fmt(n)} ${plural(k)}`).join(', ')}), after ${fmt(WARMUP)} warm-up records`);
  console.log(summary('resolvePatient (production path, rolled back)', series.resolve));
  console.log(`  candidates per lookup: mean ${fmt(c.mean, 1)}, max ${c.max} (candidate limit ${DEFAULT_CANDIDATE_LIMIT} reached by ${fmt(c.capped)} lookups)`);
  console.log('  outcome mix:');
  for (const [k, n] of [...outcomes].sort()) console.log(`    ${k.padEnd(48)} ${fmt(n).padStart(7)}  ${pct(n, kinds.get(k.split(':')[0] as Kind) ?? 1)} of its kind`);
  const p99 = percentile(Float64Array.from(series.resolve.ms).sort(), 0.99);
  console.log(`p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'MET' : 'MISS'} (${fmt(p99, 2)} ms)`);
  console.log(`\n${summary('lookup, all blocking keys (keys, candidates, compare, decide)', series.lookup)}`);
  console.log(summary('baseline, one blocking key (y: Soundex of given and family + birth year)', series.baseline));
  const ratio = series.lookup.total / series.baseline.total;
  const p99ratio = percentile(Float64Array.from(series.lookup.ms).sort(), 0.99) / percentile(Float64Array.from(series.baseline.ms).sort(), 0.99);
  console.log(`ratio all keys / one key: ${fmt(ratio, 2)}x the time per lookup (p99 ${fmt(p99ratio, 2)}x); duplicates whose source patient is the best candidate (auto-link or review): ${pct(found.lookup, found.duplicates)} vs ${pct(found.baseline, found.duplicates)}`);
}

await main();
