import { createHash } from 'node:crypto';
import type { AuditRecord, AuditRecordFields } from './entry.js';

/** The hash before the first entry: 64 zeros (the chain's genesis). */
export const GENESIS_HASH = '0'.repeat(64);

/** Version tag of the encoding below; a new encoding gets a new tag, so old entries still verify. */
export const AUDIT_ENCODING = 'cc-audit-v1';

/**
 * The canonical encoding of an entry: a JSON array (RFC 8259) of the tag, the chain position and every
 * field in a fixed order. Its members are strings, safe integers and null only, for which
 * JSON.stringify is deterministic and equal to RFC 8785 (JCS); `detail` is included as its stored text.
 */
export function canonicalEncoding(id: number, e: AuditRecordFields): string {
  return JSON.stringify([
    AUDIT_ENCODING, id, e.at, e.actor, e.userId, e.patientId, e.action, e.entityType, e.entityId, e.source, e.outcome, e.detail,
  ]);
}

/**
 * The entry's hash: SHA-256 (FIPS 180-4), lowercase hex, over the UTF-8 bytes of
 * `prevHash + "\n" + canonicalEncoding(id, fields)`. Chaining the previous hash makes any change,
 * removal, insertion or reordering break every later link.
 */
export function chainHash(prevHash: string, id: number, fields: AuditRecordFields): string {
  return createHash('sha256').update(`${prevHash}\n${canonicalEncoding(id, fields)}`, 'utf8').digest('hex');
}

/** Whether a stored record's hash is the one its content and previous hash give. */
export function hashMatches(record: AuditRecord): boolean {
  return chainHash(record.prevHash, record.id, record) === record.hash;
}
