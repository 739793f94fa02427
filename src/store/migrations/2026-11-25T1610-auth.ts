import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * Sign-in and sessions (src/auth). On `app_user`: the argon2id password hash (PHC string), when it
 * was set and whether it must be changed at next sign-in; the TOTP secret (RFC 6238), whether its
 * enrolment was confirmed, and the last time step accepted (a code is accepted at most once);
 * consecutive failed sign-ins and the lock's end. `session`: server-side sessions keyed by the
 * SHA-256 of their token (the token itself is never stored), ended with a reason and kept.
 */
export function authMigration(dialect: DialectName): Migration {
  const id = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  const columns = [
    sql`password_hash text`,
    sql`password_changed_at bigint`,
    sql`must_change_password integer not null default 0`,
    sql`mfa_secret text`,
    sql`mfa_enrolled integer not null default 0`,
    sql`mfa_last_step bigint`,
    sql`failed_logins integer not null default 0`,
    sql`locked_until bigint`,
  ];
  return {
    async up(db: Kysely<any>) {
      // One statement per column: SQLite's ALTER TABLE adds one column at a time.
      for (const column of columns) await sql`ALTER TABLE app_user ADD COLUMN ${column}`.execute(db);
      await sql`CREATE TABLE session (
        id ${id},
        token_hash text not null unique,
        user_id bigint not null references app_user(id),
        created_at bigint not null,
        last_seen_at bigint not null,
        expires_at bigint not null,
        ended_at bigint,
        end_reason text,
        ip text,
        user_agent text
      )`.execute(db);
      // Not "session_user": a reserved word in PostgreSQL.
      await sql`CREATE INDEX session_of_user ON session (user_id, ended_at)`.execute(db);
      await sql`CREATE INDEX session_open_last_seen ON session (ended_at, last_seen_at)`.execute(db);
    },
  };
}
