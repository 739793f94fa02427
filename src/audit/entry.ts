import { AuditError, AuditErrorCode } from './errors.js';

/**
 * What an audit entry says happened: the ASTM E2147-18 event types carecoord records. One line per
 * action; the entity type and id say on what, `detail` carries the specifics (a query, a reason).
 */
export const AuditAction = {
  /** PHI displayed or returned (a patient, an episode, a review's candidates). */
  Read: 'read',
  /** A query over PHI (find by identifier, a list); `detail` holds the criteria. */
  Search: 'search',
  /** PHI or a record created. */
  Create: 'create',
  /** PHI or a record changed (status, merge reversal, a review decision, a reprocess). */
  Update: 'update',
  /** A record removed (the audit trail's own retention is one). */
  Delete: 'delete',
  /** A raw HL7 message (log entry) displayed. */
  MessageView: 'message-view',
  /** Data leaving the system as a file or stream (an audit report in CSV/JSON, a chart export). */
  Export: 'export',
  /** A login; outcome 'failed' for a wrong password, 'denied' for a locked or disabled account. */
  Login: 'login',
  Logout: 'logout',
  /** A session ended by inactivity or absolute lifetime. */
  Timeout: 'timeout',
  /** Roles, account status or access grants changed. */
  PermissionChange: 'permission-change',
  /** Emergency access outside the user's normal permissions; `detail.reason` says why. */
  BreakGlass: 'break-glass',
  /** PHI sent out of the system to a person (an alert by email, SMS, voice or push naming the patient). */
  Disclosure: 'disclosure',
} as const;
export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];
export const AUDIT_ACTIONS: readonly AuditAction[] = Object.values(AuditAction);

/** How it ended (ASTM E2147 "outcome"). */
export const AuditOutcome = {
  Success: 'success',
  /** Refused by access control (not permitted, locked account). */
  Denied: 'denied',
  /** Attempted and failed (wrong password, not found, invalid). */
  Failed: 'failed',
} as const;
export type AuditOutcome = (typeof AuditOutcome)[keyof typeof AuditOutcome];
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = Object.values(AuditOutcome);

/** Detail values: plain JSON (no undefined inside arrays, no non-finite numbers). */
export type AuditDetail = { readonly [key: string]: AuditDetailValue | undefined };
export type AuditDetailValue = string | number | boolean | null | readonly AuditDetailValue[] | AuditDetail;

/** What a caller records (appendAudit fills id, hashes and, when absent, the time). */
export interface AuditEntry {
  /** Epoch ms; defaults to the time of the append. */
  at?: number;
  /** Who: a username, 'system', or 'cli:' + the operator's login ('cli:NAME'). */
  actor: string;
  /** The app_user id when a signed-in user acted. */
  userId?: number | null;
  /** The patient concerned, when there is one. */
  patientId?: number | null;
  action: AuditAction;
  /** On what: 'patient', 'episode', 'task', 'hl7-message', 'session', 'audit-log', ... */
  entityType: string;
  entityId?: string | number | null;
  /** From where: the client IP, 'cli', 'mllp' or 'system'. */
  source: string;
  outcome?: AuditOutcome;
  detail?: AuditDetail;
}

/** An entry as stored: every field present, `detail` as its canonical JSON text. */
export interface AuditRecordFields {
  at: number;
  actor: string;
  userId: number | null;
  patientId: number | null;
  action: AuditAction;
  entityType: string;
  entityId: string | null;
  source: string;
  outcome: AuditOutcome;
  /** Canonical JSON (sorted keys): hashed exactly as stored. */
  detail: string;
}

/** A stored entry: its place in the chain and the hashes that link it. */
export interface AuditRecord extends AuditRecordFields {
  /** The chain position: 1, 2, 3... without gaps (retention removes the oldest only). */
  id: number;
  prevHash: string;
  hash: string;
}

const LIMITS = { actor: 200, entityType: 64, entityId: 200, source: 200, detail: 16_384 } as const;

const LONE_SURROGATE_OR_NUL = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/g;

/**
 * Text as both databases store it: PostgreSQL refuses NUL in text and neither keeps a lone UTF-16
 * surrogate, so both become U+FFFD before hashing; what is hashed is what reads back.
 */
export function storableText(value: string): string {
  return value.replace(LONE_SURROGATE_OR_NUL, '\uFFFD');
}

/**
 * Canonical JSON of a detail object: keys sorted at every level, undefined members left out, strings
 * storable. For strings, safe integers, booleans and null this is RFC 8785 (JCS) output.
 */
export function canonicalJson(value: AuditDetailValue | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(storableText(value));
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid('detail', 'numbers in detail must be finite');
    return JSON.stringify(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const obj = value as AuditDetail;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(storableText(k))}:${canonicalJson(obj[k])}`).join(',')}}`;
}

function invalid(field: string, message: string): AuditError {
  return new AuditError(AuditErrorCode.InvalidEntry, `audit entry ${field}: ${message}`);
}

function text(field: keyof typeof LIMITS, value: string | undefined, required: boolean): string | null {
  if (value === undefined || value === '') {
    if (required) throw invalid(field, 'is required');
    return null;
  }
  const v = storableText(value);
  if (v.length > LIMITS[field]) throw invalid(field, `longer than ${LIMITS[field]} characters`);
  return v;
}

function optionalId(field: string, value: number | null | undefined): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isSafeInteger(value)) throw invalid(field, 'must be an integer');
  return value;
}

/** Validate an entry and give it its stored form (pure; `now` is the append time). Throws AuditError invalid_entry. */
export function normalizeEntry(entry: AuditEntry, now: number): AuditRecordFields {
  const at = entry.at ?? now;
  if (!Number.isSafeInteger(at) || at < 0) throw invalid('at', 'must be epoch milliseconds');
  if (!AUDIT_ACTIONS.includes(entry.action)) throw invalid('action', `"${entry.action}" is not one of ${AUDIT_ACTIONS.join(', ')}`);
  const outcome = entry.outcome ?? AuditOutcome.Success;
  if (!AUDIT_OUTCOMES.includes(outcome)) throw invalid('outcome', `"${outcome}" is not one of ${AUDIT_OUTCOMES.join(', ')}`);
  const detail = canonicalJson(entry.detail ?? {});
  if (detail.length > LIMITS.detail) throw invalid('detail', `longer than ${LIMITS.detail} characters`);
  return {
    at,
    actor: text('actor', entry.actor, true)!,
    userId: optionalId('userId', entry.userId),
    patientId: optionalId('patientId', entry.patientId),
    action: entry.action,
    entityType: text('entityType', entry.entityType, true)!,
    entityId: entry.entityId === undefined || entry.entityId === null ? null : text('entityId', String(entry.entityId), false),
    source: text('source', entry.source, true)!,
    outcome,
    detail,
  };
}
