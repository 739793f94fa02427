import { sql, type Kysely, type Selectable } from 'kysely';
import type { DialectName } from '../store/open.js';
import type { AlertTimerTable, Database } from '../store/schema.js';

type Db = Kysely<Database>;

/** What a timer does when it falls due. */
export const TimerKind = {
  /** The level's time ran out unacknowledged: tell the next level. */
  Escalate: 'escalate',
  /** The snooze ended: reopen the alert and resume escalation. */
  Unsnooze: 'unsnooze',
} as const;
export type TimerKind = (typeof TimerKind)[keyof typeof TimerKind];

export interface AlertTimer {
  id: number;
  alertId: number;
  kind: TimerKind;
  level: number;
  repeat: number;
  dueAt: number;
  firedAt: number | null;
  cancelledAt: number | null;
  claimedBy: string | null;
  claimedAt: number | null;
  attempts: number;
}

export function toTimer(r: Selectable<AlertTimerTable>): AlertTimer {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: Number(r.id), alertId: Number(r.alert_id), kind: r.kind as TimerKind, level: Number(r.level), repeat: Number(r.repeat), dueAt: Number(r.due_at),
    firedAt: n(r.fired_at), cancelledAt: n(r.cancelled_at), claimedBy: r.claimed_by, claimedAt: n(r.claimed_at), attempts: Number(r.attempts),
  };
}

export async function insertTimer(db: Db, t: { alertId: number; kind: TimerKind; level: number; repeat: number; dueAt: number }, at: number): Promise<AlertTimer> {
  const row = await db.insertInto('alert_timer').values({
    alert_id: t.alertId, kind: t.kind, level: t.level, repeat: t.repeat, due_at: t.dueAt, fired_at: null, cancelled_at: null,
    claimed_by: null, claimed_at: null, created_at: at,
  }).returningAll().executeTakeFirstOrThrow();
  return toTimer(row);
}

/** Cancel the alert's pending timers (of these kinds; all kinds when omitted). Returns how many. */
export async function cancelTimers(db: Db, alertId: number, at: number, kinds?: readonly TimerKind[]): Promise<number> {
  let q = db.updateTable('alert_timer').set({ cancelled_at: at })
    .where('alert_id', '=', alertId).where('fired_at', 'is', null).where('cancelled_at', 'is', null);
  if (kinds) q = q.where('kind', 'in', [...kinds]);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function pendingTimers(db: Db, alertId: number): Promise<AlertTimer[]> {
  const rows = await db.selectFrom('alert_timer').selectAll().where('alert_id', '=', alertId)
    .where('fired_at', 'is', null).where('cancelled_at', 'is', null).orderBy('due_at').orderBy('id').execute();
  return rows.map(toTimer);
}

export async function listTimers(db: Db, alertId: number): Promise<AlertTimer[]> {
  const rows = await db.selectFrom('alert_timer').selectAll().where('alert_id', '=', alertId).orderBy('id').execute();
  return rows.map(toTimer);
}

export interface ClaimOptions {
  now: number;
  /** This scheduler's name (claimed_by). */
  nodeId: string;
  /** A claim older than this is someone's who died or hung: it may be taken again. */
  staleBefore: number;
  limit: number;
  /** Timers that failed this many times are left alone (and reported). */
  maxAttempts: number;
}

/**
 * Claim due timers for this node: one conditional UPDATE ... RETURNING, so each is claimed by one
 * scheduler at a time. The candidates are pending (not fired, not cancelled), due, and unclaimed or
 * claimed longer ago than `staleBefore`. On PostgreSQL the candidate SELECT is FOR UPDATE SKIP LOCKED
 * (concurrent schedulers take different rows instead of queueing on the same ones); the UPDATE
 * repeats the conditions, which PostgreSQL re-checks on the latest row version. SQLite has one writer.
 */
export function claimDueTimersQuery(db: Db, dialect: DialectName, o: ClaimOptions) {
  const pending = (q: ReturnType<typeof base>) => q.where('fired_at', 'is', null).where('cancelled_at', 'is', null)
    .where('attempts', '<', o.maxAttempts)
    .where((eb) => eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<', o.staleBefore)]));
  const base = () => db.selectFrom('alert_timer');
  const due = pending(base()).select('id').where('due_at', '<=', o.now).orderBy('due_at').orderBy('id').limit(o.limit);
  // PostgreSQL: `id = ANY(ARRAY(...))` runs the locking SELECT once (an InitPlan). With `id IN (...)`
  // the planner may pick a nested-loop semi join that scans the table unlocked and then waits on rows
  // another node holds until its handler commits: correct, but the nodes would take turns.
  const claimable = dialect === 'postgres' ? sql<boolean>`"id" = any(array(${due.forUpdate().skipLocked()}))` : sql<boolean>`"id" in (${due})`;
  return db.updateTable('alert_timer')
    .set({ claimed_by: o.nodeId, claimed_at: o.now, attempts: sql<number>`attempts + 1` })
    .where(claimable)
    .where('fired_at', 'is', null).where('cancelled_at', 'is', null)
    .where((eb) => eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<', o.staleBefore)]))
    .returningAll();
}

export async function claimDueTimers(db: Db, dialect: DialectName, o: ClaimOptions): Promise<AlertTimer[]> {
  const rows = await claimDueTimersQuery(db, dialect, o).execute();
  return rows.map(toTimer).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
}

/**
 * Mark a claimed timer fired, inside the transaction that runs its handler: only if this node still
 * holds the claim it made and nobody fired it. False: the claim was lost (it went stale and another
 * node took it): do nothing.
 */
export async function markFired(db: Db, timer: AlertTimer, nodeId: string, now: number): Promise<boolean> {
  const row = await db.updateTable('alert_timer').set({ fired_at: now })
    .where('id', '=', timer.id).where('claimed_by', '=', nodeId).where('claimed_at', '=', timer.claimedAt!)
    .where('fired_at', 'is', null).where('cancelled_at', 'is', null)
    .returning('id').executeTakeFirst();
  return row !== undefined;
}

/** Timers that used up their attempts and are no longer claimed (for the log and the operator). */
export async function givenUpTimers(db: Db, maxAttempts: number, limit = 100): Promise<AlertTimer[]> {
  const rows = await db.selectFrom('alert_timer').selectAll().where('fired_at', 'is', null).where('cancelled_at', 'is', null)
    .where('attempts', '>=', maxAttempts).orderBy('id').limit(limit).execute();
  return rows.map(toTimer);
}
