import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { Kysely, SqliteDialect, sql, type Insertable } from 'kysely';
import { canonicalJson, type Demographics, type PatientIdentifier } from '../patients/index.js';
import { flatColumns, type Provenance } from './patients.js';
import type { Database } from './schema.js';
import type { MasterKey } from '../keys/index.js';
import { openSqliteFile } from './open.js';

/**
 * Bulk load of known-distinct patients (`carecoord patient import`): for each, the rows createPatient,
 * addIdentifiers and refreshMatchKeys would write (the patient with its flat columns and canonical
 * demographics JSON, its current name, its identifier, its match keys), built by the same functions for
 * both dialects. A loader commits one transaction per batch; no matching, no decision log.
 * A row whose identifier a patient already holds (in the store, or earlier in the batch) is skipped,
 * so a re-run loads only what is new.
 */

/** One patient to load: its identifier, demographics and the matcher's blocking keys of them. */
export interface ImportPatient {
  identifier: PatientIdentifier;
  demographics: Demographics;
  matchKeys: readonly string[];
}

export interface ImportBatchResult {
  /** Patient id of each input row, in input order; undefined for a skipped row. */
  patientIds: (number | undefined)[];
  /** Input indexes whose identifier a patient already holds. */
  existing: number[];
}

/** Work that must commit with a batch (its audit entry): run last, inside the batch's transaction. */
export type BatchFinish = (trx: Kysely<Database>, result: ImportBatchResult) => Promise<void>;

export interface PatientLoader {
  /** Loads a batch in one transaction (all of it or nothing), `finish` last inside it. */
  load(rows: readonly ImportPatient[], p: Provenance, finish?: BatchFinish): Promise<ImportBatchResult>;
  close(): Promise<void>;
}

type Rows = {
  patient: Insertable<Database['patient']> & { id: number };
  name: Insertable<Database['patient_name']>[];
  identifier: Insertable<Database['patient_identifier']>;
  keys: Insertable<Database['patient_match_key']>[];
};

/** The rows of one patient, as the message path writes them (status active: the file has no deaths). */
function rowsOf(id: number, r: ImportPatient, p: Provenance): Rows {
  const x = r.identifier;
  return {
    patient: { id, status: 'active', merged_into: null, ...flatColumns(r.demographics), demographics: canonicalJson(r.demographics), source_entry_id: p.sourceEntryId, created_at: p.at, updated_at: p.at },
    name: r.demographics.names.map((n) => ({
      patient_id: id, family: n.family || null, given: n.given || null, middle: n.middle || null, prefix: n.prefix || null, suffix: n.suffix || null, name_type: n.type || null, valid_from: p.at, valid_to: null, source_entry_id: p.sourceEntryId,
    })),
    identifier: { patient_id: id, authority: x.authority, value: x.value, type_code: x.typeCode || null, facility: x.facility || null, moved_from: null, source_entry_id: p.sourceEntryId, created_at: p.at },
    keys: [...new Set(r.matchKeys)].map((k) => ({ match_key: k, patient_id: id })),
  };
}

/** Splits rows into those to load and the indexes of those whose identifier is held (`isHeld`, or earlier in the batch). */
function partition(rows: readonly ImportPatient[], isHeld: (id: PatientIdentifier) => boolean): { fresh: number[]; existing: number[] } {
  const seen = new Set<string>();
  const fresh: number[] = [];
  const existing: number[] = [];
  for (const [i, r] of rows.entries()) {
    const key = `${r.identifier.authority}\u0000${r.identifier.value}`;
    if (seen.has(key) || isHeld(r.identifier)) existing.push(i);
    else fresh.push(i);
    seen.add(key);
  }
  return { fresh, existing };
}

// ---------------------------------------------------------------------------------------------
// SQLite

/** Rows per multi-row INSERT on SQLite (its statement and sqlite_sequence overhead is paid per statement). */
const SQLITE_ROWS_PER_STATEMENT = 100;

/**
 * Appends rows of one table through two prepared statements: one of SQLITE_ROWS_PER_STATEMENT rows,
 * and a one-row statement for the rest at flush(). Columns are those of the first row (rowsOf builds
 * every row of a table with the same keys in the same order).
 */
function sqliteInserter(conn: SqliteDatabase.Database, table: string) {
  let columns: string[] | undefined;
  let many: SqliteDatabase.Statement | undefined;
  let one: SqliteDatabase.Statement | undefined;
  let values: unknown[] = [];
  let pending = 0;
  const statement = (rows: number) => {
    const tuple = `(${columns!.map(() => '?').join(', ')})`;
    return conn.prepare(`INSERT INTO ${table} (${columns!.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`);
  };
  return {
    add(row: object) {
      if (!columns) {
        columns = Object.keys(row);
        many = statement(SQLITE_ROWS_PER_STATEMENT);
        one = statement(1);
      }
      values.push(...Object.values(row));
      if (++pending === SQLITE_ROWS_PER_STATEMENT) {
        many!.run(values);
        values = [];
        pending = 0;
      }
    },
    flush() {
      const width = columns?.length ?? 0;
      for (let i = 0; i < pending; i++) one!.run(values.slice(i * width, (i + 1) * width));
      values = [];
      pending = 0;
    },
  };
}

/**
 * SQLite: a connection of its own (same file, same settings as the store's) with statements prepared
 * once: Kysely's driver prepares every statement it runs, which dominates a million-row load. A batch's
 * transaction takes the write lock with its first statement, so the identifier check and the inserts see
 * one state, and ids above the last one handed out are ours (AUTOINCREMENT moves past them). `finish`
 * gets a Kysely handle on this connection, inside the transaction.
 */
export function sqlitePatientLoader(file: string, master: MasterKey): PatientLoader {
  const conn = openSqliteFile(file, master);
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = NORMAL');
  conn.pragma('busy_timeout = 10000');
  conn.pragma('foreign_keys = ON');
  // A 1 GiB page cache: the match-key index of a million patients does not fit the 2 MiB default.
  conn.pragma('cache_size = -1048576');
  const tables = { patient: sqliteInserter(conn, 'patient'), name: sqliteInserter(conn, 'patient_name'), identifier: sqliteInserter(conn, 'patient_identifier'), key: sqliteInserter(conn, 'patient_match_key') };
  const held = conn.prepare('SELECT 1 FROM patient_identifier WHERE authority = ? AND value = ?').pluck();
  const lastId = conn.prepare("SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'patient'), 0), coalesce((SELECT max(id) FROM patient), 0))").pluck();
  // An UPDATE that matches no row, for the write lock only (as BEGIN IMMEDIATE would take it).
  const takeWriteLock = conn.prepare('UPDATE patient SET status = status WHERE id = 0');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: conn }) });
  const loadRows = (rows: readonly ImportPatient[], p: Provenance): ImportBatchResult => {
    takeWriteLock.run();
    const last = Number(lastId.get());
    const { fresh, existing } = partition(rows, (x) => held.get(x.authority, x.value) !== undefined);
    const patientIds: (number | undefined)[] = rows.map(() => undefined);
    const all = fresh.map((i, k) => {
      patientIds[i] = last + 1 + k;
      return rowsOf(last + 1 + k, rows[i]!, p);
    });
    // Table by table, parents first: the foreign keys are checked row by row.
    for (const r of all) tables.patient.add(r.patient);
    tables.patient.flush();
    for (const r of all) for (const n of r.name) tables.name.add(n);
    for (const r of all) tables.identifier.add(r.identifier);
    for (const r of all) for (const key of r.keys) tables.key.add(key);
    for (const t of [tables.name, tables.identifier, tables.key]) t.flush();
    return { patientIds, existing };
  };
  return {
    load: (rows, p, finish) =>
      kysely.transaction().execute(async (trx) => {
        const result = loadRows(rows, p);
        if (finish) await finish(trx, result);
        return result;
      }),
    close: () => kysely.destroy(),
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** Bound parameters per statement, under PostgreSQL's 65,535. */
const MAX_PARAMS = 30_000;

async function insertChunked<T extends object>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  if (rows.length === 0) return;
  const size = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(rows[0]!).length));
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

/** The (authority, value) pairs of `ids` that a patient already holds, as "authority\0value". */
async function heldIdentifiers(db: Kysely<Database>, ids: readonly PatientIdentifier[]): Promise<Set<string>> {
  const held = new Set<string>();
  const byAuthority = new Map<string, string[]>();
  for (const id of ids) {
    const values = byAuthority.get(id.authority);
    if (values) values.push(id.value);
    else byAuthority.set(id.authority, [id.value]);
  }
  for (const [authority, values] of byAuthority) {
    for (let i = 0; i < values.length; i += MAX_PARAMS) {
      const found = await db.selectFrom('patient_identifier').select('value').where('authority', '=', authority).where('value', 'in', values.slice(i, i + MAX_PARAMS)).execute();
      for (const r of found) held.add(`${authority}\u0000${r.value}`);
    }
  }
  return held;
}

/** One batch inside the caller's transaction: ids from the patient sequence, multi-row INSERTs. */
export async function importPatientBatchPostgres(db: Kysely<Database>, rows: readonly ImportPatient[], p: Provenance): Promise<ImportBatchResult> {
  const held = await heldIdentifiers(db, rows.map((r) => r.identifier));
  const { fresh, existing } = partition(rows, (x) => held.has(`${x.authority}\u0000${x.value}`));
  const ids = fresh.length === 0 ? [] : (await sql<{ id: number }>`SELECT nextval(pg_get_serial_sequence('patient', 'id')) AS id FROM generate_series(1, ${fresh.length})`.execute(db)).rows.map((r) => Number(r.id));
  const patientIds: (number | undefined)[] = rows.map(() => undefined);
  const all = fresh.map((i, k) => {
    patientIds[i] = ids[k];
    return rowsOf(ids[k]!, rows[i]!, p);
  });
  await insertChunked(all.map((r) => r.patient), (chunk) => db.insertInto('patient').values(chunk).execute());
  await insertChunked(all.flatMap((r) => r.name), (chunk) => db.insertInto('patient_name').values(chunk).execute());
  await insertChunked(all.map((r) => r.identifier), (chunk) => db.insertInto('patient_identifier').values(chunk).execute());
  await insertChunked(all.flatMap((r) => r.keys), (chunk) => db.insertInto('patient_match_key').values(chunk).execute());
  return { patientIds, existing };
}

/**
 * PostgreSQL: each batch in a transaction of `db`. A concurrent writer inserting one of the batch's
 * identifiers meanwhile makes the batch fail on the unique index (nothing of it is kept; a re-run loads it).
 */
export function postgresPatientLoader(db: Kysely<Database>): PatientLoader {
  return {
    load: (rows, p, finish) =>
      db.transaction().execute(async (trx) => {
        const result = await importPatientBatchPostgres(trx, rows, p);
        if (finish) await finish(trx, result);
        return result;
      }),
    close: async () => undefined,
  };
}
