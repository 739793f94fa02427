/**
 * Public types of patient matching. PersonRecord is what a PID segment (or a stored patient) gives;
 * NormalizedPerson is derived from it once per record; MatchModel is plain JSON-serialisable data.
 */

/** Demographics of one record, as received. Every field is optional; absent or empty = unknown. */
export interface PersonRecord {
  given?: string;
  middle?: string;
  family?: string;
  /** 'YYYY-MM-DD'; may be partial ('YYYY', 'YYYY-MM') or malformed (kept as text, compared as digits). */
  birthDate?: string;
  /** HL7 table 0001: F, M, O, U, A, N. U (unknown) is treated as absent. */
  sex?: string;
  addressLine?: string;
  city?: string;
  state?: string;
  postcode?: string;
  /** Digits only (other characters are ignored; a leading NANP 1 on 11 digits is dropped). */
  phone?: string;
  /** The last 4 digits of the SSN. carecoord never stores a full SSN: longer input keeps its last 4. */
  ssnLast4?: string;
}

/** What to do with an incoming record. */
export const MatchOutcome = {
  /** One candidate is certain and clearly ahead: link the record to it without review. */
  AutoLink: 'auto-link',
  /** A candidate is plausible (or two are strong and close): a person decides. */
  Review: 'review',
  /** No plausible candidate: the record is a new patient. */
  New: 'new',
} as const;
export type MatchOutcome = (typeof MatchOutcome)[keyof typeof MatchOutcome];

/** FHIR R4 match-grade codes (http://hl7.org/fhir/match-grade), used by Patient/$match. */
export const MatchGrade = {
  /** Meets the criteria to be linked automatically (weight >= thresholds.autoLink, no near-tie). */
  Certain: 'certain',
  /** A close match that needs review before use (weight >= thresholds.review). */
  Probable: 'probable',
  /** May be the same person; review should be performed (weight >= thresholds.possible). */
  Possible: 'possible',
  /** The evidence says a different person (weight < thresholds.possible). */
  CertainlyNot: 'certainly-not',
} as const;
export type MatchGrade = (typeof MatchGrade)[keyof typeof MatchGrade];

/**
 * A record prepared for comparison by normalizePerson: lower case ASCII, punctuation and spaces
 * removed where they carry no identity, phonetic codes precomputed. '' means absent. Derived data:
 * recompute it from the PersonRecord rather than storing it (its shape may change between versions).
 */
export interface NormalizedPerson {
  /** Given name, letters only ('mary ann' -> 'maryann'). */
  readonly given: string;
  /** First word of the given name ('mary'), used for nicknames and initials. */
  readonly givenFirst: string;
  /** Nickname groups of the first word (nicknames.ts), ascending. */
  readonly givenGroups: readonly number[];
  readonly givenNysiis: string;
  /** A placeholder such as BABY GIRL A or UNKNOWN: compared for equality only. */
  readonly givenPlaceholder: boolean;
  readonly middle: string;
  /** Family name, letters only, without generational suffixes ('o brien jr' -> 'obrien'). */
  readonly family: string;
  /** Words of the family name ('garcia-lopez' -> ['garcia', 'lopez']). */
  readonly familyTokens: readonly string[];
  readonly familyNysiis: string;
  /** Digits of the birth date: 8 for a full date, 6 or 4 for partial ones; other lengths when malformed. */
  readonly birthDate: string;
  /** 'f', 'm', 'o', 'a', 'n' (HL7 0001, lower case), '' for U or anything else. */
  readonly sex: string;
  /** Address line with standard abbreviations (street -> st), spaces removed. */
  readonly addressLine: string;
  /** The house number (first word with a digit), '' when none. */
  readonly addressNumber: string;
  /** The address line without the house number, spaces removed. */
  readonly addressStreet: string;
  readonly city: string;
  readonly state: string;
  /** Letters and digits; a 9-digit ZIP+4 keeps its 5-digit ZIP. */
  readonly postcode: string;
  readonly phone: string;
  readonly ssnLast4: string;
}

/** Every field compare() looks at, in the order of PairScore.fields. */
export const MATCH_FIELDS = [
  'given', 'middle', 'family', 'birthDate', 'sex', 'addressLine', 'city', 'state', 'postcode', 'phone', 'ssnLast4',
] as const;
export type MatchField = (typeof MATCH_FIELDS)[number];

/** m and u of one comparison level: P(level | same person) and P(level | different persons). */
export interface LevelParameters {
  readonly m: number;
  readonly u: number;
}

/** Parameters of one field: one entry per level name of LEVELS[field] (levels.ts). */
export interface FieldParameters {
  readonly levels: Readonly<Record<string, LevelParameters>>;
}

/**
 * Term frequencies of one name field: a match on a rare value is worth more than on a common one.
 * The weight of an 'exact' level becomes log2(m / f) for a value of frequency f (clamped, see limits),
 * instead of log2(m / u) with the average u.
 */
export interface TermFrequencies {
  /** Frequency (share of records) of listed values. */
  readonly values: Readonly<Record<string, number>>;
  /** Frequency assumed for a value not listed. */
  readonly otherFrequency: number;
}

/** Weight thresholds, in the units of PairScore.weight (log2 posterior odds). */
export interface MatchThresholds {
  /** At or above: auto-link (grade certain), unless a second candidate is within tieMargin. */
  readonly autoLink: number;
  /** At or above: review (grade probable). */
  readonly review: number;
  /** At or above: grade possible (a $match result); below: certainly-not. Outcome new. */
  readonly possible: number;
  /** A second candidate at or above `review` and less than this below the best sends the best to review. */
  readonly tieMargin: number;
}

/**
 * A cap on the summed weight of correlated fields: people of one household share all of them, which
 * the independence assumption of Fellegi-Sunter would count several times.
 */
export interface WeightCap {
  readonly name: string;
  readonly fields: readonly MatchField[];
  readonly maxWeight: number;
  /** The cap is lifted when every one of these fields agrees (a level of positive weight). */
  readonly unlessAgree?: readonly MatchField[];
}

/** Everything compare() and decide() need: plain data, so configuration can override any part. */
export interface MatchModel {
  /** P(same person) for a candidate pair (two records sharing a blocking key), before comparison. */
  readonly prior: number;
  /** Parameters per field; a field left out is not compared. */
  readonly fields: Readonly<Partial<Record<MatchField, FieldParameters>>>;
  readonly thresholds: MatchThresholds;
  readonly caps?: readonly WeightCap[];
  readonly termFrequencies?: Readonly<Partial<Record<'given' | 'family', TermFrequencies>>>;
  /** Bounds of the term-frequency correction, in bits: [most negative, most positive]. */
  readonly termFrequencyLimits?: readonly [number, number];
}

/** One field's part of a score. level 'missing' (one side unknown) always weighs 0. */
export interface FieldScore {
  readonly field: string;
  readonly level: string;
  readonly weight: number;
}

/** Result of comparing two records. */
export interface PairScore {
  /** log2 posterior odds of "same person": log2(prior / (1 - prior)) + the sum of fields[].weight. */
  readonly weight: number;
  /** 1 / (1 + 2^-weight). */
  readonly probability: number;
  /** One entry per compared field, then one per applied cap (field = cap name, level 'cap'). */
  readonly fields: readonly FieldScore[];
}

export interface ScoredCandidate<Id extends number | string = number | string> {
  readonly candidateId: Id;
  readonly score: PairScore;
  readonly grade: MatchGrade;
}

export interface MatchDecision<Id extends number | string = number | string> {
  readonly outcome: MatchOutcome;
  /** The top candidate when the outcome is auto-link or review; absent for new. */
  readonly best?: ScoredCandidate<Id>;
  /** One per distinct candidateId (its highest score), by weight descending. */
  readonly candidates: readonly ScoredCandidate<Id>[];
}
