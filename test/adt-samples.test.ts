/**
 * Every ADT sample of the shared corpus (/work/shared/hl7-samples, INDEX.tsv), one file per MLLP frame,
 * through the real pipeline with the ADT handlers: each accepted message ends processed (a trigger adt/
 * applies) or unhandled (one it does not: A17, A18, A24, A40, A45), never failed; unreadable ones are
 * refused at receipt. Then what the notable samples must have produced.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADT_MESSAGE_TYPES, registerAdtHandlers } from '../src/adt/index.js';
import { readHl7, readLenientHeader, splitBatch } from '../src/hl7/index.js';
import { listEncounterEvents, listPatientEvents } from '../src/store/events.js';
import { findEncountersByVisit, listPatientEncounters } from '../src/store/encounters.js';
import { getEntry } from '../src/store/message-log.js';
import { listMessages, type MessageSummary } from '../src/store/message-query.js';
import { findByIdentifier } from '../src/store/patients.js';
import { eventually, startTestPlatform, type TestPlatform } from './support/platform.js';
import { DIALECTS } from './support/stores.js';

const CORPUS = new URL('../../shared/hl7-samples/', import.meta.url);
const rows = readFileSync(new URL('INDEX.tsv', CORPUS), 'utf8').split('\n').slice(1).filter(Boolean)
  .map((l) => { const [file = '', type = ''] = l.split('\t'); return { file, type }; })
  .filter((r) => /ADT/.test(r.type));
const HANDLED = new Set(ADT_MESSAGE_TYPES);
const utc = (s: string) => Date.parse(s);

/** The MSH-9 code^trigger of a stored entry, read again from its bytes (null when unreadable). */
function routedType(bytes: Buffer): string | null {
  const r = readHl7(bytes);
  return r.ok ? `${r.message.messageType.code.toUpperCase()}^${r.message.messageType.trigger.toUpperCase()}` : null;
}

/** A readable single message or batch whose messages all say MSH-15 NE/ER expects no reply. */
function expectsNoReply(bytes: Buffer): boolean {
  const split = splitBatch(bytes);
  if (split.kind === 'invalid' || split.kind === 'batch') return false;
  return split.messages.every((m) => {
    const text = Buffer.from(m).toString('latin1');
    return readHl7(Buffer.from(m)).ok && ['NE', 'ER'].includes(readLenientHeader(text).acceptAckType.toUpperCase());
  });
}

describe.each(DIALECTS)('the ADT samples through the ADT handlers on %s', (dialect) => {
  let tp: TestPlatform;
  const db = () => tp.platform.store.db;
  beforeAll(async () => {
    tp = await startTestPlatform(dialect, {}, { registerHandlers: registerAdtHandlers });
  }, 60_000);
  afterAll(async () => {
    await tp?.stop();
    await tp?.tdb.cleanup();
  });

  it.each(rows)('$file ends processed or deliberately unhandled, never failed', async ({ file }) => {
    const bytes = readFileSync(new URL(file, CORPUS));
    const lastId = (await listMessages(db(), { limit: 1 }))[0]?.id ?? 0;
    // Some files repeat messages of earlier ones (same sender, MSH-10 and bytes): retransmissions, no new entry.
    const known = new Set((await listMessages(db(), { limit: 10_000 })).map((m) => `${m.senderKey}/${m.controlId}`));
    const split = splitBatch(bytes);
    const repeats = split.kind !== 'invalid' && split.messages.every((m) => {
      const h = readLenientHeader(Buffer.from(m).toString('latin1'));
      return h.controlId !== '' && known.has(`${h.sendingApplication}|${h.sendingFacility}/${h.controlId}`);
    });
    const client = await tp.connect();
    const replied = !expectsNoReply(bytes);
    try {
      if (replied) await client.send(bytes, { timeoutMs: 10_000 });
      else await client.post(bytes);
    } finally {
      await client.close();
    }
    if (repeats && !replied) await new Promise((r) => setTimeout(r, 300));
    // A reply comes after the log commit, so every new entry is there (none when the file only repeats
    // messages of earlier samples: retransmissions). Without a reply, wait for the entry to appear.
    const entries = await eventually(async () => {
      const list = (await listMessages(db(), { limit: 1000 })).filter((m) => m.id > lastId);
      return (list.length > 0 || replied || repeats) && list.every((m) => m.status !== 'queued' && m.status !== 'received') ? list : undefined;
    }, 20_000, `${file} processed`);
    for (const e of entries) {
      expect(e.status, `${file} #${e.id}: ${e.errorCode ?? ''} ${e.errorText ?? ''}`).not.toBe('failed');
      if (e.acceptCode !== 'AA') {
        expect(e.status).toBe('rejected');
        continue;
      }
      const raw = (await getEntry(db(), e.id))!.raw;
      expect(e.status, `${file} #${e.id} ${routedType(raw)}`).toBe(HANDLED.has(routedType(raw) ?? '') ? 'processed' : 'unhandled');
    }
  });

  async function patient(authority: string, mrn: string) {
    const p = await findByIdentifier(db(), authority, mrn);
    expect(p, `${mrn}@${authority}`).toBeDefined();
    return p!;
  }

  it('authored/adt_a03_discharge_expired: death (PID-30 Y, time in PID-31), disposition 20 and times read past the shifted PV1', async () => {
    const p = await patient('ST_LUKES', 'SL0091122');
    expect(p.status).toBe('deceased');
    const [enc] = await findEncountersByVisit(db(), 'ST_LUKES', 'V4471');
    expect(enc).toMatchObject({
      patientId: p.id, status: 'finished', patientClass: 'I', location: 'ICU/4/A', attending: 'KIM, SOO-JIN (3302)', dischargeDisposition: '20',
      admittedAt: utc('2026-11-08T03:15:00Z'), dischargedAt: utc('2026-11-12T17:00:00Z'),
    });
    const events = await listEncounterEvents(db(), enc!.id);
    expect(events.map((e) => e.type)).toEqual(['death', 'discharge']);
    expect(events[0]).toMatchObject({ occurredAt: utc('2026-11-12T16:45:00Z'), payload: { basis: 'pid', disposition: '20', timeSource: 'PID-31' } });
    expect(events[1]).toMatchObject({ occurredAt: utc('2026-11-12T17:00:00Z'), payload: { eventTimeSource: 'EVN-2', disposition: '20' } });
    expect(events[1]!.payload.repairs).toHaveLength(2);
  });

  it('authored/adt_a04_ed_registration: an emergency visit at its own facility', async () => {
    const p = await patient('COUNTY_GEN', 'CG300177');
    const [enc] = await findEncountersByVisit(db(), 'COUNTY_GEN', 'V991203');
    expect(enc).toMatchObject({ patientId: p.id, status: 'in-progress', patientClass: 'E', location: 'ED', admittedAt: utc('2026-11-15T22:10:00Z') });
  });

  it('authored/adt_a01_utf8_names: an admit without visit number, names kept in UTF-8', async () => {
    const p = await patient('HH01', 'HH4410923');
    expect(p.demographics.names[0]).toMatchObject({ family: 'MÜLLER-ŁUKASZEWICZ', given: 'ZOË' });
    const [enc] = await listPatientEncounters(db(), p.id);
    expect(enc).toMatchObject({ visitNumber: null, status: 'in-progress', location: '3N/312/B', admittedAt: utc('2026-11-10T09:25:00Z') });
  });

  it('the A11 and A13 of visits never seen match nothing and create no encounter', async () => {
    const p = await patient('1', '10006579');
    expect(await findEncountersByVisit(db(), '1', '40007716')).toEqual([]);
    const cancels = (await listPatientEvents(db(), p.id)).filter((e) => e.type.startsWith('cancel-'));
    expect(cancels.map((e) => [e.type, e.payload.matched, e.encounterId])).toEqual([['cancel-discharge', false, null], ['cancel-admit', false, null]]);
  });

  it('an A08 with PID-29/PID-30 Y (quoted nulls) records the death without a visit', async () => {
    const p = await patient('MRN', '708010');
    expect(p.status).toBe('deceased');
    expect((await listPatientEvents(db(), p.id)).map((e) => e.type)).toEqual(['death', 'demographics-update']);
  });

  it('the NIST syndromic A03 discharges with its disposition', async () => {
    const [enc] = await findEncountersByVisit(db(), 'LakeMichMC', '33333_001');
    expect(enc).toMatchObject({ status: 'finished', dischargeDisposition: '09', admittedAt: utc('2012-04-01T21:30:00Z') });
  });

  it('leaves no sample message failed', async () => {
    const all: MessageSummary[] = await listMessages(db(), { limit: 10_000 });
    expect(all.filter((m) => m.status === 'failed')).toEqual([]);
  });
});
