import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, type AuditAction, type AuditOutcome, type AuditRecord } from './entry.js';
import { AuditError, AuditErrorCode } from './errors.js';
import { queryRecords } from './store.js';

/** What an audit report selects. Every field is optional; they combine with AND. */
export interface AuditFilter {
  /** An actor as recorded (a username, 'system', 'cli:NAME'); a number also matches that user id. */
  user?: string;
  patientId?: number;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
  action?: AuditAction;
  entityType?: string;
  outcome?: AuditOutcome;
  /** Keyset paging: only entries after this id (pass the last id of the previous page). */
  afterId?: number;
  /** Page size, 1 to 10000; 1000 by default. */
  limit?: number;
}

export const MAX_REPORT_PAGE = 10_000;

const bad = (message: string) => new AuditError(AuditErrorCode.InvalidFilter, message);

/** Check a filter (pure). Throws AuditError invalid_filter. */
export function validateFilter(f: AuditFilter): void {
  const limit = f.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_REPORT_PAGE) throw bad(`limit must be from 1 to ${MAX_REPORT_PAGE}`);
  for (const [name, v] of [['since', f.since], ['until', f.until], ['patientId', f.patientId], ['afterId', f.afterId]] as const) {
    if (v !== undefined && !Number.isSafeInteger(v)) throw bad(`${name} must be an integer`);
  }
  if (f.action !== undefined && !AUDIT_ACTIONS.includes(f.action)) throw bad(`action must be one of ${AUDIT_ACTIONS.join(', ')}`);
  if (f.outcome !== undefined && !AUDIT_OUTCOMES.includes(f.outcome)) throw bad(`outcome must be one of ${AUDIT_OUTCOMES.join(', ')}`);
}

/**
 * One page of the audit report, oldest first (chain order): by user, patient, date range, action,
 * entity type and outcome. For the next page pass the last entry's id as `afterId`.
 * Reading the trail is itself worth auditing: the caller records the report or export it serves.
 */
export async function auditReport(db: Kysely<Database>, filter: AuditFilter = {}): Promise<AuditRecord[]> {
  validateFilter(filter);
  const { limit = 1000, ...rest } = filter;
  return queryRecords(db, { ...rest, limit });
}

/** Every entry the filter selects, page by page (for an export of any size). */
export async function* auditReportPages(db: Kysely<Database>, filter: AuditFilter = {}): AsyncGenerator<AuditRecord[]> {
  let afterId = filter.afterId;
  for (;;) {
    const page = await auditReport(db, { ...filter, afterId, limit: filter.limit ?? 1000 });
    if (page.length > 0) yield page;
    if (page.length < (filter.limit ?? 1000)) return;
    afterId = page[page.length - 1]!.id;
  }
}
