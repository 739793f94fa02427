import { PostgresAdapter, sql, type Kysely, type Selectable } from 'kysely';
import { blockingKeys, normalizePerson, type PersonRecord } from '../identity/index.js';
import type { Database, PatientTable } from './schema.js';

/**
 * Identity's repository: the matcher's blocking keys (patient_match_key), candidate lookup, the review
 * queue (match_review) and the identity decision log. Plain functions, `db` first (the store or the
 * caller's transaction); none opens a transaction, except `inTransaction` for the use cases.
 */

/** One identity decision (migration 2026-11-25T1540-identity). */
export type { IdentityDecisionTable } from './schema.js';


/**
 * Run `work` atomically: in a new transaction, or inside the caller's when `db` already is one
 * (an ingest handler's): Kysely cannot nest transactions, and the caller's commit covers this work.
 */
export function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

// ---------------------------------------------------------------------------------------------
// Match keys and candidates

/** The flat demographic columns the matcher reads, and the patient's status. */
export type PersonColumns = Pick<Selectable<PatientTable>, 'given_name' | 'middle_name' | 'family_name' | 'birth_date' | 'sex' | 'address_line' | 'city' | 'state' | 'postcode' | 'phone' | 'ssn_last4'>;
const PERSON_COLUMNS = ['given_name', 'middle_name', 'family_name', 'birth_date', 'sex', 'address_line', 'city', 'state', 'postcode', 'phone', 'ssn_last4'] as const;

/** The matcher's view of a stored patient: its flat columns, absent ones left out. */
export function personFromColumns(c: PersonColumns): PersonRecord {
  const p: PersonRecord = {};
  const put = (k: keyof PersonRecord, v: string | null) => {
    if (v !== null && v !== '') p[k] = v;
  };
  put('given', c.given_name);
  put('middle', c.middle_name);
  put('family', c.family_name);
  put('birthDate', c.birth_date);
  put('sex', c.sex);
  put('addressLine', c.address_line);
  put('city', c.city);
  put('state', c.state);
  put('postcode', c.postcode);
  put('phone', c.phone);
  put('ssnLast4', c.ssn_last4);
  return p;
}

/** Replace a patient's blocking keys with `keys` (no write when they are already the same). */
export async function replaceMatchKeys(db: Kysely<Database>, patientId: number, keys: readonly string[]): Promise<void> {
  const wanted = [...new Set(keys)].sort();
  const held = (await db.selectFrom('patient_match_key').select('match_key').where('patient_id', '=', patientId).execute()).map((r) => r.match_key).sort();
  if (wanted.length === held.length && wanted.every((k, i) => k === held[i])) return;
  await db.deleteFrom('patient_match_key').where('patient_id', '=', patientId).execute();
  if (wanted.length > 0) await db.insertInto('patient_match_key').values(wanted.map((k) => ({ match_key: k, patient_id: patientId }))).execute();
}

/**
 * Bring a patient's patient_match_key rows in line with its current demographics: the matcher's
 * blockingKeys of its flat columns; none for a merged patient (a tombstone is never a candidate).
 * Call it after anything that changes demographics (createPatient, updateDemographics). Returns the keys.
 */
export async function refreshMatchKeys(db: Kysely<Database>, patientId: number): Promise<string[]> {
  const row = await db.selectFrom('patient').select(['status', ...PERSON_COLUMNS]).where('id', '=', patientId).executeTakeFirst();
  const keys = !row || row.status === 'merged' ? [] : blockingKeys(normalizePerson(personFromColumns(row)));
  await replaceMatchKeys(db, patientId, keys);
  return keys;
}

/**
 * Serialise concurrent lookups that could find each other: on PostgreSQL, a transaction-scoped advisory
 * lock per blocking key (in key order), held until the caller's transaction ends. Two records of one
 * person arriving together under different identifiers (parallel workers) then cannot both miss the
 * other and create two patients: the second waits, then reads the first's committed patient and keys.
 * Records that share no key are never candidates of each other, so they never wait on each other.
 * SQLite has a single writer: nothing to do.
 */
export async function lockMatchKeys(db: Kysely<Database>, keys: readonly string[]): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  for (const key of [...new Set(keys)].sort()) await sql`SELECT pg_advisory_xact_lock(hashtext(${`carecoord.match:${key}`}))`.execute(db);
}

export interface MatchCandidate {
  patientId: number;
  status: string;
  person: PersonRecord;
  /** How many of the looked-up keys it shares. */
  sharedKeys: number;
}

export interface CandidateSearch {
  candidates: MatchCandidate[];
  /** True when more patients shared a key than `limit`: the ones sharing most keys were kept. */
  capped: boolean;
}

/**
 * The patients sharing at least one of `keys`, merged ones excluded (deceased and staging ones are
 * candidates too), at most `limit`: those sharing most keys first, then oldest.
 */
export async function findMatchCandidates(db: Kysely<Database>, keys: readonly string[], limit: number): Promise<CandidateSearch> {
  if (keys.length === 0) return { candidates: [], capped: false };
  // One statement: the patients grouped on the key index alone (it covers match_key and patient_id,
  // so no patient row is read per key row, which a bucket of thousands, an institution's address,
  // would make slow), then the rows of the kept ones. Merged patients hold no keys (refreshMatchKeys)
  // and are filtered again here.
  const hits = db
    .selectFrom('patient_match_key')
    .select(['patient_id', (eb) => eb.fn.countAll<number>().as('shared')])
    .where('match_key', 'in', [...new Set(keys)])
    .groupBy('patient_id')
    .orderBy('shared', 'desc')
    .orderBy('patient_id')
    .limit(limit + 1);
  const rows = await db
    .selectFrom(hits.as('h'))
    .innerJoin('patient as p', 'p.id', 'h.patient_id')
    .select(['p.id', 'p.status', ...PERSON_COLUMNS.map((c) => `p.${c}` as const), 'h.shared'])
    .where('p.status', '<>', 'merged')
    .orderBy('h.shared', 'desc')
    .orderBy('h.patient_id')
    .execute();
  const candidates = rows.slice(0, limit).map((r) => ({ patientId: Number(r.id), status: r.status, person: personFromColumns(r), sharedKeys: Number(r.shared) }));
  return { candidates, capped: rows.length > limit };
}

/** The stored patients' matcher view by id (a review shows candidates as they are now). */
export async function personsOf(db: Kysely<Database>, ids: readonly number[]): Promise<Map<number, { status: string; mergedInto: number | null; person: PersonRecord }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('patient').select(['id', 'status', 'merged_into', ...PERSON_COLUMNS]).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [Number(r.id), { status: r.status, mergedInto: r.merged_into === null ? null : Number(r.merged_into), person: personFromColumns(r) }]));
}

// ---------------------------------------------------------------------------------------------
// Review queue

/** Review states (match_review.status). */
export const ReviewStatus = {
  /** Waiting for a reviewer; the record sits on a staging patient. */
  Open: 'open',
  /** The staging patient was merged into a candidate (match_review.merge_id). */
  Linked: 'linked',
  /** The record is a patient of its own (staging -> active). */
  Separate: 'separate',
} as const;
export type ReviewStatus = (typeof ReviewStatus)[keyof typeof ReviewStatus];

export interface ReviewRow {
  id: number;
  /** The staging patient holding the record. */
  patientId: number;
  sourceEntryId: number | null;
  status: ReviewStatus;
  /** JSON-decoded match_review.candidates (shape owned by identity/review.ts). */
  candidates: unknown;
  /** JSON-decoded match_review.incoming. */
  incoming: unknown;
  createdAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  decision: string | null;
  decisionNote: string | null;
  mergeId: number | null;
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));

function toReview(r: Selectable<Database['match_review']>): ReviewRow {
  return {
    id: Number(r.id), patientId: Number(r.patient_id), sourceEntryId: num(r.source_entry_id), status: r.status as ReviewStatus,
    candidates: JSON.parse(r.candidates), incoming: JSON.parse(r.incoming), createdAt: Number(r.created_at),
    decidedAt: num(r.decided_at), decidedBy: r.decided_by, decision: r.decision, decisionNote: r.decision_note, mergeId: num(r.merge_id),
  };
}

export async function insertReview(db: Kysely<Database>, r: { patientId: number; sourceEntryId: number | null; candidates: unknown; incoming: unknown; at: number }): Promise<number> {
  const row = await db
    .insertInto('match_review')
    .values({
      patient_id: r.patientId, source_entry_id: r.sourceEntryId, status: ReviewStatus.Open, candidates: JSON.stringify(r.candidates), incoming: JSON.stringify(r.incoming),
      created_at: r.at, decided_at: null, decided_by: null, decision: null, decision_note: null, merge_id: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function getReview(db: Kysely<Database>, id: number): Promise<ReviewRow | undefined> {
  const row = await db.selectFrom('match_review').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toReview(row) : undefined;
}

/** Reviews, open ones first, then oldest first. */
export async function listReviews(db: Kysely<Database>, opts: { status?: ReviewStatus; limit?: number } = {}): Promise<ReviewRow[]> {
  let q = db.selectFrom('match_review').selectAll();
  if (opts.status) q = q.where('status', '=', opts.status);
  const rows = await q
    .orderBy((eb) => eb.case().when('status', '=', ReviewStatus.Open).then(0).else(1).end())
    .orderBy('created_at')
    .orderBy('id')
    .limit(opts.limit ?? 100)
    .execute();
  return rows.map(toReview);
}

/** Reviews in id order after `afterId` (keyset paging), optionally of one status. */
export async function listReviewsAfter(db: Kysely<Database>, opts: { status?: ReviewStatus | undefined; afterId: number; limit: number }): Promise<ReviewRow[]> {
  let q = db.selectFrom('match_review').selectAll().where('id', '>', opts.afterId);
  if (opts.status) q = q.where('status', '=', opts.status);
  return (await q.orderBy('id').limit(opts.limit).execute()).map(toReview);
}

/** The reviews a merge closed (a reviewer's link, or an A40 or administrator merging a staging patient). */
export async function reviewsOfMerge(db: Kysely<Database>, mergeId: number): Promise<ReviewRow[]> {
  const rows = await db.selectFrom('match_review').selectAll().where('merge_id', '=', mergeId).orderBy('id').execute();
  return rows.map(toReview);
}

/** Open reviews whose staging patient is `patientId`. */
export async function openReviewsOf(db: Kysely<Database>, patientId: number): Promise<ReviewRow[]> {
  const rows = await db.selectFrom('match_review').selectAll().where('patient_id', '=', patientId).where('status', '=', ReviewStatus.Open).orderBy('id').execute();
  return rows.map(toReview);
}

export interface ReviewState {
  status: ReviewStatus;
  decidedAt: number | null;
  decidedBy: string | null;
  decision: string | null;
  decisionNote: string | null;
  mergeId: number | null;
}

/** Set a review's state; only when it is still `from` (false when someone else moved it first). */
export async function setReviewState(db: Kysely<Database>, id: number, from: ReviewStatus, s: ReviewState): Promise<boolean> {
  const r = await db
    .updateTable('match_review')
    .set({ status: s.status, decided_at: s.decidedAt, decided_by: s.decidedBy, decision: s.decision, decision_note: s.decisionNote, merge_id: s.mergeId })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const REOPENED: ReviewState = { status: ReviewStatus.Open, decidedAt: null, decidedBy: null, decision: null, decisionNote: null, mergeId: null };

// ---------------------------------------------------------------------------------------------
// Decision log

/** What an identity decision did (identity_decision.action). */
export const IdentityAction = {
  /** The matcher attached a record's identifiers to an existing patient. */
  AutoLink: 'auto-link',
  /** The matcher parked a record on a staging patient for review. */
  ReviewOpened: 'review-opened',
  /** A reviewer linked the record to a candidate (a merge of the staging patient). */
  ReviewLink: 'review-link',
  /** A reviewer confirmed the record as a patient of its own. */
  ReviewSeparate: 'review-separate',
  /** A reviewer's decision was undone (the review is open again). */
  ReviewUndo: 'review-undo',
  /** One patient was merged into another (ADT A40, a review, an administrator). */
  Merge: 'merge',
  /** A merge was reversed. */
  Unmerge: 'unmerge',
  /** An A40 named prior identifiers nobody holds: they were attached to the surviving patient. */
  IdentifiersAttached: 'identifiers-attached',
} as const;
export type IdentityAction = (typeof IdentityAction)[keyof typeof IdentityAction];

export interface IdentityDecision {
  id: number;
  at: number;
  by: string;
  action: IdentityAction;
  patientId: number | null;
  otherPatientId: number | null;
  reviewId: number | null;
  mergeId: number | null;
  sourceEntryId: number | null;
  note: string | null;
  detail: Record<string, unknown>;
}

export async function logDecision(db: Kysely<Database>, d: Omit<IdentityDecision, 'id'>): Promise<number> {
  const row = await db
    .insertInto('identity_decision')
    .values({
      decided_at: d.at, decided_by: d.by, action: d.action, patient_id: d.patientId, other_patient_id: d.otherPatientId, review_id: d.reviewId,
      merge_id: d.mergeId, source_entry_id: d.sourceEntryId, note: d.note, detail: JSON.stringify(d.detail),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Decisions about a review, a merge or a patient (either side), oldest first. */
export async function listDecisions(db: Kysely<Database>, about: { reviewId?: number; mergeId?: number; patientId?: number }): Promise<IdentityDecision[]> {
  let q = db.selectFrom('identity_decision').selectAll();
  if (about.reviewId !== undefined) q = q.where('review_id', '=', about.reviewId);
  if (about.mergeId !== undefined) q = q.where('merge_id', '=', about.mergeId);
  const pid = about.patientId;
  if (pid !== undefined) q = q.where((eb) => eb.or([eb('patient_id', '=', pid), eb('other_patient_id', '=', pid)]));
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({
    id: Number(r.id), at: Number(r.decided_at), by: r.decided_by, action: r.action as IdentityAction, patientId: num(r.patient_id), otherPatientId: num(r.other_patient_id),
    reviewId: num(r.review_id), mergeId: num(r.merge_id), sourceEntryId: num(r.source_entry_id), note: r.note, detail: JSON.parse(r.detail) as Record<string, unknown>,
  }));
}
