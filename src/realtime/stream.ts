import type { ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { Caller } from '../access/caller.js';
import type { Database } from '../store/schema.js';
import { frameOf, type Listener, type LiveEvent, type RealtimeHub } from './hub.js';
import type { SessionState } from './session.js';
import { minEventId, visibleEventsBetween } from './store.js';

export interface StreamOptions {
  /** A comment line this often keeps proxies from closing the connection; the session is checked then too. */
  heartbeatMs: number;
  /** A client whose unsent bytes pass this is cut off (it reconnects with Last-Event-ID later). */
  maxBufferedBytes: number;
  /** A client further behind than this many events gets `reset` instead of a replay. */
  maxReplayEvents: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = { heartbeatMs: 15_000, maxBufferedBytes: 1_048_576, maxReplayEvents: 10_000 };

export interface StreamDeps {
  db: Kysely<Database>;
  hub: RealtimeHub;
  caller: Caller;
  /** The session's state now (see session.ts). */
  checkSession: () => Promise<SessionState>;
  /** The session clock (epoch ms). */
  clock: () => number;
  /** The access clock (break-the-glass expiry) for the replay's visibility. */
  accessNow: () => number;
  /** Called once when the stream ends, whatever the reason. */
  onEnd?: (reason: string) => void;
}

const REPLAY_PAGE = 500;

/**
 * One Server-Sent Events stream (WHATWG HTML §9.2) of the events about patients the caller sees now.
 *
 * Hand-over from replay to live, without gap or duplicate: subscribe to the hub first (which gives
 * its horizon H synchronously: every event the hub delivers from then on has id > H) and buffer
 * what it delivers; replay (Last-Event-ID, H] from the table through the access layer's visible set;
 * then send the buffer (ids > H, in order) and go live. Everything up to H is final (horizon.ts).
 */
export class SseStream implements Listener {
  readonly userId: number;
  /** Events held while replaying or while the session is being checked; null when live. */
  private pending: LiveEvent[] | null = [];
  private pendingBytes = 0;
  private deadline: number;
  private ended = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private checking = false;

  constructor(private readonly res: ServerResponse, private readonly deps: StreamDeps, private readonly o: StreamOptions, session: { deadline: number }) {
    this.userId = deps.caller.userId;
    this.deadline = session.deadline;
  }

  /** Write the headers, replay from `lastEventId` (a fresh stream when undefined), go live. */
  async open(lastEventId: number | undefined): Promise<void> {
    this.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'keep-alive' });
    this.res.on('close', () => this.end('closed'));
    // A horizon covering everything committed before this request, so `ready` means caught up.
    await this.deps.hub.sync().catch(() => {});
    const sub = this.deps.hub.subscribe(this);
    this.unsubscribe = sub.unsubscribe;
    const horizon = sub.horizon;
    this.write('retry: 3000\n\n');
    try {
      if (lastEventId !== undefined && lastEventId !== horizon) {
        if (!(await this.replayable(lastEventId, horizon))) this.write(`id: ${horizon}\nevent: reset\ndata: {"reason":"too-far-behind"}\n\n`);
        else await this.replay(lastEventId, horizon);
      }
    } catch (err) {
      this.end('replay-failed');
      throw err;
    }
    this.write(`id: ${horizon}\nevent: ready\ndata: {"horizon":${horizon}}\n\n`);
    this.flushPending();
    this.heartbeat = setInterval(() => this.beat(), this.o.heartbeatMs);
  }

  /** The hub's delivery: live, or held while replaying or re-checking the session. */
  deliver(event: LiveEvent): void {
    if (this.ended) return;
    if (this.pending === null && this.deps.clock() < this.deadline) {
      this.write(event.frame);
      return;
    }
    this.hold(event);
    if (this.pending !== null && !this.checking && this.heartbeat !== undefined) void this.recheck();
  }

  /** End the stream (idempotent): with an `end` event telling why, when the socket still takes it. */
  end(reason: string, tell = false): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.unsubscribe?.();
    if (tell && !this.res.destroyed) this.res.write(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
    if (!this.res.destroyed) this.res.end();
    this.deps.onEnd?.(reason);
  }

  private async replayable(lastEventId: number, horizon: number): Promise<boolean> {
    if (lastEventId > horizon || horizon - lastEventId > this.o.maxReplayEvents) return false;
    const oldest = await minEventId(this.deps.db);
    return oldest === undefined || oldest <= lastEventId + 1;
  }

  private async replay(from: number, upTo: number): Promise<void> {
    for (let after = from; after < upTo && !this.ended;) {
      const rows = await visibleEventsBetween(this.deps.db, this.deps.caller, after, upTo, this.deps.accessNow(), REPLAY_PAGE);
      for (const r of rows) this.write(frameOf(r));
      if (rows.length < REPLAY_PAGE) break;
      after = rows[rows.length - 1]!.id;
    }
  }

  private hold(event: LiveEvent): void {
    if (this.pending === null) this.pending = [];
    this.pending.push(event);
    this.pendingBytes += event.frame.length;
    if (this.pendingBytes > this.o.maxBufferedBytes) this.cut();
  }

  private flushPending(): void {
    const held = this.pending ?? [];
    this.pending = null;
    this.pendingBytes = 0;
    for (const e of held) if (!this.ended) this.write(e.frame);
  }

  private async beat(): Promise<void> {
    if (this.ended) return;
    this.write(': heartbeat\n\n');
    if (!this.checking) await this.recheck();
  }

  /** Ask the database whether the session still holds (it may have slid, or ended). */
  private async recheck(): Promise<void> {
    this.checking = true;
    try {
      const state = await this.deps.checkSession();
      if (!state.open) return this.end(state.reason, true);
      this.deadline = state.deadline;
      if (this.pending !== null && this.deps.clock() < this.deadline) this.flushPending();
      else if (this.pending !== null) this.end('idle-timeout', true);
    } catch {
      this.end('session-check-failed');
    } finally {
      this.checking = false;
    }
  }

  private write(chunk: string): void {
    if (this.ended || this.res.destroyed) return;
    this.res.write(chunk);
    // Back-pressure: a client that does not read is cut off rather than buffered without bound.
    if (this.res.writableLength > this.o.maxBufferedBytes) this.cut();
  }

  private cut(): void {
    this.end('slow-client');
    this.res.destroy();
  }
}
