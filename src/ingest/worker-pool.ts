import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';
import { readEntryHeadsAfter } from '../store/message-log.js';
import { InboxStatus, insertInboxRows, lastInboxEntryId, loadOpenEntries } from '../store/inbox.js';
import type { HandlerRegistry } from './handlers.js';
import { processBatch, type BatchItem } from './process.js';
import { yieldToIo } from './yield.js';
import { DEFAULT_RETRY, nextRetryAt, type RetryPolicy } from './retry.js';
import { entryKeys, selectRunnable, type OpenEntry } from './scheduler.js';

export interface WorkerPoolOptions {
  /** Batches processed at once (SQLite: 1, its single connection serialises transactions anyway). */
  concurrency: number;
  /** Entries per batch transaction (one commit each). */
  batchSize?: number;
  /**
   * Least time between two passes (ms). Under load, commits arrive far more often than this: one
   * pass then takes in and processes everything that arrived meanwhile, instead of one pass (a dozen
   * queries on the thread that also answers MLLP) per commit. Default 25.
   */
  minPassIntervalMs?: number;
  pollIntervalMs: number;
  retry?: RetryPolicy;
  now?: () => number;
}

export interface WorkerStats {
  processed: number;
  unhandled: number;
  failedAttempts: number;
  parked: number;
  inFlight: number;
}

/** Entries read per query; further pages are read while capacity is left. */
const PAGE = 250;
const MAX_PAGES = 20;

/**
 * Ordered, restart-safe workers. Each pass (1) takes new log entries into the inbox in id order,
 * (2) reads the open inbox entries and (3) starts those whose patient has nothing older open
 * (see selectRunnable), up to `concurrency` at once. All state is in the database, so a restart
 * simply resumes, and an operator's reprocess from the CLI is picked up by the next poll.
 */
export class WorkerPool {
  readonly stats: WorkerStats = { processed: 0, unhandled: 0, failedAttempts: 0, parked: 0, inFlight: 0 };
  readonly #busy = new Map<number, string[]>();
  #batches = 0;
  readonly #retry: RetryPolicy;
  readonly #now: () => number;
  #running = false;
  #pumping = false;
  #again = false;
  #scheduled = false;
  #lastPassAt = 0;
  /** Highest log id taken into the inbox (read from the database once, then kept). */
  #cursor: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #wakeAt: number | null = null;
  #idleWaiters: (() => void)[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly registry: HandlerRegistry,
    private readonly logger: Logger,
    private readonly options: WorkerPoolOptions,
  ) {
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.notify();
  }

  /** Something changed (a commit, a finished entry): run a pass soon. Coalesces bursts. */
  notify(): void {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    const wait = this.#lastPassAt + (this.options.minPassIntervalMs ?? 25) - this.#now();
    const run = () => {
      this.#scheduled = false;
      if (!this.#running || this.#pumping) {
        this.#settleIdle();
        return;
      }
      this.#pumping = true;
      void this.#pump();
    };
    if (wait > 0) setTimeout(run, wait);
    else setImmediate(run);
  }

  /** Stop starting entries; wait for the ones in flight. Idempotent. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.whenIdle();
  }

  /** Resolves once nothing is in flight. */
  whenIdle(): Promise<void> {
    if (this.#batches === 0 && !this.#pumping && !this.#scheduled) return Promise.resolve();
    return new Promise((r) => this.#idleWaiters.push(r));
  }

  async #pump(): Promise<void> {
    this.#lastPassAt = this.#now();
    this.#again = false;
    try {
      await this.#takeIn();
      await this.#dispatch();
    } catch (err) {
      this.#cursor = undefined; // re-read: the failed pass may have taken in part of a page
      this.logger.error({ err: { name: (err as Error).name, code: (err as { code?: string }).code } }, 'worker pass failed; retrying at the next poll');
    } finally {
      this.#pumping = false;
      this.#armTimer();
      if (this.#again) this.notify();
      this.#settleIdle();
    }
  }

  /** Copy routing columns of new log entries into the inbox (the log itself is never written). */
  async #takeIn(): Promise<void> {
    for (;;) {
      this.#cursor ??= await lastInboxEntryId(this.db);
      const heads = await readEntryHeadsAfter(this.db, this.#cursor, PAGE);
      if (heads.length === 0) return;
      const now = this.#now();
      const rows = heads.map((h) => ({
        entry_id: Number(h.id),
        received_at: Number(h.received_at),
        message_type: h.message_type,
        patient_key: h.patient_key,
        merge_key: h.merge_key,
        status: h.accept_code === 'AA' ? InboxStatus.Queued : InboxStatus.Rejected,
        attempts: 0,
        last_error_code: h.error_code,
        last_error_text: h.error_text,
        updated_at: now,
      }));
      // One commit for the whole page.
      await this.db.transaction().execute((trx) => insertInboxRows(trx, rows));
      this.#cursor = rows.at(-1)!.entry_id;
      if (heads.length < PAGE) return;
      await yieldToIo();
    }
  }

  async #dispatch(): Promise<void> {
    const slots = this.options.concurrency - this.#batches;
    if (slots <= 0 || !this.#running) return;
    const batchSize = this.options.batchSize ?? 1000;
    const capacity = slots * batchSize;
    let afterId = 0;
    const open: OpenEntry[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const rows = await loadOpenEntries(this.db, afterId, PAGE);
      open.push(...rows.map((r) => ({ ...r, entry_id: Number(r.entry_id), next_attempt_at: r.next_attempt_at === null ? null : Number(r.next_attempt_at) })));
      const selection = selectRunnable(open, this.#busy, this.#now(), capacity);
      this.#wakeAt = selection.nextWakeAt;
      if (selection.run.length >= capacity || rows.length < PAGE || !this.#running) {
        this.#startBatches(selection.run, slots, batchSize);
        return;
      }
      afterId = Number(rows.at(-1)!.entry_id);
    }
  }

  /** Split the runnable entries over the free slots (each entry's patient appears once: see selectRunnable). */
  #startBatches(run: OpenEntry[], slots: number, batchSize: number): void {
    if (run.length === 0 || !this.#running) return;
    const per = Math.min(batchSize, Math.ceil(run.length / slots));
    for (let i = 0; i < run.length; i += per) this.#startBatch(run.slice(i, i + per));
  }

  #startBatch(entries: OpenEntry[]): void {
    for (const e of entries) this.#busy.set(e.entry_id, entryKeys(e));
    this.#batches++;
    this.stats.inFlight = this.#busy.size;
    void this.#runBatch(entries).finally(() => {
      for (const e of entries) this.#busy.delete(e.entry_id);
      this.#batches--;
      this.stats.inFlight = this.#busy.size;
      this.notify();
      this.#settleIdle();
    });
  }

  async #runBatch(entries: OpenEntry[]): Promise<void> {
    const items: BatchItem[] = entries.map((e) => {
      const row = e as OpenEntry & { attempts?: number; message_type?: string | null };
      return { entry_id: e.entry_id, attempts: row.attempts ?? 0, message_type: row.message_type ?? null };
    });
    try {
      const results = await processBatch(this.db, this.registry, items, this.#now, (attempts, code, now) => nextRetryAt(attempts, code, now, this.#retry));
      for (const r of results) {
        if (r.status === 'processed') this.stats.processed++;
        else if (r.status === 'unhandled') this.stats.unhandled++;
        else if (r.status === 'failed') {
          this.stats.failedAttempts++;
          if (r.parked) this.stats.parked++;
          this.logger.warn({ entryId: r.entryId, code: r.code, attempts: r.attempts, parked: r.parked }, 'message processing failed');
        }
      }
    } catch (err) {
      // The batch transaction itself failed (database unavailable): nothing was applied, nothing
      // marked; the entries stay queued and the next pass tries again.
      this.logger.error({ entries: entries.length, code: (err as { code?: string }).code, name: (err as Error).name }, 'processing batch failed; will retry');
      await new Promise((r) => setTimeout(r, Math.min(this.options.pollIntervalMs, 1000)));
    }
  }

  #armTimer(): void {
    if (!this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    const poll = this.options.pollIntervalMs;
    const delay = this.#wakeAt === null ? poll : Math.max(0, Math.min(poll, this.#wakeAt - this.#now()));
    this.#timer = setTimeout(() => this.notify(), delay);
    this.#timer.unref();
  }

  #settleIdle(): void {
    if (this.#batches > 0 || this.#pumping || this.#scheduled) return;
    for (const r of this.#idleWaiters.splice(0)) r();
  }
}

