import { describe, expect, it } from 'vitest';
import { compare } from './compare.js';
import { decide } from './decide.js';
import { defaultMatchModel } from './model.js';
import { normalizePerson } from './normalize.js';
import type { MatchModel, MatchOutcome, PairScore, PersonRecord } from './types.js';

const t = defaultMatchModel.thresholds;
const at = (weight: number): PairScore => ({ weight, probability: 1 / (1 + 2 ** -weight), fields: [] });

describe('decide', () => {
  it('auto-links a certain candidate, reviews a probable one, and makes a new patient otherwise', () => {
    expect(decide([{ candidateId: 1, score: at(t.autoLink) }], defaultMatchModel)).toMatchObject({ outcome: 'auto-link', best: { candidateId: 1, grade: 'certain' } });
    expect(decide([{ candidateId: 1, score: at(t.review) }], defaultMatchModel)).toMatchObject({ outcome: 'review', best: { candidateId: 1, grade: 'probable' } });
    const none = decide([{ candidateId: 1, score: at(t.possible) }], defaultMatchModel);
    expect(none.outcome).toBe('new');
    expect(none.best).toBeUndefined();
    expect(none.candidates[0]!.grade).toBe('possible');
    expect(decide([{ candidateId: 1, score: at(t.possible - 1) }], defaultMatchModel).candidates[0]!.grade).toBe('certainly-not');
    expect(decide([], defaultMatchModel)).toEqual({ outcome: 'new', candidates: [] });
  });

  it('sends a near-tie of two strong candidates to review, never auto-link', () => {
    const d = decide([
      { candidateId: 'a', score: at(t.autoLink + 10) },
      { candidateId: 'b', score: at(t.autoLink + 10 - t.tieMargin / 2) },
    ], defaultMatchModel);
    expect(d.outcome).toBe('review');
    expect(d.best!.candidateId).toBe('a');
    expect(d.candidates.map((c) => c.grade)).toEqual(['probable', 'probable']);
  });

  it('auto-links a clear winner over a second strong candidate', () => {
    const d = decide([{ candidateId: 'b', score: at(t.autoLink + 2) }, { candidateId: 'a', score: at(t.autoLink + 2 + t.tieMargin) }], defaultMatchModel);
    expect(d).toMatchObject({ outcome: 'auto-link', best: { candidateId: 'a' } });
  });

  it('counts several scores of one candidate once, at its best, sorted by weight', () => {
    const d = decide([
      { candidateId: 7, score: at(t.autoLink + 1) },
      { candidateId: 7, score: at(t.autoLink + 9) },
      { candidateId: 3, score: at(t.review) },
    ], defaultMatchModel);
    expect(d.candidates.map((c) => [c.candidateId, c.score.weight])).toEqual([[7, t.autoLink + 9], [3, t.review]]);
    expect(d.outcome).toBe('auto-link');
  });
});

/** US-style households: what the shipped model must and must not link on its own. */
describe('defaultMatchModel on household cases', () => {
  const emma: PersonRecord = {
    given: 'Emma', family: 'Johnson', birthDate: '1985-03-14', sex: 'F', addressLine: '12 Oak Street', city: 'Springfield',
    state: 'IL', postcode: '62704', phone: '2175550134', ssnLast4: '4821',
  };
  const outcome = (a: PersonRecord, b: PersonRecord, model: MatchModel = defaultMatchModel): MatchOutcome =>
    decide([{ candidateId: 1, score: compare(normalizePerson(a), normalizePerson(b), model) }], model).outcome;

  it.each<[string, PersonRecord, PersonRecord]>([
    ['a nickname, an abbreviated street, no phone', emma, { ...emma, given: 'Em', addressLine: '12 oak st', phone: undefined }],
    ['Peggy for Margaret without phone or SSN', { ...emma, given: 'Margaret' }, { ...emma, given: 'Peggy', phone: undefined, ssnLast4: undefined }],
    ['only name, birth date and sex on one side', emma, { given: 'Emma', family: 'Johnson', birthDate: '1985-03-14', sex: 'F' }],
    ['day and month swapped', emma, { ...emma, birthDate: '1985-14-03' }],
    ['a new family name and address, same SSN last 4', emma, { ...emma, family: 'Miller', addressLine: '400 Elm Ave', postcode: '62701', phone: '2175559999' }],
  ])('links the same person: %s', (_, a, b) => {
    expect(outcome(a, b)).toBe('auto-link');
  });

  it.each<[string, PersonRecord, PersonRecord]>([
    ['twins, no SSN', { ...emma, ssnLast4: undefined }, { ...emma, given: 'Olivia', ssnLast4: undefined }],
    ['twins with SSNs one digit apart', emma, { ...emma, given: 'Olivia', ssnLast4: '4822' }],
    ['newborn twins BABY GIRL A and B', { ...emma, given: 'Baby Girl A', ssnLast4: undefined }, { ...emma, given: 'Baby Girl B', ssnLast4: undefined }],
    ['father and son of one name', { ...emma, given: 'James', sex: 'M', birthDate: '1958-07-02', ssnLast4: undefined }, { ...emma, given: 'James', sex: 'M', birthDate: '1986-11-20', ssnLast4: undefined }],
    ['mother and daughter of one name', emma, { ...emma, birthDate: '2012-05-05', ssnLast4: undefined }],
    ['namesakes born the same day elsewhere', { ...emma, given: 'John', family: 'Smith', sex: 'M' },
      { given: 'John', family: 'Smith', sex: 'M', birthDate: '1985-03-14', addressLine: '88 Lake Dr', city: 'Chicago', state: 'IL', postcode: '60601', phone: '3125557171', ssnLast4: '2222' }],
  ])('never auto-links %s', (_, a, b) => {
    expect(outcome(a, b)).not.toBe('auto-link');
  });

  it('makes spouses at one address and phone two patients', () => {
    expect(outcome(emma, { ...emma, given: 'Robert', sex: 'M', birthDate: '1983-09-30', ssnLast4: '5555' })).toBe('new');
  });
});
