/**
 * What a hospital discharge or admission means for a patient's care (pure): which transition-of-care
 * tasks, for whom, due when; which visit schedules go on hold. The reaction (reaction.ts) loads the
 * facts, calls these, and writes the result.
 *
 * Sources:
 * - CMS Transitional Care Management (CPT 99495, 99496; Medicare Claims Processing Manual ch. 12
 *   §30.6.15.3 and the CMS TCM FAQ): an interactive contact with the patient or caregiver within
 *   2 business days of the discharge; a face-to-face visit within 14 calendar days (99495, medical
 *   decision making of at least moderate complexity) or within 7 calendar days (99496, high
 *   complexity); medication reconciliation no later than the date of the face-to-face visit. TCM
 *   follows a discharge to the community (home, domiciliary, assisted living), not a transfer to
 *   another inpatient facility.
 * - Home health Conditions of Participation, 42 CFR 484.55(d)(1)(ii): the resumption-of-care
 *   comprehensive assessment within 48 hours of the patient's return home from an inpatient stay.
 *
 * Complexity is a clinical judgement the ADT feed does not carry; carecoord uses the agency's setting
 * (CARECOORD_TOC_COMPLEXITY: moderate by default, 14 days; high gives 7 days for every discharge).
 * Per-episode complexity is left for when episodes carry it.
 */
import type { CareEpisode, EpisodeType } from '../care/episode.js';
import type { TeamRole } from '../care/team.js';
import type { TaskPriority } from '../care/task.js';
import { addBusinessDays, addCalendarDays, type BusinessCalendar } from './calendar.js';

export const TransitionTaskKind = {
  /** TCM: interactive contact (phone, video, in person) within 2 business days. */
  InteractiveContact: 'interactive-contact',
  /** TCM: the face-to-face visit, arranged by the coordinator, within 7 or 14 days. */
  FaceToFace: 'face-to-face',
  /** TCM: medication reconciliation by the face-to-face visit. */
  MedicationReconciliation: 'medication-reconciliation',
  /** Home health: resumption-of-care assessment within 48 hours. */
  ResumptionOfCare: 'resumption-of-care',
  /** Home health: the field clinician is told that the patient's visits are on hold (an inpatient stay). */
  HoldNotice: 'hold-notice',
} as const;
export type TransitionTaskKind = (typeof TransitionTaskKind)[keyof typeof TransitionTaskKind];
/** Kinds created by a discharge (cancelled by its A13). */
export const DISCHARGE_TASK_KINDS: readonly TransitionTaskKind[] = ['interactive-contact', 'face-to-face', 'medication-reconciliation', 'resumption-of-care'];

export type Complexity = 'moderate' | 'high';
export const COMPLEXITIES: readonly Complexity[] = ['moderate', 'high'];

export interface TransitionPolicy {
  /** Medical decision making assumed for every discharge: moderate (99495, 14 days) or high (99496, 7 days). */
  complexity: Complexity;
  /**
   * Patient classes (PV1-2, HL7 table 0004) that are a hospital stay: I inpatient, E emergency, B
   * obstetrics. Observation stays have no code of their own in table 0004; senders that code them
   * (e.g. 'OBS') add it here.
   */
  hospitalClasses: readonly string[];
  /** Patient classes of an inpatient admission that holds home visits (an A01 without PV1-2 counts as one). */
  inpatientClasses: readonly string[];
}

export const DEFAULT_POLICY: TransitionPolicy = { complexity: 'moderate', hospitalClasses: ['I', 'E', 'B'], inpatientClasses: ['I'] };

/**
 * Dispositions (PV1-36, HL7 table 0112 with the NUBC UB-04 patient status codes US senders use) after
 * which no transition-of-care follows: the patient died (20, 40, 41, 42), is still in (30), or went to
 * another inpatient facility (02 short-term hospital, 03 SNF, 04 ICF, 05 other institution, 43 federal
 * hospital, 61 swing bed, 62 IRF, 63 LTCH, 64 nursing facility, 65 psychiatric, 66 critical access
 * hospital, 70 other institution). No disposition: assume home (a missed contact is the worse error).
 */
export const NOT_COMMUNITY_DISPOSITIONS: ReadonlySet<string> = new Set(['02', '03', '04', '05', '20', '30', '40', '41', '42', '43', '61', '62', '63', '64', '65', '66', '70']);

export interface DischargeFacts {
  /** When the patient left (PV1-45, else the event time). */
  dischargedAt: number;
  /** PV1-2 of the discharge, else of the encounter. */
  patientClass: string | null;
  disposition: string | null;
  /** The message also recorded the patient's death. */
  died: boolean;
}

export type EpisodeFacts = Pick<CareEpisode, 'id' | 'type' | 'status' | 'startAt'>;

export interface PlannedTask {
  kind: TransitionTaskKind;
  episodeId: number;
  role: TeamRole;
  title: string;
  description: string;
  dueAt: number | null;
  priority: TaskPriority;
}

const normClass = (c: string | null) => (c ?? '').trim().toUpperCase();

/** A discharge from a hospital stay to the community: what starts a transition of care. */
export function isCommunityDischarge(d: DischargeFacts, policy: TransitionPolicy): boolean {
  if (d.died) return false;
  if (!policy.hospitalClasses.includes(normClass(d.patientClass))) return false;
  return d.disposition === null || !NOT_COMMUNITY_DISPOSITIONS.has(d.disposition.trim().padStart(2, '0'));
}

/** An admission (A01, or a class change) into an inpatient class; an A01 without a class is one. */
export function isInpatientAdmission(eventType: string, patientClass: string | null, policy: TransitionPolicy): boolean {
  if (eventType === 'admit') return patientClass === null || policy.inpatientClasses.includes(normClass(patientClass));
  return eventType === 'class-change' && policy.inpatientClasses.includes(normClass(patientClass));
}

const OPEN: readonly string[] = ['active', 'on-hold'];
const PREFERRED: readonly EpisodeType[] = ['transitional-care', 'home-health'];

/** The episode the TCM tasks belong to: a transitional-care one, else home health, else the latest started; active before on hold. */
export function transitionEpisode(episodes: readonly EpisodeFacts[]): EpisodeFacts | undefined {
  const rank = (e: EpisodeFacts) => [e.status === 'active' ? 0 : 1, PREFERRED.includes(e.type) ? PREFERRED.indexOf(e.type) : PREFERRED.length];
  return episodes.filter((e) => OPEN.includes(e.status)).sort((a, b) => {
    const [sa, ta] = rank(a);
    const [sb, tb] = rank(b);
    return sa! - sb! || ta! - tb! || b.startAt - a.startAt || b.id - a.id;
  })[0];
}

/** The open home-health episodes (their field visits are held and resumed). */
export const homeHealthEpisodes = (episodes: readonly EpisodeFacts[]): EpisodeFacts[] => episodes.filter((e) => e.type === 'home-health' && OPEN.includes(e.status));

/**
 * The tasks a discharge starts for a patient with these episodes: nothing without an open episode or
 * when the discharge is not to the community (isCommunityDischarge). Medication reconciliation goes to
 * the field clinician of a home-health patient (who is in the home within 48 hours), otherwise to the
 * coordinator. A discharge processed (`now`) after the face-to-face deadline starts nothing.
 */
export function planDischargeTasks(d: DischargeFacts, episodes: readonly EpisodeFacts[], policy: TransitionPolicy, calendar: BusinessCalendar, now: number): PlannedTask[] {
  const episode = transitionEpisode(episodes);
  if (!episode || !isCommunityDischarge(d, policy)) return [];
  const homeHealth = homeHealthEpisodes(episodes);
  const visitDays = policy.complexity === 'high' ? 7 : 14;
  const visitDue = addCalendarDays(d.dischargedAt, visitDays, calendar.timeZone);
  if (now > visitDue) return []; // a discharge learnt of after its whole window (a backload of old messages): nothing left to do in time
  const code = policy.complexity === 'high' ? '99496' : '99495';
  const tasks: PlannedTask[] = [
    {
      kind: 'interactive-contact', episodeId: episode.id, role: 'care-coordinator', priority: 'high',
      dueAt: addBusinessDays(d.dischargedAt, 2, calendar),
      title: 'Transition of care: contact the patient within 2 business days of discharge',
      description: `Interactive contact (phone, video or in person) with the patient or caregiver by the end of the 2nd business day after the discharge (CMS TCM ${code}).`,
    },
    {
      kind: 'face-to-face', episodeId: episode.id, role: 'care-coordinator', priority: 'normal', dueAt: visitDue,
      title: `Transition of care: face-to-face visit within ${visitDays} days of discharge`,
      description: `Arrange and confirm the face-to-face visit with the physician or practitioner within ${visitDays} calendar days (CMS TCM ${code}, ${policy.complexity} complexity).`,
    },
    {
      kind: 'medication-reconciliation', episodeId: homeHealth[0]?.id ?? episode.id, role: homeHealth.length ? 'field-clinician' : 'care-coordinator', priority: 'high', dueAt: visitDue,
      title: 'Transition of care: medication reconciliation by the face-to-face visit',
      description: `Reconcile the discharge medications with those the patient takes, no later than the face-to-face visit (CMS TCM ${code}).`,
    },
  ];
  if (homeHealth[0]) {
    tasks.push({
      kind: 'resumption-of-care', episodeId: homeHealth[0].id, role: 'field-clinician', priority: 'urgent', dueAt: d.dischargedAt + 48 * 3_600_000,
      title: 'Home health: resumption-of-care assessment within 48 hours of discharge',
      description: 'Resumption-of-care comprehensive assessment within 48 hours of the return home (42 CFR 484.55(d)(1)(ii)).',
    });
  }
  return tasks;
}

/** The field clinician's notice that the patient's visits are on hold during an inpatient stay. */
export function holdNotice(episodeId: number): PlannedTask {
  return {
    kind: 'hold-notice', episodeId, role: 'field-clinician', priority: 'high', dueAt: null,
    title: 'Home health: inpatient admission, scheduled field visits on hold',
    description: 'The patient was admitted to a hospital; their visit schedules are on hold until the discharge, which lifts the hold and starts the resumption-of-care assessment.',
  };
}

/** The hold reason of an inpatient stay: names the encounter, so its discharge or cancel releases exactly that hold. */
export const holdReason = (encounterId: number): string => `inpatient stay (encounter ${encounterId})`;
