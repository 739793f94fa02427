/**
 * The audit trail: who did what to which patient's data, when, from where, and how it ended (the
 * ASTM E2147 fields), as an append-only, hash-chained table written in the same transaction as the
 * change it records. Pure parts: entry.ts (vocabulary, validation, canonical detail), hash.ts
 * (canonical encoding, SHA-256 chain), chain.ts (the verifier's walk), csv.ts (RFC 4180). Edges:
 * appendAudit, verifyAuditChain, auditReport, pruneAuditLog (store.ts is the SQL).
 */
export * from './entry.js';
export * from './errors.js';
export { GENESIS_HASH, AUDIT_ENCODING, canonicalEncoding, chainHash, hashMatches } from './hash.js';
export * from './chain.js';
export * from './csv.js';
export { appendAudit, appendAudits } from './append.js';
export { verifyAuditChain, type AuditVerdict, type VerifyOptions } from './verify.js';
export { auditReport, auditReportPages, validateFilter, MAX_REPORT_PAGE, type AuditFilter } from './report.js';
export { inAuditedTransaction } from './store.js';
export { pruneAuditLog, AUDIT_RETENTION_DAYS, type PruneOptions, type PruneResult } from './retention.js';
