/**
 * Alerts through the real pipeline (MLLP in, durable log, ordered workers, the engine in each
 * message's savepoint), on every dialect: readmission within 30 days (and not after 45), a cancelled
 * admission withdrawing its alert, a critical potassium, one alert per visit over repeated A08s, and
 * a reprocessed message raising nothing twice.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAdtHandlers } from '../src/adt/index.js';
import { adtMessage, type AdtSpec } from '../src/adt/testing.js';
import type { AlertChange } from '../src/alerts/contract.js';
import { AlertEngine } from '../src/alerts/engine.js';
import { registerOruHandlers } from '../src/oru/index.js';
import { listAlerts } from '../src/store/alerts.js';
import { getInboxRow } from '../src/store/inbox.js';
import { listMessages } from '../src/store/message-query.js';
import { findByIdentifier } from '../src/store/patients.js';
import { eventually, startTestPlatform, type TestPlatform } from './support/platform.js';
import { DIALECTS } from './support/stores.js';

const SAMPLES = new URL('../../shared/hl7-samples/', import.meta.url);

describe.each(DIALECTS)('alerts through the pipeline on %s', (dialect) => {
  let tp: TestPlatform;
  const db = () => tp.platform.store.db;
  const changes: AlertChange[] = [];
  beforeAll(async () => {
    const engine = new AlertEngine({ listeners: [{ alertChanged: async (_trx, c) => void changes.push(c) }] });
    tp = await startTestPlatform(dialect, {}, { registerHandlers: (r) => { registerAdtHandlers(r); registerOruHandlers(r); r.observe(engine); } });
  }, 60_000);
  afterAll(async () => {
    await tp?.stop();
    await tp?.tdb.cleanup();
  });

  let n = 0;
  const people: Record<string, Record<number, string>> = {
    RA1: { 5: 'ABERNATHY^OLIVE', 7: '19440312', 8: 'F' },
    RA2: { 5: 'BRANDT^HUGO', 7: '19510723', 8: 'M' },
    RA3: { 5: 'CALLOWAY^IRIS', 7: '19390105', 8: 'F' },
    ED1: { 5: 'DRUMMOND^FELIX', 7: '19620930', 8: 'M' },
  };
  /** Always the same person per MRN, identified under GENHOSP whatever the sending facility. */
  const msg = (spec: Omit<AdtSpec, 'controlId'>) => adtMessage({ ...spec, pid: { ...people[spec.mrn], 3: `${spec.mrn}^^^GENHOSP^MR` }, controlId: `${dialect}-al-${++n}` });
  const visit = (trigger: string, mrn: string, visitNo: string, time: string, opts: { facility?: string; cls?: string } = {}) =>
    msg({ trigger, mrn, facility: opts.facility ?? 'GENHOSP', evn: { 2: time }, pv1: { 2: opts.cls ?? 'I', 19: visitNo } });

  async function send(...messages: string[]): Promise<number[]> {
    const ids: number[] = [];
    for (const m of messages) {
      const client = await tp.connect();
      const ack = (await client.send(m)).toString('latin1');
      await client.close();
      const control = /MSA\|[A-Z]{2}\|([^|\r]*)/.exec(ack)![1]!;
      const [entry] = await listMessages(db(), { controlId: control });
      const row = await eventually(async () => {
        const r = await getInboxRow(db(), entry!.id);
        return r && r.status !== 'queued' ? r : undefined;
      }, 20_000, `processing of ${control}`);
      expect(row.status, row.last_error_text ?? '').toBe('processed');
      ids.push(entry!.id);
    }
    return ids;
  }
  const alertsOf = async (authority: string, mrn: string) => listAlerts(db(), { patientId: (await findByIdentifier(db(), authority, mrn))!.id });

  it('a readmission 12 days after a discharge from another hospital raises one critical alert naming it and the days', async () => {
    await send(visit('A01', 'RA1', 'M-1', '20261001090000', { facility: 'MERCY' }), visit('A03', 'RA1', 'M-1', '20261005100000', { facility: 'MERCY' }));
    expect(await alertsOf('GENHOSP', 'RA1')).toEqual([]);
    const [readmit] = await send(visit('A01', 'RA1', 'G-1', '20261017110000'));
    const alerts = await alertsOf('GENHOSP', 'RA1');
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({ severity: 'critical', status: 'open', ruleId: 'readmission-30d', ruleVersion: 1, eventCount: 1 });
    expect(a.message).toContain('12 days after discharge from MERCY');
    expect(a.reasons.map((r) => r.ruleId)).toEqual(['readmission-30d']);
    const told = changes.filter((c) => c.alertId === a.id);
    expect(told).toEqual([expect.objectContaining({ kind: 'raised', severity: 'critical', recipients: ['care-coordinator', 'primary-physician'], channels: ['push', 'sms', 'in-app'], escalationPolicy: 'default' })]);
    const streamed = await db().selectFrom('realtime_event').selectAll().where('kind', '=', 'alert').where('ref_id', '=', a.id).execute();
    expect(streamed).toHaveLength(1);
    expect(JSON.parse(streamed[0]!.payload)).toMatchObject({ change: 'raised', severity: 'critical', status: 'open', ruleId: 'readmission-30d' });

    // An operator's reprocess of the readmission: nothing raised or told twice.
    await db().updateTable('inbox').set({ status: 'queued', processed_at: null }).where('entry_id', '=', readmit!).execute();
    await eventually(async () => (await getInboxRow(db(), readmit!))?.status === 'processed', 20_000, 'reprocessed');
    expect(await alertsOf('GENHOSP', 'RA1')).toEqual([a]);
    expect(changes.filter((c) => c.alertId === a.id)).toHaveLength(1);
  });

  it('no alert for an admission 45 days after the discharge', async () => {
    await send(visit('A01', 'RA2', 'M-2', '20260901090000'), visit('A03', 'RA2', 'M-2', '20260905100000'), visit('A01', 'RA2', 'G-2', '20261020110000'));
    expect(await alertsOf('GENHOSP', 'RA2')).toEqual([]);
  });

  it('a cancelled readmission (A11) withdraws its alert', async () => {
    await send(visit('A01', 'RA3', 'M-3', '20261001090000'), visit('A03', 'RA3', 'M-3', '20261003100000'), visit('A01', 'RA3', 'G-3', '20261010110000'));
    const [raised] = await alertsOf('GENHOSP', 'RA3');
    expect(raised).toMatchObject({ status: 'open', severity: 'critical' });
    await send(visit('A11', 'RA3', 'G-3', '20261010120000'));
    const [after] = await alertsOf('GENHOSP', 'RA3');
    expect(after).toMatchObject({ id: raised!.id, status: 'withdrawn', resolution: 'withdrawn' });
    expect(changes.filter((c) => c.alertId === raised!.id).map((c) => c.kind)).toEqual(['raised', 'withdrawn']);
  });

  it('the messages of one ED visit update one alert: A04 then repeated A08s', async () => {
    await send(visit('A04', 'ED1', 'E-1', '20261101090000', { cls: 'E' }), visit('A08', 'ED1', 'E-1', '20261101093000', { cls: 'E' }), visit('A08', 'ED1', 'E-1', '20261101100000', { cls: 'E' }));
    const alerts = await alertsOf('GENHOSP', 'ED1');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'high', ruleId: 'ed-visit', eventCount: 3, status: 'open' });
    expect(changes.filter((c) => c.alertId === alerts[0]!.id).map((c) => c.kind)).toEqual(['raised', 'updated', 'updated']);
  });

  it('a critical potassium (OBX-8 HH) raises a critical alert that also lists the abnormal results', async () => {
    await send(readFileSync(new URL('authored/oru_r01_critical_potassium_hh.hl7', SAMPLES), 'latin1').replace('LAB20261103-00417', `${dialect}-k-1`));
    const alerts = await alertsOf('MERCY_HOSP', 'M448812');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'critical', ruleId: 'critical-lab' });
    expect(alerts[0]!.message).toContain('6.8 mmol/L (HH)');
    expect(alerts[0]!.reasons.map((r) => `${r.ruleId}:${r.severity}`)).toEqual(['critical-lab:critical', 'abnormal-lab:medium']);
  });
});
