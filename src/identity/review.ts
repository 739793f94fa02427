import type { Kysely } from 'kysely';
import {
  getReview, IdentityAction, inTransaction, listDecisions, listReviews, listReviewsAfter, logDecision, REOPENED, ReviewStatus, setReviewState,
  type IdentityDecision, type ReviewRow,
} from '../store/identity.js';
import { getPatient, setPatientStatus, survivorOf } from '../store/patients.js';
import type { Database } from '../store/schema.js';
import { mergePatients, MergeSource, unmergePatients } from './merge.js';
import type { ReviewCandidate, ReviewIncoming } from './resolve-policy.js';
import { sideBySide, type FieldRow } from './review-view.js';
import { IdentityStoreError, IdentityStoreErrorCode, notFound } from './store-errors.js';

/**
 * The identity review queue: records the matcher could not place with certainty wait on a staging
 * patient until a person links them to a candidate (a merge, source 'review') or confirms them as a
 * patient of their own. Every decision is logged (identity_decision) and can be undone.
 */

export interface ReviewSummary {
  id: number;
  status: ReviewStatus;
  /** The staging patient holding the record. */
  patientId: number;
  sourceEntryId: number | null;
  createdAt: number;
  best: { patientId: number; weight: number; grade: string } | null;
  candidateCount: number;
  decidedAt: number | null;
  decidedBy: string | null;
  decision: string | null;
}

const candidatesOf = (r: ReviewRow) => r.candidates as ReviewCandidate[];

/** Reviews, open first, oldest first; with `afterId` (keyset paging, 0 for the first page) in id order after it. */
export async function listReviewQueue(db: Kysely<Database>, opts: { status?: ReviewStatus; limit?: number; afterId?: number } = {}): Promise<ReviewSummary[]> {
  const rows = opts.afterId === undefined ? await listReviews(db, opts) : await listReviewsAfter(db, { status: opts.status, afterId: opts.afterId, limit: opts.limit ?? 100 });
  return rows.map((r) => {
    const [best] = candidatesOf(r);
    return {
      id: r.id, status: r.status, patientId: r.patientId, sourceEntryId: r.sourceEntryId, createdAt: r.createdAt,
      best: best ? { patientId: best.patientId, weight: best.weight, grade: best.grade } : null, candidateCount: candidatesOf(r).length,
      decidedAt: r.decidedAt, decidedBy: r.decidedBy, decision: r.decision,
    };
  });
}

export interface ReviewView extends Omit<ReviewSummary, 'best' | 'candidateCount'> {
  decisionNote: string | null;
  mergeId: number | null;
  incoming: ReviewIncoming;
  /** The staging patient's status now. */
  patientStatus: string;
  candidates: (ReviewCandidate & { statusNow: string; mergedIntoNow: number | null; rows: FieldRow[] })[];
  decisions: IdentityDecision[];
}

/** A review with the incoming record beside each candidate, field by field, with scores. */
export async function showReview(db: Kysely<Database>, id: number): Promise<ReviewView> {
  const r = await getReview(db, id);
  if (!r) throw notFound('review', id);
  const incoming = r.incoming as ReviewIncoming;
  const candidates = [];
  for (const c of candidatesOf(r)) {
    const now = await getPatient(db, c.patientId);
    candidates.push({ ...c, statusNow: now?.status ?? 'missing', mergedIntoNow: now?.mergedInto ?? null, rows: sideBySide(incoming.person, c.person, c.fields) });
  }
  return {
    id: r.id, status: r.status, patientId: r.patientId, sourceEntryId: r.sourceEntryId, createdAt: r.createdAt, decidedAt: r.decidedAt, decidedBy: r.decidedBy,
    decision: r.decision, decisionNote: r.decisionNote, mergeId: r.mergeId, incoming, patientStatus: (await getPatient(db, r.patientId))?.status ?? 'missing',
    candidates, decisions: await listDecisions(db, { reviewId: id }),
  };
}

export interface ReviewDecisionInput {
  reviewId: number;
  by: string;
  at: number;
  note?: string;
}

async function openReview(db: Kysely<Database>, id: number): Promise<ReviewRow> {
  const r = await getReview(db, id);
  if (!r) throw notFound('review', id);
  if (r.status !== ReviewStatus.Open) throw new IdentityStoreError(IdentityStoreErrorCode.InvalidReviewState, `review ${id} is already decided (${r.status})`);
  return r;
}

/**
 * Link the record to candidate `to`: the staging patient is merged into it (or into whatever it was
 * merged into since), source 'review'. Returns the merge, which `undoReview` reverses.
 */
export function linkReview(db: Kysely<Database>, input: ReviewDecisionInput & { to: number }): Promise<{ mergeId: number; survivorId: number }> {
  return inTransaction(db, async (trx) => {
    const r = await openReview(trx, input.reviewId);
    if (!candidatesOf(r).some((c) => c.patientId === input.to)) {
      throw new IdentityStoreError(IdentityStoreErrorCode.NotACandidate, `patient ${input.to} is not a candidate of review ${r.id}`);
    }
    const survivor = await survivorOf(trx, input.to);
    if (!survivor) throw notFound('patient', input.to);
    const merge = await mergePatients(trx, { survivorId: survivor.id, mergedId: r.patientId, source: MergeSource.Review, sourceEntryId: null, decidedBy: input.by, at: input.at, note: input.note });
    await logDecision(trx, {
      at: input.at, by: input.by, action: IdentityAction.ReviewLink, patientId: r.patientId, otherPatientId: survivor.id, reviewId: r.id, mergeId: merge.mergeId,
      sourceEntryId: r.sourceEntryId, note: input.note ?? null, detail: { candidate: input.to },
    });
    return { mergeId: merge.mergeId, survivorId: survivor.id };
  });
}

/** Confirm the record as a patient of its own: the staging patient becomes active (deceased if it says so). */
export function separateReview(db: Kysely<Database>, input: ReviewDecisionInput): Promise<{ patientId: number }> {
  return inTransaction(db, async (trx) => {
    const r = await openReview(trx, input.reviewId);
    const patient = await getPatient(trx, r.patientId);
    if (patient?.status !== 'staging') throw new IdentityStoreError(IdentityStoreErrorCode.Conflict, `patient ${r.patientId} of review ${r.id} is ${patient?.status ?? 'missing'}, not staging`);
    await setPatientStatus(trx, r.patientId, patient.demographics.deceased ? 'deceased' : 'active', input.at);
    await setReviewState(trx, r.id, ReviewStatus.Open, { status: ReviewStatus.Separate, decidedAt: input.at, decidedBy: input.by, decision: 'separate', decisionNote: input.note ?? null, mergeId: null });
    await logDecision(trx, {
      at: input.at, by: input.by, action: IdentityAction.ReviewSeparate, patientId: r.patientId, otherPatientId: null, reviewId: r.id, mergeId: null,
      sourceEntryId: r.sourceEntryId, note: input.note ?? null, detail: {},
    });
    return { patientId: r.patientId };
  });
}

/**
 * Undo a review's decision: a link is unmerged (exactly the moved rows go back to the staging patient),
 * a separate puts the patient back to staging; either way the review is open again.
 */
export function undoReview(db: Kysely<Database>, input: ReviewDecisionInput): Promise<{ undone: 'linked' | 'separate' }> {
  return inTransaction(db, async (trx) => {
    const r = await getReview(trx, input.reviewId);
    if (!r) throw notFound('review', input.reviewId);
    if (r.status === ReviewStatus.Open) throw new IdentityStoreError(IdentityStoreErrorCode.InvalidReviewState, `review ${r.id} is open: there is no decision to undo`);
    if (r.status === ReviewStatus.Linked) {
      await unmergePatients(trx, r.mergeId!, input.by, input.at, input.note);
    } else {
      const patient = await getPatient(trx, r.patientId);
      if (patient?.status !== 'active' && patient?.status !== 'deceased') {
        throw new IdentityStoreError(IdentityStoreErrorCode.Conflict, `patient ${r.patientId} is ${patient?.status ?? 'missing'} since review ${r.id} was decided`);
      }
      await setPatientStatus(trx, r.patientId, 'staging', input.at);
      await setReviewState(trx, r.id, ReviewStatus.Separate, REOPENED);
    }
    await logDecision(trx, {
      at: input.at, by: input.by, action: IdentityAction.ReviewUndo, patientId: r.patientId, otherPatientId: null, reviewId: r.id, mergeId: r.mergeId,
      sourceEntryId: r.sourceEntryId, note: input.note ?? null, detail: { undone: r.status, decision: r.decision },
    });
    return { undone: r.status };
  });
}
