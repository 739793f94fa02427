import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { listPatientEvents } from '../store/events.js';
import { listDecisions } from '../store/identity.js';
import { getMerge, MERGE_MOVED_TABLES } from '../store/merges.js';
import { findByIdentifier, getPatient } from '../store/patients.js';
import type { Database } from '../store/schema.js';
import { mergePatients, unmergePatients, type MergeRequest } from './merge.js';
import { resolvePatient } from './resolve.js';
import { IdentityStoreErrorCode } from './store-errors.js';
import { incoming, mrn } from './store-testing.js';

type Db = Kysely<Database>;

async function newPatient(db: Db, given: string, value: string, authority = 'GENHOSP'): Promise<number> {
  const r = await resolvePatient(db, incoming({ given, family: `Fam${value}`, birthDate: '1970-01-01', sex: 'F' }, mrn(value, authority)), { sourceEntryId: null, at: 1, updateDemographics: true, probabilistic: false });
  return r.patientId;
}

/** One row in every moved table (and an encounter-linked event and observation) for a patient. */
async function seedClinicalRows(db: Db, patientId: number, tag: string): Promise<void> {
  const enc = await db.insertInto('encounter').values({ patient_id: patientId, facility: 'GENHOSP', visit_number: `V-${tag}`, patient_class: 'I', status: 'in-progress', admitted_at: 10, discharged_at: null, location: null, hospital_service: null, attending: null, admit_source: null, discharge_disposition: null, discharged_to: null, created_at: 10, updated_at: 10 }).returning('id').executeTakeFirstOrThrow();
  const encounterId = Number(enc.id);
  const ev = await db.insertInto('clinical_event').values({ patient_id: patientId, encounter_id: encounterId, event_type: 'admit', occurred_at: 10, recorded_at: 10, facility: 'GENHOSP', source_entry_id: null, message_type: 'ADT^A01', payload: '{}', out_of_order: 0, withdrawn_at: null, withdrawn_by: null }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('observation').values({ patient_id: patientId, event_id: Number(ev.id), encounter_id: encounterId, order_code: null, order_text: null, filler_order: null, set_id: '1', code: '2823-3', code_system: 'LN', code_text: 'Potassium', value_type: 'NM', value: '6.1', value_num: 6.1, units: 'mmol/L', reference_range: null, abnormal_flags: 'HH', interpretation: null, result_status: 'F', observed_at: 10, notes: null, source_entry_id: null }).execute();
  await db.insertInto('patient_diagnosis').values({ patient_id: patientId, encounter_id: encounterId, code: 'I50.9', code_system: 'I10', description: 'Heart failure', diagnosis_type: 'A', recorded_at: 10, source_entry_id: null }).execute();
  await db.insertInto('patient_coverage').values({ patient_id: patientId, set_id: '1', plan_id: 'MCR', plan_name: null, company_id: null, company_name: null, group_number: null, member_id: tag, effective_date: null, expiration_date: null, source_entry_id: null, updated_at: 10 }).execute();
  const ep = await db.insertInto('care_episode').values({ patient_id: patientId, episode_type: 'transition', goal: null, status: 'active', start_at: 10, end_at: null, created_by: 'test', created_at: 10, updated_at: 10 }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('task').values({ patient_id: patientId, episode_id: Number(ep.id), alert_id: null, source_event_id: Number(ev.id), title: `call ${tag}`, description: null, assignee_user_id: null, assignee_role: 'nurse', due_at: null, priority: 'normal', status: 'open', created_by: 'test', created_at: 10, updated_at: 10, completed_at: null, completed_by: null, completion_note: null }).execute();
  const user = await db.insertInto('app_user').values({ username: `doc-${tag}-${patientId}`, display_name: 'Doc', email: null, phone: null, roles: '["physician"]', status: 'active', created_at: 10, updated_at: 10 }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('break_glass_grant').values({ user_id: Number(user.id), patient_id: patientId, reason: 'unconscious patient in the ED', granted_at: 10, expires_at: 20, source: 'test', reviewed_at: null, reviewed_by: null, review_note: null }).execute();
}

/** Every moved table's (id, patient_id) rows, identifiers with moved_from, and the patients' status. */
async function snapshot(db: Db) {
  const tables: Record<string, unknown> = {};
  for (const t of MERGE_MOVED_TABLES) {
    tables[t] = (await db.selectFrom(t as 'encounter').select(['id', 'patient_id']).where('id', 'is not', null).orderBy('id').execute()).map((r) => [Number(r.id), Number(r.patient_id)]);
  }
  const identifiers = (await db.selectFrom('patient_identifier').select(['id', 'moved_from']).orderBy('id').execute()).map((r) => [Number(r.id), r.moved_from === null ? null : Number(r.moved_from)]);
  const patients = (await db.selectFrom('patient').select(['id', 'status', 'merged_into']).orderBy('id').execute()).map((r) => [Number(r.id), r.status, r.merged_into === null ? null : Number(r.merged_into)]);
  const keys = (await db.selectFrom('patient_match_key').select(['patient_id', 'match_key']).orderBy('patient_id').orderBy('match_key').execute()).map((r) => `${r.patient_id}:${r.match_key}`);
  return { tables, identifiers, patients, keys };
}

/** The snapshot without the 'merge' events, which stay on the survivor (withdrawn) after an unmerge. */
async function snapshotWithoutMergeEvents(db: Db) {
  const s = await snapshot(db);
  const mergeEvents = new Set((await db.selectFrom('clinical_event').select('id').where('event_type', '=', 'merge').execute()).map((r) => Number(r.id)));
  s.tables.clinical_event = (s.tables.clinical_event as [number, number][]).filter(([id]) => !mergeEvents.has(id));
  return s;
}

const req = (survivorId: number, mergedId: number, at = 100): MergeRequest => ({ survivorId, mergedId, source: 'admin', sourceEntryId: null, decidedBy: 'dr.admin', at });

describe.each(DIALECTS)('mergePatients and unmergePatients on %s', (dialect) => {
  const t = useFreshStore(dialect);
  const db = () => t.store.db;

  it('moves every patient-scoped row to the survivor, leaves a tombstone and a merge event, and records what moved', async () => {
    const a = await newPatient(db(), 'Ann', 'A1');
    const b = await newPatient(db(), 'Bea', 'B1');
    await seedClinicalRows(db(), a, 'a');
    await seedClinicalRows(db(), b, 'b');
    const r = await mergePatients(db(), req(a, b));
    expect(r.moved).toEqual({ patient_identifier: 1, encounter: 1, clinical_event: 1, observation: 1, patient_diagnosis: 1, patient_coverage: 1, care_episode: 1, task: 1, break_glass_grant: 1 });
    for (const table of MERGE_MOVED_TABLES) {
      const left = await db().selectFrom(table as 'encounter').select('id').where('patient_id', '=', b).execute();
      expect(left, table).toEqual([]);
    }
    expect(await getPatient(db(), b)).toMatchObject({ status: 'merged', mergedInto: a });
    expect((await findByIdentifier(db(), 'GENHOSP', 'B1'))?.id).toBe(a);
    const moved = await db().selectFrom('patient_identifier').select(['patient_id', 'moved_from']).where('value', '=', 'B1').executeTakeFirstOrThrow();
    expect([Number(moved.patient_id), Number(moved.moved_from)]).toEqual([a, b]);
    expect(await db().selectFrom('patient_match_key').select('match_key').where('patient_id', '=', b).execute()).toEqual([]);
    const mergeEvent = (await listPatientEvents(db(), a)).find((e) => e.type === 'merge');
    expect(mergeEvent).toMatchObject({ id: r.eventId, payload: { mergedPatientId: b, source: 'admin' } });
    const stored = await getMerge(db(), r.mergeId);
    expect(stored).toMatchObject({ survivorId: a, mergedId: b, source: 'admin', decidedBy: 'dr.admin', reversedAt: null, moved: { priorStatus: 'active', eventId: r.eventId } });
    expect(Object.keys(stored!.moved.rows).sort()).toEqual([...MERGE_MOVED_TABLES].sort());
    expect((await listDecisions(db(), { mergeId: r.mergeId })).map((d) => [d.action, d.by])).toEqual([['merge', 'dr.admin']]);
  });

  it('unmerge puts exactly the moved rows back; rows the survivor received since stay with it', async () => {
    const a = await newPatient(db(), 'Ann', 'A1');
    const b = await newPatient(db(), 'Bea', 'B1');
    await seedClinicalRows(db(), a, 'a');
    await seedClinicalRows(db(), b, 'b');
    const before = await snapshot(db());
    const r = await mergePatients(db(), req(a, b));
    await seedClinicalRows(db(), a, 'after'); // e.g. a message with the old MRN, now landing on the survivor
    const afterMerge = await snapshot(db());
    const u = await unmergePatients(db(), r.mergeId, 'dr.admin', 200, 'wrong person');
    expect(u).toMatchObject({ restoredId: b, survivorId: a, movedBack: { encounter: 1, task: 1, patient_identifier: 1 } });
    const restored = await snapshotWithoutMergeEvents(db());
    for (const table of MERGE_MOVED_TABLES) {
      const added = (afterMerge.tables[table] as [number, number][]).filter(([id]) => !(before.tables[table] as [number, number][]).some(([x]) => x === id));
      const expected = [...(before.tables[table] as [number, number][]), ...(table === 'clinical_event' ? added.filter(([id]) => id !== r.eventId) : added)];
      expect(restored.tables[table], table).toEqual(expected);
    }
    expect(restored.identifiers).toEqual(before.identifiers);
    expect(restored.patients).toEqual(before.patients);
    expect(restored.keys).toEqual(before.keys);
    expect((await listPatientEvents(db(), a, { includeWithdrawn: true })).find((e) => e.id === r.eventId)?.withdrawnAt).toBe(200);
    expect((await getMerge(db(), r.mergeId))).toMatchObject({ reversedAt: 200, reversedBy: 'dr.admin' });
    expect((await findByIdentifier(db(), 'GENHOSP', 'B1'))?.id).toBe(b);
    expect((await listDecisions(db(), { mergeId: r.mergeId })).map((d) => [d.action, d.note])).toEqual([['merge', null], ['unmerge', 'wrong person']]);
    await expect(unmergePatients(db(), r.mergeId, 'x', 300)).rejects.toMatchObject({ code: IdentityStoreErrorCode.AlreadyReversed });
  });

  it('refuses to merge a patient into itself, a tombstone, or a patient that does not exist (and changes nothing)', async () => {
    const a = await newPatient(db(), 'Ann', 'A1');
    const b = await newPatient(db(), 'Bea', 'B1');
    const c = await newPatient(db(), 'Cat', 'C1');
    await expect(mergePatients(db(), req(a, a))).rejects.toMatchObject({ code: IdentityStoreErrorCode.SamePatient });
    await expect(mergePatients(db(), req(a, 999))).rejects.toMatchObject({ code: IdentityStoreErrorCode.NotFound });
    await mergePatients(db(), req(a, b));
    const s = await snapshot(db());
    await expect(mergePatients(db(), req(c, b))).rejects.toMatchObject({ code: IdentityStoreErrorCode.Merged });
    await expect(mergePatients(db(), req(b, c))).rejects.toMatchObject({ code: IdentityStoreErrorCode.Merged });
    expect(await snapshot(db())).toEqual(s);
    await expect(unmergePatients(db(), 999, 'x', 1)).rejects.toMatchObject({ code: IdentityStoreErrorCode.NotFound });
  });

  it('unmerges through a later merge of the survivor, and never takes back rows an earlier unmerge returned', async () => {
    const a = await newPatient(db(), 'Ann', 'A1');
    const b = await newPatient(db(), 'Bea', 'B1');
    const c = await newPatient(db(), 'Cat', 'C1');
    for (const [p, tag] of [[a, 'a'], [b, 'b'], [c, 'c']] as const) await seedClinicalRows(db(), p, tag);
    const before = await snapshot(db());
    const first = await mergePatients(db(), req(a, b, 100)); // B -> A
    const second = await mergePatients(db(), req(c, a, 110)); // A (with B's rows) -> C
    expect((await findByIdentifier(db(), 'GENHOSP', 'B1'))?.id).toBe(c);
    await unmergePatients(db(), first.mergeId, 'x', 120); // B's rows come back from C
    expect((await db().selectFrom('encounter').select('patient_id').where('visit_number', '=', 'V-b').executeTakeFirstOrThrow()).patient_id).toEqual(b);
    expect((await findByIdentifier(db(), 'GENHOSP', 'B1'))?.id).toBe(b);
    await unmergePatients(db(), second.mergeId, 'x', 130); // A's own rows go back to A; B's stay with B
    expect(await snapshotWithoutMergeEvents(db())).toEqual(before);
  });

  it('runs inside the caller\'s transaction: a rollback leaves no trace of the merge', async () => {
    const a = await newPatient(db(), 'Ann', 'A1');
    const b = await newPatient(db(), 'Bea', 'B1');
    const s = await snapshot(db());
    await expect(db().transaction().execute(async (trx) => {
      await mergePatients(trx, req(a, b));
      throw new Error('caller fails after the merge');
    })).rejects.toThrow('caller fails');
    expect(await snapshot(db())).toEqual(s);
    expect(await db().selectFrom('patient_merge').select('id').execute()).toEqual([]);
  });
});
