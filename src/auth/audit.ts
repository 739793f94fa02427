import { appendAudit, AuditAction, AuditOutcome, type AuditEntry } from '../audit/index.js';
import type { CareDb } from '../store/care/db.js';
import { AuthEventType, type AuthEvent } from './events.js';

const TIMEOUTS = new Set(['idle-timeout', 'absolute-timeout']);

/**
 * An auth event as an audit entry (ASTM E2147 vocabulary of src/audit): sign-in -> login (failed, or
 * denied for a locked or disabled account), sign-out -> logout, idle or absolute end -> timeout (a
 * disabled user's session -> logout), TOTP and password changes -> update of the user, roles ->
 * permission-change. Source: the client IP, 'cli' for an administrator's command, else 'system'.
 */
export function authAuditEntry(e: AuthEvent): AuditEntry {
  const actor = e.actor ?? e.username ?? (e.type === AuthEventType.LoginFailed ? 'anonymous' : 'system');
  const base = { at: e.at, actor, source: e.ip ?? (e.actor ? 'cli' : 'system'), patientId: null };
  const self = e.actor ? null : e.userId;
  const reason = e.reason === undefined ? {} : { reason: e.reason };
  switch (e.type) {
    case AuthEventType.LoginSucceeded:
      return { ...base, userId: e.userId, action: AuditAction.Login, entityType: 'session', entityId: e.sessionId, outcome: AuditOutcome.Success };
    case AuthEventType.LoginFailed:
      return {
        ...base, userId: e.userId, action: AuditAction.Login, entityType: 'user', entityId: e.userId,
        outcome: e.reason === 'locked' || e.reason === 'disabled' ? AuditOutcome.Denied : AuditOutcome.Failed,
        detail: { ...reason, ...(e.locked ? { locked: true } : {}) },
      };
    case AuthEventType.Logout:
    case AuthEventType.SessionTimeout:
      return {
        ...base, userId: self, action: TIMEOUTS.has(e.reason ?? '') ? AuditAction.Timeout : AuditAction.Logout, entityType: 'session', entityId: e.sessionId,
        outcome: AuditOutcome.Success, detail: { ...reason, ...(e.actor ? { user: e.userId } : {}) },
      };
    case AuthEventType.RolesChanged:
      return { ...base, userId: self, action: AuditAction.PermissionChange, entityType: 'user', entityId: e.userId, outcome: AuditOutcome.Success, detail: { roles: e.reason ?? '' } };
    default:
      // TOTP enrolment started/confirmed/reset, password changed/set/reset: the user's credentials.
      // An administrator's password change says which (password-set or password-reset).
      return { ...base, userId: self, action: AuditAction.Update, entityType: 'user', entityId: e.userId, outcome: AuditOutcome.Success, detail: { change: e.type === AuthEventType.PasswordSet ? e.reason ?? 'password-set' : e.type.slice('auth.'.length) } };
  }
}

/** The default OnAuthEvent: one audit entry per event, appended in the transaction of the change (src/audit appendAudit). */
export async function auditAuthEvent(event: AuthEvent, db: CareDb): Promise<void> {
  await appendAudit(db, authAuditEntry(event));
}
