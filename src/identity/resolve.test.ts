import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { getReview, listDecisions } from '../store/identity.js';
import { getPatient, listIdentifiers, setPatientStatus } from '../store/patients.js';
import { defaultMatchModel, IdentityErrorCode } from './index.js';
import { resolvePatient, type ResolveOptions } from './resolve.js';
import { currentMatchModel, loadMatchModel, setMatchModel } from './resolve-model.js';
import type { ReviewCandidate, ReviewIncoming } from './resolve-policy.js';
import { incoming, MARGARET, mrn } from './store-testing.js';

const opts = (at = 1_000): ResolveOptions => ({ sourceEntryId: null, at, updateDemographics: true });

async function matchKeys(db: Parameters<typeof getPatient>[0], patientId: number): Promise<string[]> {
  const rows = await db.selectFrom('patient_match_key').select('match_key').where('patient_id', '=', patientId).orderBy('match_key').execute();
  return rows.map((r) => r.match_key);
}

describe.each(DIALECTS)('resolvePatient on %s', (dialect) => {
  const t = useFreshStore(dialect);
  const db = () => t.store.db;

  it('creates a new patient with its identifiers and blocking keys when nothing matches', async () => {
    const r = await resolvePatient(db(), incoming(MARGARET, mrn('1', 'GENHOSP')), opts());
    expect(r).toMatchObject({ via: 'new', conflicts: [] });
    expect((await getPatient(db(), r.patientId))?.status).toBe('active');
    expect((await listIdentifiers(db(), r.patientId)).map((i) => i.value)).toEqual(['1']);
    expect(await matchKeys(db(), r.patientId)).toContain('d:19400922');
  });

  it('finds a patient by exact identifier and refreshes its match keys when the demographics change', async () => {
    const first = await resolvePatient(db(), incoming(MARGARET, mrn('1', 'GENHOSP')), opts());
    const again = await resolvePatient(db(), incoming({ ...MARGARET, family: 'Baker-Hill', postcode: '62702' }, mrn('1', 'GENHOSP')), opts(2_000));
    expect(again).toMatchObject({ patientId: first.patientId, via: 'identifier' });
    const keys = await matchKeys(db(), first.patientId);
    expect(keys.some((k) => k.startsWith('p:62702:'))).toBe(true);
    expect(keys.some((k) => k.startsWith('p:62701:'))).toBe(false);
  });

  it('auto-links a near-duplicate with a different MRN from another facility and logs the decision', async () => {
    const first = await resolvePatient(db(), incoming(MARGARET, mrn('1', 'GENHOSP')), opts());
    const thin = { given: 'Peggy', family: 'Baker', birthDate: '1940-09-22', sex: 'F', line: '12 Oak St', city: 'Springfield', state: 'IL', postcode: '62701' };
    const r = await resolvePatient(db(), incoming(thin, mrn('A-77', 'NORTHCLINIC')), opts(2_000));
    expect(r).toMatchObject({ patientId: first.patientId, via: 'auto-link' });
    expect((await listIdentifiers(db(), first.patientId)).map((i) => `${i.value}^${i.authority}`)).toEqual(['1^GENHOSP', 'A-77^NORTHCLINIC']);
    // The demographics were applied as the caller asked (given name now Peggy), with history.
    expect((await getPatient(db(), first.patientId))?.demographics.names[0]?.given).toBe('Peggy');
    const [decision] = await listDecisions(db(), { patientId: first.patientId });
    expect(decision).toMatchObject({ action: 'auto-link', by: 'matcher' });
    // The same MRN again now resolves by identifier.
    expect((await resolvePatient(db(), incoming(thin, mrn('A-77', 'NORTHCLINIC')), opts(3_000))).via).toBe('identifier');
  });

  it('leaves demographics alone on an auto-link when the caller does not apply them', async () => {
    const first = await resolvePatient(db(), incoming(MARGARET, mrn('1', 'GENHOSP')), opts());
    const r = await resolvePatient(db(), incoming({ ...MARGARET, given: 'Peggy' }, mrn('L-1', 'LAB')), { ...opts(2_000), updateDemographics: false });
    expect(r).toMatchObject({ patientId: first.patientId, via: 'auto-link' });
    expect((await getPatient(db(), first.patientId))?.demographics.names[0]?.given).toBe('Margaret');
  });

  it('parks a probable match on a staging patient with a review listing candidates, grades and per-field weights', async () => {
    const first = await resolvePatient(db(), incoming(MARGARET, mrn('1', 'GENHOSP')), opts());
    const r = await resolvePatient(db(), incoming({ given: 'Margaret', family: 'Baker', birthDate: '1940-09-23', sex: 'F' }, mrn('B-9', 'NORTHCLINIC')), opts(2_000));
    expect(r.via).toBe('review');
    expect(r.patientId).not.toBe(first.patientId);
    expect((await getPatient(db(), r.patientId))?.status).toBe('staging');
    expect((await listIdentifiers(db(), r.patientId)).map((i) => i.value)).toEqual(['B-9']);
    const review = await getReview(db(), r.reviewId!);
    expect(review).toMatchObject({ status: 'open', patientId: r.patientId });
    const [c] = review!.candidates as ReviewCandidate[];
    expect(c).toMatchObject({ patientId: first.patientId, grade: 'probable' });
    expect(c!.fields.find((f) => f.field === 'birthDate')).toMatchObject({ level: 'typo' });
    expect(c!.person.family).toBe('Baker');
    expect(review!.incoming as ReviewIncoming).toMatchObject({ reason: 'score', compared: 1, capped: false, identifiers: [mrn('B-9', 'NORTHCLINIC')] });
    expect((await listDecisions(db(), { reviewId: r.reviewId! })).map((d) => d.action)).toEqual(['review-opened']);
  });

  it('never auto-links a typo\'d name with a different birth date', async () => {
    const first = await resolvePatient(db(), incoming(MARGARET, mrn('1', 'GENHOSP')), opts());
    const r = await resolvePatient(db(), incoming({ given: 'Margret', family: 'Baker', birthDate: '1952-03-14', sex: 'F' }, mrn('2', 'NORTHCLINIC')), opts(2_000));
    expect(['review', 'new']).toContain(r.via);
    expect(r.patientId).not.toBe(first.patientId);
  });

  it('never auto-links a typo\'d name with a different birth date at the same address (a relative?), even under a lenient model', async () => {
    const first = await resolvePatient(db(), incoming(MARGARET, mrn('1', 'GENHOSP')), opts());
    const household = { given: 'Margret', family: 'Baker', birthDate: '1952-03-14', sex: 'F', line: '12 Oak Street', city: 'Springfield', state: 'IL', postcode: '62701' };
    const r = await resolvePatient(db(), incoming(household, mrn('3', 'EASTCLINIC')), opts(2_000));
    expect(['review', 'new']).toContain(r.via);
    expect(r.patientId).not.toBe(first.patientId);
  });

  it('vetoes an automatic link when the birth dates disagree, whatever the score', async () => {
    await resolvePatient(db(), incoming(MARGARET, mrn('1', 'GENHOSP')), opts());
    const household = { given: 'Margret', family: 'Baker', birthDate: '1952-03-14', sex: 'F', line: '12 Oak Street', city: 'Springfield', state: 'IL', postcode: '62701' };
    // A model that would link it on the score alone.
    const lenient = { ...defaultMatchModel, thresholds: { ...defaultMatchModel.thresholds, autoLink: 5, review: 2, possible: 0 } };
    const r = await resolvePatient(db(), incoming(household, mrn('4', 'WESTCLINIC')), { ...opts(2_000), model: lenient });
    expect(r.via).toBe('review');
    expect(((await getReview(db(), r.reviewId!))!.incoming as ReviewIncoming).reason).toBe('birth-date');
  });

  it('sends an identical record with another MRN of the same authority to review (an identifier clash), not auto-link', async () => {
    const first = await resolvePatient(db(), incoming(MARGARET, mrn('1', 'GENHOSP')), opts());
    const r = await resolvePatient(db(), incoming(MARGARET, mrn('2', 'GENHOSP')), opts(2_000));
    expect(r.via).toBe('review');
    const review = await getReview(db(), r.reviewId!);
    expect((review!.incoming as ReviewIncoming).reason).toBe('identifier-clash');
    expect((review!.candidates as ReviewCandidate[])[0]).toMatchObject({ patientId: first.patientId, grade: 'certain' });
  });

  it('matches a record without identifiers the same way', async () => {
    const first = await resolvePatient(db(), incoming(MARGARET, mrn('1', 'GENHOSP')), opts());
    expect(await resolvePatient(db(), incoming(MARGARET), opts(2_000))).toMatchObject({ patientId: first.patientId, via: 'auto-link' });
    const other = await resolvePatient(db(), incoming({ given: 'John', family: 'Smith', birthDate: '1980-01-01', sex: 'M' }), opts(3_000));
    expect(other.via).toBe('new');
  });

  it('keeps deceased and staging patients as candidates but never merged ones', async () => {
    const deceased = await resolvePatient(db(), incoming({ ...MARGARET, deceased: true }, mrn('1', 'GENHOSP')), opts());
    expect((await getPatient(db(), deceased.patientId))?.status).toBe('deceased');
    expect(await resolvePatient(db(), incoming(MARGARET, mrn('X1', 'OTHER')), opts(2_000))).toMatchObject({ patientId: deceased.patientId, via: 'auto-link' });
    await setPatientStatus(db(), deceased.patientId, 'staging', 3_000);
    expect(await resolvePatient(db(), incoming(MARGARET, mrn('X2', 'OTHER2')), opts(4_000))).toMatchObject({ patientId: deceased.patientId, via: 'auto-link' });
    await setPatientStatus(db(), deceased.patientId, 'merged', 5_000);
    expect((await resolvePatient(db(), incoming(MARGARET, mrn('X3', 'OTHER3')), opts(6_000))).via).toBe('new');
  });

  it('caps the candidates compared and says so', async () => {
    for (const [i, given] of ['Anna', 'Beth', 'Carla'].entries()) {
      await resolvePatient(db(), incoming({ given, family: 'Baker', birthDate: '1940-09-22', sex: 'F' }, mrn(String(i), 'GENHOSP')), opts());
    }
    const r = await resolvePatient(db(), incoming({ given: 'Dora', family: 'Baker', birthDate: '1940-09-22', sex: 'F' }), { ...opts(2_000), candidateLimit: 2 });
    expect(r.candidatesCapped).toBe(true);
    const free = await resolvePatient(db(), incoming({ given: 'Edna', family: 'Baker', birthDate: '1940-09-22', sex: 'F' }), opts(3_000));
    expect(free.candidatesCapped).toBeUndefined();
  });

  it('uses the model it is given (and the configured one otherwise)', async () => {
    const first = await resolvePatient(db(), incoming(MARGARET, mrn('1', 'GENHOSP')), opts());
    const strict = { ...defaultMatchModel, thresholds: { ...defaultMatchModel.thresholds, autoLink: 100 } };
    expect((await resolvePatient(db(), incoming(MARGARET, mrn('Z', 'NORTHCLINIC')), { ...opts(2_000), model: strict })).via).toBe('review');
    setMatchModel(strict);
    try {
      expect((await resolvePatient(db(), incoming(MARGARET, mrn('Y', 'EASTCLINIC')), opts(3_000))).via).toBe('review');
    } finally {
      setMatchModel(defaultMatchModel);
    }
    // Back to the default: another person's duplicate links automatically again.
    const john = { given: 'John', family: 'Smith', birthDate: '1980-01-01', sex: 'M', postcode: '62701' };
    const j = await resolvePatient(db(), incoming(john, mrn('J1', 'GENHOSP')), opts(4_000));
    expect(await resolvePatient(db(), incoming(john, mrn('J2', 'NORTHCLINIC')), opts(5_000))).toMatchObject({ via: 'auto-link', patientId: j.patientId });
    expect(first.via).toBe('new');
  });

  it('makes one patient of two records of one person resolved at the same time under different MRNs', async () => {
    const results = await Promise.all(['GENHOSP', 'NORTHCLINIC', 'EASTCLINIC'].map((authority) =>
      db().transaction().execute(async (trx) => {
        const r = await resolvePatient(trx, incoming(MARGARET, mrn('1', authority)), opts());
        await new Promise((resolve) => setTimeout(resolve, 50)); // the rest of a batch, still uncommitted
        return r;
      })));
    expect(results.map((r) => r.via).sort()).toEqual(['auto-link', 'auto-link', 'new']);
    expect(new Set(results.map((r) => r.patientId)).size).toBe(1);
  });

  it('skips the probabilistic step when asked (a merge names its patient)', async () => {
    await resolvePatient(db(), incoming(MARGARET, mrn('1', 'GENHOSP')), opts());
    expect((await resolvePatient(db(), incoming(MARGARET, mrn('9', 'NORTHCLINIC')), { ...opts(2_000), probabilistic: false })).via).toBe('new');
  });
});

describe('loadMatchModel', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const file = (text: string) => {
    dir ??= mkdtempSync(join(tmpdir(), 'cc-model-'));
    const path = join(dir, 'model.json');
    writeFileSync(path, text);
    return path;
  };

  it('lays a JSON file over the default model and freezes it', () => {
    const m = loadMatchModel(file(JSON.stringify({ thresholds: { autoLink: 20 } })));
    expect(m.thresholds).toEqual({ ...defaultMatchModel.thresholds, autoLink: 20 });
    expect(m.fields).toEqual(defaultMatchModel.fields);
    expect(Object.isFrozen(m.thresholds)).toBe(true);
    expect(currentMatchModel()).toBe(defaultMatchModel);
  });

  it('refuses a missing file, bad JSON and an invalid model with INVALID_MODEL', () => {
    expect(() => loadMatchModel('/nonexistent/model.json')).toThrow(expect.objectContaining({ code: IdentityErrorCode.INVALID_MODEL }));
    expect(() => loadMatchModel(file('{'))).toThrow(expect.objectContaining({ code: IdentityErrorCode.INVALID_MODEL }));
    expect(() => loadMatchModel(file(JSON.stringify({ prior: 2 })))).toThrow(/prior/);
    expect(() => loadMatchModel(file(JSON.stringify({ thresholds: { autoLink: 1, review: 5 } })))).toThrow(/autoLink >= review/);
    expect(() => loadMatchModel(file(JSON.stringify({ fields: { given: { levels: { exact: { m: 0 } } } } })))).toThrow(/fields\.given\.levels\.exact\.m/);
    expect(() => loadMatchModel(file(JSON.stringify({ fields: { shoeSize: {} } })))).toThrow(/shoeSize/);
  });
});
