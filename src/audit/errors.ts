/**
 * The audit trail's failures: a closed set of codes that callers branch on. A failed append must fail
 * the caller's transaction too (what cannot be audited is not done).
 */
export const AuditErrorCode = {
  /** A field is missing, too long or outside its closed set (action, outcome). */
  InvalidEntry: 'audit.invalid_entry',
  /** The chain head row is missing: the audit migration has not run. */
  NoChainHead: 'audit.no_chain_head',
  /** A retention shorter than the database's floor (2192 days by default) was asked for. */
  RetentionTooShort: 'audit.retention_too_short',
  /** A report filter is malformed (a bad date, a limit out of range). */
  InvalidFilter: 'audit.invalid_filter',
} as const;
export type AuditErrorCode = (typeof AuditErrorCode)[keyof typeof AuditErrorCode];

export class AuditError extends Error {
  override readonly name = 'AuditError';

  constructor(readonly code: AuditErrorCode, message: string) {
    super(message);
  }
}
