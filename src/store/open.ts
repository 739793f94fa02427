import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrate.js';

export type DialectName = 'sqlite' | 'postgres';

/**
 * An open store: `db` is the operational handle, which also reads and writes the message log as
 * `hl7log.*`. The intake does not append through it: on SQLite its commits run on the log writer
 * thread's own connection (see log-appender.ts), so a worker transaction never delays an ACK.
 */
export interface Store {
  readonly dialect: DialectName;
  readonly db: Kysely<Database>;
  /** SQLite only: the raw log file, which the intake's writer thread opens for itself. */
  readonly sqliteLogPath?: string;
  /** Human-readable location without credentials, for logs. */
  readonly location: string;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Directory for the SQLite files (ignored with a PostgreSQL URL). */
  dataDir: string;
  /** postgres:// or postgresql:// switches to PostgreSQL. */
  databaseUrl?: string | undefined;
  /** Run migrations when opening (serve does; CLI verbs beside a running server do too, it is idempotent). */
  migrate?: boolean;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

export const SQLITE_OPS_FILE = 'carecoord.db';
export const SQLITE_LOG_FILE = 'hl7-log.db';

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}

/** Open (and by default migrate) the store selected by the options. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const store = isPostgresUrl(options.databaseUrl)
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10)
    : openSqlite(options.dataDir);
  if (options.migrate !== false) {
    try {
      await migrateToLatest(store.db, store.dialect);
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}

/**
 * The raw log (hl7log) is always synchronous=FULL: every COMMIT is fsynced before it returns, so an
 * ACK never precedes durability. The operational database uses synchronous=NORMAL (still atomic in
 * WAL mode, survives a process crash; an OS crash or power loss may roll back its last commits):
 * everything the workers write there is derived from the durable log and commits together with the
 * entries' processed marks, so lost commits are simply processed again, never half-applied.
 */
function sqliteConnection(mainPath: string, logPath: string): SqliteDatabase.Database {
  const conn = new SqliteDatabase(mainPath);
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = NORMAL');
  conn.pragma('busy_timeout = 10000');
  conn.pragma('foreign_keys = ON');
  conn.prepare('ATTACH DATABASE ? AS hl7log').run(logPath);
  conn.pragma('hl7log.journal_mode = WAL');
  conn.pragma('hl7log.synchronous = FULL');
  return conn;
}

function openSqlite(dataDir: string): Store {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const opsPath = join(dir, SQLITE_OPS_FILE);
  const logPath = join(dir, SQLITE_LOG_FILE);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqliteConnection(opsPath, logPath) }) });
  let closed = false;
  return {
    dialect: 'sqlite',
    db,
    sqliteLogPath: logPath,
    location: dir,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

function openPostgres(url: string, poolSize: number): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // int8 (bigserial ids, epoch-ms times) as JS numbers: exact up to 2^53.
    types: { getTypeParser: (oid: number, format?: string) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) },
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    dialect: 'postgres',
    db,
    location: redactUrl(url),
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

/** postgres://user:secret@host/db -> postgres://user@host/db */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}
