/**
 * compare: the Fellegi-Sunter score of a candidate pair (Fellegi & Sunter 1969, "A theory for record
 * linkage", JASA 64:1183). Each field falls in one comparison level (levels.ts); its weight is
 * log2(m / u); the pair's weight is the prior log-odds plus the field weights, so it reads directly
 * as log2 posterior odds and probability = 1 / (1 + 2^-weight) (Splink's "match weight").
 * Two refinements of plain Fellegi-Sunter, both data in the model:
 *  - term frequency (name fields, 'exact' level): the weight is log2(m / f) for a value of frequency f
 *    instead of log2(m / u), so agreeing on a rare surname counts more than on a common one; the
 *    correction is clamped to model.termFrequencyLimits;
 *  - caps: the summed weight of correlated fields is bounded (people of one household share address,
 *    city, postcode and phone, which the independence assumption would otherwise count several times),
 *    unless every field of the cap's unlessAgree agrees (given name and birth date in the default).
 */
import { compileModel } from './model.js';
import { compareLevels, MISSING } from './levels.js';
import { MATCH_FIELDS, type FieldScore, type MatchModel, type NormalizedPerson, type PairScore } from './types.js';

const levelBuffer = new Int8Array(MATCH_FIELDS.length);
const fieldWeights = new Float64Array(MATCH_FIELDS.length);
let capCuts = new Float64Array(4);
const EXACT = 0;

/** Scores a candidate pair under a model. Symmetric in a and b. Pure (the model is compiled once, cached). */
export function compare(a: NormalizedPerson, b: NormalizedPerson, model: MatchModel): PairScore {
  const cm = compileModel(model);
  compareLevels(a, b, levelBuffer);
  const fields: FieldScore[] = [];
  let total = cm.priorWeight;
  for (let i = 0; i < MATCH_FIELDS.length; i++) {
    const w = cm.weights[i];
    fieldWeights[i] = 0;
    if (w === undefined) continue;
    const level = levelBuffer[i]!;
    const shared = cm.scores[i]!;
    if (level === MISSING) {
      fields.push(shared[shared.length - 1]!);
      continue;
    }
    let score = shared[level]!;
    const tf = cm.termFrequency[i];
    if (tf !== undefined && level === EXACT) {
      const value = i === 0 ? a.given : b.family;
      const f = tf.values.get(value) ?? tf.other;
      const correction = Math.min(tf.max, Math.max(tf.min, Math.log2(tf.uExact / f)));
      score = { field: score.field, level: score.level, weight: score.weight + correction };
    }
    fields.push(score);
    fieldWeights[i] = score.weight;
    total += score.weight;
  }
  if (capCuts.length < cm.caps.length) capCuts = new Float64Array(cm.caps.length);
  for (let k = 0; k < cm.caps.length; k++) {
    const cap = cm.caps[k]!;
    capCuts[k] = 0;
    if (cap.unlessAgree.length > 0 && cap.unlessAgree.every((i) => fieldWeights[i]! > 0)) continue;
    let sum = 0;
    for (const i of cap.fields) sum += fieldWeights[i]!;
    for (const j of cap.inner) sum += capCuts[j]!;
    const cut = sum > cap.maxWeight ? cap.maxWeight - sum : 0;
    capCuts[k] = cut;
    if (cut < 0) {
      fields.push({ field: cap.name, level: 'cap', weight: cut });
      total += cut;
    }
  }
  return { weight: total, probability: 1 / (1 + 2 ** -total), fields };
}
