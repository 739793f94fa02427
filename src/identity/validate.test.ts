import { describe, expect, it } from 'vitest';
import { compare } from './compare.js';
import { IdentityError, IdentityErrorCode } from './errors.js';
import { defaultMatchModel } from './model.js';
import { normalizePerson } from './normalize.js';
import type { MatchModel } from './types.js';
import { overrideModel, validateModel } from './validate.js';

function failure(f: () => unknown): IdentityError {
  try {
    f();
  } catch (err) {
    if (err instanceof IdentityError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('validateModel', () => {
  it('accepts the default model and its JSON round trip, which scores the same', () => {
    const copy = JSON.parse(JSON.stringify(defaultMatchModel)) as MatchModel;
    expect(validateModel(copy)).toBe(copy);
    const a = normalizePerson({ given: 'Emma', family: 'Johnson', birthDate: '1985-03-14' });
    const b = normalizePerson({ given: 'Em', family: 'Johnson', birthDate: '1985-03-15' });
    expect(compare(a, b, copy)).toEqual(compare(a, b, defaultMatchModel));
  });

  it.each<[string, (m: MatchModel) => unknown, string]>([
    ['an unknown field', (m) => ({ ...m, fields: { ...m.fields, shoeSize: { levels: {} } } }), 'fields.shoeSize'],
    ['an unknown level', (m) => ({ ...m, fields: { ...m.fields, sex: { levels: { ...m.fields.sex!.levels, close: { m: 0.1, u: 0.1 } } } } }), 'fields.sex.levels.close'],
    ['a missing level', (m) => ({ ...m, fields: { ...m.fields, sex: { levels: { exact: { m: 0.9, u: 0.5 } } } } }), 'fields.sex.levels.else'],
    ['m of 0', (m) => ({ ...m, fields: { ...m.fields, sex: { levels: { exact: { m: 0, u: 0.5 }, else: { m: 1, u: 0.5 } } } } }), 'fields.sex.levels.exact.m'],
    ['a prior of 1', (m) => ({ ...m, prior: 1 }), 'prior'],
    ['thresholds out of order', (m) => ({ ...m, thresholds: { ...m.thresholds, review: m.thresholds.autoLink + 1 } }), 'thresholds'],
    ['a cap on an unknown field', (m) => ({ ...m, caps: [{ name: 'x', fields: ['shoeSize'], maxWeight: 1 }] }), 'caps.0.fields'],
  ])('refuses %s with INVALID_MODEL and its path', (_, change, path) => {
    const err = failure(() => validateModel(change(defaultMatchModel) as MatchModel));
    expect(err.code).toBe(IdentityErrorCode.INVALID_MODEL);
    expect(err.path).toBe(path);
  });
});

describe('overrideModel', () => {
  it('changes only what the override names', () => {
    const m = overrideModel(defaultMatchModel, { thresholds: { autoLink: 25 }, fields: { sex: { levels: { exact: { m: 0.99 } } } } });
    expect(m.thresholds).toEqual({ ...defaultMatchModel.thresholds, autoLink: 25 });
    expect(m.fields.sex!.levels['exact']).toEqual({ m: 0.99, u: defaultMatchModel.fields.sex!.levels['exact']!.u });
    expect(m.fields.given).toEqual(defaultMatchModel.fields.given);
    expect(m.caps).toEqual(defaultMatchModel.caps);
  });

  it('drops a field set to null and replaces the caps when given', () => {
    const m = overrideModel(defaultMatchModel, { fields: { phone: null }, caps: [] });
    expect(m.fields.phone).toBeUndefined();
    expect(m.caps).toEqual([]);
  });

  it('validates the result', () => {
    expect(failure(() => overrideModel(defaultMatchModel, { thresholds: { review: 99 } })).code).toBe(IdentityErrorCode.INVALID_MODEL);
  });
});
