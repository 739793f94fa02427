import type { Kysely } from 'kysely';
import { AuditAction } from '../audit/index.js';
import { linkedPatientId, messageDetail, messageText, reprocessEntry, requireEntry, type MessageDetail, type SegmentView } from '../ingest/message-admin.js';
import { linkReview, listReviewQueue, separateReview, showReview, type ReviewSummary, type ReviewView } from '../identity/review.js';
import { IdentityStoreErrorCode } from '../identity/store-errors.js';
import { ReviewStatus } from '../store/identity.js';
import { listMessages, type MessageFilter, type MessageSummary } from '../store/message-query.js';

export { MESSAGE_STATUSES } from '../store/message-query.js';
import type { Database } from '../store/schema.js';
import type { Caller } from './caller.js';
import { Permission } from './policy.js';
import { withRole } from './role-access.js';

export { MESSAGE_ADMIN_ERROR_STATUS, MessageAdminError, MessageAdminErrorCode } from '../ingest/message-admin.js';
export { IdentityStoreError, IdentityStoreErrorCode } from '../identity/store-errors.js';

/** HTTP statuses of the review decisions' failures. */
export const IDENTITY_STORE_ERROR_STATUS: Readonly<Record<IdentityStoreErrorCode, number>> = {
  [IdentityStoreErrorCode.NotFound]: 404,
  [IdentityStoreErrorCode.SamePatient]: 409,
  [IdentityStoreErrorCode.Merged]: 409,
  [IdentityStoreErrorCode.AlreadyReversed]: 409,
  [IdentityStoreErrorCode.InvalidReviewState]: 409,
  [IdentityStoreErrorCode.NotACandidate]: 400,
  [IdentityStoreErrorCode.Conflict]: 409,
};
export type { MessageDetail, MessageSummary, ReviewSummary, ReviewView, SegmentView };

/**
 * The interface analyst's door (Permission.Interfaces: interface-analyst and admin) to the HL7
 * message log and the patient-match review queue: the same services as `carecoord messages` and
 * `carecoord review`, with the permission checked and every look at PHI audited in the transaction
 * that reads it (a search: search; an entry's metadata: read; its raw text: message-view; a
 * reprocess or a review decision: update), naming the patient when one is known.
 */

type Db = Kysely<Database>;

/** Keyset pages: the items and the cursor of the next page (null on the last). */
export interface Page<T> {
  items: T[];
  nextCursor: number | null;
}

/** Fetch one more than asked: its presence says there is a next page. */
function page<T>(rows: T[], limit: number, cursorOf: (last: T) => number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? cursorOf(items[items.length - 1]!) : null };
}

const criteria = (f: object) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as Record<string, string | number>;

export type MessageSearch = Omit<MessageFilter, 'beforeId' | 'limit' | 'patientKey'> & { cursor?: number | undefined; limit: number };

/** Log entries, newest first (metadata only, never the raw message); `cursor` is the previous page's nextCursor. */
export function searchMessages(db: Db, caller: Caller, at: number, search: MessageSearch): Promise<Page<MessageSummary>> {
  return withRole(db, caller, Permission.Interfaces, at, 'messages', async (trx, audit) => {
    const { cursor, limit, ...filter } = search;
    const rows = await listMessages(trx, { ...filter, beforeId: cursor, limit: limit + 1 });
    const result = page(rows, limit, (m) => m.id);
    audit({ action: AuditAction.Search, entityType: 'hl7-message', entityId: null, detail: { filter: criteria(filter), returned: result.items.length } });
    return result;
  });
}

/** One entry's metadata, processing outcome, ACK and errors, and the patient it concerns. */
export function messageEntry(db: Db, caller: Caller, at: number, id: number): Promise<MessageDetail> {
  return withRole(db, caller, Permission.Interfaces, at, `messages/${id}`, async (trx, audit) => {
    const detail = await messageDetail(trx, await requireEntry(trx, id));
    audit({ action: AuditAction.Read, entityType: 'hl7-message', entityId: id, patientId: detail.patientId, detail: { messageType: detail.messageType, controlId: detail.controlId } });
    return detail;
  });
}

/** The raw message (text, and its segments split into fields): audited as a message-view of its patient. */
export function viewRawMessage(db: Db, caller: Caller, at: number, id: number): Promise<{ id: number; patientId: number | null; truncated: boolean; text: string; segments: SegmentView[] }> {
  return withRole(db, caller, Permission.Interfaces, at, `messages/${id}/raw`, async (trx, audit) => {
    const entry = await requireEntry(trx, id);
    const patientId = await linkedPatientId(trx, entry);
    audit({ action: AuditAction.MessageView, entityType: 'hl7-message', entityId: id, patientId, detail: { format: 'raw', messageType: entry.message_type, controlId: entry.control_id } });
    return { id, patientId, truncated: !!entry.truncated, ...messageText(entry.raw) };
  });
}

/** Queue a failed or unhandled entry again (messages.not_reprocessable otherwise). */
export function reprocessMessage(db: Db, caller: Caller, at: number, id: number): Promise<{ id: number; from: string; status: 'queued' }> {
  return withRole(db, caller, Permission.Interfaces, at, `messages/${id}/reprocess`, async (trx, audit) => {
    const entry = await requireEntry(trx, id);
    const { from } = await reprocessEntry(trx, id, at);
    audit({
      action: AuditAction.Update, entityType: 'hl7-message', entityId: id, patientId: await linkedPatientId(trx, entry),
      detail: { from, to: 'queued', messageType: entry.message_type, controlId: entry.control_id },
    });
    return { id, from, status: 'queued' as const };
  });
}

/** Open reviews, oldest first (id order). */
export function pendingReviews(db: Db, caller: Caller, at: number, opts: { cursor?: number | undefined; limit: number }): Promise<Page<ReviewSummary>> {
  return withRole(db, caller, Permission.Interfaces, at, 'identity/reviews', async (trx, audit) => {
    const rows = await listReviewQueue(trx, { status: ReviewStatus.Open, afterId: opts.cursor ?? 0, limit: opts.limit + 1 });
    const result = page(rows, opts.limit, (r) => r.id);
    audit({ action: AuditAction.Search, entityType: 'match-review', entityId: null, detail: { filter: { status: ReviewStatus.Open }, returned: result.items.length } });
    return result;
  });
}

/** The staging patient, the candidates shown, and `also`: one audit entry each. */
const reviewPatients = (v: Pick<ReviewView, 'patientId' | 'candidates'>, also: readonly number[] = []) =>
  [...new Set([v.patientId, ...v.candidates.map((c) => c.patientId), ...also])];

/** A review: the incoming record beside each candidate, field by field, with levels, weights and scores. */
export function reviewDetail(db: Db, caller: Caller, at: number, id: number): Promise<ReviewView> {
  return withRole(db, caller, Permission.Interfaces, at, `identity/reviews/${id}`, async (trx, audit) => {
    const view = await showReview(trx, id);
    audit(...reviewPatients(view).map((patientId) => ({ action: AuditAction.Read, entityType: 'match-review', entityId: id, patientId })));
    return view;
  });
}

/** Link the review's record to candidate `patientId` (a merge, undoable with `carecoord review undo`). */
export function linkReviewTo(db: Db, caller: Caller, at: number, id: number, patientId: number, note?: string): Promise<{ mergeId: number; survivorId: number }> {
  return withRole(db, caller, Permission.Interfaces, at, `identity/reviews/${id}/link`, async (trx, audit) => {
    const r = await linkReview(trx, { reviewId: id, to: patientId, by: caller.username, at, ...(note ? { note } : {}) });
    const view = await showReview(trx, id);
    audit(...[...new Set([view.patientId, r.survivorId])].map((p) => ({
      action: AuditAction.Update, entityType: 'match-review', entityId: id, patientId: p, detail: { decision: 'link', mergeId: r.mergeId },
    })));
    return r;
  });
}

/** Confirm the review's record as a patient of its own. */
export function keepSeparate(db: Db, caller: Caller, at: number, id: number, note?: string): Promise<{ patientId: number }> {
  return withRole(db, caller, Permission.Interfaces, at, `identity/reviews/${id}/keep-separate`, async (trx, audit) => {
    const r = await separateReview(trx, { reviewId: id, by: caller.username, at, ...(note ? { note } : {}) });
    audit({ action: AuditAction.Update, entityType: 'match-review', entityId: id, patientId: r.patientId, detail: { decision: 'separate' } });
    return r;
  });
}
