import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { readHl7 } from '../hl7/index.js';
import { HandlerRegistry, type HandlerInput } from '../ingest/handlers.js';
import { ProcessErrorCode } from '../ingest/retry.js';
import { listPatientEvents } from '../store/events.js';
import { listDecisions } from '../store/identity.js';
import { findByIdentifier, getPatient, listIdentifiers } from '../store/patients.js';
import type { Database } from '../store/schema.js';
import type { Kysely } from 'kysely';
import { mergeGroups, mergeHandler } from './a40-handler.js';
import { registerIdentityHandlers } from './handlers.js';
import { resolvePatient } from './resolve.js';
import { incoming, mrn } from './store-testing.js';

const MSH = (trigger: string, id: string) => `MSH|^~\\&|HCHB|HH01|CARECOORD|HH01|20261118101500||ADT^${trigger}^ADT_A39|${id}|P|2.5.1`;

function input(text: string, entryId = 1): HandlerInput {
  const r = readHl7(Buffer.from(text.replace(/\n/g, '\r') + '\r'));
  if (!r.ok) throw new Error(r.error.message);
  return { entryId, receivedAt: 1_000, message: r.message, raw: Buffer.alloc(0) };
}

const handler = mergeHandler(() => 5_000);

async function patientWith(db: Kysely<Database>, value: string, given: string): Promise<number> {
  return (await resolvePatient(db, incoming({ given, family: 'Baker', birthDate: '1940-09-22', sex: 'F' }, mrn(value, 'HH01')), { sourceEntryId: null, at: 1, updateDemographics: true, probabilistic: false })).patientId;
}

describe('merge message groups', () => {
  it('pairs each PID with the MRG that follows it (the PATIENT group repeats, HL7 v2.5.1 §3.3.40)', () => {
    const m = input(`${MSH('A40', 'G1')}\nEVN|A40\nPID|1||A^^^HH01^MR\nMRG|B^^^HH01^MR\nPID|2||C^^^HH01^MR\nPV1|1|I\nMRG|D^^^HH01^MR`).message;
    expect(mergeGroups(m).map((g) => [g.pid.identifiers[0]?.id, g.mrg.priorIdentifiers[0]?.id])).toEqual([['A', 'B'], ['C', 'D']]);
  });

  it('registers A40, A34, A36 and A39 under one handler', () => {
    const registry = new HandlerRegistry();
    registerIdentityHandlers(registry);
    expect(registry.types).toEqual(['ADT^A34', 'ADT^A36', 'ADT^A39', 'ADT^A40']);
  });
});

describe.each(DIALECTS)('the ADT A40 merge handler on %s', (dialect) => {
  const t = useFreshStore(dialect);
  const db = () => t.store.db;

  it('merges the known prior patient into the PID patient, recording a merge event and the sender', async () => {
    const survivor = await patientWith(db(), 'HH4410001', 'Margaret');
    const prior = await patientWith(db(), 'HH4410777', 'Maggie');
    await handler.handle(db(), input(`${MSH('A40', 'M1')}\nEVN|A40|20261118101400\nPID|1||HH4410001^^^HH01^MR||BAKER^MARGARET^ANN||19400922|F\nMRG|HH4410777^^^HH01^MR`, 9));
    expect(await getPatient(db(), prior)).toMatchObject({ status: 'merged', mergedInto: survivor });
    expect((await findByIdentifier(db(), 'HH01', 'HH4410777'))?.id).toBe(survivor);
    expect((await listPatientEvents(db(), survivor)).map((e) => [e.type, e.sourceEntryId])).toEqual([['merge', 9]]);
    expect((await listDecisions(db(), { patientId: survivor })).map((d) => [d.action, d.by, d.sourceEntryId])).toEqual([['merge', 'HCHB|HH01', 9]]);
  });

  it('creates the surviving patient when PID-3 is unknown, then merges the prior one into it', async () => {
    const prior = await patientWith(db(), 'OLD-1', 'Margaret');
    await handler.handle(db(), input(`${MSH('A34', 'M2')}\nEVN|A34\nPID|1||NEW-1^^^HH01^MR||BAKER^MARGARET||19400922|F\nMRG|OLD-1^^^HH01^MR`));
    const survivor = await findByIdentifier(db(), 'HH01', 'NEW-1');
    expect(survivor?.id).not.toBe(prior);
    expect((await findByIdentifier(db(), 'HH01', 'OLD-1'))?.id).toBe(survivor?.id);
  });

  it('attaches unknown prior identifiers to the survivor so later messages with them land there', async () => {
    const survivor = await patientWith(db(), 'HH1', 'Margaret');
    await handler.handle(db(), input(`${MSH('A40', 'M3')}\nEVN|A40\nPID|1||HH1^^^HH01^MR\nMRG|GONE-7^^^HH01^MR`));
    expect((await findByIdentifier(db(), 'HH01', 'GONE-7'))?.id).toBe(survivor);
    expect((await listDecisions(db(), { patientId: survivor })).map((d) => d.action)).toEqual(['identifiers-attached']);
    expect(await listPatientEvents(db(), survivor)).toEqual([]);
  });

  it('moves nothing when both identifiers already name the same patient', async () => {
    const p = await patientWith(db(), 'HH1', 'Margaret');
    await handler.handle(db(), input(`${MSH('A40', 'M4')}\nEVN|A40\nPID|1||HH1^^^HH01^MR\nMRG|GONE-7^^^HH01^MR`));
    await handler.handle(db(), input(`${MSH('A40', 'M5')}\nEVN|A40\nPID|1||HH1^^^HH01^MR\nMRG|GONE-7^^^HH01^MR`));
    expect((await listIdentifiers(db(), p)).map((i) => i.value)).toEqual(['HH1', 'GONE-7']);
    expect(await db().selectFrom('patient_merge').select('id').execute()).toEqual([]);
  });

  it('reads the prior id from MRG-4 when MRG-1 is empty (A39 and older senders)', async () => {
    const survivor = await patientWith(db(), 'HH1', 'Margaret');
    const prior = await patientWith(db(), 'P-4', 'Maggie');
    await handler.handle(db(), input(`${MSH('A39', 'M6')}\nEVN|A39\nPID|1||HH1^^^HH01^MR\nMRG||||P-4^^^HH01^MR`));
    expect(await getPatient(db(), prior)).toMatchObject({ status: 'merged', mergedInto: survivor });
  });

  it('parks a merge without MRG, without a prior identifier or without a surviving identifier (invalid_content)', async () => {
    for (const text of [
      `${MSH('A40', 'B1')}\nEVN|A40\nPID|1||HH1^^^HH01^MR`,
      `${MSH('A40', 'B2')}\nEVN|A40\nPID|1||HH1^^^HH01^MR\nMRG|`,
      `${MSH('A40', 'B3')}\nEVN|A40\nPID|1||\nMRG|X^^^HH01^MR`,
    ]) {
      await expect(handler.handle(db(), input(text))).rejects.toMatchObject({ code: ProcessErrorCode.InvalidContent });
    }
  });
});
