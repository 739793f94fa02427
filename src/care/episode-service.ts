import { publishCareTeam, publishEpisode } from '../realtime/publish.js';
import { listChanges, recordChanges, type CareChange } from '../store/care/changes.js';
import { inTransaction, type CareDb } from '../store/care/db.js';
import * as episodes from '../store/care/episodes.js';
import { getPatientRef } from '../store/care/patients.js';
import { listSchedules, updateSchedules } from '../store/care/schedules.js';
import { endEpisodeTeam, insertMembers, listCurrentMembers } from '../store/care/team.js';
import { getUser } from '../store/care/users.js';
import {
  applyEpisodeStatus, EPISODE_STATUSES, EpisodeStatus, isClosedEpisode, validateNewEpisode,
  type CareEpisode, type EncounterSummary, type NewEpisode,
} from './episode.js';
import { conflict, invalidInput, notFound } from './errors.js';
import { changeContext, changeRecord, type ChangeContext } from './history.js';
import { checkUserFitsRole, TeamRole } from './team.js';
import { id as checkId, oneOf, optionalInstant, optionalText } from './validate.js';

/** The patient an episode or task is for: must exist and not have been merged into another. */
export async function requirePatient(db: CareDb, patientId: number): Promise<void> {
  const patient = await getPatientRef(db, checkId('patientId', patientId));
  if (!patient) throw notFound('patient', patientId);
  if (patient.status === 'merged') throw conflict(`patient ${patientId} was merged into patient ${patient.mergedInto ?? '(unknown)'}: use that one`);
}

/**
 * Open an episode for a patient, planned (default) or active. An active episode needs its primary
 * care coordinator (`coordinatorUserId`, a user with the coordinator role); a planned one may name one.
 */
export async function createEpisode(db: CareDb, input: NewEpisode, at: number, actor: string): Promise<CareEpisode> {
  const ctx = changeContext(at, actor);
  const fields = validateNewEpisode(input);
  const coordinatorId = input.coordinatorUserId == null ? null : checkId('coordinatorUserId', input.coordinatorUserId);
  if (fields.status === EpisodeStatus.Active && coordinatorId === null) {
    throw invalidInput('coordinatorUserId', 'an active episode needs its primary care coordinator (coordinatorUserId)');
  }
  return inTransaction(db, async (trx) => {
    await requirePatient(trx, input.patientId);
    if (coordinatorId !== null) {
      const user = await getUser(trx, coordinatorId);
      if (!user) throw notFound('user', coordinatorId);
      checkUserFitsRole(user, TeamRole.CareCoordinator);
    }
    const episode = await episodes.insertEpisode(trx, { ...fields, patientId: input.patientId, createdBy: ctx.actor, createdAt: ctx.at, updatedAt: ctx.at });
    const scope = { patientId: episode.patientId, episodeId: episode.id };
    const changes = [changeRecord(ctx, 'episode', episode.id, 'created', scope, { type: episode.type, status: episode.status })];
    if (coordinatorId !== null) {
      const [member] = await insertMembers(trx, episode.id, [{ userId: coordinatorId, role: TeamRole.CareCoordinator, isPrimary: true }], ctx.at);
      changes.push(changeRecord(ctx, 'team-member', member!.id, 'added', scope, { userId: coordinatorId, role: member!.role, primary: true }));
      await publishCareTeam(trx, ctx.at, episode.patientId, member!);
    }
    await recordChanges(trx, changes);
    await publishEpisode(trx, episode);
    return episode;
  });
}

/** An episode; care.not_found when there is none. */
export async function getEpisode(db: CareDb, episodeId: number): Promise<CareEpisode> {
  const episode = await episodes.getEpisode(db, checkId('episodeId', episodeId));
  if (!episode) throw notFound('episode', episodeId);
  return episode;
}

/** A patient's episodes, latest start first (sequential and overlapping alike), optionally only some statuses. */
export async function listPatientEpisodes(db: CareDb, patientId: number, options: { statuses?: readonly string[] } = {}): Promise<CareEpisode[]> {
  const statuses = options.statuses?.map((s) => oneOf('statuses', s, EPISODE_STATUSES));
  return episodes.listPatientEpisodes(db, checkId('patientId', patientId), statuses);
}

/**
 * Move an episode to `status`. Activating needs a primary care coordinator on the team. Finishing
 * or cancelling sets the end (`endAt`, default `at`), ends every current team membership and every
 * visit schedule at `at`. care.invalid_transition when the table forbids the change.
 */
export async function setEpisodeStatus(
  db: CareDb,
  episodeId: number,
  status: string,
  at: number,
  actor: string,
  options: { endAt?: number | null; reason?: string | null } = {},
): Promise<CareEpisode> {
  const ctx = changeContext(at, actor);
  const to = oneOf('status', status, EPISODE_STATUSES);
  const endAt = optionalInstant('endAt', options.endAt);
  const reason = optionalText('reason', options.reason, 500);
  return inTransaction(db, async (trx) => {
    const episode = await episodes.lockEpisode(trx, checkId('episodeId', episodeId));
    if (!episode) throw notFound('episode', episodeId);
    const next = applyEpisodeStatus(episode, to, ctx.at, endAt);
    if (to === EpisodeStatus.Active && !(await listCurrentMembers(trx, episode.id)).some((m) => m.isPrimary)) {
      throw conflict(`episode ${episode.id} has no primary care coordinator: add one before activating it`);
    }
    const updated = await episodes.updateEpisodeStatus(trx, episode.id, next, ctx.at);
    const scope = { patientId: episode.patientId, episodeId: episode.id };
    const changes = [changeRecord(ctx, 'episode', episode.id, 'status', scope, { from: episode.status, to, endAt: next.endAt, ...(reason ? { reason } : {}) })];
    if (isClosedEpisode(to)) changes.push(...(await closeEpisodeWork(trx, episode, ctx)));
    await recordChanges(trx, changes);
    await publishEpisode(trx, updated);
    return updated;
  });
}

/** A closed episode keeps no team and no visits: end them (history stays). */
async function closeEpisodeWork(trx: CareDb, episode: CareEpisode, ctx: ChangeContext) {
  const scope = { patientId: episode.patientId, episodeId: episode.id };
  const ended = await endEpisodeTeam(trx, episode.id, ctx.at);
  const open = await listSchedules(trx, episode.id, ['active', 'on-hold']);
  await updateSchedules(trx, open.map((s) => s.id), { status: 'ended', holdReason: null, heldAt: null }, ctx.at);
  return [
    ...ended.map((m) => changeRecord(ctx, 'team-member', m.id, 'removed', scope, { userId: m.userId, role: m.role, reason: 'episode closed' })),
    ...open.map((s) => changeRecord(ctx, 'schedule', s.id, 'status', scope, { from: s.status, to: 'ended', reason: 'episode closed' })),
  ];
}

/** Encounters of the episode's patient overlapping the episode's period (see encounterDuringEpisode). */
export async function listEpisodeEncounters(db: CareDb, episodeId: number): Promise<EncounterSummary[]> {
  const episode = await getEpisode(db, episodeId);
  return episodes.listEncountersOverlapping(db, episode.patientId, episode.startAt, episode.endAt);
}

/** Who changed what in the episode (itself, its team, plan, visits and tasks), newest first. */
export async function listEpisodeChanges(db: CareDb, episodeId: number, limit = 100): Promise<CareChange[]> {
  return listChanges(db, { episodeId: checkId('episodeId', episodeId), limit });
}
