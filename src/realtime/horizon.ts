/**
 * Which newly read events the hub may deliver (pure). Ids are taken from a sequence when a row is
 * inserted, but transactions commit in any order on PostgreSQL: id 10 may become visible after id
 * 11, and a rolled-back transaction leaves id 10 missing for ever. Delivering 11 and moving on would
 * lose 10 (a client's Last-Event-ID would then skip it too), so the hub delivers strictly in id order
 * and holds back everything after a missing id until the id appears or is known dead:
 * - dead by snapshot (PostgreSQL): the id was taken before the read that found it missing, by a
 *   transaction that had started before the snapshot taken after that read (its xid < xmax then);
 *   once a later snapshot's xmin (oldest running transaction) reaches that xmax, every such
 *   transaction has ended, so the id will never appear;
 * - dead by time (`maxWaitMs`): the fallback (SQLite never leaves holes: one writer, ids not reused).
 */
export interface Hole {
  /** When the hole was first seen (epoch ms). */
  seenAt: number;
  /** PostgreSQL: xmax of the snapshot taken after the read that first saw it. */
  xmax?: bigint | undefined;
}

export interface Probe {
  now: number;
  /** PostgreSQL: xmin of a snapshot taken before this read. */
  xmin?: bigint | undefined;
}

export class HoleTracker {
  /** Holes by their first missing id (a hole spans up to the next id read). */
  private readonly holes = new Map<number, Hole>();

  constructor(private readonly maxWaitMs: number) {}

  get waiting(): boolean {
    return this.holes.size > 0;
  }

  /**
   * The prefix of `ids` (ascending, all > cursor) deliverable now; new holes are remembered with
   * `seenAt`/`xmax` given by `newHole` (called once per poll, lazily: PostgreSQL probes only then).
   */
  release(cursor: number, ids: readonly number[], probe: Probe, newHole: () => Hole): number[] {
    const out: number[] = [];
    let expected = cursor + 1;
    let fresh: Hole | undefined;
    for (const id of ids) {
      if (id > expected) {
        let hole = this.holes.get(expected);
        if (!hole) {
          fresh ??= newHole();
          this.holes.set(expected, (hole = fresh));
        }
        if (!this.dead(hole, probe)) break;
      }
      this.holes.delete(expected);
      out.push(id);
      expected = id + 1;
    }
    for (const from of this.holes.keys()) if (from < expected) this.holes.delete(from);
    return out;
  }

  private dead(hole: Hole, probe: Probe): boolean {
    if (probe.now - hole.seenAt >= this.maxWaitMs) return true;
    return hole.xmax !== undefined && probe.xmin !== undefined && probe.xmin >= hole.xmax;
  }
}
