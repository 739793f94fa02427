import type { Kysely } from 'kysely';
import { AuditAction, auditReport, auditReportPages, verifyAuditChain, type AuditFilter, type AuditRecord, type AuditVerdict } from '../audit/index.js';
import type { Database } from '../store/schema.js';
import type { Caller } from './caller.js';
import type { Page } from './interfaces.js';
import { Permission } from './policy.js';
import { requirePermission, withRole } from './role-access.js';

/**
 * The auditor's and privacy officer's door (Permission.AuditData) to the audit trail, on src/audit's
 * report, CSV and verifier (the same as `carecoord audit`). Reading the trail discloses who saw which
 * patient, so a report page is recorded as a read and an export as an export, before rows leave.
 */

type Db = Kysely<Database>;
export type AuditQuery = Omit<AuditFilter, 'afterId' | 'limit'>;

const criteria = (f: AuditQuery) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as Record<string, string | number>;

/** One page of the report, oldest first (chain order); `cursor` is the previous page's nextCursor. */
export function auditReportPage(db: Db, caller: Caller, at: number, filter: AuditQuery, opts: { cursor?: number | undefined; limit: number }): Promise<Page<AuditRecord>> {
  return withRole(db, caller, Permission.AuditData, at, 'audit', async (trx, audit) => {
    const rows = await auditReport(trx, { ...filter, afterId: opts.cursor, limit: opts.limit + 1 });
    const items = rows.slice(0, opts.limit);
    audit({ action: AuditAction.Read, entityType: 'audit-log', entityId: null, patientId: filter.patientId ?? null, detail: { filter: criteria(filter), format: 'json', returned: items.length } });
    return { items, nextCursor: rows.length > opts.limit ? items[items.length - 1]!.id : null };
  });
}

/**
 * An export of everything the filter selects: the export is audited (committed) first, then the
 * rows are read page by page as the consumer pulls them (a large range is never held in memory).
 */
export async function auditExport(db: Db, caller: Caller, at: number, filter: AuditQuery, format: 'csv'): Promise<AsyncGenerator<AuditRecord[]>> {
  await withRole(db, caller, Permission.AuditData, at, 'audit.csv', async (_trx, audit) => {
    audit({ action: AuditAction.Export, entityType: 'audit-log', entityId: null, patientId: filter.patientId ?? null, detail: { filter: criteria(filter), format } });
  });
  return auditReportPages(db, { ...filter, limit: 1000 });
}

/** Verify the whole chain (anchor to head). */
export async function verifyAudit(db: Db, caller: Caller, at: number): Promise<AuditVerdict> {
  await requirePermission(db, caller, Permission.AuditData, at, { action: 'read', target: 'audit/verify' });
  return verifyAuditChain(db);
}
