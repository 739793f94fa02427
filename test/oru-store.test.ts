/**
 * The results model on every dialect, applied through `applyResults` inside a transaction as the
 * worker does: corrections by sub-id, U finalisation, partial withdrawal, latest per code, trends.
 */
import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { parseHl7 } from '../src/hl7/index.js';
import { applyResults } from '../src/oru/index.js';
import { listPatientEvents } from '../src/store/events.js';
import { latestObservations, listEntryObservations, listObservationTrend } from '../src/store/observations.js';
import { findByIdentifier } from '../src/store/patients.js';
import type { Database } from '../src/store/schema.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

let nextEntry = 1;
/** Apply an ORU built from segments after MSH as log entry `entryId` (a new one by default). */
async function apply(db: Kysely<Database>, segments: string[], entryId = nextEntry++) {
  const text = ['MSH|^~\\&|LAB|GENLAB|CC|CC|20261110090000||ORU^R01|C' + entryId + '|P|2.5.1', ...segments].join('\r');
  const message = parseHl7(text);
  const outcome = await db.transaction().execute((trx) => applyResults(trx, { entryId, receivedAt: 1_800_000_000_000 + entryId, message, raw: Buffer.from(text) }));
  return { entryId, outcome };
}
const PID = 'PID|1||P100^^^GENLAB^MR||DOE^JANE';

describe.each(DIALECTS)('results store on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  const patient = async () => (await findByIdentifier(ctx.store.db, 'GENLAB', 'P100'))!.id;

  it('applies an entry once: a second run writes nothing', async () => {
    const segs = [PID, 'OBR|1||F1|CBC', 'OBX|1|NM|WBC||7.5|10*3/uL|4.5-11.0|N|||F'];
    const { entryId, outcome } = await apply(ctx.store.db, segs);
    expect(outcome).toMatchObject({ alreadyApplied: false, skippedGroups: 0 });
    expect((await apply(ctx.store.db, segs, entryId)).outcome).toMatchObject({ alreadyApplied: true, eventIds: [], observationIds: [] });
    expect(await listEntryObservations(ctx.store.db, entryId)).toHaveLength(1);
  });

  it('corrects only the result with the same sub-id (OBX-4)', async () => {
    const first = await apply(ctx.store.db, [PID, 'OBR|1||F-MIC|CULT', 'OBX|1|CWE|600-7^Isolate^LN|1|E. coli||||||F', 'OBX|2|CWE|600-7^Isolate^LN|2|Klebsiella||||||F']);
    const second = await apply(ctx.store.db, [PID, 'OBR|1||F-MIC|CULT', 'OBX|1|CWE|600-7^Isolate^LN|2|Klebsiella oxytoca||||||C']);
    const [ecoli, kleb] = await listEntryObservations(ctx.store.db, first.entryId);
    const [fixed] = await listEntryObservations(ctx.store.db, second.entryId);
    expect(ecoli!.supersededBy).toBeNull();
    expect(kleb!.supersededBy).toBe(fixed!.id);
    expect((await listObservationTrend(ctx.store.db, await patient(), '600-7')).map((o) => [o.subId, o.value])).toEqual([['1', 'E. coli'], ['2', 'Klebsiella oxytoca']]);
  });

  it('never lets two results of one message replace each other', async () => {
    const { entryId } = await apply(ctx.store.db, [PID, 'OBR|1||F-DUP|X', 'OBX|1|ST|Q1^Question||yes||||||F', 'OBX|2|ST|Q1^Question||no||||||F']);
    expect((await listEntryObservations(ctx.store.db, entryId)).map((o) => o.supersededBy)).toEqual([null, null]);
  });

  it('finalises a preliminary with U, carrying its value over', async () => {
    await apply(ctx.store.db, [PID, 'OBR|1||F-U|X', 'OBX|1|NM|K^Potassium||6.2|mmol/L|3.5-5.1|H|||P']);
    const { entryId } = await apply(ctx.store.db, [PID, 'OBR|1||F-U|X', 'OBX|1|NM|K^Potassium||||||||U']);
    const [final] = await listEntryObservations(ctx.store.db, entryId);
    expect(final).toMatchObject({ resultStatus: 'U', value: '6.2', valueNum: 6.2, units: 'mmol/L', abnormalFlags: ['H'], interpretation: 'high', outOfRange: true, rangeLow: 3.5, rangeHigh: 5.1 });
    const events = await listPatientEvents(ctx.store.db, await patient());
    expect(events[1]!.payload.summary).toMatchObject({ count: 1, severity: 'abnormal' });
  });

  it('withdraws one result (D) and keeps the event while other results of it stand', async () => {
    const first = await apply(ctx.store.db, [PID, 'OBR|1||F-D|BMP', 'OBX|1|NM|K||4.0||||||F', 'OBX|2|NM|NA||140||||||F']);
    await apply(ctx.store.db, [PID, 'OBR|1||F-D|BMP', 'OBX|1|NM|K||4.0||||||D']);
    const [k, na] = await listEntryObservations(ctx.store.db, first.entryId);
    expect(k!.withdrawnAt).not.toBeNull();
    expect(na!.withdrawnAt).toBeNull();
    const events = await listPatientEvents(ctx.store.db, await patient(), { includeWithdrawn: true });
    expect(events.map((e) => e.withdrawnAt)).toEqual([null, null]);
    expect((await latestObservations(ctx.store.db, await patient())).map((o) => o.code)).toEqual(['NA']);
  });

  it('gives the latest result per code and code system, the later recorded on equal times', async () => {
    await apply(ctx.store.db, [PID, 'OBR|1||F-L1|X|||20261101', 'OBX|1|NM|GLU^Glucose^LN||90||||||F', 'OBX|2|NM|GLU^Glucose^L||5.0||||||F']);
    await apply(ctx.store.db, [PID, 'OBR|1||F-L2|X|||20261102', 'OBX|1|NM|GLU^Glucose^LN||110||||||F']);
    await apply(ctx.store.db, [PID, 'OBR|1||F-L3|X|||20261102', 'OBX|1|NM|GLU^Glucose^LN||120||||||F']);
    await apply(ctx.store.db, [PID, 'OBR|1||F-L4|X|||20261031', 'OBX|1|NM|GLU^Glucose^LN||70||||||F']);
    const latest = await latestObservations(ctx.store.db, await patient());
    expect(latest.map((o) => [o.code, o.codeSystem, o.value])).toEqual([['GLU', 'L', '5.0'], ['GLU', 'LN', '120']]);
    expect(await latestObservations(ctx.store.db, await patient(), { codes: ['NONE'] })).toEqual([]);
    expect(await latestObservations(ctx.store.db, await patient(), { since: Date.UTC(2026, 10, 3) })).toEqual([]);
    expect((await listObservationTrend(ctx.store.db, await patient(), 'GLU', { codeSystem: 'LN' })).map((o) => o.value)).toEqual(['70', '90', '110', '120']);
    expect((await listObservationTrend(ctx.store.db, await patient(), 'GLU', { codeSystem: 'LN', until: Date.UTC(2026, 10, 2), limit: 1 })).map((o) => o.value)).toEqual(['70']);
  });

  it('skips a PID group that names no patient and applies the others', async () => {
    const { outcome } = await apply(ctx.store.db, ['PID|1||123-45-6789^^^SSA^SS', 'OBR|1||F-S|X', 'OBX|1|NM|K||4.0', PID, 'OBR|1||F-T|X', 'OBX|1|NM|K||4.1']);
    expect(outcome.skippedGroups).toBe(1);
    expect(outcome.observationIds).toHaveLength(1);
    expect((await latestObservations(ctx.store.db, await patient())).map((o) => o.value)).toEqual(['4.1']);
  });
});
