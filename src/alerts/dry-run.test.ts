/** `rules test`: a stored rule or a draft over stored events, merged like the engine, nothing written (both dialects). */
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { insertEvent } from '../store/events.js';
import { insertTestEncounter, insertTestPatient } from '../store/care/test-fixtures.js';
import { getRule, listRules } from '../store/alert-rules.js';
import type { Database } from '../store/schema.js';
import { BUILTIN_RULES } from './builtin.js';
import { dryRun } from './dry-run.js';
import { AlertErrorCode } from './errors.js';
import { compileRule } from './rule.js';
import { ensureBuiltinRules, saveRule } from './rules.js';

const DAY = 86_400_000;
const T = Date.UTC(2026, 10, 1, 9);

async function visitEvent(db: Kysely<Database>, patientId: number, encounterId: number, type: 'admit' | 'discharge' | 'visit-update', at: number, facility = 'GENHOSP') {
  return insertEvent(db, { patientId, encounterId, type, occurredAt: at, recordedAt: at, facility, sourceEntryId: null, messageType: 'ADT', payload: { patientClass: 'I' } });
}

describe.each(DIALECTS)('rules as data and the dry run on %s', (dialect) => {
  const t = useFreshStore(dialect);

  it('seeds the built-ins once, versions a saved rule, refuses an invalid one with its code', async () => {
    const db = t.store.db;
    expect((await ensureBuiltinRules(db, T)).sort()).toEqual(Object.keys(BUILTIN_RULES).sort());
    expect(await ensureBuiltinRules(db, T)).toEqual([]);
    const def = { ...BUILTIN_RULES['ed-visit']!, severity: 'medium' as const };
    expect(await saveRule(db, 'ed-visit', def, 'admin', T + 1)).toBe(2);
    expect(await getRule(db, 'ed-visit')).toMatchObject({ version: 2, builtin: true, definition: expect.objectContaining({ severity: 'medium' }) });
    expect(await saveRule(db, 'local-rule', def, 'admin', T)).toBe(1);
    await expect(saveRule(db, 'bad-rule', { ...def, condition: 'event.type' }, 'admin', T)).rejects.toMatchObject({ code: AlertErrorCode.ConditionType });
    expect((await listRules(db)).map((r) => r.id)).not.toContain('bad-rule');
  });

  it('shows what a rule or a draft would have raised, one alert per visit, writing nothing', async () => {
    const db = t.store.db;
    const p = await insertTestPatient(db, { mrn: 'DRY1' });
    const first = await insertTestEncounter(db, p, { admittedAt: T, dischargedAt: T + 3 * DAY, status: 'finished' });
    await visitEvent(db, p, first, 'admit', T, 'MERCY');
    await visitEvent(db, p, first, 'discharge', T + 3 * DAY, 'MERCY');
    const second = await insertTestEncounter(db, p, { admittedAt: T + 15 * DAY });
    await visitEvent(db, p, second, 'admit', T + 15 * DAY);
    await visitEvent(db, p, second, 'visit-update', T + 16 * DAY);
    const stored = compileRule('readmission-30d', 1, BUILTIN_RULES['readmission-30d']);
    const r = await dryRun(db, [stored], T - DAY);
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]!.draft).toMatchObject({ severity: 'critical', eventCount: 2 });
    expect(r.alerts[0]!.draft.message).toContain('12 days after discharge from MERCY');
    const draft = compileRule('readmission-7d', 0, { ...BUILTIN_RULES['readmission-30d']!, condition: 'history.lastInpatientDischarge.present && history.lastInpatientDischarge.daysSince <= 7' });
    expect((await dryRun(db, [draft], T - DAY)).alerts).toEqual([]);
    expect(await db.selectFrom('alert').selectAll().execute()).toEqual([]);
  });
});
