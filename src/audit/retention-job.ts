import type { Kysely } from 'kysely';
import { PeriodicJob } from '../lifecycle/periodic.js';
import type { Database } from '../store/schema.js';
import { AUDIT_RETENTION_DAYS, pruneAuditLog, type PruneResult } from './retention.js';

const DAY = 86_400_000;

/** Where the job reports (a pino logger fits). Counts and ids only: audit entries are PHI. */
export interface RetentionLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AuditRetentionOptions {
  /** Keep this many days (the database refuses less than its floor, 2192 unless raised). */
  retentionDays?: number;
  /** Between runs; a day by default. */
  intervalMs?: number;
  /** The clock (epoch ms): the cutoff and the time of the removal's own entry. */
  now?: () => number;
}

/**
 * Audit retention inside `carecoord serve`: `pruneAuditLog` at start and then once a day (the same
 * as `carecoord audit prune`, actor and source 'system'). start() and an idempotent stop(), which waits
 * for a run in progress. A failed run is logged and tried again at the next interval.
 */
export class AuditRetentionJob {
  readonly #job: PeriodicJob<PruneResult | undefined>;
  /** Runs finished (tests). */
  runs = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: RetentionLog,
    private readonly options: AuditRetentionOptions = {},
  ) {
    this.#job = new PeriodicJob(() => this.#prune().finally(() => void (this.runs += 1)), options.intervalMs ?? DAY);
  }

  start(): void {
    this.#job.start();
  }

  stop(): Promise<void> {
    return this.#job.stop();
  }

  /** Prune now (one run at a time); undefined when the run failed. */
  runOnce(): Promise<PruneResult | undefined> {
    return this.#job.runOnce();
  }

  async #prune(): Promise<PruneResult | undefined> {
    const retentionDays = this.options.retentionDays ?? AUDIT_RETENTION_DAYS;
    try {
      const r = await pruneAuditLog(this.db, { now: (this.options.now ?? Date.now)(), retentionDays });
      if (r.removed > 0) this.log.info({ removed: r.removed, anchorId: r.anchorId, retentionDays }, 'expired audit entries removed');
      return r;
    } catch (err) {
      this.log.error({ name: (err as Error).name, code: (err as { code?: string }).code }, 'audit retention failed');
      return undefined;
    }
  }
}
