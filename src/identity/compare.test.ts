import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare } from './compare.js';
import { defaultMatchModel } from './model.js';
import { normalizePerson } from './normalize.js';
import { MATCH_FIELDS, type MatchModel, type PersonRecord } from './types.js';

const emma: PersonRecord = {
  given: 'Emma', family: 'Johnson', birthDate: '1985-03-14', sex: 'F', addressLine: '12 Oak Street', city: 'Springfield',
  state: 'IL', postcode: '62704', phone: '2175550134', ssnLast4: '4821',
};
const score = (a: PersonRecord, b: PersonRecord, model: MatchModel = defaultMatchModel) => compare(normalizePerson(a), normalizePerson(b), model);
const priorWeight = Math.log2(defaultMatchModel.prior / (1 - defaultMatchModel.prior));
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const person: fc.Arbitrary<PersonRecord> = fc.record({
  given: opt(fc.constantFrom('Emma', 'Em', 'Emily', 'Olivia', 'John', 'Jon', 'Johnson', 'Baby Girl')),
  middle: opt(fc.constantFrom('Rose', 'R', 'Emma')),
  family: opt(fc.constantFrom('Johnson', 'Jonson', 'Smith', 'Emma', 'Garcia Lopez', 'Lopez')),
  birthDate: opt(fc.constantFrom('1985-03-14', '1985-14-03', '1985-03-15', '1985', '1990-01-01', '1945-13-40')),
  sex: opt(fc.constantFrom('F', 'M', 'U')),
  addressLine: opt(fc.constantFrom('12 Oak Street', '12 oak st', '14 Oak St', '9 Elm Avenue')),
  city: opt(fc.constantFrom('Springfield', 'Springfeld', 'Chicago')),
  state: opt(fc.constantFrom('IL', 'MO')),
  postcode: opt(fc.constantFrom('62704', '62740', '60601')),
  phone: opt(fc.constantFrom('2175550134', '5550134', '3125557171')),
  ssnLast4: opt(fc.constantFrom('4821', '4812', '7730')),
}, { requiredKeys: [] });

describe('compare', () => {
  it('scores a record against itself far above the auto-link threshold, every field exact', () => {
    const s = score(emma, emma);
    expect(s.weight).toBeGreaterThan(defaultMatchModel.thresholds.autoLink + 15);
    expect(s.probability).toBeCloseTo(1, 9);
    expect(s.fields.filter((f) => f.level !== 'missing').every((f) => f.level === 'exact')).toBe(true);
  });

  it('gives a missing field weight 0: two empty records score the prior', () => {
    const s = score({}, {});
    expect(s.weight).toBeCloseTo(priorWeight, 12);
    expect(s.fields.every((f) => f.level === 'missing' && f.weight === 0)).toBe(true);
    expect(score(emma, { given: 'Emma' }).fields.find((f) => f.field === 'birthDate')).toEqual({ field: 'birthDate', level: 'missing', weight: 0 });
  });

  it('reports one entry per field in MATCH_FIELDS order, then the caps that cut', () => {
    const s = score(emma, { ...emma, given: 'Olivia', ssnLast4: undefined });
    expect(s.fields.slice(0, MATCH_FIELDS.length).map((f) => f.field)).toEqual([...MATCH_FIELDS]);
    expect(s.fields.slice(MATCH_FIELDS.length).map((f) => f.level)).toEqual(['cap', 'cap']);
  });

  it('is symmetric, and its weight is the prior plus the field weights (property)', () => {
    fc.assert(fc.property(person, person, (a, b) => {
      const ab = score(a, b);
      const ba = score(b, a);
      expect(ab.weight).toBeCloseTo(ba.weight, 9);
      expect(ab.weight).toBeCloseTo(priorWeight + ab.fields.reduce((n, f) => n + f.weight, 0), 9);
      expect(ab.probability).toBeCloseTo(1 / (1 + 2 ** -ab.weight), 12);
    }), { numRuns: 3000 });
  });

  it('leaves out a field the model does not list', () => {
    const { ssnLast4: _, ...fields } = defaultMatchModel.fields;
    const s = score(emma, { ...emma, ssnLast4: '0000' }, { ...defaultMatchModel, fields });
    expect(s.fields.some((f) => f.field === 'ssnLast4')).toBe(false);
  });

  it('lets a household (family, address, phone) count only up to its cap when the given name disagrees', () => {
    const twin = score({ ...emma, ssnLast4: undefined }, { ...emma, given: 'Olivia', ssnLast4: undefined });
    const cuts = twin.fields.filter((f) => f.level === 'cap').map((f) => f.field);
    expect(cuts).toEqual(['contact', 'household']);
    // The same record with the given name agreeing: no cap, the household counts in full.
    expect(score(emma, emma).fields.some((f) => f.level === 'cap')).toBe(false);
  });

  it('values an exact match on a rare family name above one on a common name (term frequencies)', () => {
    const model: MatchModel = {
      ...defaultMatchModel,
      termFrequencies: { family: { values: { smith: 0.01 }, otherFrequency: 0.00001 } },
    };
    const common = score({ given: 'Ann', family: 'Smith' }, { given: 'Ann', family: 'Smith' }, model);
    const rare = score({ given: 'Ann', family: 'Zabrinsky' }, { given: 'Ann', family: 'Zabrinsky' }, model);
    const plain = score({ given: 'Ann', family: 'Smith' }, { given: 'Ann', family: 'Smith' });
    expect(common.weight).toBeLessThan(plain.weight);
    expect(rare.weight).toBeGreaterThan(plain.weight);
    const [lo, hi] = model.termFrequencyLimits!;
    expect(common.weight - plain.weight).toBeGreaterThanOrEqual(lo);
    expect(rare.weight - plain.weight).toBeLessThanOrEqual(hi);
  });

  it('compiles a model once and keeps it as given (the default model is frozen)', () => {
    expect(Object.isFrozen(defaultMatchModel.fields.given!.levels['exact'])).toBe(true);
    expect(score(emma, emma).weight).toBe(score(emma, emma).weight);
  });
});
