import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import { openStore, type DialectName, type Store } from '../../src/store/open.js';

/**
 * The dialects a store or pipeline test runs on: SQLite always, PostgreSQL when DATABASE_URL is set
 * (as .ci/run does). Loop over it with describe.each so one suite covers both.
 */
export const DIALECTS: DialectName[] = process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDatabase {
  dialect: DialectName;
  /** SQLite data directory (always created: PostgreSQL runs still use it for nothing else). */
  dataDir: string;
  /** Set for PostgreSQL: a database of its own, dropped by cleanup. */
  databaseUrl: string | undefined;
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

/** A fresh, empty database of the given dialect. */
export async function freshDatabase(dialect: DialectName): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carecoord-test-'));
  let databaseUrl: string | undefined;
  let dbName: string | undefined;
  if (dialect === 'postgres') {
    const admin = process.env.DATABASE_URL!;
    dbName = `cc_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE DATABASE ${dbName}`);
    await client.end();
    const u = new URL(admin);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  return {
    dialect,
    dataDir,
    databaseUrl,
    open: () => openStore({ dataDir, databaseUrl }),
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      if (dbName) {
        const client = new pg.Client({ connectionString: process.env.DATABASE_URL! });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await client.end();
      }
    },
  };
}

/**
 * Inside a describe: a fresh, migrated store for each test, closed and dropped after it.
 * Read `.store` / `.tdb` inside the tests.
 */
export function useFreshStore(dialect: DialectName): { readonly store: Store; readonly tdb: TestDatabase } {
  const current = {} as { store: Store; tdb: TestDatabase };
  beforeEach(async () => {
    current.tdb = await freshDatabase(dialect);
    current.store = await current.tdb.open();
  });
  afterEach(async () => {
    await current.store.close();
    await current.tdb.cleanup();
  });
  return current;
}
