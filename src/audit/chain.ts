import type { AuditRecord } from './entry.js';
import { hashMatches } from './hash.js';

/** What is wrong at the first entry that does not verify. */
export const ChainProblemKind = {
  /** The entry's content or hash was changed (or the entry moved to another position). */
  Altered: 'altered',
  /** Entries are missing: a gap in the positions, or the chain ends before its head. */
  Removed: 'removed',
  /** An entry that appendAudit did not write: beyond the chain head, or before the retention anchor. */
  Inserted: 'inserted',
  /** The entry does not link to the one before it: that one was replaced, or entries were reordered. */
  BrokenLink: 'broken-link',
  /** The chain head names a hash that the last entry does not have. */
  HeadMismatch: 'head-mismatch',
  /** An entry no longer has the hash a verifier pinned earlier: the chain was rewritten from there. */
  PinMismatch: 'pin-mismatch',
} as const;
export type ChainProblemKind = (typeof ChainProblemKind)[keyof typeof ChainProblemKind];

export interface ChainProblem {
  /** The first entry found wrong (for a gap, the first missing position). */
  id: number;
  kind: ChainProblemKind;
  message: string;
}

/** Where the walk starts and must end, read from the chain head row in the same snapshot as the entries. */
export interface ChainBounds {
  /** The last entry retention removed (0 when none) and its hash (the genesis hash when none). */
  anchorId: number;
  anchorHash: string;
  /** The last entry appended and its hash. */
  headId: number;
  headHash: string;
  /** Hashes recorded earlier by a verifier (`audit verify` prints the head), by entry id. */
  pins?: ReadonlyMap<number, string>;
}

export interface ChainCheck {
  /** Feed the next entry, in ascending id order; returns the first problem (and then nothing more). */
  push(record: AuditRecord): ChainProblem | undefined;
  /** After the last entry: the problem at the end of the chain, if any. */
  end(): ChainProblem | undefined;
  /** Entries verified so far. */
  readonly checked: number;
}

const short = (hash: string): string => `${hash.slice(0, 12)}…`;

/**
 * Walk a hash chain (pure): each entry must sit at the next position, hash to its stored hash and
 * name the previous entry's hash; the walk starts at the retention anchor and must end at the head.
 */
export function checkChain(bounds: ChainBounds): ChainCheck {
  let expectedId = bounds.anchorId + 1;
  let prevHash = bounds.anchorHash;
  let checked = 0;
  let failed: ChainProblem | undefined;
  const fail = (id: number, kind: ChainProblemKind, message: string): ChainProblem => (failed = { id, kind, message });
  const previous = (id: number) => (id - 1 === bounds.anchorId && bounds.anchorId > 0 ? `the retention anchor (entry ${id - 1})` : `entry ${id - 1}`);

  function push(r: AuditRecord): ChainProblem | undefined {
    if (failed) return undefined;
    if (r.id < expectedId) return fail(r.id, ChainProblemKind.Inserted, `entry ${r.id} lies at or before the retention anchor (entry ${bounds.anchorId}): inserted, or removed entries were put back`);
    if (r.id > bounds.headId) return fail(r.id, ChainProblemKind.Inserted, `entry ${r.id} is beyond the chain head (entry ${bounds.headId}): inserted without appendAudit`);
    if (r.id > expectedId) {
      const range = r.id - 1 > expectedId ? `entries ${expectedId}..${r.id - 1} are` : `entry ${expectedId} is`;
      return fail(expectedId, ChainProblemKind.Removed, `${range} missing (removed); the chain goes on at entry ${r.id}`);
    }
    if (!hashMatches(r)) return fail(r.id, ChainProblemKind.Altered, `entry ${r.id} does not match its hash ${short(r.hash)}: a field or the hash was changed, or the entry was moved`);
    if (r.prevHash !== prevHash) {
      return fail(r.id, ChainProblemKind.BrokenLink, `entry ${r.id} names previous hash ${short(r.prevHash)} but ${previous(r.id)} has ${short(prevHash)}: ${previous(r.id)} was replaced, or entries were inserted or reordered`);
    }
    const pinned = bounds.pins?.get(r.id);
    if (pinned !== undefined && pinned !== r.hash) return fail(r.id, ChainProblemKind.PinMismatch, `entry ${r.id} has hash ${short(r.hash)}, not the pinned ${short(pinned)}: the chain was rewritten from here on`);
    checked += 1;
    expectedId = r.id + 1;
    prevHash = r.hash;
    return undefined;
  }

  function end(): ChainProblem | undefined {
    if (failed) return undefined;
    const last = expectedId - 1;
    if (last < bounds.headId) {
      const range = bounds.headId > expectedId ? `entries ${expectedId}..${bounds.headId} are` : `entry ${expectedId} is`;
      return fail(expectedId, ChainProblemKind.Removed, `${range} missing (removed from the end; the chain head is entry ${bounds.headId})`);
    }
    if (prevHash !== bounds.headHash) return fail(last, ChainProblemKind.HeadMismatch, `entry ${last} has hash ${short(prevHash)} but the chain head recorded ${short(bounds.headHash)}: replaced`);
    for (const [id, hash] of bounds.pins ?? []) {
      if (id > bounds.headId) return fail(id, ChainProblemKind.PinMismatch, `pinned entry ${id} (${short(hash)}) is beyond the chain head (entry ${bounds.headId}): entries were removed from the end`);
    }
    return undefined;
  }

  return {
    push,
    end,
    get checked() {
      return checked;
    },
  };
}
