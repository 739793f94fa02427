import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { HoleTracker, type Hole } from './horizon.js';
import { can } from '../access/policy.js';
import { audienceOf } from './audience.js';
import { activeRolesOf, eventsAfter, maxEventId, pgSnapshot, pruneEvents, viewersOf, type RealtimeRow } from './store.js';

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
  /** Events are kept this long (the replay window); older ones are pruned hourly, with or without subscribers. */
  retentionMs?: number;
  /** The access layer's clock (break-the-glass expiry). */
  now?: () => number;
  /** PostgreSQL: holes are resolved by transaction snapshots. */
  postgres?: boolean;
  onError?: (err: unknown) => void;
}

export const DEFAULT_POLL_MS = 100;
export const DEFAULT_RETENTION_MS = 24 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;

/** The SSE frame of an event (`id:` is the realtime_event id). */
export function frameOf(r: RealtimeRow): string {
  const data = JSON.stringify({ id: r.id, at: new Date(r.at).toISOString(), patientId: r.patientId, kind: r.kind, refId: r.refId, ...JSON.parse(r.payload) });
  return `id: ${r.id}\nevent: ${r.kind}\ndata: ${data}\n\n`;
}

/**
 * The one reader of realtime_event in a process: polls the table every `pollMs` while someone listens
 * (writers are the processing thread, the HTTP handlers, the CLI, later other nodes: the committed
 * table is what they share), asks once per batch who sees the batch's patients, and hands each event
 * to the streams of those users. `horizon` is the last id handed out: everything up to it is final.
 *
 * Idle without subscribers: no timer, no reads. The cursor is then stale; the next read made while
 * nobody is subscribed (a stream's sync() before it subscribes) first jumps it to the table's head
 * (fastForward), so a quiet day is not read through; a listener that subscribes without that read is
 * served from where the cursor stood, so it misses nothing either.
 */
export class RealtimeHub {
  private cursor = 0;
  private readonly byUser = new Map<number, Set<Listener>>();
  private holes: HoleTracker;
  private timer: NodeJS.Timeout | undefined;
  private pruner: NodeJS.Timeout | undefined;
  private running = false;
  private ticking = false;
  private stale = true;
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

  /** Whether the poll timer is stopped (no subscriber): the hub then reads nothing. */
  get idle(): boolean {
    return this.timer === undefined && !this.ticking;
  }

  /** Start: polling runs while someone is subscribed; pruning hourly regardless. Reads nothing now. Idempotent. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stale = true;
    this.pruner = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruner.unref();
    this.wake();
  }

  /** Stop polling (the streams are ended by their owner). Idempotent. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    clearInterval(this.pruner);
  }

  /**
   * Start hearing events after the current horizon, which is returned: synchronously, so no event
   * is delivered between reading it and being subscribed (the stream replays up to it from the table).
   */
  subscribe(listener: Listener): { horizon: number; unsubscribe: () => void } {
    let set = this.byUser.get(listener.userId);
    if (!set) this.byUser.set(listener.userId, (set = new Set()));
    set.add(listener);
    this.wake();
    return {
      horizon: this.cursor,
      unsubscribe: () => {
        set.delete(listener);
        if (set.size === 0 && this.byUser.get(listener.userId) === set) this.byUser.delete(listener.userId);
        if (this.byUser.size === 0) this.rest();
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
    if (this.stale) {
      if (this.byUser.size === 0) await this.fastForward();
      this.stale = false;
    }
    const before = this.o.postgres && this.holes.waiting ? await pgSnapshot(this.db) : undefined;
    const rows = await eventsAfter(this.db, this.cursor, this.o.batch);
    if (rows.length === 0) return;
    let fresh: Hole | undefined;
    const after = this.o.postgres && rows.some((r, i) => r.id !== (i === 0 ? this.cursor : rows[i - 1]!.id) + 1) ? (await pgSnapshot(this.db)).xmax : undefined;
    const ids = this.holes.release(this.cursor, rows.map((r) => r.id), { now: Date.now(), xmin: before?.xmin }, () => (fresh ??= { seenAt: Date.now(), xmax: after }));
    if (ids.length === 0) return;
    const ready = rows.slice(0, ids.length);
    const audience = await this.audienceOf(ready);
    for (const r of ready) {
      this.cursor = r.id;
      const users = audience(r);
      if (!users) continue;
      const event: LiveEvent = { id: r.id, patientId: r.patientId, frame: frameOf(r) };
      for (const u of users) for (const l of this.byUser.get(u) ?? []) l.deliver(event);
    }
    if (ready.length === this.o.batch) await this.poll();
  }

  /**
   * Who receives each of these rows, asked once for the batch: the patient's viewers now (viewersOf),
   * or for a role-audience kind (audience.ts) the subscribed users whose roles hold its permission now.
   */
  private async audienceOf(rows: readonly RealtimeRow[]): Promise<(r: RealtimeRow) => Iterable<number> | undefined> {
    if (this.byUser.size === 0) return () => undefined;
    const patientRows = rows.filter((r) => audienceOf(r.kind) === undefined);
    const viewers = patientRows.length === 0 ? new Map<number, Set<number>>() : await viewersOf(this.db, [...new Set(patientRows.map((r) => r.patientId))], this.o.now());
    const roles = patientRows.length === rows.length ? new Map<number, string[]>() : await activeRolesOf(this.db, [...this.byUser.keys()]);
    return (r) => {
      const permission = audienceOf(r.kind);
      if (permission === undefined) return viewers.get(r.patientId);
      return [...roles].filter(([, rs]) => can(rs, permission)).map(([u]) => u);
    };
  }

  /**
   * Move the cursor to the table's head after an idle spell (nobody subscribed: nothing to deliver).
   * On PostgreSQL an id below the head may still be about to commit (ids are taken before commit), so
   * the head counts only once every transaction running when it was read has ended (a later snapshot's
   * xmin reaches the xmax noted after the read; horizon.ts), or after maxHoleWaitMs at most.
   */
  private async fastForward(): Promise<void> {
    const head = await maxEventId(this.db);
    if (this.o.postgres) {
      const { xmax } = await pgSnapshot(this.db);
      const until = Date.now() + this.o.maxHoleWaitMs;
      while ((await pgSnapshot(this.db)).xmin < xmax && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    }
    // Someone subscribed meanwhile: they were given the old cursor, so it must not jump past their events.
    if (this.byUser.size > 0 || head <= this.cursor) return;
    this.cursor = head;
    this.holes = new HoleTracker(this.o.maxHoleWaitMs);
  }

  /** Poll every pollMs while running and someone is subscribed. */
  private wake(): void {
    if (!this.running || this.timer !== undefined || this.ticking || this.byUser.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.ticking = true;
      void this.tick().finally(() => {
        this.ticking = false;
        this.wake();
      });
    }, this.o.pollMs);
  }

  /** The last subscriber left: stop reading; the cursor goes stale. */
  private rest(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stale = true;
  }

  private async tick(): Promise<void> {
    try {
      await this.sync();
    } catch (err) {
      this.o.onError?.(err);
    }
  }

  private async prune(): Promise<void> {
    try {
      await pruneEvents(this.db, Date.now() - this.o.retentionMs);
    } catch (err) {
      this.o.onError?.(err);
    }
  }
}
