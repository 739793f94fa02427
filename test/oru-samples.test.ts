/**
 * Every ORU sample of the shared corpus (/work/shared/hl7-samples, INDEX.tsv), sent over MLLP to a
 * carecoord with the results handler: each accepted ORU ends processed, never failed (other message
 * types in a multi-message file end unhandled; a NEGATIVE file is refused at receipt). For the
 * samples with notable flags and values, what was stored is checked too.
 */
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHl7, readLenientHeader, splitBatch } from '../src/hl7/index.js';
import { registerOruHandlers } from '../src/oru/index.js';
import { listEntryObservations, type Observation } from '../src/store/observations.js';
import { getEntries } from '../src/store/message-log.js';
import { listMessages, type MessageSummary } from '../src/store/message-query.js';
import type { Database } from '../src/store/schema.js';
import { eventually, startTestPlatform, type TestPlatform } from './support/platform.js';
import { DIALECTS } from './support/stores.js';

const CORPUS = new URL('../../shared/hl7-samples/', import.meta.url);
const samples = readFileSync(new URL('INDEX.tsv', CORPUS), 'utf8').split('\n').slice(1).filter(Boolean)
  .map((l) => { const [file = '', type = '', , , notable = ''] = l.split('\t'); return { file, type, notable }; })
  .filter((s) => s.type.includes('ORU') || s.file.includes('oru'));

/** What some samples must store: result code -> expected fields. */
const EXPECTED: Record<string, Record<string, Partial<Observation>>> = {
  'authored/oru_r01_critical_potassium_hh.hl7': { '2823-3': { valueNum: 6.8, interpretation: 'critical-high' }, '2345-7': { valueNum: 41, interpretation: 'critical-low' } },
  'authored/oru_r01_vitals_home_visit_crlf.hl7': { '59408-5': { valueNum: 86, interpretation: 'critical-low' }, '8480-6': { valueNum: 182, interpretation: 'high' }, '29463-7': { interpretation: 'normal', outOfRange: null } },
  'hapi-hl7v2/oru_r01_blood_gas_flags_L_LL_A.hl7': { '1001449': { valueNum: 7.2, interpretation: 'critical-low', outOfRange: true }, '1001912': { value: '*', interpretation: 'abnormal' }, '1001930': { valueNum: -10, rangeLow: -3, rangeHigh: 3 } },
  'python-hl7/oru_r01_glucose_sn_fn_high_flag.hl7': { '1554-5': { valueType: 'SN', valueNum: 182, interpretation: 'high' } },
  'linuxforhealth-hl7v2-fhir/oru_r01_nist_loi_hepatitis_panel_flags_n_h.hl7': { '22316-4': { valueNum: 0.7, units: '[IU]/mL', interpretation: 'high', outOfRange: true }, '22314-9': { value: 'Negative (qualifier value)', valueCode: '260385009', interpretation: 'normal' } },
  'linuxforhealth-hl7v2-fhir/oru_r01_msh2_doubled_backslash_cwe_flag_a.hl7': { '625-4': { value: 'Salmonella', interpretation: 'abnormal', resultStatus: 'P' } },
  'cdc-data-exchange-hl7/oru_r01_covid_elr_v231_abnormal_aa.hl7': { '94501-4': { value: 'DETECTED', interpretation: 'critical-abnormal' } },
  'cdc-data-exchange-hl7/oru_r01_vpd_measles_five_encoding_chars.hl7': { '48508-6': { interpretation: 'normal' }, '21612-7': { valueNum: 1, units: 'a' } },
  'elixir-hl7/oru_r01_elr_five_encoding_chars_truncated.hl7': { IMO0002: { valueNum: 4.2, interpretation: 'normal', outOfRange: false } },
  'nhapi/oru_r01_v24_msh18_8859_umlauts_br.hl7': { ACLAM: { valueNum: 111.3, interpretation: 'high', resultStatus: 'C', outOfRange: true } },
  'rethinkhealth-hl7v2/oru_r01_lab.hl7': { WBC: { valueNum: 7.5, interpretation: 'normal', outOfRange: false } },
};

/** Whether a message of a frame is routed to the results handler: MSH-9 read under its own delimiters. */
function isResult(raw: Buffer): boolean {
  const r = readHl7(raw);
  return r.ok && r.message.messageType.code === 'ORU' && ['R01', 'R30', 'R31', 'R32'].includes(r.message.messageType.trigger);
}

/** A frame whose messages all ask for no accept acknowledgment (MSH-15 NE/ER) is posted, not sent. */
function expectsReply(bytes: Buffer): boolean {
  const split = splitBatch(bytes);
  if (split.kind !== 'multi' && split.kind !== 'single') return true;
  return !split.messages.every((m) => ['NE', 'ER'].includes(readLenientHeader(Buffer.from(m).toString('latin1')).acceptAckType.toUpperCase()));
}

describe.each(DIALECTS)('the ORU samples through the pipeline on %s', (dialect) => {
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

  it('covers the ORU samples of the corpus', () => {
    expect(samples.length).toBeGreaterThanOrEqual(20);
  });

  it.each(samples)('$file ends processed, never failed', async ({ file, notable }) => {
    const before = Math.max(0, ...(await listMessages(db, { limit: 100_000 })).map((m) => m.id));
    const bytes = readFileSync(new URL(file, CORPUS));
    const client = await tp.connect();
    try {
      if (expectsReply(bytes)) await client.send(bytes, { timeoutMs: 20_000 });
      else await client.post(bytes);
    } finally {
      await client.close();
    }
    const settled = await eventually(async () => {
      const entries = (await listMessages(db, { limit: 100_000 })).filter((m) => m.id > before);
      return entries.length > 0 && entries.every((m) => !['received', 'queued'].includes(m.status)) ? entries : undefined;
    }, 30_000, `${file} to settle`);
    if (/NEGATIVE/.test(notable)) {
      for (const m of settled) expect(m.status).toBe('rejected');
      return;
    }
    const raws = new Map((await getEntries(db, settled.map((m) => m.id))).map((e) => [Number(e.id), e.raw]));
    // A message whose MSH-9 does not read as ORU under its own delimiters (MSH-2 "~\&": '^' is no
    // separator there) is not routed here and ends unhandled, like any type without a handler.
    for (const m of settled) expect(statusOf(m)).toEqual({ type: m.messageType, status: isResult(raws.get(m.id)!) ? 'processed' : 'unhandled' });
    expect(settled.some((m) => m.status === 'processed') || !isResult(bytes)).toBe(true);
    const expected = EXPECTED[file];
    if (!expected) return;
    const stored = (await Promise.all(settled.map((m) => listEntryObservations(db, m.id)))).flat();
    for (const [code, fields] of Object.entries(expected)) expect(stored.find((o) => o.code === code), code).toMatchObject(fields);
  });
});

function statusOf(m: MessageSummary) {
  return { type: m.messageType, status: m.status, ...(m.errorCode ? { error: m.errorCode, text: m.errorText } : {}) };
}
