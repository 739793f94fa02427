import { describe, expect, it } from 'vitest';
import { checkChain, ChainProblemKind, type ChainBounds } from './chain.js';
import { normalizeEntry, type AuditRecord } from './entry.js';
import { chainHash, GENESIS_HASH } from './hash.js';

/** A valid chain of `n` entries starting after `anchorId`. */
function chain(n: number, anchorId = 0, anchorHash = GENESIS_HASH): AuditRecord[] {
  const out: AuditRecord[] = [];
  let prev = anchorHash;
  for (let i = 1; i <= n; i++) {
    const id = anchorId + i;
    const f = normalizeEntry({ at: 1000 * id, actor: `user${id}`, action: 'read', entityType: 'patient', entityId: id, patientId: id, source: 'cli' }, 0);
    const r = { id, ...f, prevHash: prev, hash: chainHash(prev, id, f) };
    out.push(r);
    prev = r.hash;
  }
  return out;
}

const boundsOf = (records: AuditRecord[], anchorId = 0, anchorHash = GENESIS_HASH): ChainBounds => ({
  anchorId, anchorHash, headId: records.at(-1)?.id ?? anchorId, headHash: records.at(-1)?.hash ?? anchorHash,
});

function walk(records: AuditRecord[], bounds: ChainBounds) {
  const check = checkChain(bounds);
  for (const r of records) {
    const p = check.push(r);
    if (p) return p;
  }
  return check.end();
}

describe('the chain walk', () => {
  it('accepts an intact chain, an empty one and one that starts at a retention anchor', () => {
    const c = chain(5);
    expect(walk(c, boundsOf(c))).toBeUndefined();
    expect(walk([], boundsOf([]))).toBeUndefined();
    const rest = c.slice(2);
    expect(walk(rest, boundsOf(rest, 2, c[1]!.hash))).toBeUndefined();
  });

  it('names an altered entry', () => {
    const c = chain(5);
    c[2] = { ...c[2]!, actor: 'someone-else' };
    expect(walk(c, boundsOf(chain(5)))).toMatchObject({ id: 3, kind: ChainProblemKind.Altered });
  });

  it('names the first missing position of a removed entry, and entries removed from the end', () => {
    const c = chain(6);
    expect(walk([...c.slice(0, 2), ...c.slice(4)], boundsOf(c))).toMatchObject({ id: 3, kind: ChainProblemKind.Removed, message: expect.stringContaining('entries 3..4') });
    expect(walk(c.slice(0, 4), boundsOf(c))).toMatchObject({ id: 5, kind: ChainProblemKind.Removed });
  });

  it('names an entry beyond the head, or at or before the retention anchor, as inserted', () => {
    const c = chain(4);
    expect(walk(c, boundsOf(c.slice(0, 3)))).toMatchObject({ id: 4, kind: ChainProblemKind.Inserted });
    expect(walk(c, boundsOf(c.slice(2), 2, c[1]!.hash))).toMatchObject({ id: 1, kind: ChainProblemKind.Inserted });
  });

  it('names an entry that hashes well but does not link to the one before it (replaced before it)', () => {
    const c = chain(4);
    const forged = chain(4, 0, '1'.repeat(64));
    // Entry 2 replaced by a self-consistent forgery: entry 2 links to a wrong hash.
    expect(walk([c[0]!, forged[1]!, c[2]!, c[3]!], boundsOf(c))).toMatchObject({ id: 2, kind: ChainProblemKind.BrokenLink });
  });

  it('names the first of two swapped entries', () => {
    const c = chain(5);
    const swapped = c.map((r) => ({ ...r }));
    const [a, b] = [swapped[1]!, swapped[3]!];
    swapped[1] = { ...b, id: 2 };
    swapped[3] = { ...a, id: 4 };
    expect(walk(swapped, boundsOf(c))).toMatchObject({ id: 2, kind: ChainProblemKind.Altered });
  });

  it('names a head that does not match the last entry, and a pinned hash that no longer holds', () => {
    const c = chain(3);
    expect(walk(c, { ...boundsOf(c), headHash: 'f'.repeat(64) })).toMatchObject({ id: 3, kind: ChainProblemKind.HeadMismatch });
    expect(walk(c, { ...boundsOf(c), pins: new Map([[2, 'a'.repeat(64)]]) })).toMatchObject({ id: 2, kind: ChainProblemKind.PinMismatch });
    expect(walk(c, { ...boundsOf(c), pins: new Map([[2, c[1]!.hash]]) })).toBeUndefined();
  });
});
