import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { HoleTracker, type Hole } from './horizon.js';
import { eventsAfter, maxEventId, pgSnapshot, pruneEvents, viewersOf, type RealtimeRow } from './store.js';

/** One event as the streams send it: the SSE frame is built once and shared by every stream. */
export interface LiveEvent {
  id: number;
  patientId: number;
  frame: string;
}

/** A stream as the hub sees it. */
export interface Listener {
  readonly userId: number;
  /** Receives every event whose patient the user sees now (the hub asked the database), in id order. */
  deliver(event: LiveEvent): void;
}

export interface HubOptions {
  /** How often the table is read (ms). */
  pollMs?: number;
  /** At most this many events per read. */
  batch?: number;
  /** How long a missing id may hold delivery back at most (see horizon.ts). */
  maxHoleWaitMs?: number;
  /** Events are kept this long (the replay window); older ones are pruned hourly. */
  retentionMs?: number;
  /** The access layer's clock (break-the-glass expiry). */
  now?: () => number;
  /** PostgreSQL: holes are resolved by transaction snapshots. */
  postgres?: boolean;
  onError?: (err: unknown) => void;
}

export const DEFAULT_POLL_MS = 100;
export const DEFAULT_RETENTION_MS = 24 * 3_600_000;

/** The SSE frame of an event (`id:` is the realtime_event id). */
export function frameOf(r: RealtimeRow): string {
  const data = JSON.stringify({ id: r.id, at: new Date(r.at).toISOString(), patientId: r.patientId, kind: r.kind, refId: r.refId, ...JSON.parse(r.payload) });
  return `id: ${r.id}\nevent: ${r.kind}\ndata: ${data}\n\n`;
}

/**
 * The one reader of realtime_event in a process: polls the table every `pollMs` (writers are the
 * processing thread, the HTTP handlers, the CLI, later other nodes: the committed table is what
 * they share), asks once per batch who sees the batch's patients, and hands each event to the
 * streams of those users. `horizon` is the last id handed out: everything up to it is final.
 */
export class RealtimeHub {
  private cursor = 0;
  private readonly byUser = new Map<number, Set<Listener>>();
  private readonly holes: HoleTracker;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastPrune = 0;
  private readonly o: Required<Omit<HubOptions, 'onError'>> & Pick<HubOptions, 'onError'>;

  constructor(private readonly db: Kysely<Database>, options: HubOptions = {}) {
    this.o = {
      pollMs: options.pollMs ?? DEFAULT_POLL_MS, batch: options.batch ?? 1000, maxHoleWaitMs: options.maxHoleWaitMs ?? 10_000,
      retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS, now: options.now ?? Date.now, postgres: options.postgres ?? false, onError: options.onError,
    };
    this.holes = new HoleTracker(this.o.maxHoleWaitMs);
  }

  /** The last id delivered: a stream that subscribes now gets every later event live. */
  get horizon(): number {
    return this.cursor;
  }

  get connections(): number {
    let n = 0;
    for (const s of this.byUser.values()) n += s.size;
    return n;
  }

  /** Start after the newest event (history is for replay, not for live delivery). Idempotent. */
  async start(): Promise<void> {
    if (this.running) return;
    this.cursor = await maxEventId(this.db);
    this.lastPrune = Date.now();
    this.running = true;
    this.schedule();
  }

  /** Stop polling (the streams are ended by their owner). Idempotent. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /**
   * Start hearing events after the current horizon, which is returned: synchronously, so no event
   * is delivered between reading it and being subscribed (the stream replays up to it from the table).
   */
  subscribe(listener: Listener): { horizon: number; unsubscribe: () => void } {
    let set = this.byUser.get(listener.userId);
    if (!set) this.byUser.set(listener.userId, (set = new Set()));
    set.add(listener);
    return {
      horizon: this.cursor,
      unsubscribe: () => {
        set.delete(listener);
        if (set.size === 0 && this.byUser.get(listener.userId) === set) this.byUser.delete(listener.userId);
      },
    };
  }

  /**
   * Resolves after a read that started after this call (coalesced: every caller waiting meanwhile
   * shares the next read), so the horizon then covers everything committed before the call.
   */
  sync(): Promise<void> {
    if (!this.current) {
      this.current = this.poll().finally(() => {
        this.current = undefined;
      });
      return this.current;
    }
    this.queued ??= this.current.catch(() => {}).then(() => {
      this.queued = undefined;
      return this.sync();
    });
    return this.queued;
  }

  private current: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /** One read and delivery; only through sync(), so reads never overlap. */
  private async poll(): Promise<void> {
    const before = this.o.postgres && this.holes.waiting ? await pgSnapshot(this.db) : undefined;
    const rows = await eventsAfter(this.db, this.cursor, this.o.batch);
    if (rows.length === 0) return;
    let fresh: Hole | undefined;
    const after = this.o.postgres && rows.some((r, i) => r.id !== (i === 0 ? this.cursor : rows[i - 1]!.id) + 1) ? (await pgSnapshot(this.db)).xmax : undefined;
    const ids = this.holes.release(this.cursor, rows.map((r) => r.id), { now: Date.now(), xmin: before?.xmin }, () => (fresh ??= { seenAt: Date.now(), xmax: after }));
    if (ids.length === 0) return;
    const ready = rows.slice(0, ids.length);
    const viewers = this.byUser.size === 0 ? new Map<number, Set<number>>() : await viewersOf(this.db, [...new Set(ready.map((r) => r.patientId))], this.o.now());
    for (const r of ready) {
      this.cursor = r.id;
      const users = viewers.get(r.patientId);
      if (!users) continue;
      const event: LiveEvent = { id: r.id, patientId: r.patientId, frame: frameOf(r) };
      for (const u of users) for (const l of this.byUser.get(u) ?? []) l.deliver(event);
    }
    if (ready.length === this.o.batch) await this.poll();
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.tick().finally(() => this.schedule());
    }, this.o.pollMs);
  }

  private async tick(): Promise<void> {
    try {
      await this.sync();
      if (Date.now() - this.lastPrune > 3_600_000) {
        this.lastPrune = Date.now();
        await pruneEvents(this.db, Date.now() - this.o.retentionMs);
      }
    } catch (err) {
      this.o.onError?.(err);
    }
  }
}
