/**
 * Quality regression on FEBRL (../shared/matching/febrl beside the repo): online linkage of the first
 * 1,000 originals of dataset4a with their duplicates in dataset4b, with the shipped model. The full
 * run and its figures are `npm run bench:matching`.
 */
import { describe, expect, it } from 'vitest';
import { readFebrl } from '../../bench/lib/febrl.js';
import { linkFebrl4 } from '../../bench/lib/febrl-linkage.js';
import { defaultMatchModel } from './model.js';

describe('febrl4 online linkage, first 1,000 originals and their duplicates', () => {
  const a = readFebrl('dataset4a.csv').slice(0, 1000);
  const entities = new Set(a.map((r) => r.entity));
  const b = readFebrl('dataset4b.csv').filter((r) => entities.has(r.entity));
  const run = linkFebrl4(defaultMatchModel, a, b);

  it('uses 1,000 true links', () => {
    expect(b).toHaveLength(1000);
    expect(run.autoLink.truePairs).toBe(1000);
  });

  it('auto-links with precision >= 0.999 and recall >= 0.97, and never inside the duplicate-free file A', () => {
    expect(run.autoLink.precision).toBeGreaterThanOrEqual(0.999);
    expect(run.autoLink.recall).toBeGreaterThanOrEqual(0.97);
    expect(run.setup!.autoLinks + run.setup!.reviews).toBe(0);
  });

  it('finds >= 0.98 of the links when reviews count as found, still at precision >= 0.999', () => {
    expect(run.withReview.recall).toBeGreaterThanOrEqual(0.98);
    expect(run.withReview.precision).toBeGreaterThanOrEqual(0.999);
  });
});
