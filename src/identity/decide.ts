/**
 * decide: from the scores of all candidates of one incoming record to an outcome and FHIR grades.
 *
 * Grades (FHIR R4 match-grade, as returned by Patient/$match), from PairScore.weight:
 *   certain       weight >= thresholds.autoLink and no other candidate within tieMargin
 *   probable      weight >= thresholds.review (and a certain-level candidate in a near-tie)
 *   possible      weight >= thresholds.possible
 *   certainly-not below
 * Outcome: auto-link when the best candidate is certain; review when the best is probable (which
 * includes a near-tie: two candidates at or above `review` less than tieMargin apart, the best at
 * or above `autoLink`, never auto-links); new otherwise.
 */
import { MatchGrade, MatchOutcome, type MatchDecision, type MatchModel, type MatchThresholds, type PairScore, type ScoredCandidate } from './types.js';

function gradeOf(weight: number, t: MatchThresholds): MatchGrade {
  if (weight >= t.autoLink) return MatchGrade.Certain;
  if (weight >= t.review) return MatchGrade.Probable;
  if (weight >= t.possible) return MatchGrade.Possible;
  return MatchGrade.CertainlyNot;
}

/** One entry per candidateId (its highest score), by weight descending, ties by id for a stable order. */
function bestPerCandidate<Id extends number | string>(scores: readonly { candidateId: Id; score: PairScore }[]): { candidateId: Id; score: PairScore }[] {
  const byId = new Map<Id, { candidateId: Id; score: PairScore }>();
  for (const s of scores) {
    const seen = byId.get(s.candidateId);
    if (seen === undefined || s.score.weight > seen.score.weight) byId.set(s.candidateId, s);
  }
  return [...byId.values()].sort((x, y) => y.score.weight - x.score.weight || String(x.candidateId).localeCompare(String(y.candidateId)));
}

/**
 * Decides what to do with an incoming record given the scores of its candidates (several scores for
 * one candidateId, e.g. one per stored record of a patient, count as the best of them).
 */
export function decide<Id extends number | string>(scores: readonly { candidateId: Id; score: PairScore }[], model: MatchModel): MatchDecision<Id> {
  const t = model.thresholds;
  const ranked = bestPerCandidate(scores);
  const candidates: ScoredCandidate<Id>[] = ranked.map((s) => ({ candidateId: s.candidateId, score: s.score, grade: gradeOf(s.score.weight, t) }));
  const best = candidates[0];
  if (best === undefined || best.grade === MatchGrade.Possible || best.grade === MatchGrade.CertainlyNot) {
    return { outcome: MatchOutcome.New, candidates };
  }
  if (best.grade === MatchGrade.Probable) return { outcome: MatchOutcome.Review, best, candidates };
  // best is certain: any other candidate at review level within tieMargin makes it a near-tie.
  const tied = candidates.filter((c, i) => i === 0 || (c.score.weight >= t.review && best.score.weight - c.score.weight < t.tieMargin));
  if (tied.length === 1) return { outcome: MatchOutcome.AutoLink, best, candidates };
  for (let i = 0; i < tied.length; i++) {
    const c = tied[i]!;
    if (c.grade === MatchGrade.Certain) candidates[candidates.indexOf(c)] = { ...c, grade: MatchGrade.Probable };
  }
  return { outcome: MatchOutcome.Review, best: candidates[0]!, candidates };
}
