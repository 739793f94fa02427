import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DialectName } from '../store/open.js';
import type { Database } from '../store/schema.js';
import { EscalationLogCode } from './errors.js';
import { claimDueTimers, givenUpTimers, markFired, type AlertTimer } from './timer-store.js';

/** Runs a fired timer inside the transaction that marks it fired: both commit or neither. */
export type TimerHandler = (trx: Kysely<Database>, timer: AlertTimer, now: number) => Promise<void>;

/** Where the scheduler reports (a pino logger fits): codes and ids only. */
export interface SchedulerLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface TimerSchedulerOptions {
  /** The clock (epoch ms); Date.now by default. Tests pass a controllable one. */
  now?: () => number;
  /** Between polls (default 1000 ms). */
  pollMs?: number;
  /** Timers claimed per poll (default 50). */
  batch?: number;
  /** A claim older than this is taken again (default 60 s): a node that died mid-claim, or a failed handler's retry. */
  staleMs?: number;
  /** Attempts before a timer is left alone and reported (default 10). */
  maxAttempts?: number;
  /** This node's name in claimed_by (default a random UUID). */
  nodeId?: string;
}

/**
 * The durable timer loop: polls `alert_timer` for due timers, claims each for this node
 * (timer-store claimDueTimers), then per timer runs the handler in one transaction that first marks
 * the timer fired. A timer that fell due while every process was down fires at the first poll after
 * a start; with several schedulers on one database each timer fires once. A failed handler rolls
 * back (the timer stays pending, claimed) and is tried again once its claim is stale.
 * start() and an idempotent stop(), which waits for the poll in progress.
 */
export class TimerScheduler {
  readonly nodeId: string;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = true;
  readonly #now: () => number;
  readonly #reported = new Set<number>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
    private readonly handler: TimerHandler,
    private readonly log: SchedulerLog,
    private readonly options: TimerSchedulerOptions = {},
  ) {
    this.nodeId = options.nodeId ?? randomUUID();
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One poll now (one at a time): claims due timers and fires them; returns how many fired. */
  runOnce(): Promise<number> {
    this.#running ??= this.#poll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.runOnce().then((fired) => this.#schedule(fired >= this.#batch ? 0 : this.options.pollMs ?? 1000));
    }, delay);
    this.#timer.unref();
  }

  get #batch(): number {
    return this.options.batch ?? 50;
  }

  async #poll(): Promise<number> {
    const maxAttempts = this.options.maxAttempts ?? 10;
    let claimed: AlertTimer[];
    try {
      const now = this.#now();
      claimed = await claimDueTimers(this.db, this.dialect, {
        now, nodeId: this.nodeId, staleBefore: now - (this.options.staleMs ?? 60_000), limit: this.#batch, maxAttempts,
      });
    } catch (err) {
      this.log.error({ code: EscalationLogCode.TimerFailed, error: errorCode(err) }, 'claiming due timers failed');
      return 0;
    }
    let fired = 0;
    let failed = false;
    for (const timer of claimed) {
      try {
        const ran = await this.db.transaction().execute(async (trx) => {
          const now = this.#now();
          if (!(await markFired(trx, timer, this.nodeId, now))) return false;
          await this.handler(trx, timer, now);
          return true;
        });
        if (ran) fired += 1;
      } catch (err) {
        failed = true;
        this.log.error({ code: EscalationLogCode.TimerFailed, timerId: timer.id, alertId: timer.alertId, kind: timer.kind, attempts: timer.attempts, error: errorCode(err) }, 'alert timer failed');
      }
    }
    if (failed) await this.#reportGivenUp(maxAttempts);
    return fired;
  }

  async #reportGivenUp(maxAttempts: number): Promise<void> {
    try {
      for (const t of await givenUpTimers(this.db, maxAttempts)) {
        if (this.#reported.has(t.id)) continue;
        this.#reported.add(t.id);
        this.log.error({ code: EscalationLogCode.TimerGaveUp, timerId: t.id, alertId: t.alertId, kind: t.kind, attempts: t.attempts }, 'alert timer gave up');
      }
    } catch {
      // reporting only: the next poll tries again
    }
  }
}

/** An error's code or name for the log (never its message: it may quote data). */
function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown } | null;
  return typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'unknown';
}
