/**
 * Results from raw HL7 through the real ingest pipeline (MLLP, durable log, ordered workers) to the
 * stored model, on every dialect: observations, order events, interpretation, corrections,
 * withdrawals, notes, several orders and several patients per message, reprocessing.
 */
import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOruHandlers } from '../src/oru/index.js';
import { listPatientEvents, type ClinicalEvent } from '../src/store/events.js';
import { getInboxRow } from '../src/store/inbox.js';
import { listMessages } from '../src/store/message-query.js';
import { latestObservations, listEntryObservations, listEventObservations, listObservationTrend } from '../src/store/observations.js';
import { findByIdentifier } from '../src/store/patients.js';
import type { Database } from '../src/store/schema.js';
import { eventually, startTestPlatform, type TestPlatform } from './support/platform.js';
import { DIALECTS } from './support/stores.js';

const SAMPLES = new URL('../../shared/hl7-samples/', import.meta.url);

/** An ORU^R01 v2.5.1 from segments after MSH (CR separated). */
function oru(controlId: string, ...segments: string[]): string {
  return [`MSH|^~\\&|LAB|MERCY_HOSP|CARECOORD|HH01|20261103081522-0500||ORU^R01^ORU_R01|${controlId}|P|2.5.1`, ...segments].join('\r') + '\r';
}
const pid = (mrn: string) => `PID|1||${mrn}^^^MERCY_HOSP^MR||TEST^PAT||19470212|M`;
const obr = (filler: string, status = 'F', time = '20261103070500-0500') => `OBR|1|ORD-${filler}|${filler}|80048^BASIC METABOLIC PANEL^CPT|||${time}||||||||||||||||||${status}`;
const potassium = (value: string, flag: string, status: string) => `OBX|1|NM|2823-3^Potassium^LN||${value}|mmol/L|3.5-5.1|${flag}|||${status}|||20261103081000-0500`;

describe.each(DIALECTS)('ORU results through the pipeline on %s', (dialect) => {
  let tp: TestPlatform;
  let db: Kysely<Database>;
  beforeAll(async () => {
    tp = await startTestPlatform(dialect, {}, { registerHandlers: registerOruHandlers });
    db = tp.platform.store.db;
  });
  afterAll(async () => {
    await tp.stop();
    await tp.tdb.cleanup();
  });

  /** Send over MLLP, wait until processed; returns the log entry id. */
  async function deliver(message: string | Buffer): Promise<number> {
    const client = await tp.connect();
    const ack = (await client.send(message)).toString('latin1');
    await client.close();
    expect(ack).toMatch(/MSA\|(AA|CA)\|/);
    const control = /MSA\|[A-Z]{2}\|([^|\r]*)/.exec(ack)![1]!;
    const [entry] = await listMessages(db, { controlId: control });
    const row = await eventually(async () => {
      const r = await getInboxRow(db, entry!.id);
      return r && r.status !== 'queued' ? r : undefined;
    }, 20_000, `processing of ${control}`);
    expect(row.status).toBe('processed');
    return entry!.id;
  }
  async function patientId(mrn: string): Promise<number> {
    return (await findByIdentifier(db, 'MERCY_HOSP', mrn))!.id;
  }
  async function observationEvents(patient: number, includeWithdrawn = false): Promise<ClinicalEvent[]> {
    return (await listPatientEvents(db, patient, { includeWithdrawn })).filter((e) => e.type === 'observation');
  }

  it('stores a critical potassium (HH) with its value, range, flags, note and times, and summarises the order', async () => {
    const entry = await deliver(readFileSync(new URL('authored/oru_r01_critical_potassium_hh.hl7', SAMPLES)));
    const patient = await patientId('M448812');
    const [event] = await observationEvents(patient);
    expect(event).toMatchObject({ occurredAt: Date.parse('2026-11-03T12:05:00Z'), facility: 'MERCY_HOSP', messageType: 'ORU^R01', sourceEntryId: entry, encounterId: null });
    expect(event!.payload).toMatchObject({
      order: { code: '80048', text: 'BASIC METABOLIC PANEL', placerOrder: 'ORD88121', fillerOrder: 'LAB88121', status: 'F' },
      resultStatuses: ['F'],
      summary: { count: 4, severity: 'critical', byInterpretation: { 'critical-high': 1, 'critical-low': 1, low: 1, normal: 1 } },
    });
    const summary = event!.payload.summary as { critical: { code: string; value: string; interpretation: string }[]; abnormal: { code: string }[] };
    expect(summary.critical.map((c) => [c.code, c.value, c.interpretation])).toEqual([['2823-3', '6.8', 'critical-high'], ['2345-7', '41', 'critical-low']]);
    expect(summary.abnormal.map((a) => a.code)).toEqual(['2951-2']);

    const rows = await listEventObservations(db, event!.id);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({
      patientId: patient, code: '2823-3', codeSystem: 'LN', codeText: 'Potassium [Moles/volume] in Serum or Plasma', valueType: 'NM',
      value: '6.8', valueNum: 6.8, units: 'mmol/L', referenceRange: '3.5-5.1', rangeLow: 3.5, rangeHigh: 5.1, abnormalFlags: ['HH'],
      interpretation: 'critical-high', outOfRange: true, resultStatus: 'F', observedAt: Date.parse('2026-11-03T13:10:00Z'),
      notes: 'Critical value called to RN J. PARKS at 0815 by lab tech 22.', fillerOrder: 'LAB88121', orderCode: '80048', sourceEntryId: entry,
      supersededBy: null, withdrawnAt: null,
    });
    expect(rows.map((r) => r.interpretation)).toEqual(['critical-high', 'low', 'critical-low', 'normal']);
    expect(rows[3]).toMatchObject({ code: '2160-0', outOfRange: false, notes: null });
  });

  it('keeps each OBR its own event with its own results and order notes', async () => {
    await deliver(oru('MULTI-1', pid('MULTI1'),
      'OBR|1|P1|F-CBC|85025^CBC^CPT|||20261103060000-0500', 'NTE|1|L|Hemolyzed sample, repeat advised.',
      'OBX|1|NM|6690-2^WBC^LN||14.2|10*3/uL|4.5-11.0|H|||F', 'OBX|2|NM|718-7^Hemoglobin^LN||11.0|g/dL|12.0-16.0|L|||F',
      'OBR|2|P2|F-UA|81001^Urinalysis^CPT|||20261103061500-0500',
      'OBX|1|CWE|5802-4^Nitrite^LN||POS^Positive^L||NEG|A|||F', 'NTE|1|L|Culture to follow.'));
    const events = await observationEvents(await patientId('MULTI1'));
    expect(events.map((e) => [(e.payload.order as { code: string }).code, e.occurredAt])).toEqual([
      ['85025', Date.parse('2026-11-03T11:00:00Z')], ['81001', Date.parse('2026-11-03T11:15:00Z')]]);
    expect(events[0]!.payload.notes).toBe('Hemolyzed sample, repeat advised.');
    expect((await listEventObservations(db, events[0]!.id)).map((o) => [o.code, o.interpretation])).toEqual([['6690-2', 'high'], ['718-7', 'low']]);
    const [nitrite] = await listEventObservations(db, events[1]!.id);
    expect(nitrite).toMatchObject({ valueType: 'CWE', value: 'Positive', valueCode: 'POS', valueCodeSystem: 'L', interpretation: 'abnormal', notes: 'Culture to follow.' });
  });

  it('resolves each PID group of a batch of patients to its own patient', async () => {
    await deliver(oru('BATCH-1', pid('BATCH-A'), obr('F-BA'), potassium('4.0', 'N', 'F'), pid('BATCH-B'), obr('F-BB'), potassium('5.9', 'H', 'F')));
    const [a, b] = [await patientId('BATCH-A'), await patientId('BATCH-B')];
    expect(a).not.toBe(b);
    expect((await latestObservations(db, a)).map((o) => o.value)).toEqual(['4.0']);
    expect((await latestObservations(db, b)).map((o) => [o.value, o.interpretation])).toEqual([['5.9', 'high']]);
  });

  it('replaces a result with its correction (OBX-11 C), keeping the earlier one marked', async () => {
    const first = await deliver(oru('CORR-1', pid('CORR1'), obr('F-CORR'), potassium('6.8', 'HH', 'F')));
    const second = await deliver(oru('CORR-2', pid('CORR1'), obr('F-CORR', 'C'), potassium('4.1', 'N', 'C')));
    const patient = await patientId('CORR1');
    const [old] = await listEntryObservations(db, first);
    const [corrected] = await listEntryObservations(db, second);
    expect(old).toMatchObject({ value: '6.8', supersededBy: corrected!.id, withdrawnAt: null });
    expect(old!.supersededAt).not.toBeNull();
    expect(corrected).toMatchObject({ value: '4.1', resultStatus: 'C', interpretation: 'normal', supersededBy: null });
    expect((await latestObservations(db, patient, { codes: ['2823-3'] })).map((o) => o.id)).toEqual([corrected!.id]);
    expect((await listObservationTrend(db, patient, '2823-3')).map((o) => o.value)).toEqual(['4.1']);
    expect((await listObservationTrend(db, patient, '2823-3', { includeReplaced: true })).map((o) => o.value)).toEqual(['6.8', '4.1']);
    const events = await observationEvents(patient);
    expect(events).toHaveLength(2);
    expect(events[1]!.payload.replaced).toEqual([expect.objectContaining({ observationId: old!.id, how: 'superseded', by: 'C', value: '6.8', interpretation: 'critical-high', newValue: '4.1', newInterpretation: 'normal' })]);
  });

  it('withdraws a result posted for the wrong patient (W), and its event once nothing of it is left', async () => {
    const first = await deliver(oru('WRONG-1', pid('WRONG1'), obr('F-WRONG'), potassium('6.8', 'HH', 'F')));
    await deliver(oru('WRONG-2', pid('WRONG1'), obr('F-WRONG'), potassium('6.8', 'HH', 'W')));
    const patient = await patientId('WRONG1');
    const [original] = await listEntryObservations(db, first);
    expect(original!.withdrawnAt).not.toBeNull();
    expect(await latestObservations(db, patient)).toEqual([]);
    const events = await observationEvents(patient, true);
    expect(events).toHaveLength(2);
    expect(events[0]!.withdrawnBy).toBe(events[1]!.id);
    // The withdrawal repeats the HH value: it must not read as a new critical result.
    expect(events[1]!.payload.summary).toMatchObject({ count: 0, severity: null, critical: [] });
    expect((await listEventObservations(db, events[1]!.id))[0]).toMatchObject({ resultStatus: 'W', withdrawnAt: expect.any(Number) });
    expect(await observationEvents(patient)).toHaveLength(1);
  });

  it('lets a final replace the preliminary, and files a late preliminary behind the final', async () => {
    const prelim = await deliver(oru('PRE-1', pid('PRE1'), obr('F-PRE', 'P'), potassium('5.4', 'H', 'P')));
    const final = await deliver(oru('PRE-2', pid('PRE1'), obr('F-PRE', 'F'), potassium('5.6', 'H', 'F')));
    const late = await deliver(oru('PRE-3', pid('PRE1'), obr('F-PRE', 'P'), potassium('9.9', 'HH', 'P')));
    const [p, f, l] = [(await listEntryObservations(db, prelim))[0]!, (await listEntryObservations(db, final))[0]!, (await listEntryObservations(db, late))[0]!];
    expect(p.supersededBy).toBe(f.id);
    expect(l.supersededBy).toBe(f.id);
    expect(f.supersededBy).toBeNull();
    const events = await observationEvents(await patientId('PRE1'));
    expect(events[2]!.payload).toMatchObject({ late: 1, summary: { count: 0, critical: [] } });
    expect((await latestObservations(db, await patientId('PRE1'))).map((o) => o.value)).toEqual(['5.6']);
  });

  it('gives a lab trend by code over time and the latest result per code', async () => {
    for (const [i, v, day] of [[1, '4.2', '01'], [2, '4.8', '05'], [3, '5.3', '09']] as const) {
      await deliver(oru(`TREND-${i}`, pid('TREND1'), obr(`F-TR${i}`, 'F', `202611${day}0700-0500`),
        `OBX|1|NM|2823-3^Potassium^LN||${v}|mmol/L|3.5-5.1||||F`, `OBX|2|NM|2951-2^Sodium^LN||14${i}|mmol/L|136-145||||F`));
    }
    const patient = await patientId('TREND1');
    const trend = await listObservationTrend(db, patient, '2823-3');
    expect(trend.map((o) => [o.valueNum, o.outOfRange, o.interpretation])).toEqual([[4.2, false, null], [4.8, false, null], [5.3, true, null]]);
    expect(trend.map((o) => o.observedAt)).toEqual([Date.parse('2026-11-01T12:00:00Z'), Date.parse('2026-11-05T12:00:00Z'), Date.parse('2026-11-09T12:00:00Z')]);
    expect((await listObservationTrend(db, patient, '2823-3', { since: Date.parse('2026-11-04T00:00:00Z') })).map((o) => o.value)).toEqual(['4.8', '5.3']);
    expect((await latestObservations(db, patient)).map((o) => [o.code, o.value])).toEqual([['2823-3', '5.3'], ['2951-2', '143']]);
  });

  it('links a result to the encounter of its visit number (PV1-19) when one is known', async () => {
    await deliver(oru('ENC-1', pid('ENC1'), obr('F-ENC1'), potassium('4.0', 'N', 'F')));
    const patient = await patientId('ENC1');
    const now = Date.now();
    await db.insertInto('encounter').values({ patient_id: patient, facility: 'MERCY_HOSP', visit_number: 'V777', patient_class: 'I', status: 'in-progress', admitted_at: now, discharged_at: null, location: null, hospital_service: null, attending: null, admit_source: null, discharge_disposition: null, discharged_to: null, created_at: now, updated_at: now }).execute();
    const encounter = Number((await db.selectFrom('encounter').select('id').where('visit_number', '=', 'V777').executeTakeFirstOrThrow()).id);
    const entry = await deliver(oru('ENC-2', pid('ENC1'), 'PV1|1|I|4W^401^A^MERCY_HOSP||||||||||||||||V777', obr('F-ENC2'), potassium('4.1', 'N', 'F')));
    const [row] = await listEntryObservations(db, entry);
    expect(row!.encounterId).toBe(encounter);
    const unknown = await deliver(oru('ENC-3', pid('ENC1'), 'PV1|1|I|4W||||||||||||||||V999', obr('F-ENC3'), potassium('4.2', 'N', 'F')));
    expect((await listEntryObservations(db, unknown))[0]!.encounterId).toBeNull();
  });

  it('applies an entry once, even when it is run again', async () => {
    const entry = await deliver(oru('AGAIN-1', pid('AGAIN1'), obr('F-AGAIN'), potassium('6.1', 'H', 'F')));
    // An operator's reprocess (or a second runner) puts the processed entry back in the queue.
    await sql`UPDATE inbox SET status = 'queued', processed_at = NULL WHERE entry_id = ${entry}`.execute(db);
    await eventually(async () => (await getInboxRow(db, entry))?.status === 'processed', 20_000, 'reprocessing');
    expect(await listEntryObservations(db, entry)).toHaveLength(1);
    expect(await observationEvents(await patientId('AGAIN1'))).toHaveLength(1);
  });

  it('skips a result whose PID names no patient, and still processes the message', async () => {
    const entry = await deliver(oru('NOPID-1', 'PID|1||||||||123', obr('F-NOPID'), potassium('4.0', 'N', 'F')));
    expect(await listEntryObservations(db, entry)).toEqual([]);
  });
});
