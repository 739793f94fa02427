import { describe, expect, it } from 'vitest';
import { applyEpisodeStatus, canTransitionEpisode, encounterDuringEpisode, EPISODE_STATUSES, validateNewEpisode } from './episode.js';
import { CareError } from './errors.js';

const T0 = Date.UTC(2026, 11, 1);
const H = 3_600_000;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CareError ? `${err.code}${err.field ? `:${err.field}` : ''}` : 'not a CareError';
  }
  return undefined;
}

describe('episode status transitions', () => {
  it('allow exactly the documented moves', () => {
    const allowed = EPISODE_STATUSES.flatMap((from) => EPISODE_STATUSES.filter((to) => canTransitionEpisode(from, to)).map((to) => `${from}>${to}`));
    expect(allowed).toEqual([
      'planned>active', 'planned>cancelled',
      'active>on-hold', 'active>finished', 'active>cancelled',
      'on-hold>active', 'on-hold>finished', 'on-hold>cancelled',
    ]);
  });

  it('finishing sets the end (given, or now) and refuses an end before the start', () => {
    const ep = { id: 1, status: 'active' as const, startAt: T0, endAt: null };
    expect(applyEpisodeStatus(ep, 'finished', T0 + 5 * H)).toEqual({ status: 'finished', endAt: T0 + 5 * H });
    expect(applyEpisodeStatus(ep, 'finished', T0 + 5 * H, T0 + H)).toEqual({ status: 'finished', endAt: T0 + H });
    expect(codeOf(() => applyEpisodeStatus(ep, 'finished', T0 + 5 * H, T0 - H))).toBe('care.invalid_input:endAt');
  });

  it('cancelling a planned episode before it starts ends it at its start, not before', () => {
    const ep = { id: 1, status: 'planned' as const, startAt: T0, endAt: T0 + 100 * H };
    expect(applyEpisodeStatus(ep, 'cancelled', T0 - 24 * H)).toEqual({ status: 'cancelled', endAt: T0 });
  });

  it('refuses moves out of finished and cancelled with care.invalid_transition, and an end on a non-closing move', () => {
    expect(codeOf(() => applyEpisodeStatus({ id: 1, status: 'finished', startAt: T0, endAt: T0 }, 'active', T0))).toBe('care.invalid_transition');
    expect(codeOf(() => applyEpisodeStatus({ id: 1, status: 'planned', startAt: T0, endAt: null }, 'on-hold', T0))).toBe('care.invalid_transition');
    expect(codeOf(() => applyEpisodeStatus({ id: 1, status: 'active', startAt: T0, endAt: null }, 'on-hold', T0, T0))).toBe('care.invalid_input:endAt');
  });
});

describe('a new episode', () => {
  it('defaults to planned and refuses unknown types, other statuses and an end before the start', () => {
    expect(validateNewEpisode({ patientId: 1, type: 'home-health', startAt: T0 })).toEqual({ type: 'home-health', goal: null, status: 'planned', startAt: T0, endAt: null });
    expect(codeOf(() => validateNewEpisode({ patientId: 1, type: 'spa-week', startAt: T0 }))).toBe('care.invalid_input:type');
    expect(codeOf(() => validateNewEpisode({ patientId: 1, type: 'hospice', status: 'finished', startAt: T0 }))).toBe('care.invalid_input:status');
    expect(codeOf(() => validateNewEpisode({ patientId: 1, type: 'hospice', startAt: T0, endAt: T0 - 1 }))).toBe('care.invalid_input:endAt');
    expect(codeOf(() => validateNewEpisode({ patientId: 1, type: 'hospice', startAt: 1.5 }))).toBe('care.invalid_input:startAt');
  });

  it('names the allowed values in the message', () => {
    expect(() => validateNewEpisode({ patientId: 1, type: 'x', startAt: T0 })).toThrow(/type must be one of post-acute, home-health, post-surgical, chronic-disease, hospice, transitional-care, other/);
  });
});

describe('encounters during an episode', () => {
  const episode = { startAt: T0, endAt: T0 + 10 * 24 * H };
  const during = (admittedAt: number | null, dischargedAt: number | null, ep: { startAt: number; endAt: number | null } = episode) =>
    encounterDuringEpisode({ admittedAt, dischargedAt }, ep);

  it('overlap with inclusive bounds', () => {
    expect(during(T0 - 48 * H, T0 - H)).toBe(false);
    expect(during(T0 - 48 * H, T0)).toBe(true); // discharged the moment the episode starts
    expect(during(T0 + H, T0 + 2 * H)).toBe(true);
    expect(during(episode.endAt, null)).toBe(true);
    expect(during(episode.endAt + 1, null)).toBe(false);
  });

  it('run on while the stay or the episode is open; an encounter never admitted is not during anything', () => {
    expect(during(T0 - 48 * H, null)).toBe(true);
    expect(during(T0 + 100 * 24 * H, null, { startAt: T0, endAt: null })).toBe(true);
    expect(during(null, null)).toBe(false);
  });
});
