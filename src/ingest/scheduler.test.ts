import { describe, expect, it } from 'vitest';
import { selectRunnable, type OpenEntry } from './scheduler.js';

const q = (id: number, key: string | null, extra: Partial<OpenEntry> = {}): OpenEntry => ({
  entry_id: id, patient_key: key, merge_key: null, status: 'queued', next_attempt_at: null, ...extra,
});
const ids = (s: { run: OpenEntry[] }) => s.run.map((e) => e.entry_id);

describe('selectRunnable', () => {
  it('runs the oldest entry of each patient and different patients in parallel', () => {
    const s = selectRunnable([q(1, 'A'), q(2, 'A'), q(3, 'B'), q(4, 'C'), q(5, 'B')], new Map(), 0, 10);
    expect(ids(s)).toEqual([1, 3, 4]);
  });

  it('holds a patient whose earlier entry is in flight', () => {
    const s = selectRunnable([q(2, 'A'), q(3, 'B')], new Map([[1, ['A']]]), 0, 10);
    expect(ids(s)).toEqual([3]);
  });

  it('parks a patient behind a failed entry without holding anyone else', () => {
    const s = selectRunnable([q(1, 'A', { status: 'failed' }), q(2, 'A'), q(3, 'B')], new Map(), 0, 10);
    expect(ids(s)).toEqual([3]);
  });

  it('holds a patient behind an entry waiting for its retry and reports when to wake', () => {
    const s = selectRunnable([q(1, 'A', { next_attempt_at: 500 }), q(2, 'A'), q(3, 'B')], new Map(), 100, 10);
    expect(ids(s)).toEqual([3]);
    expect(s.nextWakeAt).toBe(500);
    expect(ids(selectRunnable([q(1, 'A', { next_attempt_at: 500 }), q(2, 'A')], new Map(), 500, 10))).toEqual([1]);
  });

  it('orders a merge against both patients', () => {
    const merge = q(2, 'A', { merge_key: 'B' });
    expect(ids(selectRunnable([q(1, 'B'), merge, q(3, 'A')], new Map(), 0, 10))).toEqual([1]);
    expect(ids(selectRunnable([merge, q(3, 'A'), q(4, 'B'), q(5, 'C')], new Map(), 0, 10))).toEqual([2, 5]);
  });

  it('lets entries without a patient key run freely and respects capacity', () => {
    expect(ids(selectRunnable([q(1, null), q(2, null), q(3, null)], new Map(), 0, 2))).toEqual([1, 2]);
  });
});
