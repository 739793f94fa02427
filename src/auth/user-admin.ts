import type { Kysely } from 'kysely';
import { appendAudit, AuditAction, inAuditedTransaction } from '../audit/index.js';
import { addUser, disableUser, getUser, listUsers, type DisableResult } from '../care/user-service.js';
import { UserRole, UserStatus, type NewUser, type User } from '../care/user.js';
import { getCredentials } from '../store/auth.js';
import type { Database } from '../store/schema.js';
import { endAllSessions, resetMfa, setRoles, userSessions } from './admin.js';
import { authAuditEntry } from './audit.js';
import { AuthError, AuthErrorCode } from './errors.js';
import type { AuthEvent } from './events.js';
import { resetPassword, setPassword, type AdminActor } from './password-service.js';
import type { SessionRecord } from './types.js';

/**
 * User administration for the API (`/api/admin/users`), on the same services as `carecoord user`
 * (care/user-service for add and disable, auth/admin and auth/password-service for roles, passwords,
 * TOTP and sessions). Every change commits with its audit entry (permission-change for a user added,
 * disabled or given roles; update for credentials), naming the administrator, their user id and address.
 * The caller checks the Administration permission first (src/access requirePermission).
 */

type Db = Kysely<Database>;

/** The administrator making the change. */
export interface AdminCaller {
  userId: number;
  username: string;
  /** Client address, for the audit trail. */
  source: string;
}

/** An administrator's actor for the auth services: their auth events become audit entries from their address. */
export function adminActor(admin: AdminCaller): AdminActor {
  return {
    actor: admin.username,
    emit: async (e: AuthEvent, trx: Db) => {
      await appendAudit(trx, { ...authAuditEntry(e), userId: admin.userId, source: admin.source });
    },
  };
}

/** A user as an administrator sees it: the account, plus sign-in state (never a hash or secret). */
export interface UserAccount extends User {
  hasPassword: boolean;
  mustChangePassword: boolean;
  mfaEnrolled: boolean;
  lockedUntil: number | null;
}

export async function userAccount(db: Db, id: number): Promise<UserAccount> {
  const user = await getUser(db, id);
  const c = await getCredentials(db, id);
  return { ...user, hasPassword: !!c?.passwordHash, mustChangePassword: c?.mustChangePassword ?? false, mfaEnrolled: c?.mfaEnrolled ?? false, lockedUntil: c?.lockedUntil ?? null };
}

/** Users in id order after `cursor`, filtered by status and role; one more than `limit` tells there is a next page. */
export async function listUserPage(db: Db, opts: { status?: string | undefined; role?: string | undefined; cursor?: number | undefined; limit: number }): Promise<{ items: User[]; nextCursor: number | null }> {
  const all = (await listUsers(db, { status: opts.status, role: opts.role })).filter((u) => u.id > (opts.cursor ?? 0)).sort((a, b) => a.id - b.id);
  const items = all.slice(0, opts.limit);
  return { items, nextCursor: all.length > opts.limit ? items[items.length - 1]!.id : null };
}

/**
 * Add a user. With `password` it is set (policy checked) and must be changed at first sign-in;
 * without, the account has no password until `reset-password` hands out a one-time one. One
 * transaction: the user, the password, and their audit entries.
 */
export function createUser(db: Db, input: NewUser & { password?: string | undefined }, at: number, admin: AdminCaller): Promise<UserAccount> {
  const { password, ...fields } = input;
  return inAuditedTransaction(db, async (trx) => {
    const user = await addUser(trx, fields, at, admin.username);
    await appendAudit(trx, {
      at, actor: admin.username, userId: admin.userId, source: admin.source, action: AuditAction.PermissionChange, entityType: 'user', entityId: user.id,
      detail: { change: 'created', username: user.username, roles: user.roles, status: user.status },
    });
    if (password !== undefined) await setPassword(trx, user.id, password, { mustChange: true }, at, adminActor(admin));
    return userAccount(trx, user.id);
  });
}

/**
 * Disable a user (sessions end, team memberships end). Refused for oneself (auth.self_lockout) and for
 * the last active administrator (auth.last_administrator).
 */
export function disableAccount(db: Db, id: number, at: number, admin: AdminCaller): Promise<DisableResult> {
  if (id === admin.userId) throw new AuthError(AuthErrorCode.SelfLockout, 'you cannot disable your own account: another administrator can');
  return inAuditedTransaction(db, async (trx) => {
    const user = await getUser(trx, id);
    if (user.status === UserStatus.Active && user.roles.includes(UserRole.Admin)) {
      const admins = await listUsers(trx, { status: UserStatus.Active, role: UserRole.Admin });
      if (admins.length <= 1) throw new AuthError(AuthErrorCode.LastAdministrator, `user ${id} is the only active administrator: make another user admin first`);
    }
    const r = await disableUser(trx, id, at, admin.username);
    await appendAudit(trx, {
      at, actor: admin.username, userId: admin.userId, source: admin.source, action: AuditAction.PermissionChange, entityType: 'user', entityId: id,
      detail: { change: 'disabled', username: user.username, endedMemberships: r.endedMemberships.length },
    });
    return r;
  });
}

/** Replace the roles (auth.last_administrator when no active admin would remain); audited as permission-change. */
export async function setUserRoles(db: Db, id: number, roles: readonly string[], at: number, admin: AdminCaller): Promise<UserAccount> {
  return inAuditedTransaction(db, async (trx) => {
    await setRoles(trx, id, roles, at, adminActor(admin));
    return userAccount(trx, id);
  });
}

/** A one-time password (returned once, to hand over out of band); the user must change it at sign-in. */
export const resetUserPassword = (db: Db, id: number, at: number, admin: AdminCaller) => resetPassword(db, id, at, adminActor(admin));

/** Remove the TOTP enrolment and end the user's sessions. */
export const resetUserMfa = (db: Db, id: number, at: number, admin: AdminCaller): Promise<number> => resetMfa(db, id, at, adminActor(admin));

/** End every session of the user. */
export const logoutUserEverywhere = (db: Db, id: number, at: number, admin: AdminCaller): Promise<number> => endAllSessions(db, id, at, adminActor(admin));

/** The user's open sessions, newest first. */
export const openSessionsOf = (db: Db, id: number): Promise<SessionRecord[]> => userSessions(db, id);
