import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { MemoryLog } from './testing.js';
import { TimerScheduler } from './timer-scheduler.js';
import { insertTimer, TimerKind } from './timer-store.js';

const T = Date.UTC(2026, 11, 1, 9);
const TIMERS = 60;

describe.each(DIALECTS)('two schedulers on one %s database', (dialect) => {
  const ctx = useFreshStore(dialect);

  // PostgreSQL: a second pool, as another node would have. SQLite serves one process (its files are
  // local): both schedulers share the store's connection there. Two better-sqlite3 connections in one
  // process cannot race fairly (a busy wait blocks the event loop the lock holder needs to commit).
  it('fire each due timer exactly once', async () => {
    const other = dialect === 'postgres' ? await ctx.tdb.open() : undefined;
    try {
      for (let i = 0; i < TIMERS; i++) {
        await insertTimer(ctx.store.db, { alertId: 1000 + i, kind: TimerKind.Escalate, level: 0, repeat: 0, dueAt: T - i }, T - 60_000);
      }
      const fired: Array<[string, number]> = [];
      const node = (name: string, db: typeof ctx.store.db) => new TimerScheduler(db, dialect, async (trx, timer, now) => {
        fired.push([name, timer.alertId]);
        // the handler's effect commits with the fired mark, or neither does
        await trx.insertInto('alert_recipient').values({ alert_id: timer.alertId, user_id: 1, role: name, level: 0, repeat: 0, gap: 0, gap_reason: null, notified_at: now }).execute();
        await sleep(5);
      }, new MemoryLog(), { now: () => T, nodeId: name, batch: 7 });
      const a = node('node-a', ctx.store.db);
      const b = node('node-b', (other ?? ctx.store).db);
      // Both pools connected before the race, so neither drains everything while the other connects.
      await Promise.all([sql`select 1`.execute(ctx.store.db), sql`select 1`.execute((other ?? ctx.store).db)]);
      const drain = async (s: TimerScheduler) => {
        for (let i = 0; i < 40; i++) await s.runOnce();
      };
      await Promise.all([drain(a), drain(b)]);

      const alerts = fired.map(([, id]) => id);
      expect(alerts.length).toBe(TIMERS);
      expect(new Set(alerts).size).toBe(TIMERS);
      const rows = await ctx.store.db.selectFrom('alert_recipient').select(['alert_id', 'role']).execute();
      expect(rows.length).toBe(TIMERS);
      const pending = await ctx.store.db.selectFrom('alert_timer').select('id').where('fired_at', 'is', null).execute();
      expect(pending).toEqual([]);
      // both nodes took part: the claim spreads the work rather than one waiting on the other
      expect(new Set(fired.map(([n]) => n)).size).toBe(2);
      const claimedBy = await ctx.store.db.selectFrom('alert_timer').select(['claimed_by', 'attempts']).execute();
      expect(claimedBy.every((r) => Number(r.attempts) === 1)).toBe(true);
    } finally {
      await other?.close();
    }
  });
});
