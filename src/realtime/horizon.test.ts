import { describe, expect, it } from 'vitest';
import { HoleTracker } from './horizon.js';

describe('which events the hub may deliver', () => {
  it('delivers consecutive ids at once', () => {
    const t = new HoleTracker(10_000);
    expect(t.release(4, [5, 6, 7], { now: 0 }, () => ({ seenAt: 0 }))).toEqual([5, 6, 7]);
    expect(t.waiting).toBe(false);
  });

  it('holds everything after a missing id until it commits', () => {
    const t = new HoleTracker(10_000);
    expect(t.release(4, [6, 7], { now: 0 }, () => ({ seenAt: 0 }))).toEqual([]);
    expect(t.waiting).toBe(true);
    expect(t.release(4, [5, 6, 7], { now: 100 }, () => ({ seenAt: 100 }))).toEqual([5, 6, 7]);
    expect(t.waiting).toBe(false);
  });

  it('gives up on a missing id once every transaction running when it was seen has ended (PostgreSQL snapshots)', () => {
    const t = new HoleTracker(10_000);
    expect(t.release(4, [6], { now: 0 }, () => ({ seenAt: 0, xmax: 1000n }))).toEqual([]);
    expect(t.release(4, [6], { now: 10, xmin: 999n }, () => ({ seenAt: 10 }))).toEqual([]);
    expect(t.release(4, [6, 7], { now: 20, xmin: 1000n }, () => ({ seenAt: 20 }))).toEqual([6, 7]);
  });

  it('gives up on a missing id after the longest wait (rolled back, no snapshot to ask)', () => {
    const t = new HoleTracker(1_000);
    expect(t.release(0, [1, 3], { now: 0 }, () => ({ seenAt: 0 }))).toEqual([1]);
    expect(t.release(1, [3], { now: 999 }, () => ({ seenAt: 999 }))).toEqual([]);
    expect(t.release(1, [3, 5], { now: 1_000 }, () => ({ seenAt: 1_000 }))).toEqual([3]);
    expect(t.release(3, [5], { now: 2_000 }, () => ({ seenAt: 2_000 }))).toEqual([5]);
  });
});
