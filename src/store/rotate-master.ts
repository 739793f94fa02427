import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Kysely } from 'kysely';
import { KeyError, KeyErrorCode, keySourceFromEnv, resolveMasterKey, sqlcipherRawKey, unwrapDataKey, wrapDataKey, type KeySource, type MasterKey } from '../keys/index.js';
import { openSqliteFile, openStore, isPostgresUrl, SQLITE_LOG_FILE, SQLITE_OPS_FILE } from './open.js';
import type { Database } from './schema.js';

export interface RotateMasterOptions {
  dataDir: string;
  databaseUrl: string | undefined;
  /** The key file of the new master key (checked like CARECOORD_KEY_FILE: not inside the data dir). */
  newKeyFile: string;
  /** The current key's source; default: the environment. */
  keys?: KeySource;
}

/**
 * Master key rotation: the SQLite files are re-keyed (SQLite3MC rekey, outside WAL mode: the server
 * must be stopped), then every data key is unwrapped with the old master key and wrapped under the
 * new one, in one transaction. Resumable: a file the new key already opens and a data key already
 * wrapped under it are skipped, so a run cut short is simply run again with the same keys.
 */
export async function rotateMasterKey(options: RotateMasterOptions): Promise<{ rewrapped: number; rekeyedFiles: string[]; newKey: MasterKey }> {
  const dir = resolve(options.dataDir);
  const postgres = isPostgresUrl(options.databaseUrl);
  const files = postgres ? [] : [join(dir, SQLITE_OPS_FILE), join(dir, SQLITE_LOG_FILE)];
  const next = resolveMasterKey({ keyFile: options.newKeyFile, defaultKeyFile: options.newKeyFile }, { dataDir: dir, existingDataFiles: [] }).key;
  const old = resolveMasterKey(options.keys ?? keySourceFromEnv(process.env), { dataDir: dir, existingDataFiles: files, generate: false }).key;
  if (old.fingerprint === next.fingerprint) throw new KeyError(KeyErrorCode.KeyInvalid, 'the new master key is the current one');
  const rekeyedFiles = files.filter((f) => existsSync(f) && rekeyFile(f, old, next));
  let rewrapped = 0;
  const store = await openStore({
    dataDir: dir, databaseUrl: options.databaseUrl, masterKey: next, migrate: false,
    beforeKeyring: async (db) => void (rewrapped = await rewrapDataKeys(db, old, next)),
  });
  await store.close();
  return { rewrapped, rekeyedFiles: rekeyedFiles.map((f) => f.slice(dir.length + 1)), newKey: next };
}

/** True when the file was re-keyed now; false when the new key already opens it. */
function rekeyFile(path: string, old: MasterKey, next: MasterKey): boolean {
  try {
    openSqliteFile(path, next).close();
    return false;
  } catch (err) {
    if (!(err instanceof KeyError) || err.code !== KeyErrorCode.KeyMismatch) throw err;
  }
  const conn = openSqliteFile(path, old);
  try {
    // SQLite3MC cannot re-key in WAL mode; leaving WAL needs the only connection (a running server refuses it).
    conn.pragma('busy_timeout = 0');
    const mode = conn.pragma('journal_mode = DELETE', { simple: true });
    if (mode !== 'delete') throw new KeyError(KeyErrorCode.KeyMismatch, `${path} is in use: stop carecoord before rotating the master key`);
    conn.rekey(sqlcipherRawKey(next.sqliteKey(basename(path))));
    conn.pragma('journal_mode = WAL');
    return true;
  } finally {
    conn.close();
  }
}

/**
 * Encrypt the SQLite files of a data directory written before encryption at rest, in place, with
 * the configured master key (server stopped). Their message bodies stay plaintext rows until
 * `keys reseal` seals them. Returns the files encrypted now.
 */
export function encryptDataDir(dataDir: string, keys?: KeySource): string[] {
  const dir = resolve(dataDir);
  const files = [join(dir, SQLITE_OPS_FILE), join(dir, SQLITE_LOG_FILE)].filter((f) => existsSync(f));
  const master = resolveMasterKey(keys ?? keySourceFromEnv(process.env), { dataDir: dir, existingDataFiles: [] }).key;
  const done: string[] = [];
  for (const f of files) {
    const conn = new SqliteDatabase(f);
    try {
      const plain = (() => {
        try {
          conn.prepare('SELECT count(*) FROM sqlite_master').get();
          return true;
        } catch {
          return false;
        }
      })();
      if (!plain) continue;
      conn.pragma('busy_timeout = 0');
      if (conn.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') throw new KeyError(KeyErrorCode.KeyMismatch, `${f} is in use: stop carecoord first`);
      conn.pragma(`cipher = 'sqlcipher'`);
      conn.pragma('legacy = 4');
      conn.rekey(sqlcipherRawKey(master.sqliteKey(basename(f))));
      conn.pragma('journal_mode = WAL');
      done.push(basename(f));
    } finally {
      conn.close();
    }
  }
  return done;
}

/** Re-wrap every data key not yet under `next`; one transaction. Returns how many. */
export async function rewrapDataKeys(db: Kysely<Database>, old: MasterKey, next: MasterKey): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('data_key').select(['id', 'wrapped', 'master_fp']).where('master_fp', '<>', next.fingerprint).execute();
    for (const r of rows) {
      const key = unwrapDataKey(old.wrapKey, Number(r.id), r.wrapped);
      if (!key) throw new KeyError(KeyErrorCode.KeyMismatch, `data key ${r.id} is not wrapped under the current master key (fingerprint ${old.fingerprint})`);
      await trx.updateTable('data_key').set({ wrapped: wrapDataKey(next.wrapKey, Number(r.id), key), master_fp: next.fingerprint }).where('id', '=', r.id).execute();
    }
    return rows.length;
  });
}
