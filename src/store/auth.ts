import type { Selectable } from 'kysely';
import type { Credentials } from '../auth/types.js';
import type { LoginState } from '../auth/lockout.js';
import type { UserRole, UserStatus } from '../care/user.js';
import type { Keyring } from '../keys/index.js';
import type { CareDb } from './care/db.js';
import type { AppUserTable } from './schema.js';
import { keyringOf, refreshKeyring } from './data-keys.js';

/** The sign-in columns of app_user (src/auth). Repositories take the caller's db or transaction. */

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** AAD context of a sealed TOTP secret: the column and the user it belongs to. */
export const mfaSecretContext = (userId: number): string => `app_user.mfa_secret:${userId}`;

/** The TOTP secret is sealed (AES-256-GCM under the current data key) on both dialects; opened here. */
export function toCredentials(r: Selectable<AppUserTable>, keyring: Keyring): Credentials {
  return {
    userId: Number(r.id), username: r.username, displayName: r.display_name, roles: JSON.parse(r.roles) as UserRole[], status: r.status as UserStatus,
    passwordHash: r.password_hash, passwordChangedAt: num(r.password_changed_at), mustChangePassword: Number(r.must_change_password) === 1,
    mfaSecret: r.mfa_secret === null ? null : keyring.unsealText(r.mfa_secret, mfaSecretContext(Number(r.id))), mfaEnrolled: Number(r.mfa_enrolled) === 1, mfaLastStep: num(r.mfa_last_step),
    failedLogins: Number(r.failed_logins), lockedUntil: num(r.locked_until),
  };
}

/** By username (stored lower-cased). */
export async function getCredentialsByUsername(db: CareDb, username: string): Promise<Credentials | undefined> {
  const row = await db.selectFrom('app_user').selectAll().where('username', '=', username.toLowerCase()).executeTakeFirst();
  return row && credentialsOf(db, row);
}

export async function getCredentials(db: CareDb, userId: number): Promise<Credentials | undefined> {
  const row = await db.selectFrom('app_user').selectAll().where('id', '=', userId).executeTakeFirst();
  return row && credentialsOf(db, row);
}

/** Read for a change, taking the row lock first (a no-op update: SQLite has no SELECT ... FOR UPDATE). */
export async function lockCredentials(db: CareDb, userId: number): Promise<Credentials | undefined> {
  const row = await db.updateTable('app_user').set((eb) => ({ failed_logins: eb.ref('failed_logins') })).where('id', '=', userId).returningAll().executeTakeFirst();
  return row && credentialsOf(db, row);
}

async function credentialsOf(db: CareDb, row: Selectable<AppUserTable>): Promise<Credentials> {
  const keyring = keyringOf(db);
  await refreshKeyring(db, keyring, Date.now(), keyring.unknownIds([row.mfa_secret]));
  return toCredentials(row, keyring);
}

export async function saveLoginState(db: CareDb, userId: number, state: LoginState): Promise<void> {
  await db.updateTable('app_user').set({ failed_logins: state.failedLogins, locked_until: state.lockedUntil }).where('id', '=', userId).execute();
}

/** A new password hash; clears a lock and the failure count (an administrator's set or reset unlocks). */
export async function savePassword(db: CareDb, userId: number, passwordHash: string, at: number, mustChange: boolean): Promise<void> {
  await db.updateTable('app_user').set({
    password_hash: passwordHash, password_changed_at: at, must_change_password: mustChange ? 1 : 0,
    failed_logins: 0, locked_until: null, updated_at: at,
  }).where('id', '=', userId).execute();
}

/** The TOTP state: a pending secret (enrolled false), a confirmed one, or none (secret null). */
export async function saveMfa(db: CareDb, userId: number, mfa: { secret: string | null; enrolled: boolean; lastStep: number | null }, at: number): Promise<void> {
  const keyring = keyringOf(db);
  await refreshKeyring(db, keyring, Date.now());
  const secret = mfa.secret === null ? null : keyring.sealText(mfa.secret, mfaSecretContext(userId));
  await db.updateTable('app_user').set({ mfa_secret: secret, mfa_enrolled: mfa.enrolled ? 1 : 0, mfa_last_step: mfa.lastStep, updated_at: at })
    .where('id', '=', userId).execute();
}

/**
 * Record `step` as the last accepted TOTP step if it is later than the stored one: one atomic
 * compare-and-set, so two requests racing with the same code cannot both succeed. False when a
 * code of this step (or a later one) was already accepted.
 */
export async function claimTotpStep(db: CareDb, userId: number, step: number): Promise<boolean> {
  const r = await db.updateTable('app_user').set({ mfa_last_step: step }).where('id', '=', userId)
    .where((eb) => eb.or([eb('mfa_last_step', 'is', null), eb('mfa_last_step', '<', step)])).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function saveRoles(db: CareDb, userId: number, roles: readonly UserRole[], at: number): Promise<void> {
  await db.updateTable('app_user').set({ roles: JSON.stringify(roles), updated_at: at }).where('id', '=', userId).execute();
}
