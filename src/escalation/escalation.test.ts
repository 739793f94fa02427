import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import type { AlertChange } from '../alerts/contract.js';
import { activeEpisode, addStaff, ADMIN, T0 } from '../care/testing.js';
import { addUser } from '../care/user-service.js';
import { EscalationListener } from './listener.js';
import { escalationTimerHandler, type EscalationDeps } from './service.js';
import { getEscalation, listRecipients, savePolicy } from './store.js';
import { alertChange, MemoryLog, MemorySink } from './testing.js';
import { TimerScheduler } from './timer-scheduler.js';
import { claimDueTimersQuery, listTimers, pendingTimers } from './timer-store.js';
import { DEFAULT_POLICY, validatePolicy } from './policy.js';

const MIN = 60_000;

describe.each(DIALECTS)('escalation on %s', (dialect) => {
  const ctx = useFreshStore(dialect);

  async function setup(options: { onCall?: string[] } = {}) {
    const db = ctx.store.db;
    const staff = await addStaff(db);
    const episode = await activeEpisode(db, staff.coord);
    const sink = new MemorySink();
    const log = new MemoryLog();
    const deps: EscalationDeps = { sink, log, onCallUsernames: options.onCall ?? ['doc1'] };
    const listener = new EscalationListener(deps);
    const clock = { now: T0 };
    const scheduler = new TimerScheduler(db, dialect, escalationTimerHandler(deps), log, { now: () => clock.now, nodeId: 'node-a' });
    const tell = (change: AlertChange) => db.transaction().execute((trx) => listener.alertChanged(trx, change));
    return { db, staff, episode, sink, log, deps, listener, clock, scheduler, tell, patientId: episode.patientId };
  }

  it('the migration seeds the default policy as the code knows it', async () => {
    const row = await ctx.store.db.selectFrom('escalation_policy').selectAll().where('id', '=', 'default').executeTakeFirstOrThrow();
    expect(validatePolicy({ id: row.id, name: row.name, levels: JSON.parse(row.levels), repeat: Number(row.repeat) })).toEqual(DEFAULT_POLICY);
  });

  it('raised: level 0 told and recorded; the timer fires when due, not before, and tells the next level', async () => {
    const s = await setup();
    await s.tell(alertChange('raised', 101, s.patientId, T0));
    expect(await listRecipients(s.db, 101)).toMatchObject([{ userId: s.staff.coord.id, role: 'care-coordinator', level: 0, gap: false, notifiedAt: T0 }]);
    expect(s.sink.jobs).toEqual([{ alertId: 101, userId: s.staff.coord.id, severity: 'critical', channels: ['in-app', 'sms'], level: 0 }]);
    expect((await pendingTimers(s.db, 101)).map((t) => [t.kind, t.level, t.dueAt])).toEqual([['escalate', 0, T0 + 15 * MIN]]);

    s.clock.now = T0 + 15 * MIN - 1;
    expect(await s.scheduler.runOnce()).toBe(0);
    expect(s.sink.jobs).toHaveLength(1);

    s.clock.now = T0 + 15 * MIN;
    expect(await s.scheduler.runOnce()).toBe(1);
    // Level 1 is the team's supervisor: vacant on this team, so the fallback pool (supervisors, on-call) is told, flagged.
    const level1 = (await listRecipients(s.db, 101)).filter((r) => r.level === 1);
    expect(level1.map((r) => [r.userId, r.role, r.gap, r.gapReason])).toEqual([
      [s.staff.coord2.id, 'pool:supervisors', true, 'vacant:supervisor'],
      [s.staff.supervisor.id, 'pool:supervisors', true, 'vacant:supervisor'],
      [s.staff.doctor.id, 'pool:on-call', true, 'vacant:supervisor'],
    ]);
    expect(s.log.codes()).toContain('escalation.role_vacant');
    expect(await getEscalation(s.db, 101)).toMatchObject({ level: 1, repeat: 0, state: 'active', levelStartedAt: T0 + 15 * MIN });
    expect((await pendingTimers(s.db, 101)).map((t) => [t.level, t.dueAt])).toEqual([[1, T0 + 30 * MIN]]);
    // fired once: a second poll at the same time does nothing
    expect(await s.scheduler.runOnce()).toBe(0);
    const fired = (await listTimers(s.db, 101)).filter((t) => t.firedAt !== null);
    expect(fired.map((t) => [t.level, t.firedAt, t.claimedBy, t.attempts])).toEqual([[0, T0 + 15 * MIN, 'node-a', 1]]);
  });

  it('acknowledging stops escalation: nothing fires later', async () => {
    const s = await setup();
    await s.tell(alertChange('raised', 102, s.patientId, T0));
    await s.tell(alertChange('acknowledged', 102, s.patientId, T0 + 5 * MIN, { actorUserId: s.staff.coord.id }));
    expect(await pendingTimers(s.db, 102)).toEqual([]);
    s.clock.now = T0 + 24 * 60 * MIN;
    expect(await s.scheduler.runOnce()).toBe(0);
    expect(s.sink.jobs).toHaveLength(1);
    expect(await getEscalation(s.db, 102)).toMatchObject({ state: 'acknowledged', level: 0 });
  });

  it('resolved and withdrawn cancel every timer', async () => {
    const s = await setup();
    await s.tell(alertChange('raised', 103, s.patientId, T0));
    await s.tell(alertChange('raised', 104, s.patientId, T0));
    await s.tell(alertChange('resolved', 103, s.patientId, T0 + MIN));
    await s.tell(alertChange('withdrawn', 104, s.patientId, T0 + MIN));
    s.clock.now = T0 + 600 * MIN;
    expect(await s.scheduler.runOnce()).toBe(0);
    expect((await listTimers(s.db, 103)).map((t) => t.cancelledAt)).toEqual([T0 + MIN]);
    expect(await getEscalation(s.db, 104)).toMatchObject({ state: 'stopped' });
  });

  it('walks the whole default ladder twice, then stays final', async () => {
    const s = await setup();
    await s.tell(alertChange('raised', 105, s.patientId, T0));
    for (let i = 1; i <= 8; i++) {
      s.clock.now = T0 + i * 15 * MIN;
      await s.scheduler.runOnce();
    }
    const levels = [...new Set((await listRecipients(s.db, 105)).map((r) => `${r.repeat}:${r.level}`))];
    expect(levels).toEqual(['0:0', '0:1', '0:2', '1:0', '1:1', '1:2']);
    expect(await getEscalation(s.db, 105)).toMatchObject({ state: 'final', level: 2, repeat: 1 });
    expect(await pendingTimers(s.db, 105)).toEqual([]);
  });

  it('a higher severity shortens the running level', async () => {
    const s = await setup();
    await s.tell(alertChange('raised', 106, s.patientId, T0, { severity: 'medium' }));
    expect((await pendingTimers(s.db, 106)).map((t) => t.dueAt)).toEqual([T0 + 120 * MIN]);
    await s.tell(alertChange('updated', 106, s.patientId, T0 + 5 * MIN, { severity: 'critical', previousSeverity: 'medium' }));
    expect((await pendingTimers(s.db, 106)).map((t) => t.dueAt)).toEqual([T0 + 15 * MIN]);
    // a lower one changes nothing
    await s.tell(alertChange('updated', 106, s.patientId, T0 + 6 * MIN, { severity: 'low', previousSeverity: 'critical' }));
    expect((await pendingTimers(s.db, 106)).map((t) => t.dueAt)).toEqual([T0 + 15 * MIN]);
  });

  it('snooze pauses; when it ends escalation resumes at the same level from then (no engine reopen: recorded here)', async () => {
    const s = await setup();
    await s.tell(alertChange('raised', 107, s.patientId, T0));
    const until = T0 + 60 * MIN;
    await s.tell({ ...alertChange('snoozed', 107, s.patientId, T0 + 2 * MIN), snoozedUntil: until } as AlertChange);
    expect((await pendingTimers(s.db, 107)).map((t) => [t.kind, t.dueAt])).toEqual([['unsnooze', until]]);
    s.clock.now = T0 + 30 * MIN;
    expect(await s.scheduler.runOnce()).toBe(0);
    s.clock.now = until;
    expect(await s.scheduler.runOnce()).toBe(1);
    expect(await getEscalation(s.db, 107)).toMatchObject({ state: 'active', level: 0, levelStartedAt: until, reopenedAt: until, snoozedUntil: null });
    expect((await pendingTimers(s.db, 107)).map((t) => [t.kind, t.dueAt])).toEqual([['escalate', until + 15 * MIN]]);
    expect(s.log.codes()).toContain('escalation.reopened_without_engine');
  });

  it('snooze with an engine reopen: the engine is called and its reopened change resumes escalation once', async () => {
    const s = await setup();
    const reopened: number[] = [];
    const deps: EscalationDeps = {
      ...s.deps,
      reopener: { reopen: async (trx, alertId, at) => { reopened.push(alertId); await listener.alertChanged(trx as never, alertChange('reopened', alertId, s.patientId, at)); } },
    };
    const listener = new EscalationListener(deps);
    const scheduler = new TimerScheduler(s.db, dialect, escalationTimerHandler(deps), s.log, { now: () => s.clock.now });
    await s.db.transaction().execute((trx) => listener.alertChanged(trx, alertChange('raised', 108, s.patientId, T0)));
    await s.db.transaction().execute((trx) => listener.alertChanged(trx, { ...alertChange('snoozed', 108, s.patientId, T0), snoozedUntil: T0 + 10 * MIN } as AlertChange));
    s.clock.now = T0 + 10 * MIN;
    expect(await scheduler.runOnce()).toBe(1);
    expect(reopened).toEqual([108]);
    expect((await pendingTimers(s.db, 108)).map((t) => [t.kind, t.dueAt])).toEqual([['escalate', T0 + 25 * MIN]]);
    expect(await getEscalation(s.db, 108)).toMatchObject({ state: 'active', reopenedAt: null });
  });

  it('vacant coordinator: the fallback pool, flagged; with no pool at all a critical alert goes to the admins', async () => {
    const s = await setup({ onCall: [] });
    const lonely = (await activeEpisode(s.db, s.staff.coord2)).patientId; // another patient
    await s.tell(alertChange('raised', 109, lonely, T0, { recipients: ['primary-physician'], escalationPolicy: null }));
    const rec = await listRecipients(s.db, 109);
    expect(rec.every((r) => r.gap && r.gapReason === 'vacant:primary-physician')).toBe(true);
    expect(rec.map((r) => r.userId).sort()).toEqual([s.staff.coord2.id, s.staff.supervisor.id].sort());
    expect(await pendingTimers(s.db, 109)).toEqual([]); // no policy: no escalation

    // Nobody with the supervisor role, no on-call: only the admins remain.
    const db = s.db;
    await db.updateTable('app_user').set({ status: 'disabled' }).where('id', 'in', [s.staff.coord2.id, s.staff.supervisor.id]).execute();
    const admin = await addUser(db, { username: 'admin1', displayName: 'A', roles: ['admin'] }, T0, ADMIN);
    await s.tell(alertChange('raised', 110, lonely, T0, { recipients: ['primary-physician'], escalationPolicy: null }));
    expect((await listRecipients(db, 110)).map((r) => [r.userId, r.role, r.gap])).toEqual([[admin.id, 'pool:admins', true]]);
    expect(s.log.codes()).toContain('escalation.fallback_to_admins');
    // no patient data in the log: codes and ids only
    for (const e of s.log.entries) expect(Object.keys(e.obj).every((k) => ['code', 'alertId', 'level', 'role', 'pool', 'severity', 'policyId'].includes(k))).toBe(true);
  });

  it('an unknown policy id falls back to the default, logged', async () => {
    const s = await setup();
    await s.tell(alertChange('raised', 111, s.patientId, T0, { escalationPolicy: 'nope' }));
    expect(s.log.codes()).toContain('escalation.policy_unknown');
    expect((await pendingTimers(s.db, 111)).map((t) => t.dueAt)).toEqual([T0 + 15 * MIN]);
    await savePolicy(s.db, { id: 'fast', name: 'Fast', repeat: 0, levels: [{ roles: ['care-coordinator'], pools: [], timeoutMinutesBySeverity: { critical: 1, high: 2, medium: 3, low: null } }] }, T0);
    await s.tell(alertChange('raised', 112, s.patientId, T0, { escalationPolicy: 'fast' }));
    // a one-level policy without repeat has nothing to escalate to
    expect(await pendingTimers(s.db, 112)).toEqual([]);
  });

  it('a failing handler rolls back and is retried once its claim is stale', async () => {
    const s = await setup();
    await s.tell(alertChange('raised', 113, s.patientId, T0));
    let fail = true;
    const handler = escalationTimerHandler(s.deps);
    const scheduler = new TimerScheduler(s.db, dialect, async (trx, t, now) => {
      await handler(trx, t, now);
      if (fail) throw Object.assign(new Error('boom'), { code: 'TEST_FAIL' });
    }, s.log, { now: () => s.clock.now, staleMs: MIN });
    s.clock.now = T0 + 15 * MIN;
    expect(await scheduler.runOnce()).toBe(0);
    expect((await listRecipients(s.db, 113)).filter((r) => r.level === 1)).toEqual([]); // rolled back
    expect(s.log.codes()).toContain('escalation.timer_failed');
    fail = false;
    expect(await scheduler.runOnce()).toBe(0); // claimed, not stale yet
    s.clock.now += MIN + 1;
    expect(await scheduler.runOnce()).toBe(1);
    expect((await listTimers(s.db, 113))[0]).toMatchObject({ attempts: 2 });
  });

  it('the claim query takes due, unclaimed or stale timers (PostgreSQL: FOR UPDATE SKIP LOCKED)', () => {
    const compiled = claimDueTimersQuery(ctx.store.db, dialect, { now: 1, nodeId: 'n', staleBefore: 0, limit: 5, maxAttempts: 10 }).compile().sql;
    expect(compiled).toContain('"claimed_at" is null or "claimed_at" <');
    expect(compiled.includes('for update skip locked')).toBe(dialect === 'postgres');
    // PostgreSQL: the locking SELECT runs once (an InitPlan), not inside a semi join that would wait on other nodes' rows
    expect(compiled.includes('"id" = any(array((select')).toBe(dialect === 'postgres');
  });
});
