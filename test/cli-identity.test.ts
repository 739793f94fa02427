import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolvePatient } from '../src/identity/resolve.js';
import { incoming, MARGARET, mrn } from '../src/identity/store-testing.js';
import { listDecisions } from '../src/store/identity.js';
import { getPatient } from '../src/store/patients.js';
import { dbEnv, killStrayCli, parseJsonLines, runCli, type CliResult } from './support/cli.js';
import { DIALECTS, freshDatabase, type TestDatabase } from './support/stores.js';

/**
 * `carecoord review ...` and `carecoord patient ...` through the built binary, on a database seeded with
 * Margaret Baker (known at GENHOSP, then sent again by a clinic with a birth-date typo: parked for review)
 * and two unrelated patients.
 */
describe.each(DIALECTS)('carecoord review and patient on %s', (dialect) => {
  let tdb: TestDatabase | undefined;
  let env: Record<string, string> = {};
  let ids: { margaret: number; staging: number; reviewId: number; robert: number; alias: number };

  const cli = (...args: string[]): Promise<CliResult> => runCli([...args, '--data-dir', tdb!.dataDir], env);
  async function ok(...args: string[]): Promise<string> {
    const r = await cli(...args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout;
  }

  beforeEach(async () => {
    tdb = await freshDatabase(dialect);
    env = dbEnv(tdb);
    const store = await tdb.open();
    try {
      const o = (at: number) => ({ sourceEntryId: null, at, updateDemographics: true });
      const margaret = await resolvePatient(store.db, incoming(MARGARET, mrn('MRN-1', 'GENHOSP')), o(1_000));
      const parked = await resolvePatient(store.db, incoming({ given: 'Margaret', family: 'Baker', birthDate: '1940-09-23', sex: 'F' }, mrn('B-9', 'NORTHCLINIC')), o(2_000));
      const robert = await resolvePatient(store.db, incoming({ given: 'Robert', family: 'Jones', birthDate: '1955-03-12', sex: 'M' }, mrn('MRN-10', 'GENHOSP')), o(3_000));
      const alias = await resolvePatient(store.db, incoming({ given: 'Alpha', family: 'Trauma', birthDate: '1900-01-01' }, mrn('MRN-11', 'GENHOSP')), o(4_000));
      expect([margaret.via, parked.via, robert.via, alias.via]).toEqual(['new', 'review', 'new', 'new']);
      ids = { margaret: margaret.patientId, staging: parked.patientId, reviewId: parked.reviewId!, robert: robert.patientId, alias: alias.patientId };
    } finally {
      await store.close();
    }
  });

  afterEach(async () => {
    killStrayCli();
    await tdb?.cleanup();
    tdb = undefined;
  });

  it('review list shows the open review with its best candidate; --json one object per review', async () => {
    const lines = (await ok('review', 'list')).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +STATUS +CREATED +PATIENT +BEST +WEIGHT +GRADE +CANDIDATES +DECIDED BY$/);
    expect(lines[1]).toMatch(new RegExp(`^${ids.reviewId} +open +\\S+ \\S+ +${ids.staging} +${ids.margaret} +[\\d.]+ +probable +1 +-$`));
    const [row] = parseJsonLines<{ id: number; best: { patientId: number } }>(await ok('review', 'list', '--json'));
    expect(row).toMatchObject({ id: ids.reviewId, status: 'open', best: { patientId: ids.margaret } });
    expect((await ok('review', 'list', '--status', 'linked')).trimEnd().split('\n').slice(1)).toEqual(['(no reviews)']);
  });

  it('review show prints the incoming record beside the candidate, field by field', async () => {
    const text = await ok('review', 'show', String(ids.reviewId));
    expect(text).toContain(`review ${ids.reviewId}: open`);
    expect(text).toContain('identifiers: B-9^NORTHCLINIC');
    expect(text).toContain(`candidate patient ${ids.margaret} (active): probable`);
    expect(text).toMatch(/birthDate +1940-09-23 +1940-09-22 +typo +-?\d+\.\d\d/);
    expect(text).toMatch(/family +Baker +Baker +exact +\d+\.\d\d/);
    expect(text).toMatch(/phone +- +2175550123 +missing +0\.00/);
    const view = JSON.parse(await ok('review', 'show', String(ids.reviewId), '--json')) as { candidates: { patientId: number; rows: unknown[] }[] };
    expect(view.candidates[0]!.patientId).toBe(ids.margaret);
    expect(view.candidates[0]!.rows.length).toBeGreaterThanOrEqual(11);
  });

  it('review link merges into the candidate, undo reverses it, separate and undo again; each decision names who', async () => {
    expect(await ok('review', 'link', String(ids.reviewId), '--to', String(ids.margaret), '--by', 'rn.jones', '--note', 'DOB typo'))
      .toMatch(new RegExp(`review ${ids.reviewId} linked: patient merged into patient ${ids.margaret} \\(merge \\d+\\)`));
    const found = JSON.parse(await ok('patient', 'find', '--mrn', 'B-9', '--authority', 'NORTHCLINIC', '--json')) as { id: number };
    expect(found.id).toBe(ids.margaret);
    expect(await ok('patient', 'show', String(ids.staging))).toContain(`patient ${ids.staging}: merged (merged into patient ${ids.margaret})`);
    expect(await ok('review', 'undo', String(ids.reviewId), '--by', 'dr.lee')).toContain(`review ${ids.reviewId} is open again (undid linked)`);
    expect(await ok('review', 'separate', String(ids.reviewId), '--by', 'rn.jones')).toContain(`patient ${ids.staging} is a patient of its own`);
    expect(await ok('review', 'undo', String(ids.reviewId), '--by', 'rn.jones')).toContain('undid separate');
    const store = await tdb!.open();
    try {
      expect((await getPatient(store.db, ids.staging))?.status).toBe('staging');
      expect((await listDecisions(store.db, { reviewId: ids.reviewId })).map((d) => [d.action, d.by, d.note])).toEqual([
        ['review-opened', 'matcher', null], ['review-link', 'rn.jones', 'DOB typo'], ['review-undo', 'dr.lee', null], ['review-separate', 'rn.jones', null], ['review-undo', 'rn.jones', null],
      ]);
    } finally {
      await store.close();
    }
  });

  it('patient merge moves the alias into the survivor; find by the old MRN gives the survivor; unmerge restores it', async () => {
    const merged = await ok('patient', 'merge', String(ids.robert), String(ids.alias), '--by', 'him.admin');
    const mergeId = /^merge (\d+): patient (\d+) merged into patient (\d+) \(moved: patient_identifier 1\)$/m.exec(merged);
    expect(mergeId?.slice(2)).toEqual([String(ids.alias), String(ids.robert)]);
    expect(await ok('patient', 'find', '--mrn', 'MRN-11', '--authority', 'GENHOSP')).toContain(`patient ${ids.robert}: active`);
    const show = await ok('patient', 'show', String(ids.robert));
    expect(show).toContain('identifiers MRN-10^GENHOSP (MR), MRN-11^GENHOSP (MR)');
    expect(show).toMatch(new RegExp(`merge ${mergeId![1]} .* absorbed patient ${ids.alias} \\(admin, by him.admin\\)`));
    expect(await ok('patient', 'unmerge', mergeId![1]!, '--by', 'him.admin')).toContain(`merge ${mergeId![1]} reversed: patient ${ids.alias} restored`);
    expect(await ok('patient', 'find', '--mrn', 'MRN-11', '--authority', 'GENHOSP')).toContain(`patient ${ids.alias}: active`);
  });

  it('reports usage errors (exit 2), refusals with their code (exit 1), and an unknown MRN (exit 1)', async () => {
    const noTo = await cli('review', 'link', String(ids.reviewId));
    expect([noTo.code, noTo.stderr]).toEqual([2, expect.stringContaining('--to PATIENT must be a positive integer')]);
    expect((await cli('review', 'frobnicate')).code).toBe(2);
    const missing = await cli('review', 'show', '999');
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('review 999 does not exist (identity.not_found)')]);
    const self = await cli('patient', 'merge', String(ids.robert), String(ids.robert));
    expect([self.code, self.stderr]).toEqual([1, expect.stringContaining('(identity.same_patient)')]);
    const notCandidate = await cli('review', 'link', String(ids.reviewId), '--to', String(ids.robert));
    expect([notCandidate.code, notCandidate.stderr]).toEqual([1, expect.stringContaining('(identity.not_a_candidate)')]);
    const unknown = await cli('patient', 'find', '--mrn', 'NOPE', '--authority', 'GENHOSP');
    expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([1, '', 'no patient holds NOPE of authority GENHOSP\n']);
  });
});
