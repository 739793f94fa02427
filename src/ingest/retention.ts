import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';
import { PeriodicJob } from '../lifecycle/periodic.js';
import { deleteEntriesBefore } from '../store/message-log.js';

const DAY = 86_400_000;

/**
 * The retention job: the only code path that removes raw log entries, and only those received more
 * than `retentionDays` ago (the database refuses anything younger than its six-year floor). Runs at
 * start and then every `intervalMs`, in small batches.
 */
export class RetentionJob {
  readonly #job: PeriodicJob<number>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly logger: Logger,
    private readonly retentionDays: number,
    intervalMs = 6 * 3_600_000,
    private readonly now: () => number = Date.now,
  ) {
    this.#job = new PeriodicJob(() => this.#purge(), intervalMs);
  }

  start(): void {
    this.#job.start();
  }

  stop(): Promise<void> {
    return this.#job.stop();
  }

  /** Delete expired entries; returns how many. */
  runOnce(): Promise<number> {
    return this.#job.runOnce();
  }

  async #purge(): Promise<number> {
    const cutoff = this.now() - this.retentionDays * DAY;
    let total = 0;
    try {
      for (let n = -1; n !== 0; total += n) n = await deleteEntriesBefore(this.db, cutoff, 500);
      if (total > 0) this.logger.info({ deleted: total, retentionDays: this.retentionDays }, 'expired raw messages removed');
    } catch (err) {
      this.logger.error({ code: (err as { code?: string }).code }, 'retention job failed (the database refuses deletes younger than its retention floor)');
    }
    return total;
  }
}
