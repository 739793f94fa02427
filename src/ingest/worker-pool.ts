import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';
import { readEntryHeadsAfter } from '../store/message-log.js';
import { InboxStatus, insertInboxRows, lastInboxEntryId, loadOpenEntries, markAttemptFailed } from '../store/inbox.js';
import type { HandlerRegistry } from './handlers.js';
import { processEntry } from './process.js';
import { DEFAULT_RETRY, nextRetryAt, ProcessErrorCode, type RetryPolicy } from './retry.js';
import { entryKeys, selectRunnable, type OpenEntry } from './scheduler.js';

export interface WorkerPoolOptions {
  concurrency: number;
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

/** Entries read per scheduling pass; further pages are read while capacity is left. */
const PAGE = 500;
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
  readonly #retry: RetryPolicy;
  readonly #now: () => number;
  #running = false;
  #pumping = false;
  #again = false;
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
    this.#pumping = true;
    setImmediate(() => void this.#pump());
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
    if (this.#busy.size === 0 && !this.#pumping) return Promise.resolve();
    return new Promise((r) => this.#idleWaiters.push(r));
  }

  async #pump(): Promise<void> {
    try {
      do {
        this.#again = false;
        await this.#takeIn();
        await this.#dispatch();
      } while (this.#again && this.#running);
    } catch (err) {
      this.logger.error({ err: { name: (err as Error).name, code: (err as { code?: string }).code } }, 'worker pass failed; retrying at the next poll');
    } finally {
      this.#pumping = false;
      this.#armTimer();
      this.#settleIdle();
    }
  }

  /** Copy routing columns of new log entries into the inbox (the log itself is never written). */
  async #takeIn(): Promise<void> {
    for (;;) {
      const after = await lastInboxEntryId(this.db);
      const heads = await readEntryHeadsAfter(this.db, after, PAGE);
      if (heads.length === 0) return;
      const now = this.#now();
      await insertInboxRows(this.db, heads.map((h) => ({
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
      })));
      if (heads.length < PAGE) return;
    }
  }

  async #dispatch(): Promise<void> {
    let afterId = 0;
    let wake: number | null = null;
    const open: OpenEntry[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const rows = await loadOpenEntries(this.db, afterId, PAGE);
      open.push(...rows.map((r) => ({ ...r, entry_id: Number(r.entry_id), next_attempt_at: r.next_attempt_at === null ? null : Number(r.next_attempt_at) })));
      const capacity = this.options.concurrency - this.#busy.size;
      const selection = selectRunnable(open, this.#busy, this.#now(), capacity);
      wake = selection.nextWakeAt;
      if (selection.run.length >= capacity || rows.length < PAGE || !this.#running) {
        for (const entry of selection.run) this.#start(entry);
        break;
      }
      afterId = Number(rows.at(-1)!.entry_id);
    }
    this.#wakeAt = wake;
  }

  #start(entry: OpenEntry): void {
    if (!this.#running) return;
    this.#busy.set(entry.entry_id, entryKeys(entry));
    this.stats.inFlight = this.#busy.size;
    void this.#run(entry).finally(() => {
      this.#busy.delete(entry.entry_id);
      this.stats.inFlight = this.#busy.size;
      this.notify();
      this.#settleIdle();
    });
  }

  async #run(entry: OpenEntry & { attempts?: number }): Promise<void> {
    try {
      const outcome = await processEntry(this.db, this.registry, entry.entry_id, this.#now);
      if (outcome.status === 'processed') this.stats.processed++;
      if (outcome.status === 'unhandled') this.stats.unhandled++;
    } catch (err) {
      await this.#recordFailure(entry, err);
    }
  }

  async #recordFailure(entry: OpenEntry & { attempts?: number }, err: unknown): Promise<void> {
    const code = typeof (err as { code?: unknown }).code === 'string' ? String((err as { code: string }).code) : ProcessErrorCode.HandlerError;
    const attempts = (entry.attempts ?? 0) + 1;
    const now = this.#now();
    const retryAt = nextRetryAt(attempts, code, now, this.#retry);
    this.stats.failedAttempts++;
    if (retryAt === null) this.stats.parked++;
    // The error text may quote message content: it goes to the database (access-controlled), not the log.
    const text = err instanceof Error ? err.message : String(err);
    this.logger.warn({ entryId: entry.entry_id, code, attempts, parked: retryAt === null }, 'message processing failed');
    try {
      await markAttemptFailed(this.db, entry.entry_id, attempts, retryAt, { code, text }, now);
    } catch (markErr) {
      this.logger.error({ entryId: entry.entry_id, code: (markErr as { code?: string }).code }, 'could not record the failure; the entry stays queued');
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
    if (this.#busy.size > 0 || this.#pumping) return;
    for (const r of this.#idleWaiters.splice(0)) r();
  }
}
