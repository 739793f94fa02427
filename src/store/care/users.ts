import type { Selectable } from 'kysely';
import type { User, UserRole, UserStatus } from '../../care/user.js';
import type { AppUserTable } from '../schema.js';
import type { CareDb } from './db.js';

export function toUser(r: Selectable<AppUserTable>): User {
  return {
    id: Number(r.id), username: r.username, displayName: r.display_name, email: r.email, phone: r.phone,
    roles: JSON.parse(r.roles) as UserRole[], status: r.status as UserStatus, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}

/** Insert a user; throws the driver's unique violation when the username is taken. */
export async function insertUser(db: CareDb, user: Omit<User, 'id'>): Promise<User> {
  const row = await db.insertInto('app_user').values({
    username: user.username, display_name: user.displayName, email: user.email, phone: user.phone,
    roles: JSON.stringify(user.roles), status: user.status, created_at: user.createdAt, updated_at: user.updatedAt,
  }).returningAll().executeTakeFirstOrThrow();
  return toUser(row);
}

export async function getUser(db: CareDb, id: number): Promise<User | undefined> {
  const row = await db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

export async function getUserByUsername(db: CareDb, username: string): Promise<User | undefined> {
  const row = await db.selectFrom('app_user').selectAll().where('username', '=', username.toLowerCase()).executeTakeFirst();
  return row && toUser(row);
}

/** Users by username; filtered by status, and by role (matched in the JSON array, so done here). */
export async function listUsers(db: CareDb, filter: { status?: UserStatus | undefined; role?: UserRole | undefined } = {}): Promise<User[]> {
  let q = db.selectFrom('app_user').selectAll().orderBy('username');
  if (filter.status) q = q.where('status', '=', filter.status);
  const users = (await q.execute()).map(toUser);
  return filter.role ? users.filter((u) => u.roles.includes(filter.role!)) : users;
}

export async function setUserStatus(db: CareDb, id: number, status: UserStatus, at: number): Promise<void> {
  await db.updateTable('app_user').set({ status, updated_at: at }).where('id', '=', id).execute();
}

/** Read a user for a change, taking its row lock first (see lockEpisode). */
export async function lockUser(db: CareDb, id: number): Promise<User | undefined> {
  const row = await db.updateTable('app_user').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', id).returningAll().executeTakeFirst();
  return row && toUser(row);
}
