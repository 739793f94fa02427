import type { Kysely } from 'kysely';
import { insertEvent } from '../store/events.js';
import { IdentityAction, inTransaction, logDecision, REOPENED, refreshMatchKeys, ReviewStatus, openReviewsOf, reviewsOfMerge, setReviewState } from '../store/identity.js';
import {
  getMerge, insertMerge, markMerged, markMergeReversed, MERGE_MOVED_TABLES, movedFromOf, reassignRows, reassignRowsHeldBy, rowIdsOf, setMovedFrom, unmarkMerged, withdrawMergeEvent,
  type MergeMoved, type MovedTable,
} from '../store/merges.js';
import { getPatient, type PatientRecord } from '../store/patients.js';
import type { Database } from '../store/schema.js';
import { IdentityStoreError, IdentityStoreErrorCode, notFound } from './store-errors.js';

/** Who asked for a merge: an ADT A40 (and A34/A36/A39), a reviewer's link, or an administrator. */
export const MergeSource = { AdtA40: 'adt-a40', Review: 'review', Admin: 'admin' } as const;
export type MergeSource = (typeof MergeSource)[keyof typeof MergeSource];

export interface MergeRequest {
  survivorId: number;
  mergedId: number;
  source: MergeSource;
  /** The log entry of the A40 (null for people's decisions). */
  sourceEntryId: number | null;
  /** A person's name, or the A40's sender. */
  decidedBy: string;
  at: number;
  note?: string;
}

export interface MergeResult {
  mergeId: number;
  survivorId: number;
  mergedId: number;
  /** Rows moved per table. */
  moved: Record<MovedTable, number>;
  eventId: number;
}

/** Why two patients cannot be merged as asked, or undefined when they can (pure). */
export function mergeRefusal(survivor: PatientRecord | undefined, merged: PatientRecord | undefined, ids: { survivorId: number; mergedId: number }): IdentityStoreError | undefined {
  if (!survivor) return notFound('patient', ids.survivorId);
  if (!merged) return notFound('patient', ids.mergedId);
  if (survivor.id === merged.id) return new IdentityStoreError(IdentityStoreErrorCode.SamePatient, `patient ${survivor.id} cannot be merged into itself`);
  for (const p of [survivor, merged]) {
    if (p.status === 'merged') return new IdentityStoreError(IdentityStoreErrorCode.Merged, `patient ${p.id} was merged into patient ${p.mergedInto}`);
  }
  return undefined;
}

/**
 * Merge patient `mergedId` into `survivorId`, atomically (inside the caller's transaction when `db` is
 * one): every row of MERGE_MOVED_TABLES moves to the survivor (identifiers get moved_from), the merged
 * patient stays as a tombstone (status 'merged', merged_into), a 'merge' clinical event is recorded on
 * the survivor, the moved row ids are kept in patient_merge.moved for unmergePatients, open reviews of
 * the merged (staging) patient are closed as linked, and the decision is logged.
 * Lookups by the merged patient's identifiers then find the survivor (findByIdentifier follows merged_into).
 */
export function mergePatients(db: Kysely<Database>, req: MergeRequest): Promise<MergeResult> {
  return inTransaction(db, async (trx) => {
    const survivor = await getPatient(trx, req.survivorId);
    const merged = await getPatient(trx, req.mergedId);
    const refusal = mergeRefusal(survivor, merged, req);
    if (refusal) throw refusal;
    const rows: Partial<Record<MovedTable, number[]>> = {};
    const counts = {} as Record<MovedTable, number>;
    for (const table of MERGE_MOVED_TABLES) {
      const ids = await rowIdsOf(trx, table, req.mergedId);
      counts[table] = ids.length;
      if (ids.length > 0) rows[table] = ids;
    }
    const identifierIds = rows.patient_identifier ?? [];
    const priorMovedFrom = await movedFromOf(trx, identifierIds);
    for (const [table, ids] of Object.entries(rows) as [MovedTable, number[]][]) await reassignRows(trx, table, ids, req.survivorId);
    await setMovedFrom(trx, identifierIds, req.mergedId);
    await markMerged(trx, req.mergedId, req.survivorId, req.at);
    await refreshMatchKeys(trx, req.mergedId);
    const eventId = await insertEvent(trx, {
      patientId: req.survivorId, encounterId: null, type: 'merge', occurredAt: req.at, recordedAt: req.at, facility: null,
      sourceEntryId: req.sourceEntryId, messageType: null, payload: { mergedPatientId: req.mergedId, source: req.source, moved: counts },
    });
    const moved: MergeMoved = { rows, priorMovedFrom, priorStatus: merged!.status, eventId };
    const mergeId = await insertMerge(trx, { survivorId: req.survivorId, mergedId: req.mergedId, source: req.source, sourceEntryId: req.sourceEntryId, decidedBy: req.decidedBy, mergedAt: req.at, moved });
    for (const review of await openReviewsOf(trx, req.mergedId)) {
      const decision = req.source === MergeSource.Review ? `link:${req.survivorId}` : `merged:${req.source}`;
      await setReviewState(trx, review.id, ReviewStatus.Open, { status: ReviewStatus.Linked, decidedAt: req.at, decidedBy: req.decidedBy, decision, decisionNote: req.note ?? null, mergeId });
    }
    await logDecision(trx, {
      at: req.at, by: req.decidedBy, action: IdentityAction.Merge, patientId: req.survivorId, otherPatientId: req.mergedId, reviewId: null, mergeId,
      sourceEntryId: req.sourceEntryId, note: req.note ?? null, detail: { source: req.source, moved: counts },
    });
    return { mergeId, survivorId: req.survivorId, mergedId: req.mergedId, moved: counts, eventId };
  });
}

/** `patientId` followed by every patient it was merged into since, in order. */
async function mergeChain(db: Kysely<Database>, patientId: number): Promise<number[]> {
  const chain = [patientId];
  for (let p = await getPatient(db, patientId); p?.mergedInto != null; p = await getPatient(db, p.mergedInto)) {
    if (chain.includes(p.mergedInto)) break; // a cycle is a data error; stop rather than loop
    chain.push(p.mergedInto);
  }
  return chain;
}

export interface UnmergeResult {
  mergeId: number;
  survivorId: number;
  /** The patient brought back, with its status before the merge. */
  restoredId: number;
  /** Rows moved back per table. */
  movedBack: Partial<Record<MovedTable, number>>;
  /** Reviews the merge had closed, open again. */
  reopenedReviews: number[];
}

/**
 * Reverse merge `mergeId`, atomically: exactly the rows it moved go back to the merged patient (rows
 * added to the survivor since stay there), identifiers get their earlier moved_from, the patient gets
 * its status before the merge and its match keys back, the 'merge' event is withdrawn, reviews the merge
 * closed are open again, and the decision is logged.
 */
export function unmergePatients(db: Kysely<Database>, mergeId: number, by: string, at: number, note?: string): Promise<UnmergeResult> {
  return inTransaction(db, async (trx) => {
    const merge = await getMerge(trx, mergeId);
    if (!merge) throw notFound('merge', mergeId);
    if (!(await markMergeReversed(trx, mergeId, by, at))) throw new IdentityStoreError(IdentityStoreErrorCode.AlreadyReversed, `merge ${mergeId} was already reversed`);
    const restored = await getPatient(trx, merge.mergedId);
    if (restored?.status !== 'merged' || restored.mergedInto !== merge.survivorId) {
      throw new IdentityStoreError(IdentityStoreErrorCode.Conflict, `patient ${merge.mergedId} is no longer merged into patient ${merge.survivorId}`);
    }
    // The survivor, and whatever it was merged into since: a row of this merge may have travelled on.
    const holders = await mergeChain(trx, merge.survivorId);
    const movedBack: Partial<Record<MovedTable, number>> = {};
    let identifierIds: number[] = [];
    for (const [table, ids] of Object.entries(merge.moved.rows) as [MovedTable, number[]][]) {
      const back = await reassignRowsHeldBy(trx, table, ids, holders, merge.mergedId);
      movedBack[table] = back.length;
      if (table === 'patient_identifier') identifierIds = back;
    }
    await setMovedFrom(trx, identifierIds, null);
    for (const id of identifierIds) {
      const from = merge.moved.priorMovedFrom[String(id)];
      if (from !== undefined) await setMovedFrom(trx, [id], from);
    }
    await unmarkMerged(trx, merge.mergedId, merge.survivorId, merge.moved.priorStatus, at);
    await refreshMatchKeys(trx, merge.mergedId);
    await withdrawMergeEvent(trx, merge.moved.eventId, at);
    const reopenedReviews: number[] = [];
    for (const review of await reviewsOfMerge(trx, mergeId)) {
      if (await setReviewState(trx, review.id, review.status, REOPENED)) reopenedReviews.push(review.id);
    }
    await logDecision(trx, {
      at, by, action: IdentityAction.Unmerge, patientId: merge.survivorId, otherPatientId: merge.mergedId, reviewId: null, mergeId,
      sourceEntryId: null, note: note ?? null, detail: { movedBack, reopenedReviews },
    });
    return { mergeId, survivorId: merge.survivorId, restoredId: merge.mergedId, movedBack, reopenedReviews };
  });
}
