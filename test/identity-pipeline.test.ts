import { afterEach, describe, expect, it } from 'vitest';
import { registerAdtHandlers } from '../src/adt/index.js';
import { readHl7 } from '../src/hl7/index.js';
import { registerIdentityHandlers } from '../src/identity/handlers.js';
import type { HandlerRegistry } from '../src/ingest/handlers.js';
import { listPatientEvents } from '../src/store/events.js';
import { listDecisions } from '../src/store/identity.js';
import { listMessages } from '../src/store/message-query.js';
import { findByIdentifier, getPatient, listIdentifiers } from '../src/store/patients.js';
import { eventually, startTestPlatform, type TestPlatform } from './support/platform.js';
import { DIALECTS } from './support/stores.js';

/**
 * Identity through the real ingest pipeline: MLLP -> log -> ordered workers -> the real ADT handlers
 * (which resolve each PID's patient) and identity's merge handler.
 */
function registerHandlers(registry: HandlerRegistry): void {
  registerIdentityHandlers(registry);
  registerAdtHandlers(registry);
}

interface Person { mrn: string; facility: string; name: string; dob: string; sex: string; address?: string }

const header = (facility: string, type: string, id: string) => `MSH|^~\\&|EPIC|${facility}|CARECOORD|CC|20261125101500-0500||${type}|${id}|P|2.5.1`;
const pidOf = (p: Person) => `PID|1||${p.mrn}^^^${p.facility}^MR||${p.name}||${p.dob}|${p.sex}|||${p.address ?? ''}`;

const a08 = (id: string, p: Person) => [header(p.facility, 'ADT^A08^ADT_A01', id), 'EVN|A08|20261125101500-0500', pidOf(p), 'PV1|1|O'].join('\r') + '\r';
/** ADT^A40 (HL7 v2.5.1 §3.3.40): PID is the survivor, MRG-1 the prior identifier. */
const a40 = (id: string, survivor: Person, priorMrn: string) =>
  [header(survivor.facility, 'ADT^A40^ADT_A39', id), 'EVN|A40|20261125101500-0500', pidOf(survivor), `MRG|${priorMrn}^^^${survivor.facility}^MR`].join('\r') + '\r';

const MARGARET_GEN: Person = { mrn: 'MRN-1', facility: 'GENHOSP', name: 'BAKER^MARGARET^ANN', dob: '19400922', sex: 'F', address: '12 Oak Street^^Springfield^IL^62701^^H' };
const MARGARET_NORTH: Person = { mrn: 'A-77', facility: 'NORTHCLINIC', name: 'BAKER^PEGGY', dob: '19400922', sex: 'F', address: '12 Oak St^^Springfield^IL^62701^^H' };
const ROBERT: Person = { mrn: 'MRN-10', facility: 'GENHOSP', name: 'JONES^ROBERT', dob: '19550312', sex: 'M' };
/** The same man registered in a hurry under a trauma alias: no demographic link to Robert. */
const TRAUMA: Person = { mrn: 'MRN-11', facility: 'GENHOSP', name: 'TRAUMA^ALPHA', dob: '19000101', sex: 'U' };

describe.each(DIALECTS)('patient identity through the ingest pipeline on %s', (dialect) => {
  let tp: TestPlatform | undefined;
  afterEach(async () => {
    await tp?.stop();
    await tp?.tdb.cleanup();
    tp = undefined;
  });

  it('links a second facility\'s MRN automatically, merges on A40, and lands a later message with the old MRN on the survivor', async () => {
    tp = await startTestPlatform(dialect, {}, { registerHandlers });
    const db = tp.platform.store.db;
    const client = await tp.connect();
    const sent = [
      a08('ID-1', MARGARET_GEN),
      a08('ID-2', MARGARET_NORTH),
      a08('ID-3', ROBERT),
      a08('ID-4', TRAUMA),
      a40('ID-5', ROBERT, TRAUMA.mrn),
      a08('ID-6', TRAUMA), // the old MRN, after the merge
    ];
    for (const m of sent) {
      const ack = readHl7(await client.send(m));
      expect(ack.ok && ack.message.get('MSA-1')).toBe('AA');
    }
    await client.close();
    await eventually(async () => {
      const rows = await listMessages(db, { limit: 100 });
      const failed = rows.find((r) => r.status === 'failed');
      if (failed) throw new Error(`${failed.controlId} failed: ${failed.errorCode} ${failed.errorText}`);
      return rows.length === sent.length && rows.every((r) => r.status === 'processed');
    }, 30_000, 'all six messages processed');

    // MRN 1 and the other facility's A-77 are one patient (auto-link), holding both identifiers.
    const margaret = await findByIdentifier(db, 'GENHOSP', 'MRN-1');
    expect((await findByIdentifier(db, 'NORTHCLINIC', 'A-77'))?.id).toBe(margaret!.id);
    // Two patient keys are processed in parallel: whichever came first created the patient, the other linked to it.
    expect((await listIdentifiers(db, margaret!.id)).map((i) => `${i.value}^${i.authority}`).sort()).toEqual(['A-77^NORTHCLINIC', 'MRN-1^GENHOSP']);
    expect((await listPatientEvents(db, margaret!.id)).map((e) => e.payload.patientVia).sort()).toEqual(['auto-link', 'new']);
    expect((await listDecisions(db, { patientId: margaret!.id })).map((d) => d.action)).toEqual(['auto-link']);

    // The A40 merged the trauma alias into Robert; the later A08 with the old MRN landed on Robert.
    const robert = await findByIdentifier(db, 'GENHOSP', 'MRN-10');
    const alias = await db.selectFrom('patient_identifier').select('moved_from').where('value', '=', 'MRN-11').executeTakeFirstOrThrow();
    expect(await getPatient(db, Number(alias.moved_from))).toMatchObject({ status: 'merged', mergedInto: robert!.id });
    expect((await findByIdentifier(db, 'GENHOSP', 'MRN-11'))?.id).toBe(robert!.id);
    const events = await listPatientEvents(db, robert!.id);
    const [a08Alias] = await listMessages(db, { controlId: 'ID-4' });
    const [a08Late] = await listMessages(db, { controlId: 'ID-6' });
    const [a08Robert] = await listMessages(db, { controlId: 'ID-3' });
    const [a40Merge] = await listMessages(db, { controlId: 'ID-5' });
    // Robert's own A08, the alias's A08 (moved with the merge), the merge, and the late A08 with the old MRN.
    expect(events.map((e) => [e.type === 'merge' ? 'merge' : 'adt', e.sourceEntryId]).sort((x, y) => Number(x[1]) - Number(y[1]))).toEqual([
      ['adt', a08Robert!.id], ['adt', a08Alias!.id], ['merge', a40Merge!.id], ['adt', a08Late!.id],
    ]);
    expect(await listPatientEvents(db, Number(alias.moved_from))).toEqual([]);
  });
});
