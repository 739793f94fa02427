/**
 * The pure rules resolvePatient applies around the matcher's decision: what a stored patient looks like
 * to the matcher, when an automatic link is too risky, and what a review keeps of the candidates.
 */
import type { Demographics, PatientIdentifier } from '../patients/index.js';
import { flatColumns } from '../store/patients.js';
import { personFromColumns } from '../store/identity.js';
import type { FieldScore, MatchDecision, MatchGrade, PairScore, PersonRecord, ScoredCandidate } from './index.js';

/** The matcher's view of demographics: the same flat values a stored patient's columns hold. */
export function personFromDemographics(d: Demographics): PersonRecord {
  return personFromColumns(flatColumns(d));
}

const sameType = (a: PatientIdentifier, b: { typeCode: string }) => a.typeCode === '' || b.typeCode === '' || a.typeCode.toUpperCase() === b.typeCode.toUpperCase();

/**
 * True when the candidate already holds an identifier of the same authority and type as one of the
 * record's, with another value: that authority says they are two people (or has a duplicate record of
 * its own, which its A40 will resolve). Such a match goes to review, never to an automatic link.
 */
export function identifierClash(incoming: readonly PatientIdentifier[], held: readonly PatientIdentifier[]): boolean {
  return incoming.some((i) => held.some((h) => h.authority === i.authority && h.value !== i.value && sameType(i, h)));
}

/**
 * True when a score the matcher would link automatically carries a birth date disagreement (both known,
 * level 'else'): family members at one address can outweigh it with shared contact fields, so a
 * person decides. (A typo, a day/month swap or a partial date are levels of their own and do not veto.)
 */
export function birthDateVeto(score: PairScore): boolean {
  return score.fields.some((f) => f.field === 'birthDate' && f.level === 'else');
}

/** A candidate as a review keeps it: its score, grade and per-field weights, and what it looked like. */
export interface ReviewCandidate {
  patientId: number;
  weight: number;
  probability: number;
  grade: MatchGrade;
  fields: readonly FieldScore[];
  /** The candidate's demographics when the review was opened. */
  person: PersonRecord;
}

/** At most this many candidates are kept on a review (the best ones; the reviewer sees the count). */
export const REVIEW_CANDIDATES = 10;

/** The candidates a review shows: graded at least 'possible', best first, the best always included. */
export function reviewCandidates(decision: MatchDecision<number>, persons: ReadonlyMap<number, PersonRecord>): ReviewCandidate[] {
  const kept = decision.candidates.filter((c, i) => i === 0 || c.grade !== 'certainly-not').slice(0, REVIEW_CANDIDATES);
  return kept.map((c: ScoredCandidate<number>) => ({
    patientId: c.candidateId, weight: c.score.weight, probability: c.score.probability, grade: c.grade, fields: c.score.fields, person: persons.get(c.candidateId) ?? {},
  }));
}

/** What a review keeps of the incoming record (match_review.incoming). */
export interface ReviewIncoming {
  person: PersonRecord;
  identifiers: PatientIdentifier[];
  /** Why it is in review: the score alone, or an automatic link refused for an identifier clash. */
  reason: 'score' | 'identifier-clash' | 'birth-date';
  /** How many candidates were compared, and whether the lookup was capped. */
  compared: number;
  capped: boolean;
}
