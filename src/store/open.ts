import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import {
  KeyError, KeyErrorCode, Keyring, keySourceFromEnv, resolveMasterKey, sqlcipherRawKey, type KeySource, type MasterKey, type ResolvedMasterKey,
} from '../keys/index.js';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrate.js';
import { KeyringPlugin, loadKeyring } from './data-keys.js';

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
  /** The data keys (and the master key they are wrapped under); also reachable from `db` with keyringOf. */
  readonly keyring: Keyring;
  /** Where the master key came from (undefined when the caller passed one). */
  readonly masterKeyOrigin?: Omit<ResolvedMasterKey, 'key'>;
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
  /** Where to find the master key; default: the environment (CARECOORD_KEY_FILE, CARECOORD_MASTER_KEY, default file). */
  keys?: KeySource;
  /** An already resolved master key (the processing thread gets the server's). */
  masterKey?: MasterKey;
  /** Told when a new master key was generated (default: one line on stderr). */
  onKeyGenerated?: (path: string, fingerprint: string) => void;
  /** Runs after migrations, before the data keys are read (master key rotation re-wraps them here). */
  beforeKeyring?: (db: Kysely<Database>) => Promise<void>;
}

export const SQLITE_OPS_FILE = 'carecoord.db';
export const SQLITE_LOG_FILE = 'hl7-log.db';

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Open (and by default migrate) the store selected by the options, keyed: the SQLite files are
 * encrypted with the master key's SQLite subkeys, and the data keys are loaded (the first one is
 * created in a new store). Fails with a KeyError when the key does not open the store.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const postgres = isPostgresUrl(options.databaseUrl);
  const dir = resolve(options.dataDir);
  let origin: ResolvedMasterKey | undefined;
  let master = options.masterKey;
  if (!master) {
    origin = resolveMasterKey(options.keys ?? keySourceFromEnv(process.env), {
      dataDir: dir,
      existingDataFiles: postgres ? [] : [join(dir, SQLITE_OPS_FILE), join(dir, SQLITE_LOG_FILE)],
    });
    master = origin.key;
    if (origin.origin === 'generated') {
      (options.onKeyGenerated ?? ((path, fp) => process.stderr.write(
        `carecoord: generated a new master key ${path} (fingerprint ${fp}); back it up separately from the data: without it the data cannot be read\n`)))(origin.path!, master.fingerprint);
    }
  }
  const keyring = new Keyring(master);
  const opened = postgres ? openPostgres(options.databaseUrl!, options.poolSize ?? 10, keyring) : openSqlite(dir, keyring);
  const store: Store = origin ? { ...opened, masterKeyOrigin: { origin: origin.origin, path: origin.path, warnings: origin.warnings } } : opened;
  try {
    if (options.migrate !== false) await migrateToLatest(store.db, store.dialect);
    await options.beforeKeyring?.(store.db);
    await loadKeyring(store.db, keyring, Date.now());
  } catch (err) {
    await store.close();
    throw err;
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
function sqliteConnection(mainPath: string, logPath: string, master: MasterKey): SqliteDatabase.Database {
  refuseUnencrypted(mainPath);
  refuseUnencrypted(logPath);
  const conn = new SqliteDatabase(mainPath);
  try {
    keySqlite(conn, master.sqliteKey(SQLITE_OPS_FILE));
    checkKeyed(conn, 'main', mainPath, master);
    conn.pragma('journal_mode = WAL');
    conn.pragma('synchronous = NORMAL');
    conn.pragma('busy_timeout = 10000');
    conn.pragma('foreign_keys = ON');
    // The cipher set on the connection applies to attached files; KEY gives the log file its own subkey.
    conn.prepare('ATTACH DATABASE ? AS hl7log KEY ?').run(logPath, sqlcipherRawKey(master.sqliteKey(SQLITE_LOG_FILE)));
    checkKeyed(conn, 'hl7log', logPath, master);
    conn.pragma('hl7log.journal_mode = WAL');
    conn.pragma('hl7log.synchronous = FULL');
    return conn;
  } catch (err) {
    conn.close();
    throw err;
  }
}

/**
 * SQLite3 Multiple Ciphers with the SQLCipher v4 scheme (legacy=4): AES-256-CBC per page with an
 * HMAC-SHA512 per page, the WAL encrypted the same way. The key is raw (x'..', no PBKDF2): it is
 * already a uniformly random HKDF output. Must run before the first read of the file.
 */
export function keySqlite(conn: SqliteDatabase.Database, key: Buffer): void {
  conn.pragma(`cipher = 'sqlcipher'`);
  conn.pragma('legacy = 4');
  conn.key(sqlcipherRawKey(key));
}

/**
 * One more keyed connection to a store's SQLite file (a bulk loader, a probe, a test's second
 * writer): the file's own subkey, checked before use.
 */
export function openSqliteFile(path: string, master: MasterKey, options: SqliteDatabase.Options = {}): SqliteDatabase.Database {
  refuseUnencrypted(path);
  const conn = new SqliteDatabase(path, options);
  try {
    keySqlite(conn, master.sqliteKey(basename(path)));
    checkKeyed(conn, 'main', path, master);
    return conn;
  } catch (err) {
    conn.close();
    throw err;
  }
}

/** A wrong key reads as "file is not a database": say which key and file instead. */
function checkKeyed(conn: SqliteDatabase.Database, schema: string, path: string, master: MasterKey): void {
  try {
    conn.prepare(`SELECT count(*) FROM ${schema}.sqlite_master`).get();
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_NOTADB') throw err;
    throw new KeyError(KeyErrorCode.KeyMismatch,
      `the master key (fingerprint ${master.fingerprint}) does not open ${path}: it was created with another key (set CARECOORD_KEY_FILE to that key)`);
  }
  const cipher = conn.pragma(`${schema}.cipher`, { simple: true });
  if (cipher !== 'sqlcipher') throw new KeyError(KeyErrorCode.KeyMismatch, `${path} is not using the sqlcipher scheme (${String(cipher)})`);
}

const PLAIN_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** A file from before encryption at rest starts with the plain SQLite header: refuse, name the remedy. */
function refuseUnencrypted(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return;
  }
  try {
    const head = Buffer.alloc(16);
    if (readSync(fd, head, 0, 16, 0) === 16 && head.equals(PLAIN_HEADER)) {
      throw new KeyError(KeyErrorCode.DataUnencrypted, `${path} is not encrypted (written before encryption at rest): run carecoord keys encrypt-data-dir with the server stopped`);
    }
  } finally {
    closeSync(fd);
  }
}

function openSqlite(dir: string, keyring: Keyring): Omit<Store, 'masterKeyOrigin'> {
  mkdirSync(dir, { recursive: true });
  const opsPath = join(dir, SQLITE_OPS_FILE);
  const logPath = join(dir, SQLITE_LOG_FILE);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqliteConnection(opsPath, logPath, keyring.master) }),
    plugins: [new KeyringPlugin(keyring)],
  });
  let closed = false;
  return {
    dialect: 'sqlite',
    db,
    keyring,
    sqliteLogPath: logPath,
    location: dir,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

function openPostgres(url: string, poolSize: number, keyring: Keyring): Omit<Store, 'masterKeyOrigin'> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // int8 (bigserial ids, epoch-ms times) as JS numbers: exact up to 2^53.
    types: { getTypeParser: (oid: number, format?: string) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) },
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new KeyringPlugin(keyring)] });
  let closed = false;
  return {
    dialect: 'postgres',
    db,
    keyring,
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
