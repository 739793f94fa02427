/**
 * ADT from raw HL7 over MLLP, through the real ingest pipeline (durable log, ordered workers), to the
 * stored patient, encounter, clinical events, diagnoses and coverage, on every dialect.
 * One platform per dialect; each test uses its own patient (MRN) and visit numbers.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAdtHandlers } from '../src/adt/index.js';
import { adtMessage, seg, type AdtSpec } from '../src/adt/testing.js';
import { readHl7 } from '../src/hl7/index.js';
import { listCoverage, listDiagnoses } from '../src/store/clinical-records.js';
import { findEncountersByVisit, listPatientEncounters, type EncounterRecord } from '../src/store/encounters.js';
import { eventsOfEntry, listEncounterEvents, listPatientEvents } from '../src/store/events.js';
import { getInboxRow } from '../src/store/inbox.js';
import { listMessages } from '../src/store/message-query.js';
import { demographicsHistory, findByIdentifier, getPatient } from '../src/store/patients.js';
import { eventually, startTestPlatform, type TestPlatform } from './support/platform.js';
import { DIALECTS } from './support/stores.js';

const utc = (s: string) => Date.parse(s);

describe.each(DIALECTS)('ADT handlers through the pipeline on %s', (dialect) => {
  let tp: TestPlatform;
  const db = () => tp.platform.store.db;
  beforeAll(async () => {
    tp = await startTestPlatform(dialect, {}, { registerHandlers: registerAdtHandlers });
  }, 60_000);
  afterAll(async () => {
    await tp?.stop();
    await tp?.tdb.cleanup();
  });

  let n = 0;
  // Each MRN is a different person (name, birth date): the identity matcher must not see two tests' patients as one.
  const FAMILIES = ['ABBOTT', 'BRENNAN', 'CASTILLO', 'DUBOIS', 'EKWUEME', 'FITZGERALD', 'GRUNWALD', 'HALVORSEN', 'IWASAKI', 'JABLONSKI', 'KOWALCZYK', 'LINDQVIST', 'MONTGOMERY', 'NAKAMURA', 'OYELARAN', 'PETROVIC', 'QUINTERO', 'RASMUSSEN', 'SZABO', 'TREMBLAY', 'UMBERTO', 'VASQUEZ', 'WOJCIK', 'XENAKIS', 'YAMAMOTO', 'ZIELINSKI'];
  const GIVENS = ['ALICE', 'BORIS', 'CHIDI', 'DAGNY', 'EMEKA', 'FIONA', 'GUSTAV', 'HELGA', 'IKECHUKWU', 'JOLENE', 'KASPER', 'LUDMILA', 'MATTHIAS', 'NOOR', 'OSWALD', 'PRIYA', 'QUENTIN', 'ROSALIND', 'SEBASTIAN', 'TAMSIN', 'ULRIKE', 'VIKTOR', 'WILHELMINA', 'XAVIER', 'YOLANDA', 'ZEBEDEE'];
  const people = new Map<string, Record<number, string>>();
  const personOf = (mrn: string) => {
    let p = people.get(mrn);
    if (!p) {
      const i = people.size;
      p = { 5: `${FAMILIES[i % 26]}^${GIVENS[(i * 7) % 26]}`, 7: `19${30 + (i % 60)}${String(1 + (i % 12)).padStart(2, '0')}${String(1 + ((i * 5) % 28)).padStart(2, '0')}`, 8: i % 2 ? 'M' : 'F' };
      people.set(mrn, p);
    }
    return p;
  };
  /** A message for `mrn` (always the same person) with a fresh control id. */
  const msg = (spec: Omit<AdtSpec, 'controlId'>) => adtMessage({ ...spec, pid: { ...personOf(spec.mrn), ...spec.pid }, controlId: `${dialect}-${spec.trigger}-${++n}` });

  /** Send over one connection in order (each ACKed AA), then wait until each entry is no longer queued. */
  async function send(...messages: string[]): Promise<number[]> {
    const client = await tp.connect();
    const ids: number[] = [];
    try {
      for (const m of messages) {
        const reply = readHl7(await client.send(m));
        expect(reply.ok && reply.message.get('MSA-1')).toBe('AA');
        const control = m.split('\r')[0]!.split('|')[9]!;
        const [row] = await listMessages(db(), { controlId: control });
        ids.push(row!.id);
      }
    } finally {
      await client.close();
    }
    for (const id of ids) {
      const row = await eventually(async () => {
        const r = await getInboxRow(db(), id);
        return r && r.status !== 'queued' ? r : undefined;
      }, 20_000, `entry ${id}`);
      expect(row.status, row.last_error_text ?? '').toBe('processed');
    }
    return ids;
  }

  async function patientOf(mrn: string) {
    const p = await findByIdentifier(db(), 'GENHOSP', mrn);
    expect(p, `patient ${mrn}`).toBeDefined();
    return p!;
  }
  async function encounterOf(visit: string): Promise<EncounterRecord> {
    const list = await findEncountersByVisit(db(), 'GENHOSP', visit);
    expect(list).toHaveLength(1);
    return list[0]!;
  }
  const eventsOf = async (visit: string) => listEncounterEvents(db(), (await encounterOf(visit)).id);

  it('A01 admits: patient, in-progress encounter, an admit event at the message time, DG1 and IN1', async () => {
    const [entry] = await send(msg({
      trigger: 'A01', mrn: 'ADM1',
      evn: { 2: '20261110093000', 6: '20261110092700' },
      pv1: { 2: 'I', 3: '3N^312^B', 7: '2211^HAYES^ROBERT', 10: 'MED', 14: '7', 19: 'V-ADM1', 44: '20261110092500' },
      extra: [
        seg('DG1', { 1: '1', 3: 'I50.9^Heart failure^I10', 6: 'A' }),
        seg('IN1', { 1: '1', 2: 'PPO^Gold PPO', 3: 'BCBS', 4: 'BLUE CROSS', 8: 'G7', 36: 'M555' }),
      ],
    }));
    const patient = await patientOf('ADM1');
    expect(patient.status).toBe('active');
    expect(patient.demographics.names[0]).toMatchObject({ family: 'ABBOTT', given: 'ALICE' });
    const enc = await encounterOf('V-ADM1');
    expect(enc).toMatchObject({
      patientId: patient.id, facility: 'GENHOSP', status: 'in-progress', patientClass: 'I', location: '3N/312/B', attending: 'HAYES, ROBERT (2211)',
      hospitalService: 'MED', admitSource: '7', admittedAt: utc('2026-11-10T09:25:00Z'), dischargedAt: null,
    });
    const events = await eventsOfEntry(db(), entry!);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'admit', patientId: patient.id, encounterId: enc.id, occurredAt: utc('2026-11-10T09:27:00Z'), facility: 'GENHOSP', sourceEntryId: entry,
      messageType: 'ADT^A01', outOfOrder: false, withdrawnAt: null,
      payload: { trigger: 'A01', eventTimeSource: 'EVN-6', patientClass: 'I', location: '3N/312/B', attendingId: '2211', visitNumber: 'V-ADM1', hospitalService: 'MED' },
    });
    expect(events[0]!.payload.diagnoses).toEqual([{ code: 'I50.9', system: 'I10', description: 'Heart failure', type: 'A' }]);
    expect(await listDiagnoses(db(), patient.id, enc.id)).toMatchObject([{ code: 'I50.9', codeSystem: 'I10', type: 'A', sourceEntryId: entry }]);
    expect(await listCoverage(db(), patient.id)).toMatchObject([{ setId: '1', planId: 'PPO', planName: 'Gold PPO', companyName: 'BLUE CROSS', groupNumber: 'G7', memberId: 'M555' }]);
  });

  it('A02 moves the patient; A12 withdraws the latest transfer and the location reverts', async () => {
    await send(
      msg({ trigger: 'A01', mrn: 'TRF1', evn: { 2: '20261110080000' }, pv1: { 2: 'I', 3: '4W^401^A', 19: 'V-TRF1' } }),
      msg({ trigger: 'A02', mrn: 'TRF1', evn: { 2: '20261110120000' }, pv1: { 2: 'I', 3: 'ICU^4^A', 6: '4W^401^A', 19: 'V-TRF1' } }),
    );
    expect(await encounterOf('V-TRF1')).toMatchObject({ status: 'in-progress', location: 'ICU/4/A' });
    const [cancel] = await send(msg({ trigger: 'A12', mrn: 'TRF1', evn: { 2: '20261110130000' }, pv1: { 2: 'I', 3: '4W^401^A', 19: 'V-TRF1' } }));
    expect(await encounterOf('V-TRF1')).toMatchObject({ status: 'in-progress', location: '4W/401/A' });
    const events = await eventsOf('V-TRF1');
    const cancelEvent = events.find((e) => e.sourceEntryId === cancel)!;
    expect(cancelEvent).toMatchObject({ type: 'cancel-transfer', payload: { matched: true } });
    expect(events.find((e) => e.type === 'transfer')).toMatchObject({ withdrawnBy: cancelEvent.id, payload: { priorLocation: '4W/401/A', location: 'ICU/4/A' } });
  });

  it('A03 discharges; A13 withdraws the discharge and the patient is in again', async () => {
    await send(
      msg({ trigger: 'A01', mrn: 'DIS1', evn: { 2: '20261110080000' }, pv1: { 2: 'I', 3: '4W^1', 19: 'V-DIS1' } }),
      msg({ trigger: 'A03', mrn: 'DIS1', evn: { 2: '20261112110000' }, pv1: { 2: 'I', 3: '4W^1', 19: 'V-DIS1', 36: '01', 37: 'HOME', 45: '20261112104500' } }),
    );
    expect(await encounterOf('V-DIS1')).toMatchObject({ status: 'finished', dischargedAt: utc('2026-11-12T10:45:00Z'), dischargeDisposition: '01', dischargedTo: 'HOME' });
    await send(msg({ trigger: 'A13', mrn: 'DIS1', evn: { 2: '20261112120000' }, pv1: { 2: 'I', 3: '4W^1', 19: 'V-DIS1' } }));
    expect(await encounterOf('V-DIS1')).toMatchObject({ status: 'in-progress', dischargedAt: null, dischargeDisposition: null, admittedAt: utc('2026-11-10T08:00:00Z') });
    expect((await eventsOf('V-DIS1')).find((e) => e.type === 'discharge')!.withdrawnAt).not.toBeNull();
    expect((await patientOf('DIS1')).status).toBe('active');
  });

  it('an A03 with an expired disposition records a death and makes the patient deceased; its A13 undoes both', async () => {
    await send(msg({ trigger: 'A01', mrn: 'EXP1', evn: { 2: '20261108031500' }, pv1: { 2: 'I', 3: 'ICU^4', 19: 'V-EXP1' } }));
    const [discharge] = await send(msg({ trigger: 'A03', mrn: 'EXP1', evn: { 2: '20261112170000' }, pv1: { 2: 'I', 3: 'ICU^4', 19: 'V-EXP1', 36: '41', 45: '20261112164500' } }));
    const enc = await encounterOf('V-EXP1');
    expect(enc).toMatchObject({ status: 'finished', dischargeDisposition: '41', dischargedAt: utc('2026-11-12T16:45:00Z') });
    const patient = await patientOf('EXP1');
    expect(patient.status).toBe('deceased');
    const death = (await eventsOfEntry(db(), discharge!)).find((e) => e.type === 'death');
    expect(death).toMatchObject({ encounterId: enc.id, occurredAt: utc('2026-11-12T16:45:00Z'), payload: { basis: 'disposition', disposition: '41', timeSource: 'PV1-45' }, outOfOrder: false });
    // The disposition was keyed in error: cancelling the discharge takes the death back.
    await send(msg({ trigger: 'A13', mrn: 'EXP1', evn: { 2: '20261112180000' }, pv1: { 2: 'I', 19: 'V-EXP1' } }));
    expect((await patientOf('EXP1')).status).toBe('active');
    expect(await listPatientEvents(db(), patient.id)).not.toContainEqual(expect.objectContaining({ type: 'death' }));
    expect(await encounterOf('V-EXP1')).toMatchObject({ status: 'in-progress' });
  });

  it('PID-30 Y on any ADT records one death, whatever follows', async () => {
    await send(
      msg({ trigger: 'A08', mrn: 'DTH1', evn: { 2: '20261101090000' }, pid: { 29: '20261101083000', 30: 'Y' } }),
      msg({ trigger: 'A08', mrn: 'DTH1', evn: { 2: '20261102090000' }, pid: { 29: '20261101083000', 30: 'Y' } }),
    );
    const p = await patientOf('DTH1');
    expect(p.status).toBe('deceased');
    const deaths = (await listPatientEvents(db(), p.id)).filter((e) => e.type === 'death');
    expect(deaths).toHaveLength(1);
    expect(deaths[0]).toMatchObject({ occurredAt: utc('2026-11-01T08:30:00Z'), encounterId: null, payload: { basis: 'pid', timeSource: 'PID-29' } });
  });

  it('A04 registers an emergency visit (PV1-2 E)', async () => {
    const [entry] = await send(msg({ trigger: 'A04', mrn: 'ED1', evn: { 2: '20261115221000' }, pv1: { 2: 'E', 3: 'ED', 19: 'V-ED1' } }));
    expect(await encounterOf('V-ED1')).toMatchObject({ status: 'in-progress', patientClass: 'E', location: 'ED', admittedAt: utc('2026-11-15T22:10:00Z') });
    expect((await eventsOfEntry(db(), entry!))[0]).toMatchObject({ type: 'registration', messageType: 'ADT^A04' });
  });

  it('A05 and A14 plan an encounter, A38 cancels the pre-admit, A01 of the same visit admits it', async () => {
    await send(
      msg({ trigger: 'A05', mrn: 'PRE1', evn: { 2: '20261101090000' }, pv1: { 2: 'P', 19: 'V-PRE1', 42: '5E^12' }, extra: [seg('PV2', { 8: '20261120070000' })] }),
      msg({ trigger: 'A14', mrn: 'PRE1', evn: { 2: '20261101100000' }, pv1: { 2: 'I', 19: 'V-PRE2' } }),
    );
    expect(await encounterOf('V-PRE1')).toMatchObject({ status: 'planned', location: '5E/12', admittedAt: null });
    expect(await encounterOf('V-PRE2')).toMatchObject({ status: 'planned' });
    expect((await eventsOf('V-PRE1'))[0]!.payload).toMatchObject({ expectedAdmitAt: utc('2026-11-20T07:00:00Z') });
    await send(
      msg({ trigger: 'A38', mrn: 'PRE1', evn: { 2: '20261102090000' }, pv1: { 2: 'P', 19: 'V-PRE2' } }),
      msg({ trigger: 'A01', mrn: 'PRE1', evn: { 2: '20261120073000' }, pv1: { 2: 'I', 3: '5E^12^A', 19: 'V-PRE1' } }),
    );
    expect(await encounterOf('V-PRE2')).toMatchObject({ status: 'cancelled' });
    expect(await encounterOf('V-PRE1')).toMatchObject({ status: 'in-progress', patientClass: 'I', location: '5E/12/A', admittedAt: utc('2026-11-20T07:30:00Z') });
  });

  it('A06 and A07 change the patient class', async () => {
    await send(
      msg({ trigger: 'A04', mrn: 'CLS1', evn: { 2: '20261101090000' }, pv1: { 2: 'O', 19: 'V-CLS1' } }),
      msg({ trigger: 'A06', mrn: 'CLS1', evn: { 2: '20261101120000' }, pv1: { 2: 'I', 3: '4W^2', 19: 'V-CLS1' } }),
    );
    expect(await encounterOf('V-CLS1')).toMatchObject({ status: 'in-progress', patientClass: 'I', location: '4W/2' });
    await send(msg({ trigger: 'A07', mrn: 'CLS1', evn: { 2: '20261102120000' }, pv1: { 19: 'V-CLS1' } }));
    expect(await encounterOf('V-CLS1')).toMatchObject({ patientClass: 'O' });
    expect((await eventsOf('V-CLS1')).map((e) => e.type)).toEqual(['registration', 'class-change', 'class-change']);
  });

  it('an A06 that gives the visit a new number (MRG-5 prior visit number) keeps the encounter', async () => {
    await send(
      msg({ trigger: 'A04', mrn: 'CLS2', evn: { 2: '20261101090000' }, pv1: { 2: 'O', 19: 'V-OUT2' } }),
      msg({ trigger: 'A06', mrn: 'CLS2', evn: { 2: '20261101120000' }, pv1: { 2: 'I', 3: '4W^5', 19: 'V-IN2' }, extra: [seg('MRG', { 1: 'CLS2^^^GENHOSP^MR', 5: 'V-OUT2' })] }),
    );
    expect(await findEncountersByVisit(db(), 'GENHOSP', 'V-OUT2')).toEqual([]);
    expect(await encounterOf('V-IN2')).toMatchObject({ status: 'in-progress', patientClass: 'I', location: '4W/5' });
    expect((await eventsOf('V-IN2')).map((e) => e.type)).toEqual(['registration', 'class-change']);
  });

  it('A08 updates demographics with history and the visit information', async () => {
    await send(msg({ trigger: 'A01', mrn: 'UPD1', evn: { 2: '20261101090000' }, pid: { 11: '1 OLD RD^^BOISE^ID^83702' }, pv1: { 2: 'I', 7: '1^KIM^SOO', 19: 'V-UPD1' } }));
    const [update] = await send(msg({ trigger: 'A08', mrn: 'UPD1', evn: { 2: '20261102090000' }, pid: { 11: '9 NEW ST^^BOISE^ID^83702' }, pv1: { 2: 'I', 7: '2^LEE^ANN', 19: 'V-UPD1' } }));
    const p = await patientOf('UPD1');
    expect(p.demographics.addresses[0]!.line).toBe('9 NEW ST');
    const history = await demographicsHistory(db(), p.id);
    expect(history[0]).toMatchObject({ sourceEntryId: update, demographics: { addresses: [expect.objectContaining({ line: '1 OLD RD' })] } });
    expect(await encounterOf('V-UPD1')).toMatchObject({ status: 'in-progress', attending: 'LEE, ANN (2)' });
    expect((await eventsOfEntry(db(), update!))[0]).toMatchObject({ type: 'visit-update', messageType: 'ADT^A08' });
    // Without PV1: the person only.
    const [personOnly] = await send(msg({ trigger: 'A08', mrn: 'UPD1', evn: { 2: '20261103090000' }, pid: { 5: 'DOE^JANET' } }));
    // (A rename keeps the patient: the identifier decides.)
    expect((await eventsOfEntry(db(), personOnly!))[0]).toMatchObject({ type: 'demographics-update', encounterId: null });
    expect((await patientOf('UPD1')).demographics.names[0]!.given).toBe('JANET');
  });

  it('A28 and A31 add and update the person, with no encounter', async () => {
    const [add, upd] = await send(
      msg({ trigger: 'A28', mrn: 'PER1', evn: { 2: '20261101090000' }, pid: { 13: '^PRN^PH^^^208^5550100' } }),
      msg({ trigger: 'A31', mrn: 'PER1', evn: { 2: '20261102090000' }, pid: { 13: '^PRN^PH^^^208^5550199' } }),
    );
    const p = await patientOf('PER1');
    expect(await listPatientEncounters(db(), p.id)).toEqual([]);
    expect((await eventsOfEntry(db(), add!))[0]).toMatchObject({ type: 'person-add', encounterId: null });
    expect((await eventsOfEntry(db(), upd!))[0]).toMatchObject({ type: 'demographics-update', encounterId: null });
    expect(p.demographics.phones[0]!.number).toBe('2085550199');
    expect((await demographicsHistory(db(), p.id))).toHaveLength(1);
  });

  it('A11 cancels the admit and closes nothing it did not open', async () => {
    await send(
      msg({ trigger: 'A01', mrn: 'CAN1', evn: { 2: '20261001090000' }, pv1: { 2: 'I', 19: 'V-CAN-OLD' } }),
      msg({ trigger: 'A03', mrn: 'CAN1', evn: { 2: '20261005090000' }, pv1: { 2: 'I', 19: 'V-CAN-OLD' } }),
      msg({ trigger: 'A01', mrn: 'CAN1', evn: { 2: '20261101090000' }, pv1: { 2: 'I', 19: 'V-CAN1' } }),
    );
    const [first] = await send(msg({ trigger: 'A11', mrn: 'CAN1', evn: { 2: '20261101100000' }, pv1: { 2: 'I', 19: 'V-CAN1' } }));
    expect(await encounterOf('V-CAN1')).toMatchObject({ status: 'cancelled', admittedAt: null });
    expect((await eventsOfEntry(db(), first!))[0]).toMatchObject({ type: 'cancel-admit', payload: { matched: true } });
    // Again (a new control id), for an unknown visit, and without a visit number: each matches nothing.
    const [again, unknown, noVisit] = await send(
      msg({ trigger: 'A11', mrn: 'CAN1', evn: { 2: '20261101110000' }, pv1: { 2: 'I', 19: 'V-CAN1' } }),
      msg({ trigger: 'A11', mrn: 'CAN1', evn: { 2: '20261101110000' }, pv1: { 2: 'I', 19: 'V-NEVER' } }),
      msg({ trigger: 'A11', mrn: 'CAN1', evn: { 2: '20261101110000' }, pv1: { 2: 'I' } }),
    );
    for (const entry of [again, unknown, noVisit]) expect((await eventsOfEntry(db(), entry!))[0]!.payload.matched).toBe(false);
    expect((await eventsOfEntry(db(), unknown!))[0]!.encounterId).toBeNull();
    expect(await findEncountersByVisit(db(), 'GENHOSP', 'V-NEVER')).toEqual([]);
    expect(await encounterOf('V-CAN-OLD')).toMatchObject({ status: 'finished' });
    expect((await eventsOf('V-CAN-OLD')).every((e) => e.withdrawnAt === null)).toBe(true);
    expect(await encounterOf('V-CAN1')).toMatchObject({ status: 'cancelled' });
  });

  it('applies an A03 that arrives before its A01 by event time, flagging the late admit', async () => {
    const [discharge, admit] = await send(
      msg({ trigger: 'A03', mrn: 'OOO1', evn: { 2: '20261105090000' }, pv1: { 2: 'I', 19: 'V-OOO1', 36: '01' } }),
      msg({ trigger: 'A01', mrn: 'OOO1', evn: { 2: '20261101090000' }, pv1: { 2: 'I', 3: '4W^9', 19: 'V-OOO1', 44: '20261101085000' } }),
    );
    expect(await encounterOf('V-OOO1')).toMatchObject({ status: 'finished', admittedAt: utc('2026-11-01T08:50:00Z'), dischargedAt: utc('2026-11-05T09:00:00Z'), location: '4W/9' });
    expect((await eventsOfEntry(db(), admit!))[0]!.outOfOrder).toBe(true);
    expect((await eventsOfEntry(db(), discharge!))[0]!.outOfOrder).toBe(false);
  });

  it('applies an A02 that happened before the A03 it follows, and an A03 dated before the latest A01', async () => {
    const [, , transfer] = await send(
      msg({ trigger: 'A01', mrn: 'OOO2', evn: { 2: '20261101090000' }, pv1: { 2: 'I', 3: '4W^1', 19: 'V-OOO2' } }),
      msg({ trigger: 'A03', mrn: 'OOO2', evn: { 2: '20261103090000' }, pv1: { 2: 'I', 19: 'V-OOO2' } }),
      msg({ trigger: 'A02', mrn: 'OOO2', evn: { 2: '20261102090000' }, pv1: { 2: 'I', 3: 'ICU^2', 19: 'V-OOO2' } }),
    );
    expect(await encounterOf('V-OOO2')).toMatchObject({ status: 'finished', location: 'ICU/2', dischargedAt: utc('2026-11-03T09:00:00Z') });
    expect((await eventsOfEntry(db(), transfer!))[0]!.outOfOrder).toBe(true);
    // A readmission of the visit (A01 at 10:00) then a discharge dated 08:00: the admit is the latest event.
    const [, lateDischarge] = await send(
      msg({ trigger: 'A01', mrn: 'OOO3', evn: { 2: '20261110100000' }, pv1: { 2: 'I', 19: 'V-OOO3' } }),
      msg({ trigger: 'A03', mrn: 'OOO3', evn: { 2: '20261110080000' }, pv1: { 2: 'I', 19: 'V-OOO3' } }),
    );
    expect(await encounterOf('V-OOO3')).toMatchObject({ status: 'in-progress', dischargedAt: null });
    expect((await eventsOfEntry(db(), lateDischarge!))[0]).toMatchObject({ type: 'discharge', outOfOrder: true });
  });

  it('takes the event time from the message (MSH-7 without EVN), never the receive time', async () => {
    const [entry] = await send(msg({ trigger: 'A02', mrn: 'TIME1', messageTime: '20261101093000-0500', evn: null, pv1: { 2: 'I', 3: 'X^1', 19: 'V-TIME1' } }));
    expect((await eventsOfEntry(db(), entry!))[0]).toMatchObject({ occurredAt: utc('2026-11-01T14:30:00Z'), payload: { eventTimeSource: 'MSH-7' } });
  });

  it('finds the encounter of an event without a visit number: the latest in-progress one at the facility', async () => {
    await send(
      msg({ trigger: 'A01', mrn: 'NOV1', evn: { 2: '20261101090000' }, pv1: { 2: 'I', 3: '4W^1', 19: 'V-NOV1' } }),
      msg({ trigger: 'A02', mrn: 'NOV1', evn: { 2: '20261102090000' }, pv1: { 2: 'I', 3: 'ICU^7' } }),
      msg({ trigger: 'A03', mrn: 'NOV1', evn: { 2: '20261103090000' }, pv1: { 2: 'I' } }),
    );
    expect(await encounterOf('V-NOV1')).toMatchObject({ status: 'finished', location: 'ICU/7' });
    expect(await listPatientEncounters(db(), (await patientOf('NOV1')).id)).toHaveLength(1);
  });

  it('without a visit number, an A01 admits the pre-admitted encounter, and the same admission sent again reuses it', async () => {
    const admit = { trigger: 'A01', mrn: 'NOV2', evn: { 2: '20261101090000' }, pv1: { 2: 'I', 3: '4W^3', 44: '20261101085500' } } as const;
    await send(
      msg({ trigger: 'A05', mrn: 'NOV2', evn: { 2: '20261020090000' }, pv1: { 2: 'P' } }),
      msg(admit),
      msg({ ...admit, evn: { 2: '20261101091500' } }),
    );
    const p = await patientOf('NOV2');
    const [enc] = await listPatientEncounters(db(), p.id);
    expect(await listPatientEncounters(db(), p.id)).toHaveLength(1);
    expect(enc).toMatchObject({ status: 'in-progress', visitNumber: null, admittedAt: utc('2026-11-01T08:55:00Z') });
    expect((await listEncounterEvents(db(), enc!.id)).map((e) => e.type)).toEqual(['pre-admit', 'admit', 'admit']);
    // A later outpatient visit is an encounter of its own.
    await send(msg({ trigger: 'A04', mrn: 'NOV2', evn: { 2: '20261201090000' }, pv1: { 2: 'O' } }));
    expect(await listPatientEncounters(db(), p.id)).toHaveLength(2);
  });

  it('does not apply a reprocessed message twice', async () => {
    const [entry] = await send(msg({ trigger: 'A01', mrn: 'REP1', evn: { 2: '20261101090000' }, pv1: { 2: 'I', 19: 'V-REP1' }, extra: [seg('DG1', { 1: '1', 3: 'J18.9^Pneumonia^I10', 6: 'A' })] }));
    // An operator's reprocess of the entry (the inbox row queued again).
    await db().updateTable('inbox').set({ status: 'queued', processed_at: null }).where('entry_id', '=', entry!).execute();
    await eventually(async () => (await getInboxRow(db(), entry!))?.status === 'processed', 20_000, 'reprocessed');
    const p = await patientOf('REP1');
    expect((await eventsOf('V-REP1')).filter((e) => e.type === 'admit')).toHaveLength(1);
    expect(await listPatientEncounters(db(), p.id)).toHaveLength(1);
    expect(await listDiagnoses(db(), p.id)).toHaveLength(1);
  });

  it('replaces the coverage by set id on each message with IN1, and keeps it on messages without', async () => {
    await send(msg({ trigger: 'A01', mrn: 'COV1', evn: { 2: '20261101090000' }, pv1: { 2: 'I', 19: 'V-COV1' }, extra: [seg('IN1', { 1: '1', 2: 'A^Plan A' }), seg('IN1', { 1: '2', 2: 'B^Plan B' })] }));
    await send(msg({ trigger: 'A08', mrn: 'COV1', evn: { 2: '20261102090000' }, pv1: { 2: 'I', 19: 'V-COV1' } }));
    const p = await patientOf('COV1');
    expect((await listCoverage(db(), p.id)).map((c) => c.planId)).toEqual(['A', 'B']);
    await send(msg({ trigger: 'A08', mrn: 'COV1', evn: { 2: '20261103090000' }, pv1: { 2: 'I', 19: 'V-COV1' }, extra: [seg('IN1', { 1: '1', 2: 'C^Plan C' })] }));
    expect((await listCoverage(db(), p.id)).map((c) => [c.setId, c.planId])).toEqual([['1', 'C']]);
  });

  it('never stores a full SSN anywhere in the operational database', async () => {
    const ssn = '587-33-9142';
    await send(msg({
      trigger: 'A01', mrn: 'SSN1', evn: { 2: '20261101090000' },
      pid: { 3: 'SSN1^^^GENHOSP^MR~587339142^^^SSA^SS', 19: ssn },
      pv1: { 2: 'I', 19: 'V-SSN1' },
      extra: [seg('IN1', { 1: '1', 2: 'MCR^Medicare', 36: '587339142A', 49: '587339142^^^SSA^SS' }), seg('DG1', { 1: '1', 3: 'Z00^Checkup^I10' })],
    }));
    expect((await patientOf('SSN1')).demographics.ssnLast4).toBe('9142');
    const dump = await dumpOperationalDatabase();
    expect(dump).toContain('SSN1');
    expect(dump).not.toContain('587339142');
    expect(dump).not.toContain('587-33-9142');
    expect(dump.replace(/\D/g, '')).not.toContain('587339142' + '');
    if (dialect === 'sqlite') {
      // The bytes of the operational files too (the raw log is a separate file: it keeps messages as received).
      for (const f of readdirSync(tp.tdb.dataDir).filter((name) => name.startsWith('carecoord.db'))) {
        expect(readFileSync(join(tp.tdb.dataDir, f)).includes(Buffer.from('587339142')), f).toBe(false);
      }
    }
  });

  it('leaves types it does not handle unhandled (A40 is identity\'s)', async () => {
    const client = await tp.connect();
    await client.send(adtMessage({ trigger: 'A40', controlId: `${dialect}-A40`, mrn: 'MRG1', extra: ['MRG|MRG0^^^GENHOSP^MR'] }));
    await client.close();
    const [row] = await listMessages(db(), { controlId: `${dialect}-A40` });
    await eventually(async () => (await getInboxRow(db(), row!.id))?.status === 'unhandled', 20_000, 'unhandled');
  });

  /** Every row of every table of the operational database (not the raw log), as text. */
  async function dumpOperationalDatabase(): Promise<string> {
    const tables = dialect === 'sqlite'
      ? (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(db())).rows.map((r) => r.name)
      : (await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`.execute(db())).rows.map((r) => r.name);
    expect(tables).toContain('patient');
    let out = '';
    for (const t of tables) {
      const rows = (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(t)}`.execute(db())).rows;
      out += JSON.stringify(rows, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : typeof v === 'bigint' ? String(v) : v));
    }
    return out;
  }
});
