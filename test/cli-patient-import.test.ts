import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { progressLine } from '../src/cli/patient-import.js';
import { resolvePatient } from '../src/identity/resolve.js';
import { incoming, MARGARET, mrn } from '../src/identity/store-testing.js';
import { refreshMatchKeys } from '../src/store/identity.js';
import type { Store } from '../src/store/open.js';
import { findByIdentifier } from '../src/store/patients.js';
import { dbEnv, killStrayCli, runCli, type CliResult } from './support/cli.js';
import { DIALECTS, freshDatabase, type TestDatabase } from './support/stores.js';

/**
 * `carecoord patient import FILE` through the built binary: a bulk load of known-distinct patients
 * whose rows, names, identifiers and match keys are those a message would have created, so the
 * matcher finds them afterwards.
 */
const HEADER = 'mrn,authority,family,given,middle,birth_date,sex,address_line,city,state,postcode,phone,ssn_last4';
const ROWS = [
  'A-1,MPI,Baker,Margaret,Ann,1940-09-22,F,12 Oak Street,Springfield,IL,62701,217-555-0123,',
  'A-2,MPI,Jones,Robert,,1955-03-12,M,"4 Elm St, Apt 2",Springfield,IL,62702,,4321',
  'A-3,MPI,Nguyen,Thi,,1988-11-30,F,,,,,(217) 555-0199,',
];

describe.each(DIALECTS)('carecoord patient import on %s', (dialect) => {
  let tdb: TestDatabase | undefined;
  let env: Record<string, string> = {};

  const csv = (name: string, lines: string[]): string => {
    const file = join(tdb!.dataDir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  const importFile = (file: string, ...args: string[]): Promise<CliResult> => runCli(['patient', 'import', file, '--data-dir', tdb!.dataDir, ...args], env);
  async function withStore<T>(work: (db: Store['db']) => Promise<T>): Promise<T> {
    const store = await tdb!.open();
    try {
      return await work(store.db);
    } finally {
      await store.close();
    }
  }
  const countPatients = () => withStore(async (db) => Number((await db.selectFrom('patient').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n));

  beforeEach(async () => {
    tdb = await freshDatabase(dialect);
    env = dbEnv(tdb);
  });

  afterEach(async () => {
    killStrayCli();
    await tdb?.cleanup();
    tdb = undefined;
  });

  it('imports a small CSV; a record of the same person under another MRN then auto-links to the imported patient', async () => {
    const r = await importFile(csv('mpi.csv', [HEADER, ...ROWS]), '--by', 'admin.lee');
    expect([r.code, r.stdout]).toEqual([0, 'imported 3 patients\n']);
    expect(r.stderr).toMatch(/^import: 3\/3 rows 100% [\d,]+ rows\/s ETA 0s\n$/);
    await withStore(async (db) => {
      const audit = await db.selectFrom('audit_log').select(['actor', 'action', 'entity_type', 'source', 'detail']).where('entity_type', '=', 'patient-import').execute();
      expect(audit.map((a) => ({ ...a, detail: JSON.parse(a.detail) }))).toEqual([{
        actor: 'admin.lee', action: 'create', entity_type: 'patient-import', source: 'cli',
        detail: expect.objectContaining({ command: 'patient import', file: 'mpi.csv', lines: '2-4', imported: 3, skipped: 0, patientIds: [expect.any(Number), expect.any(Number)] }),
      }]);
      const margaret = await findByIdentifier(db, 'MPI', 'A-1');
      expect(margaret).toMatchObject({ status: 'active', demographics: { birthDate: '1940-09-22', sex: 'F', names: [{ family: 'Baker', given: 'Margaret', middle: 'Ann' }] } });
      const robert = await findByIdentifier(db, 'MPI', 'A-2');
      expect(robert?.demographics.addresses[0]).toMatchObject({ line: '4 Elm St, Apt 2', city: 'Springfield' });
      const linked = await resolvePatient(db, incoming(MARGARET, mrn('G-77', 'GENHOSP')), { sourceEntryId: null, at: 5_000, updateDemographics: true });
      expect(linked).toMatchObject({ via: 'auto-link', patientId: margaret!.id });
      expect((await findByIdentifier(db, 'GENHOSP', 'G-77'))?.id).toBe(margaret!.id);
    });
  });

  it('writes the rows a message would have created: same columns, demographics, name and match keys', async () => {
    await importFile(csv('mpi.csv', [HEADER, ROWS[0]!]));
    await withStore(async (db) => {
      const imported = (await findByIdentifier(db, 'MPI', 'A-1'))!.id;
      const created = (await resolvePatient(db, incoming(MARGARET, mrn('Z-1', 'OTHER')), { sourceEntryId: null, at: 5_000, updateDemographics: true, probabilistic: false })).patientId;
      const row = async (id: number) => {
        const { id: _id, created_at: _c, updated_at: _u, ...rest } = await db.selectFrom('patient').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        const name = await db.selectFrom('patient_name').select(['family', 'given', 'middle', 'prefix', 'suffix', 'name_type', 'valid_to']).where('patient_id', '=', id).execute();
        const keys = (await db.selectFrom('patient_match_key').select('match_key').where('patient_id', '=', id).orderBy('match_key').execute()).map((k) => k.match_key);
        return { rest, name, keys };
      };
      const a = await row(imported);
      expect(a).toEqual(await row(created));
      expect(a.keys.length).toBeGreaterThan(5);
      expect((await refreshMatchKeys(db, imported)).sort()).toEqual(a.keys);
    });
  });

  it('a re-run imports nothing new and names the rows it skipped', async () => {
    const file = csv('mpi.csv', [HEADER, ...ROWS]);
    expect((await importFile(file)).code).toBe(0);
    const again = await importFile(file, '--batch', '2');
    expect([again.code, again.stdout]).toEqual([0, 'imported 0 patients\nskipped 3 rows whose identifier a patient already holds (line 2, 3, 4)\n']);
    expect(await countPatients()).toBe(3);
  });

  it('reports a bad row with its line number, imports the others, and keeps only the last four digits of a full SSN', async () => {
    const r = await importFile(csv('bad.csv', [
      'mrn,authority,family,given,birth_date,sex,ssn',
      'B-1,MPI,Okafor,Chidi,1971-04-05,M,123-45-6789',
      'B-2,MPI,Lind,Eva,1950-02-30,F,',
      'B-3,MPI,Lind,Eva,1950-02-03,X,',
      'B-4,MPI,Lind,Eva,1950-02-03,F',
      'B-5,MPI,Lind,Eva,1950-02-03,F,12345',
    ]));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('line 3: birth_date "1950-02-30" is not a YYYY-MM-DD date\n');
    expect(r.stderr).toContain('line 4: sex "X" is not one of F, M, O, U, A, N\n');
    expect(r.stderr).toContain('line 5: 6 fields, the header has 7\n');
    expect(r.stderr).toContain('line 6: ssn_last4 must hold 4 digits (or a full 9-digit SSN, of which only the last four are kept); it has 5\n');
    expect(r.stdout).toBe('imported 1 patient\n1 row carried a full SSN: only its last four digits were kept\nrejected 4 bad rows (listed above)\n');
    expect(`${r.stdout}${r.stderr}`).not.toContain('12345');
    await withStore(async (db) => {
      const rows = await db.selectFrom('patient').select(['ssn_last4', 'demographics']).execute();
      expect(rows.map((x) => x.ssn_last4)).toEqual(['6789']);
      expect(rows[0]!.demographics).not.toMatch(/123-?45/);
    });
  });

  it('refuses a header with an unknown or missing column before writing anything (exit 2)', async () => {
    const unknown = await importFile(csv('h1.csv', ['mrn,authority,family,dob', 'C-1,MPI,Smith,1950-01-01']));
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('line 1: unknown column "dob" (columns: mrn, authority, family, given,')]);
    const missing = await importFile(csv('h2.csv', ['mrn,family', 'C-1,Smith']));
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('line 1: missing column authority')]);
    expect((await importFile(csv('h3.csv', [HEADER]), '--format', 'json')).stderr).toContain('--format json is not supported (csv)');
    expect(await countPatients()).toBe(0);
  });
});

describe('progressLine', () => {
  it('shows rows done of the total, the rate and the time left, with a bar when it has a width', () => {
    expect(progressLine(250_000, 1_000_000, 10, 20)).toBe('[#####---------------] 250,000/1,000,000 rows 25% 25,000 rows/s ETA 30s');
    expect(progressLine(500, 1_000, 0, 0)).toBe('import: 500/1,000 rows 50% 0 rows/s ETA 0s');
    expect(progressLine(10_000, 1_000_000, 1, 0)).toBe('import: 10,000/1,000,000 rows 1% 10,000 rows/s ETA 1m39s');
  });
});
