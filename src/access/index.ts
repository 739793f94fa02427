/**
 * Access control, minimum necessary: the only way the API reads or changes patient data. Build a
 * PatientAccess with withPatientAccess(db, caller, ...); every patient-scoped query it runs is filtered
 * on the caller's visible patient set (current care team of an active or on-hold episode, or a live
 * break-the-glass grant), out-of-scope patients are access.not_found like nonexistent ones, and what
 * is read or changed is audited in the same transaction.
 */
export * from './errors.js';
export * from './policy.js';
export type { Caller } from './caller.js';
export type * from './records.js';
export { withPatientAccess, type AccessOptions, type PatientAccess } from './patient-access.js';
export type { PatientScope } from './patient-scope.js';
export type * from './care-records.js';
export { CRITICAL_SNOOZE_MAX_MS, INBOX_STATUSES, SNOOZE_MAX_MS, type AlertDetail, type AlertDocument, type AlertDeliveryRecord, type AlertInboxFilter, type AlertRecipientRecord, type AlertSort } from './alert-access.js';
export type { AlertRecord } from '../store/alerts.js';
export type { Page, PageRequest } from './page-cursor.js';
export type { AssignmentSearch } from './patient-search.js';
export * from './vocab.js';
export { BreakGlassOutcome, BREAK_GLASS_NOTE_MAX, BREAK_GLASS_OUTCOMES } from './break-glass.js';
export { requirePermission, withRole, type RoleAudit } from './role-access.js';
export * from './interfaces.js';
export * from './audit-data.js';
