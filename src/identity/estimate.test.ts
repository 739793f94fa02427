import { describe, expect, it } from 'vitest';
import { blockingKeys } from './blocking.js';
import { estimateModel, estimateTermFrequencies, estimateU } from './estimate.js';
import { defaultMatchModel } from './model.js';
import { normalizePerson } from './normalize.js';
import type { NormalizedPerson, PersonRecord } from './types.js';

/** Deterministic generator (mulberry32) for synthetic people. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const GIVEN = Array.from({ length: 40 }, (_, i) => `g${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}name`);
const FAMILY = Array.from({ length: 300 }, (_, i) => `fam${i.toString(36)}ily`);

/** 2,000 people, each with one copy whose given name, birth date, SSN and postcode are replaced with probability 0.1. */
function synthetic(): { people: NormalizedPerson[]; pairs: [NormalizedPerson, NormalizedPerson][]; matches: number } {
  const r = rng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const dob = () => `19${10 + Math.floor(r() * 80)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`;
  const ssn = () => String(1000 + Math.floor(r() * 9000));
  const postcode = () => String(2000 + Math.floor(r() * 200));
  const people: NormalizedPerson[] = [];
  for (let i = 0; i < 2000; i++) {
    const a: PersonRecord = { given: pick(GIVEN), family: pick(FAMILY), birthDate: dob(), ssnLast4: ssn(), postcode: postcode() };
    const b: PersonRecord = {
      ...a,
      given: r() < 0.1 ? pick(GIVEN) : a.given,
      birthDate: r() < 0.1 ? dob() : a.birthDate,
      ssnLast4: r() < 0.1 ? ssn() : a.ssnLast4,
      postcode: r() < 0.1 ? postcode() : a.postcode,
    };
    people.push(normalizePerson(a), normalizePerson(b));
  }
  const index = new Map<string, number[]>();
  const pairs: [NormalizedPerson, NormalizedPerson][] = [];
  let matches = 0;
  people.forEach((p, i) => {
    const seen = new Set<number>();
    for (const k of blockingKeys(p)) {
      for (const j of index.get(k) ?? []) {
        if (seen.has(j)) continue;
        seen.add(j);
        pairs.push([people[j]!, p]);
        if (j >> 1 === i >> 1) matches++;
      }
      index.set(k, [...(index.get(k) ?? []), i]);
    }
  });
  return { people, pairs, matches };
}

describe('estimateU', () => {
  it('finds u from random pairs: P(two different people share a given name) = 1/40 here', () => {
    const { people } = synthetic();
    const u = estimateU(people, defaultMatchModel, { samples: 200_000, seed: 3 });
    expect(u.fields.given!.levels['exact']!.u).toBeCloseTo(1 / 40, 2);
    expect(u.fields.postcode!.levels['exact']!.u).toBeCloseTo(1 / 200, 2);
    // Fields nobody has keep the initial model's u.
    expect(u.fields.phone).toEqual(defaultMatchModel.fields.phone);
    expect(u.prior).toBe(defaultMatchModel.prior);
  });
});

describe('estimateModel (EM)', () => {
  it('recovers m of the corrupted fields from unlabelled candidate pairs', () => {
    const { people, pairs } = synthetic();
    const withU = estimateU(people, defaultMatchModel, { samples: 200_000, seed: 3 });
    const em = estimateModel(pairs, withU);
    const m = (field: 'given' | 'birthDate' | 'ssnLast4' | 'postcode' | 'family') => em.fields[field]!.levels['exact']!.m;
    // Corrupted with probability 0.1, but a replacement can draw the same value again.
    expect(m('given')).toBeGreaterThan(0.88);
    expect(m('given')).toBeLessThan(0.96);
    expect(m('birthDate')).toBeGreaterThan(0.86);
    expect(m('birthDate')).toBeLessThan(0.94);
    expect(m('ssnLast4')).toBeGreaterThan(0.86);
    expect(m('family')).toBeGreaterThan(0.97);
    // u is kept (estimateU's), and so is the prior unless asked.
    expect(em.fields.given!.levels['exact']!.u).toBe(withU.fields.given!.levels['exact']!.u);
    expect(em.prior).toBe(defaultMatchModel.prior);
  });

  it('returns the share of matches among the pairs as the prior when asked', () => {
    const { people, pairs, matches } = synthetic();
    const em = estimateModel(pairs, estimateU(people, defaultMatchModel, { samples: 200_000, seed: 3 }), { estimatePrior: true });
    expect(em.prior).toBeGreaterThan((matches / pairs.length) * 0.8);
    expect(em.prior).toBeLessThan((matches / pairs.length) * 1.2);
  });

  it('gives back the initial model for no pairs', () => {
    expect(estimateModel([], defaultMatchModel).fields).toEqual(defaultMatchModel.fields);
  });
});

describe('estimateTermFrequencies', () => {
  it('lists names seen at least twice with their share, others at one in the population', () => {
    const people = ['smith', 'smith', 'smith', 'jones', 'jones', 'zabrinsky'].map((family) => normalizePerson({ family, given: 'ann' }));
    const tf = estimateTermFrequencies(people);
    expect(tf.family.values).toEqual({ smith: 0.5, jones: 2 / 6 });
    expect(tf.family.otherFrequency).toBeCloseTo(1 / 6, 12);
    expect(tf.given.values).toEqual({ ann: 1 });
  });
});
