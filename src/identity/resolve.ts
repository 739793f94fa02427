import type { Kysely } from 'kysely';
import type { IncomingPatient, PatientIdentifier } from '../patients/index.js';
import { findMatchCandidates, IdentityAction, insertReview, inTransaction, lockMatchKeys, logDecision, refreshMatchKeys } from '../store/identity.js';
import { addIdentifiers, createPatient, findByIdentifier, listIdentifiers, updateDemographics, type PatientRecord, type Provenance } from '../store/patients.js';
import type { Database } from '../store/schema.js';
import { blockingKeys, compare, decide, normalizePerson, type MatchModel, type PairScore } from './index.js';
import { currentMatchModel } from './resolve-model.js';
import { birthDateVeto, identifierClash, personFromDemographics, reviewCandidates, type ReviewIncoming } from './resolve-policy.js';

/** How a message's patient was found. */
export type ResolveVia = 'identifier' | 'auto-link' | 'review' | 'new';

/** At most this many candidates are compared per lookup (those sharing most blocking keys). */
export const DEFAULT_CANDIDATE_LIMIT = 100;

/** Who the decision log names for the matcher's own decisions. */
export const MATCHER = 'matcher';

export interface ResolveOptions {
  sourceEntryId: number | null;
  at: number;
  /** Apply the message's demographics to the patient found (ADT does; results, which carry a thin PID, do not). */
  updateDemographics: boolean;
  /** The model of the probabilistic step; default: the configured one (resolve-model.ts). */
  model?: MatchModel;
  /** false: an exact identifier, else a new patient, no probabilistic step (a merge names its patient). */
  probabilistic?: boolean;
  /** Most candidates compared; default DEFAULT_CANDIDATE_LIMIT. */
  candidateLimit?: number;
}

export interface ResolveResult {
  patientId: number;
  via: ResolveVia;
  /** Set when the record was parked for review on a staging patient. */
  reviewId?: number;
  /** Identifiers of the message that another patient already holds (left in place, visible to operators). */
  conflicts: { identifier: PatientIdentifier; patientId: number }[];
  /** Set when more patients shared a blocking key than the candidate limit (the best-sharing ones were compared). */
  candidatesCapped?: boolean;
}

/**
 * The patient a message is about, in the order the identity contract sets, atomically (inside the
 * caller's transaction when `db` is one):
 * 1. an exact identifier (value + assigning authority), followed to the survivor of any merge;
 * 2. otherwise the probabilistic matcher over the patients sharing a blocking key (merged ones excluded):
 *    - auto-link: the record's identifiers are attached to that patient;
 *    - review: a staging patient holds the record and its identifiers, with a match_review item listing
 *      the candidates, their scores, grades and per-field weights;
 *    - new: a new patient.
 *    A record with no identifiers takes the same path. An automatic link goes to review instead when the
 *    patient holds another identifier of the same authority and type, or the birth dates disagree.
 * Demographics are applied with history when `updateDemographics` is set; match keys follow them.
 */
export function resolvePatient(db: Kysely<Database>, incoming: IncomingPatient, opts: ResolveOptions): Promise<ResolveResult> {
  return inTransaction(db, async (trx) => {
    const provenance = { sourceEntryId: opts.sourceEntryId, at: opts.at };
    const found = await byIdentifier(trx, incoming.identifiers);
    if (found) return attach(trx, found.id, 'identifier', incoming, opts, provenance);
    if (opts.probabilistic === false) return createFor(trx, incoming, provenance);
    return matchAndPlace(trx, incoming, opts, provenance);
  });
}

/** The first identifier (in the sender's order) that names a known patient. */
async function byIdentifier(db: Kysely<Database>, ids: readonly PatientIdentifier[]): Promise<PatientRecord | undefined> {
  for (const id of ids) {
    const p = await findByIdentifier(db, id.authority, id.value);
    if (p) return p;
  }
  return undefined;
}

/** The record's identifiers on an existing patient, and its demographics when asked. */
async function attach(db: Kysely<Database>, patientId: number, via: 'identifier' | 'auto-link', incoming: IncomingPatient, opts: ResolveOptions, p: Provenance): Promise<ResolveResult> {
  const { conflicts } = await addIdentifiers(db, patientId, incoming.identifiers, p);
  if (opts.updateDemographics && (await updateDemographics(db, patientId, incoming.demographics, p)) === 'changed') await refreshMatchKeys(db, patientId);
  return { patientId, via, conflicts };
}

async function createFor(db: Kysely<Database>, incoming: IncomingPatient, p: Provenance, status?: 'staging'): Promise<ResolveResult & { patientId: number }> {
  const patientId = await createPatient(db, incoming.demographics, status ?? (incoming.demographics.deceased ? 'deceased' : 'active'), p);
  const { conflicts } = await addIdentifiers(db, patientId, incoming.identifiers, p);
  await refreshMatchKeys(db, patientId);
  return { patientId, via: status === 'staging' ? 'review' : 'new', conflicts };
}

/** Why an automatic link must go to review instead, if it must (resolve-policy.ts). */
async function autoLinkVeto(db: Kysely<Database>, incoming: IncomingPatient, candidateId: number, score: PairScore): Promise<'identifier-clash' | 'birth-date' | undefined> {
  if (birthDateVeto(score)) return 'birth-date';
  if (identifierClash(incoming.identifiers, await listIdentifiers(db, candidateId))) return 'identifier-clash';
  return undefined;
}

async function matchAndPlace(db: Kysely<Database>, incoming: IncomingPatient, opts: ResolveOptions, p: Provenance): Promise<ResolveResult> {
  const model = opts.model ?? currentMatchModel();
  const normalized = normalizePerson(personFromDemographics(incoming.demographics));
  const keys = blockingKeys(normalized);
  await lockMatchKeys(db, keys);
  const search = await findMatchCandidates(db, keys, opts.candidateLimit ?? DEFAULT_CANDIDATE_LIMIT);
  const scores = search.candidates.map((c) => ({ candidateId: c.patientId, score: compare(normalized, normalizePerson(c.person), model) }));
  const decision = decide(scores, model);
  const capped = search.capped ? { candidatesCapped: true } : {};
  const best = decision.best;
  const veto = decision.outcome !== 'auto-link' || !best ? undefined : await autoLinkVeto(db, incoming, best.candidateId, best.score);

  if (decision.outcome === 'auto-link' && best && !veto) {
    const result = await attach(db, best.candidateId, 'auto-link', incoming, opts, p);
    await logDecision(db, {
      at: p.at, by: MATCHER, action: IdentityAction.AutoLink, patientId: best.candidateId, otherPatientId: null, reviewId: null, mergeId: null, sourceEntryId: p.sourceEntryId, note: null,
      detail: { weight: best.score.weight, probability: best.score.probability, identifiers: incoming.identifiers, compared: scores.length, capped: search.capped },
    });
    return { ...result, ...capped };
  }
  if (decision.outcome === 'new' || !best) return { ...(await createFor(db, incoming, p)), ...capped };

  const staging = await createFor(db, incoming, p, 'staging');
  const persons = new Map(search.candidates.map((c) => [c.patientId, c.person]));
  const record: ReviewIncoming = {
    person: personFromDemographics(incoming.demographics), identifiers: incoming.identifiers, reason: veto ?? 'score', compared: scores.length, capped: search.capped,
  };
  const candidates = reviewCandidates(decision, persons);
  const reviewId = await insertReview(db, { patientId: staging.patientId, sourceEntryId: p.sourceEntryId, candidates, incoming: record, at: p.at });
  await logDecision(db, {
    at: p.at, by: MATCHER, action: IdentityAction.ReviewOpened, patientId: staging.patientId, otherPatientId: best.candidateId, reviewId, mergeId: null, sourceEntryId: p.sourceEntryId, note: null,
    detail: { reason: record.reason, candidates: candidates.map((c) => ({ patientId: c.patientId, weight: c.weight, grade: c.grade })), capped: search.capped },
  });
  return { ...staging, reviewId, ...capped };
}
