import type { AuditRecord } from './entry.js';

/** Columns of the audit CSV export, in order. */
export const AUDIT_CSV_COLUMNS = ['id', 'at', 'actor', 'user_id', 'patient_id', 'action', 'entity_type', 'entity_id', 'source', 'outcome', 'detail', 'hash'] as const;

/**
 * One CSV field (RFC 4180 §2): quoted when it holds a comma, a double quote, CR or LF, with inner
 * quotes doubled. Text starting with =, +, -, @, TAB or CR gets a leading apostrophe first, so a
 * spreadsheet opening the export shows it instead of running it as a formula (OWASP CSV injection).
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV record, CRLF-terminated (RFC 4180 §2.1). */
export function csvLine(values: readonly (string | number | null)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The header record. */
export const auditCsvHeader = (): string => csvLine(AUDIT_CSV_COLUMNS);

/** An entry as a CSV record: times in ISO 8601 UTC, detail as its JSON text. */
export function auditCsvRow(r: AuditRecord): string {
  return csvLine([r.id, new Date(r.at).toISOString(), r.actor, r.userId, r.patientId, r.action, r.entityType, r.entityId, r.source, r.outcome, r.detail, r.hash]);
}
