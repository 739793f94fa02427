import { invalidInput, invalidTransition } from './errors.js';
import { instant, oneOf, optionalInstant, optionalText } from './validate.js';

/** The kind of care an episode delivers. */
export const EpisodeType = {
  PostAcute: 'post-acute',
  HomeHealth: 'home-health',
  PostSurgical: 'post-surgical',
  ChronicDisease: 'chronic-disease',
  Hospice: 'hospice',
  TransitionalCare: 'transitional-care',
  Other: 'other',
} as const;
export type EpisodeType = (typeof EpisodeType)[keyof typeof EpisodeType];
export const EPISODE_TYPES: readonly EpisodeType[] = Object.values(EpisodeType);

export const EpisodeStatus = {
  /** Agreed but not started; its team may be incomplete. */
  Planned: 'planned',
  /** Care is being delivered; has exactly one primary care coordinator. */
  Active: 'active',
  /** Paused (e.g. the patient is readmitted); still has its primary care coordinator. */
  OnHold: 'on-hold',
  /** Ended as intended; end_at is set. Terminal. */
  Finished: 'finished',
  /** Ended before or instead of taking place; end_at is set. Terminal. */
  Cancelled: 'cancelled',
} as const;
export type EpisodeStatus = (typeof EpisodeStatus)[keyof typeof EpisodeStatus];
export const EPISODE_STATUSES: readonly EpisodeStatus[] = Object.values(EpisodeStatus);

/** Allowed status changes (after FHIR EpisodeOfCare): nothing leaves finished or cancelled. */
const EPISODE_TRANSITIONS: Record<EpisodeStatus, readonly EpisodeStatus[]> = {
  planned: ['active', 'cancelled'],
  active: ['on-hold', 'finished', 'cancelled'],
  'on-hold': ['active', 'finished', 'cancelled'],
  finished: [],
  cancelled: [],
};

/** Statuses in which an episode is under way: its team must have a primary care coordinator. */
export const OPEN_EPISODE_STATUSES: readonly EpisodeStatus[] = ['active', 'on-hold'];
/** Statuses that end an episode for good. */
export const CLOSED_EPISODE_STATUSES: readonly EpisodeStatus[] = ['finished', 'cancelled'];

export const isOpenEpisode = (status: EpisodeStatus): boolean => OPEN_EPISODE_STATUSES.includes(status);
export const isClosedEpisode = (status: EpisodeStatus): boolean => CLOSED_EPISODE_STATUSES.includes(status);

export interface CareEpisode {
  id: number;
  patientId: number;
  type: EpisodeType;
  goal: string | null;
  status: EpisodeStatus;
  startAt: number;
  /** Planned or actual end; set when the episode is finished or cancelled. */
  endAt: number | null;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewEpisode {
  patientId: number;
  type: string;
  goal?: string | null | undefined;
  /** planned (default) or active; an active episode needs `coordinatorUserId`. */
  status?: string | undefined;
  startAt: number;
  endAt?: number | null | undefined;
  /** The primary care coordinator to put on the team at once. */
  coordinatorUserId?: number | null | undefined;
}

export function canTransitionEpisode(from: EpisodeStatus, to: EpisodeStatus): boolean {
  return EPISODE_TRANSITIONS[from].includes(to);
}

/** Validate a new episode's fields (the patient and coordinator are checked against the store by the service). */
export function validateNewEpisode(input: NewEpisode) {
  const status = oneOf('status', input.status ?? EpisodeStatus.Planned, [EpisodeStatus.Planned, EpisodeStatus.Active]);
  const startAt = instant('startAt', input.startAt);
  const endAt = optionalInstant('endAt', input.endAt);
  if (endAt !== null && endAt < startAt) throw invalidInput('endAt', 'endAt is before startAt');
  return { type: oneOf('type', input.type, EPISODE_TYPES), goal: optionalText('goal', input.goal, 1000), status, startAt, endAt };
}

/**
 * The episode after a status change at `at`: finishing or cancelling sets the end (`endAt` when
 * given, else `at`; never before the start). Throws care.invalid_transition when not allowed.
 */
export function applyEpisodeStatus(
  episode: Pick<CareEpisode, 'id' | 'status' | 'startAt' | 'endAt'>,
  to: EpisodeStatus,
  at: number,
  endAt?: number | null,
): { status: EpisodeStatus; endAt: number | null } {
  if (!canTransitionEpisode(episode.status, to)) throw invalidTransition('episode', episode.id, episode.status, to);
  if (!isClosedEpisode(to)) {
    if (endAt != null) throw invalidInput('endAt', `endAt is only set when an episode is finished or cancelled`);
    return { status: to, endAt: episode.endAt };
  }
  const end = endAt ?? Math.max(at, episode.startAt);
  if (end < episode.startAt) throw invalidInput('endAt', 'endAt is before the episode start');
  return { status: to, endAt: end };
}

/** Whether an encounter [admittedAt, dischargedAt] overlaps the episode [startAt, endAt] (open ends run on; bounds inclusive). */
export function encounterDuringEpisode(
  encounter: { admittedAt: number | null; dischargedAt: number | null },
  episode: { startAt: number; endAt: number | null },
): boolean {
  if (encounter.admittedAt === null) return false;
  return (episode.endAt === null || encounter.admittedAt <= episode.endAt) && (encounter.dischargedAt === null || encounter.dischargedAt >= episode.startAt);
}

/** An encounter (hospital stay, ED visit, ...) as listed beside an episode; filled by the ADT handlers. */
export interface EncounterSummary {
  id: number;
  patientId: number;
  facility: string;
  visitNumber: string | null;
  patientClass: string | null;
  status: string;
  admittedAt: number | null;
  dischargedAt: number | null;
  location: string | null;
  hospitalService: string | null;
}
