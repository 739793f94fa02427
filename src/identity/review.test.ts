import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { insertEvent, listPatientEvents } from '../store/events.js';
import { getReview, listDecisions } from '../store/identity.js';
import { findByIdentifier, getPatient, listIdentifiers } from '../store/patients.js';
import type { Database } from '../store/schema.js';
import { mergePatients, unmergePatients } from './merge.js';
import { resolvePatient } from './resolve.js';
import { linkReview, listReviewQueue, separateReview, showReview, undoReview } from './review.js';
import { IdentityStoreErrorCode } from './store-errors.js';
import { incoming, MARGARET, mrn, type PersonSpec } from './store-testing.js';

type Db = Kysely<Database>;

/** Margaret with a birth-date typo, as a clinic sends her: probable, so reviewed. */
const NEAR: PersonSpec = { given: 'Margaret', family: 'Baker', birthDate: '1940-09-23', sex: 'F' };

async function setup(db: Db) {
  const known = await resolvePatient(db, incoming(MARGARET, mrn('1', 'GENHOSP')), { sourceEntryId: null, at: 1_000, updateDemographics: true });
  const parked = await resolvePatient(db, incoming(NEAR, mrn('B-9', 'NORTHCLINIC')), { sourceEntryId: null, at: 2_000, updateDemographics: true });
  expect(parked.via).toBe('review');
  // What the message's handler recorded on the staging patient.
  const eventId = await insertEvent(db, { patientId: parked.patientId, encounterId: null, type: 'visit-update', occurredAt: 2_000, recordedAt: 2_000, facility: 'NORTHCLINIC', sourceEntryId: null, messageType: 'ADT^A08', payload: {} });
  return { known: known.patientId, staging: parked.patientId, reviewId: parked.reviewId!, eventId };
}

describe.each(DIALECTS)('the identity review queue on %s', (dialect) => {
  const t = useFreshStore(dialect);
  const db = () => t.store.db;

  it('lists open reviews first, oldest first, each with its best candidate', async () => {
    const { known, reviewId } = await setup(db());
    // Two more people, each known at GENHOSP and sent again with a birth-date typo by a clinic.
    const john = { given: 'John', family: 'Smith', birthDate: '1980-01-01', sex: 'M' };
    const alice = { given: 'Alice', family: 'Wong', birthDate: '1961-05-05', sex: 'F' };
    const johnId = (await resolvePatient(db(), incoming(john, mrn('J', 'GENHOSP')), { sourceEntryId: null, at: 2_500, updateDemographics: true })).patientId;
    await resolvePatient(db(), incoming(alice, mrn('W', 'GENHOSP')), { sourceEntryId: null, at: 2_600, updateDemographics: true });
    const second = await resolvePatient(db(), incoming({ ...john, birthDate: '1980-01-02' }, mrn('C-1', 'EASTCLINIC')), { sourceEntryId: 7, at: 3_000, updateDemographics: true });
    const third = await resolvePatient(db(), incoming({ ...alice, birthDate: '1961-05-06' }, mrn('D-1', 'WESTCLINIC')), { sourceEntryId: 8, at: 4_000, updateDemographics: true });
    expect([second.via, third.via]).toEqual(['review', 'review']);
    await separateReview(db(), { reviewId, by: 'rn.jones', at: 5_000 });
    const list = await listReviewQueue(db());
    expect(list.map((r) => [r.id, r.status])).toEqual([[second.reviewId, 'open'], [third.reviewId, 'open'], [reviewId, 'separate']]);
    expect(list[0]).toMatchObject({ sourceEntryId: 7, best: { patientId: johnId, grade: 'probable' }, candidateCount: 1 });
    expect(list[2]?.best?.patientId).toBe(known);
    expect(list[2]).toMatchObject({ decidedBy: 'rn.jones', decidedAt: 5_000, decision: 'separate' });
    expect((await listReviewQueue(db(), { status: 'separate' })).map((r) => r.id)).toEqual([reviewId]);
  });

  it('shows the incoming record beside each candidate, field by field, with levels and weights', async () => {
    const { known, staging, reviewId } = await setup(db());
    const view = await showReview(db(), reviewId);
    expect(view).toMatchObject({ id: reviewId, status: 'open', patientId: staging, patientStatus: 'staging', incoming: { person: { given: 'Margaret', birthDate: '1940-09-23' } } });
    const [c] = view.candidates;
    expect(c).toMatchObject({ patientId: known, statusNow: 'active', grade: 'probable' });
    const row = (f: string) => c!.rows.find((r) => r.field === f);
    expect(row('birthDate')).toMatchObject({ incoming: '1940-09-23', candidate: '1940-09-22', level: 'typo' });
    expect(row('family')).toMatchObject({ incoming: 'Baker', candidate: 'Baker', level: 'exact' });
    expect(row('family')!.weight).toBeGreaterThan(0);
    expect(row('phone')).toMatchObject({ incoming: '', candidate: '2175550123', level: 'missing', weight: 0 });
    expect(c!.weight).toBeCloseTo(c!.fields.reduce((s, f) => s + f.weight, 0) + Math.log2(0.01 / 0.99), 6);
    expect(view.decisions.map((d) => d.action)).toEqual(['review-opened']);
    await expect(showReview(db(), 999)).rejects.toMatchObject({ code: IdentityStoreErrorCode.NotFound });
  });

  it('link merges the staging patient into the candidate; undo unmerges it and reopens the review', async () => {
    const { known, staging, reviewId, eventId } = await setup(db());
    const linked = await linkReview(db(), { reviewId, to: known, by: 'rn.jones', at: 3_000, note: 'same patient, DOB typo' });
    expect(linked.survivorId).toBe(known);
    expect(await getReview(db(), reviewId)).toMatchObject({ status: 'linked', decidedBy: 'rn.jones', decidedAt: 3_000, decision: `link:${known}`, decisionNote: 'same patient, DOB typo', mergeId: linked.mergeId });
    expect(await getPatient(db(), staging)).toMatchObject({ status: 'merged', mergedInto: known });
    expect((await findByIdentifier(db(), 'NORTHCLINIC', 'B-9'))?.id).toBe(known);
    expect((await listPatientEvents(db(), known)).map((e) => e.id)).toContain(eventId);
    await expect(linkReview(db(), { reviewId, to: known, by: 'x', at: 3_500 })).rejects.toMatchObject({ code: IdentityStoreErrorCode.InvalidReviewState });

    expect(await undoReview(db(), { reviewId, by: 'dr.lee', at: 4_000, note: 'different patient after all' })).toEqual({ undone: 'linked' });
    expect(await getReview(db(), reviewId)).toMatchObject({ status: 'open', decidedBy: null, decision: null, mergeId: null });
    expect(await getPatient(db(), staging)).toMatchObject({ status: 'staging', mergedInto: null });
    expect((await listIdentifiers(db(), staging)).map((i) => i.value)).toEqual(['B-9']);
    expect((await listPatientEvents(db(), staging)).map((e) => e.id)).toEqual([eventId]);
    expect((await listDecisions(db(), { reviewId })).map((d) => [d.action, d.by])).toEqual([['review-opened', 'matcher'], ['review-link', 'rn.jones'], ['review-undo', 'dr.lee']]);
    expect((await listDecisions(db(), { mergeId: linked.mergeId })).map((d) => d.action)).toEqual(['merge', 'review-link', 'unmerge', 'review-undo']);
  });

  it('separate makes the staging patient active; undo puts it back to staging and reopens the review', async () => {
    const { staging, reviewId } = await setup(db());
    expect(await separateReview(db(), { reviewId, by: 'rn.jones', at: 3_000 })).toEqual({ patientId: staging });
    expect((await getPatient(db(), staging))?.status).toBe('active');
    expect(await getReview(db(), reviewId)).toMatchObject({ status: 'separate', decision: 'separate', decidedBy: 'rn.jones' });
    await expect(separateReview(db(), { reviewId, by: 'x', at: 3_100 })).rejects.toMatchObject({ code: IdentityStoreErrorCode.InvalidReviewState });
    expect(await undoReview(db(), { reviewId, by: 'rn.jones', at: 3_200 })).toEqual({ undone: 'separate' });
    expect((await getPatient(db(), staging))?.status).toBe('staging');
    expect((await getReview(db(), reviewId))?.status).toBe('open');
    await expect(undoReview(db(), { reviewId, by: 'x', at: 3_300 })).rejects.toMatchObject({ code: IdentityStoreErrorCode.InvalidReviewState });
    expect((await listDecisions(db(), { reviewId })).map((d) => d.action)).toEqual(['review-opened', 'review-separate', 'review-undo']);
  });

  it('links only to a candidate, following it to its survivor when it was merged since', async () => {
    const { known, staging, reviewId } = await setup(db());
    const other = await resolvePatient(db(), incoming({ given: 'John', family: 'Smith', birthDate: '1980-01-01', sex: 'M' }, mrn('J', 'GENHOSP')), { sourceEntryId: null, at: 2_500, updateDemographics: true });
    await expect(linkReview(db(), { reviewId, to: other.patientId, by: 'x', at: 3_000 })).rejects.toMatchObject({ code: IdentityStoreErrorCode.NotACandidate });
    await mergePatients(db(), { survivorId: other.patientId, mergedId: known, source: 'admin', sourceEntryId: null, decidedBy: 'admin', at: 3_100 });
    const linked = await linkReview(db(), { reviewId, to: known, by: 'rn.jones', at: 3_200 });
    expect(linked.survivorId).toBe(other.patientId);
    expect((await getPatient(db(), staging))?.mergedInto).toBe(other.patientId);
  });

  it('a merge of the staging patient by an A40 or an administrator closes its review; unmerging reopens it', async () => {
    const { known, staging, reviewId } = await setup(db());
    const m = await mergePatients(db(), { survivorId: known, mergedId: staging, source: 'adt-a40', sourceEntryId: 42, decidedBy: 'EPIC|GENHOSP', at: 3_000 });
    expect(await getReview(db(), reviewId)).toMatchObject({ status: 'linked', decision: 'merged:adt-a40', mergeId: m.mergeId, decidedBy: 'EPIC|GENHOSP' });
    expect((await unmergePatients(db(), m.mergeId, 'admin', 4_000)).reopenedReviews).toEqual([reviewId]);
    expect(await getReview(db(), reviewId)).toMatchObject({ status: 'open', mergeId: null });
    expect((await getPatient(db(), staging))?.status).toBe('staging');
  });

  it('will not undo a separate once the patient was merged since', async () => {
    const { known, staging, reviewId } = await setup(db());
    await separateReview(db(), { reviewId, by: 'rn.jones', at: 3_000 });
    await mergePatients(db(), { survivorId: known, mergedId: staging, source: 'admin', sourceEntryId: null, decidedBy: 'admin', at: 3_100 });
    await expect(undoReview(db(), { reviewId, by: 'rn.jones', at: 3_200 })).rejects.toMatchObject({ code: IdentityStoreErrorCode.Conflict });
  });
});
