import type { Kysely } from 'kysely';
import { appendAudit, appendAudits, AuditAction, AuditOutcome, inAuditedTransaction, type AuditEntry } from '../audit/index.js';
import type { Database } from '../store/schema.js';
import type { Caller } from './caller.js';
import { forbidden } from './errors.js';
import { can, type Permission } from './policy.js';

/**
 * Access granted by a role rather than by a care team (the interface analyst's message log and match
 * review queue, the administrator's user management, the auditor's reports): the permission is
 * checked first (access.forbidden, itself audited as denied), then the work runs in one audited
 * transaction and its audit entries are appended last in it, so what cannot be audited is not done.
 */

/** What a role-scoped operation records: the caller, source and time are filled in. */
export type RoleAudit = Omit<AuditEntry, 'actor' | 'userId' | 'source' | 'at'>;

/** The caller's audit fields (who, from where, when). */
export const auditedBy = (caller: Caller, at: number) => ({ at, actor: caller.username, userId: caller.userId, source: caller.source });

/**
 * Refuse (access.forbidden) unless one of the caller's roles grants `permission`; the refusal is
 * appended as a denied entry in a transaction of its own. `what` names what was asked (a route).
 */
export async function requirePermission(db: Kysely<Database>, caller: Caller, permission: Permission, at: number, what: { action: 'read' | 'update'; target: string }): Promise<void> {
  if (can(caller.roles, permission)) return;
  await appendAudit(db, {
    ...auditedBy(caller, at), action: what.action === 'read' ? AuditAction.Read : AuditAction.Update, entityType: 'access', entityId: what.target,
    outcome: AuditOutcome.Denied, detail: { code: 'access.forbidden', permission },
  });
  throw forbidden(`your roles do not allow this (${permission})`);
}

/**
 * Check `permission`, then run `work` in one audited transaction; the entries it records with
 * `audit(...)` are appended last, in that transaction.
 */
export async function withRole<T>(
  db: Kysely<Database>, caller: Caller, permission: Permission, at: number, target: string,
  work: (trx: Kysely<Database>, audit: (...entries: RoleAudit[]) => void) => Promise<T>,
): Promise<T> {
  await requirePermission(db, caller, permission, at, { action: 'read', target });
  return inAuditedTransaction(db, async (trx) => {
    const entries: AuditEntry[] = [];
    const result = await work(trx, (...e) => entries.push(...e.map((x) => ({ ...auditedBy(caller, at), ...x }))));
    await appendAudits(trx, entries);
    return result;
  });
}
