import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import type { Demographics } from '../patients/index.js';
import { addIdentifiers, createPatient, demographicsHistory, findByIdentifier, getPatient, survivorOf, updateDemographics } from './patients.js';

const jane: Demographics = {
  names: [{ family: 'DOE', given: 'JANE', middle: '', prefix: '', suffix: '', type: 'L' }],
  birthDate: '1950-01-01',
  sex: 'F',
  addresses: [{ line: '1 Main St', other: '', city: 'Town', state: 'ST', postcode: '11111', country: '', type: 'H' }],
  phones: [],
  asOf: 1000,
};
const mrn = (value: string, authority = 'GENHOSP') => ({ value, authority, typeCode: 'MR', facility: authority });

describe.each(DIALECTS)('patients repository (%s)', (dialect) => {
  const ctx = useFreshStore(dialect);

  it('creates a patient with flat columns and finds it by identifier', async () => {
    const db = ctx.store.db;
    const id = await createPatient(db, jane, 'active', { sourceEntryId: 7, at: 5 });
    const added = await addIdentifiers(db, id, [mrn('111'), mrn('111')], { sourceEntryId: 7, at: 5 });
    expect(added.added).toHaveLength(1);
    const row = await db.selectFrom('patient').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ family_name: 'DOE', given_name: 'JANE', birth_date: '1950-01-01', sex: 'F', postcode: '11111', status: 'active' });
    expect((await findByIdentifier(db, 'GENHOSP', '111'))?.id).toBe(id);
    expect(await findByIdentifier(db, 'OTHER', '111')).toBeUndefined();
  });

  it('reports an identifier another patient holds instead of moving it', async () => {
    const db = ctx.store.db;
    const a = await createPatient(db, jane, 'active', { sourceEntryId: null, at: 1 });
    const b = await createPatient(db, jane, 'active', { sourceEntryId: null, at: 1 });
    await addIdentifiers(db, a, [mrn('1')], { sourceEntryId: null, at: 1 });
    const r = await addIdentifiers(db, b, [mrn('1'), mrn('2')], { sourceEntryId: null, at: 1 });
    expect(r.conflicts).toEqual([{ identifier: mrn('1'), patientId: a }]);
    expect(r.added).toEqual([mrn('2')]);
  });

  it('follows merges to the survivor', async () => {
    const db = ctx.store.db;
    const survivor = await createPatient(db, jane, 'active', { sourceEntryId: null, at: 1 });
    const merged = await createPatient(db, jane, 'active', { sourceEntryId: null, at: 1 });
    await addIdentifiers(db, merged, [mrn('old')], { sourceEntryId: null, at: 1 });
    await db.updateTable('patient').set({ status: 'merged', merged_into: survivor }).where('id', '=', merged).execute();
    expect((await findByIdentifier(db, 'GENHOSP', 'old'))?.id).toBe(survivor);
    expect((await survivorOf(db, merged))?.id).toBe(survivor);
  });

  it('keeps demographics history and name history, and ignores a stale update', async () => {
    const db = ctx.store.db;
    const id = await createPatient(db, jane, 'active', { sourceEntryId: 1, at: 10 });
    const married = { ...jane, names: [{ ...jane.names[0]!, family: 'ROE' }], asOf: 2000 };
    expect(await updateDemographics(db, id, married, { sourceEntryId: 2, at: 20 })).toBe('changed');
    expect(await updateDemographics(db, id, married, { sourceEntryId: 3, at: 30 })).toBe('unchanged');
    const older = { ...jane, sex: 'M', asOf: 1500 };
    expect(await updateDemographics(db, id, older, { sourceEntryId: 4, at: 40 })).toBe('stale');

    const p = await getPatient(db, id);
    expect(p?.demographics.names[0]?.family).toBe('ROE');
    expect(p?.demographics.sex).toBe('F');
    const history = await demographicsHistory(db, id);
    expect(history.map((h) => h.sourceEntryId)).toEqual([4, 2]);
    expect(history[0]?.demographics.stale).toBe(true);
    expect(history[1]?.demographics.names[0]?.family).toBe('DOE');
    const names = await db.selectFrom('patient_name').select(['family', 'valid_from', 'valid_to']).where('patient_id', '=', id).orderBy('id').execute();
    expect(names.map((n) => [n.family, Number(n.valid_from), n.valid_to === null ? null : Number(n.valid_to)])).toEqual([
      ['DOE', 10, 20],
      ['ROE', 20, null],
    ]);
  });
});
