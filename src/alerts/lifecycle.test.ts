/**
 * The engine over stored events (suppression window, idempotence) and the lifecycle (acknowledge,
 * snooze, reopen, resolve: audited, streamed, told), on every dialect.
 */
import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { activeEpisode, addStaff } from '../care/testing.js';
import { listAlerts } from '../store/alerts.js';
import { insertEvent, type ClinicalEvent } from '../store/events.js';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { AlertChange } from './contract.js';
import { AlertEngine } from './engine.js';
import { AlertErrorCode } from './errors.js';
import { AlertLifecycle } from './lifecycle.js';

const T = Date.UTC(2026, 11, 2, 9);
const MIN = 60_000;
const critical = { critical: [{ code: '2823-3', text: 'K', value: '6.8', units: 'mmol/L', flags: ['HH'], interpretation: 'critical-high' }], abnormal: [] };

async function observation(db: Kysely<Database>, patientId: number, at: number): Promise<ClinicalEvent> {
  const e = { patientId, encounterId: null, type: 'observation' as const, occurredAt: at, recordedAt: at, facility: 'LAB', sourceEntryId: null, messageType: 'ORU^R01', payload: { summary: critical } };
  const id = await insertEvent(db, e);
  return { ...e, id, outOfOrder: false, withdrawnAt: null, withdrawnBy: null };
}

describe.each(DIALECTS)('alert engine and lifecycle on %s', (dialect) => {
  const t = useFreshStore(dialect);
  const changes: AlertChange[] = [];
  const listener = { alertChanged: async (_trx: unknown, c: AlertChange) => void changes.push(c) };

  it('suppresses the same rule for the same patient and episode within its window, and raises again after it', async () => {
    const db = t.store.db;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord);
    let now = T;
    const engine = new AlertEngine({ listeners: [listener], now: () => now });
    const run = async (e: ClinicalEvent) => db.transaction().execute((trx) => engine.apply(trx, { entryId: 0, inserted: [e], withdrawn: [], at: now }));
    const first = await observation(db, episode.patientId, now);
    await run(first);
    now += 30 * MIN;
    await run(await observation(db, episode.patientId, now));
    await run(first); // the same event again (a reprocess): nothing
    let alerts = await listAlerts(db, { patientId: episode.patientId });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ ruleId: 'critical-lab', eventCount: 2, episodeId: episode.id, firstEventId: first.id, dedupKey: `rule:critical-lab:patient:${episode.patientId}:episode:${episode.id}` });
    now += 31 * MIN; // past the 60-minute window of critical-lab
    await run(await observation(db, episode.patientId, now));
    alerts = await listAlerts(db, { patientId: episode.patientId });
    expect(alerts.map((a) => a.eventCount)).toEqual([1, 2]);
  });

  it('acknowledge, snooze, reopen after the snooze, resolve: each audited, streamed and told', async () => {
    const db = t.store.db;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord);
    const engine = new AlertEngine({ now: () => T });
    const e = await observation(db, episode.patientId, T);
    await db.transaction().execute((trx) => engine.apply(trx, { entryId: 0, inserted: [e], withdrawn: [], at: T }));
    const [alert] = await listAlerts(db, { patientId: episode.patientId });
    changes.length = 0;
    const life = new AlertLifecycle([listener]);
    const who = { username: 'coord1', userId: staff.coord.id, source: '127.0.0.1' };
    expect(await life.acknowledge(db, alert!.id, who, T + MIN)).toMatchObject({ status: 'acknowledged', acknowledgedBy: staff.coord.id });
    await expect(life.acknowledge(db, alert!.id, who, T + MIN)).rejects.toMatchObject({ code: AlertErrorCode.InvalidTransition });
    await expect(life.snooze(db, alert!.id, T, 'later', who, T + MIN)).rejects.toMatchObject({ code: AlertErrorCode.InvalidInput, field: 'until' });
    expect(await life.snooze(db, alert!.id, T + 60 * MIN, 'calling the family back', who, T + 2 * MIN)).toMatchObject({ status: 'snoozed', snoozedUntil: T + 60 * MIN });
    expect(await life.reopenDueSnoozes(db, T + 59 * MIN)).toEqual([]);
    expect(await life.reopenDueSnoozes(db, T + 60 * MIN)).toEqual([alert!.id]);
    expect(await life.resolve(db, alert!.id, 'potassium rechecked', who, T + 61 * MIN)).toMatchObject({ status: 'resolved', resolvedBy: staff.coord.id, resolution: 'potassium rechecked' });
    await expect(life.resolve(db, 999_999, 'x', who, T)).rejects.toMatchObject({ code: AlertErrorCode.NotFound });
    expect(changes.map((c) => `${c.kind}:${c.status}:${c.actorUserId}`)).toEqual([`acknowledged:acknowledged:${staff.coord.id}`, `snoozed:snoozed:${staff.coord.id}`, 'reopened:open:null', `resolved:resolved:${staff.coord.id}`]);
    expect(changes[0]).toMatchObject({ recipients: ['care-coordinator', 'primary-physician'], escalationPolicy: 'default' });
    const audit = await db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'alert').orderBy('id').execute();
    expect(audit.map((a) => [a.actor, JSON.parse(a.detail).change])).toEqual([['coord1', 'acknowledged'], ['coord1', 'snoozed'], ['system', 'reopened'], ['coord1', 'resolved']]);
    const streamed = await db.selectFrom('realtime_event').select('payload').where('kind', '=', 'alert').where('ref_id', '=', alert!.id).orderBy('id').execute();
    expect(streamed.map((s) => JSON.parse(s.payload).change)).toEqual(['raised', 'acknowledged', 'snoozed', 'reopened', 'resolved']);
    // No free text on the stream.
    expect(streamed.map((s) => s.payload).join()).not.toMatch(/family|potassium|6\.8/);
  });
});
