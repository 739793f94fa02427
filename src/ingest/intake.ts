import type { Logger } from 'pino';
import type { LogDraft } from '../store/message-log.js';
import type { LogAppender } from '../store/log-appender.js';
import type { FrameDecision } from './decide.js';
import { metrics } from '../metrics/index.js';

/** Running totals of the intake, for /metrics and tests. */
export interface IntakeStats {
  framesReceived: number;
  messagesLogged: number;
  retransmissions: number;
  accepted: number;
  refused: number;
  commits: number;
  commitFailures: number;
  largestBatch: number;
}

interface Pending {
  decision: FrameDecision;
  resolve: (reply: Buffer | null) => void;
  reject: (err: unknown) => void;
}

/** Most drafts one commit carries; beyond it the next commit follows at once. */
const MAX_BATCH = 512;

/**
 * Durable intake with group commit. Each frame's drafts wait for the next commit; one transaction
 * carries everything that arrived while the previous commit was running (or during the current
 * event-loop turn), so many connections share one fsync while every reply still follows its own commit.
 * With a pipelined appender (the SQLite writer thread) each turn's batch is posted at once and the
 * appender does the grouping; otherwise one commit is in flight at a time.
 * A reply is produced only after the commit returned: nothing is acknowledged from memory. If the commit
 * fails, every frame of the batch is rejected (the listener closes the connection without an ACK).
 */
export class Intake {
  readonly stats: IntakeStats = {
    framesReceived: 0, messagesLogged: 0, retransmissions: 0, accepted: 0, refused: 0, commits: 0, commitFailures: 0, largestBatch: 0,
  };
  #queue: Pending[] = [];
  #scheduled = false;
  #inFlight = 0;
  #idle: (() => void)[] = [];

  constructor(
    private readonly append: LogAppender,
    /** The appender orders and groups commits itself: post each turn's batch without waiting. */
    private readonly pipelined: boolean,
    private readonly logger: Logger,
    /** Called after each successful commit (wakes the workers). */
    private readonly onCommitted: () => void = () => undefined,
  ) {}

  /** Queue a decided frame for the next commit; resolves with the reply bytes once durable. */
  submit(decision: FrameDecision): Promise<Buffer | null> {
    this.stats.framesReceived++;
    return new Promise((resolve, reject) => {
      this.#queue.push({ decision, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves when nothing is waiting for a commit (graceful shutdown). */
  drained(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  #schedule(): void {
    if (this.#scheduled || (this.#inFlight > 0 && !this.pipelined)) return;
    this.#scheduled = true;
    // setImmediate: let every frame already read in this turn of the event loop join the batch.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#commit();
    });
  }

  async #commit(): Promise<void> {
    const batch = this.#takeBatch();
    if (batch.length === 0) return this.#settleIdle();
    this.#inFlight++;
    const drafts: LogDraft[] = batch.flatMap((p) => p.decision.messages.map((m) => m.draft));
    try {
      const outcomes = await this.append(drafts);
      this.stats.commits++;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, drafts.length);
      let i = 0;
      for (const p of batch) {
        const acks = p.decision.messages.map((m) => {
          const outcome = outcomes[i++]!;
          if (outcome.kind === 'duplicate') {
            this.stats.retransmissions++;
            this.logger.info({ entryId: outcome.id, controlId: m.draft.control_id }, 'retransmission answered with the stored acknowledgment');
            // Same bytes, same decision: the stored ACK carries the code this copy was decided with.
            if (outcome.ack) metrics.countAcknowledged(m.draft.listener, m.draft.accept_code);
            return outcome.ack;
          }
          this.stats.messagesLogged++;
          if (m.draft.accept_code === 'AA') this.stats.accepted++;
          else this.stats.refused++;
          if (m.draft.ack) metrics.countAcknowledged(m.draft.listener, m.draft.accept_code);
          return m.draft.ack ?? null;
        });
        p.resolve(p.decision.reply(acks));
      }
      this.onCommitted();
    } catch (err) {
      this.stats.commitFailures++;
      this.logger.error({ err: describe(err), frames: batch.length }, 'message log commit failed: no acknowledgment sent');
      for (const p of batch) p.reject(err);
    } finally {
      this.#inFlight--;
    }
    if (this.#queue.length > 0) this.#schedule();
    else this.#settleIdle();
  }

  #takeBatch(): Pending[] {
    let count = 0;
    let n = 0;
    while (n < this.#queue.length && (n === 0 || count + this.#queue[n]!.decision.messages.length <= MAX_BATCH)) {
      count += this.#queue[n]!.decision.messages.length;
      n++;
    }
    return this.#queue.splice(0, n);
  }

  #settleIdle(): void {
    if (this.#queue.length > 0 || this.#inFlight > 0) return;
    for (const r of this.#idle.splice(0)) r();
  }
}

/** Error summary without message content (the error text of a failed INSERT can echo values). */
function describe(err: unknown): { code?: string; name: string } {
  const e = err as { code?: string; name?: string };
  return { code: e?.code, name: e?.name ?? 'Error' };
}
