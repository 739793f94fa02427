import { publishCareTeam } from '../realtime/publish.js';
import { recordChanges } from '../store/care/changes.js';
import { inTransaction, isUniqueViolation, type CareDb } from '../store/care/db.js';
import { lockEpisode } from '../store/care/episodes.js';
import * as team from '../store/care/team.js';
import { getUser } from '../store/care/users.js';
import { EPISODE_STATUSES, OPEN_EPISODE_STATUSES, type EpisodeStatus } from './episode.js';
import { getEpisode } from './episode-service.js';
import { conflict, invalidInput, notFound } from './errors.js';
import { changeContext, changeRecord } from './history.js';
import { checkRemoveMember, checkUserFitsRole, decideAddMember, TEAM_ROLES, type Assignee, type TeamMember, type TeamMemberView } from './team.js';
import { id as checkId, oneOf } from './validate.js';

export type { CareTeamAssignment } from '../store/care/team.js';

/**
 * Put a user on an episode's team in `role`. `primary` makes a care coordinator the primary one
 * and demotes the current primary; the first coordinator of a team without a primary becomes
 * primary anyway. Returns the member periods started (the new member last).
 */
export async function addTeamMember(
  db: CareDb,
  episodeId: number,
  input: { userId: number; role: string; primary?: boolean },
  at: number,
  actor: string,
): Promise<TeamMember[]> {
  const ctx = changeContext(at, actor);
  const role = oneOf('role', input.role, TEAM_ROLES);
  const userId = checkId('userId', input.userId);
  return inTransaction(db, async (trx) => {
    const episode = await lockEpisode(trx, checkId('episodeId', episodeId));
    if (!episode) throw notFound('episode', episodeId);
    const user = await getUser(trx, userId);
    if (!user) throw notFound('user', userId);
    checkUserFitsRole(user, role);
    const change = decideAddMember(episode, await team.listCurrentMembers(trx, episode.id), { userId, role, primary: input.primary ?? false });
    await team.endMembers(trx, change.end, ctx.at);
    let started: TeamMember[];
    try {
      started = await team.insertMembers(trx, episode.id, change.start, ctx.at);
    } catch (err) {
      // Only a writer that bypassed the episode lock can get here.
      if (isUniqueViolation(err)) throw conflict(`episode ${episode.id} got another primary care coordinator meanwhile: try again`);
      throw err;
    }
    const scope = { patientId: episode.patientId, episodeId: episode.id };
    await recordChanges(trx, [
      ...change.end.map((memberId) => changeRecord(ctx, 'team-member', memberId, 'removed', scope, { reason: 'primary coordinator changed' })),
      ...started.map((m) => changeRecord(ctx, 'team-member', m.id, 'added', scope, { userId: m.userId, role: m.role, primary: m.isPrimary })),
    ]);
    for (const m of started) await publishCareTeam(trx, ctx.at, episode.patientId, m);
    return started;
  });
}

/** End a member's period on the team (the row stays as history). See checkRemoveMember for refusals. */
export async function removeTeamMember(db: CareDb, memberId: number, at: number, actor: string): Promise<TeamMember> {
  const ctx = changeContext(at, actor);
  return inTransaction(db, async (trx) => {
    const found = await team.getTeamMember(trx, checkId('memberId', memberId));
    if (!found) throw notFound('team member', memberId);
    const episode = (await lockEpisode(trx, found.episodeId))!;
    const member = (await team.getTeamMember(trx, memberId))!;
    checkRemoveMember(episode, member);
    await team.endMembers(trx, [member.id], ctx.at);
    await recordChanges(trx, [changeRecord(ctx, 'team-member', member.id, 'removed', { patientId: episode.patientId, episodeId: episode.id }, { userId: member.userId, role: member.role })]);
    const ended = { ...member, activeTo: ctx.at };
    await publishCareTeam(trx, ctx.at, episode.patientId, ended);
    return ended;
  });
}

/**
 * A user assigned work (a task, a visit schedule) must be an active user on the current team of one
 * of `episodeIds` (`where` names them in the error). Role assignees need no check.
 */
export async function checkUserAssignee(db: CareDb, assignee: Assignee, episodeIds: readonly number[], where: string): Promise<void> {
  if (assignee.kind !== 'user') return;
  const user = await getUser(db, assignee.userId);
  if (!user) throw notFound('user', assignee.userId);
  if (user.status !== 'active') throw invalidInput('assignee', `user ${user.id} is disabled`);
  if (!(await team.isCurrentMember(db, user.id, episodeIds))) throw invalidInput('assignee', `user ${user.id} is not on the care team of ${where}`);
}

/** The episode's team: current members, or every period ever with `includeEnded`. Primary first. */
export async function listTeam(db: CareDb, episodeId: number, options: { includeEnded?: boolean } = {}): Promise<TeamMemberView[]> {
  const episode = await getEpisode(db, episodeId);
  return team.listTeam(db, episode.id, options.includeEnded ?? false);
}

/** The current primary care coordinator of the episode, if it has one. */
export async function primaryCoordinator(db: CareDb, episodeId: number): Promise<TeamMemberView | undefined> {
  return (await listTeam(db, episodeId)).find((m) => m.isPrimary);
}

/**
 * Who looks after the patient now: current members (active users only) of the patient's episodes
 * that are active or on hold (`statuses` to widen, e.g. to planned), grouped by episode, latest
 * start first, each primary first. An empty list means nobody: route to the fallback pool.
 */
export async function activeCareTeamOfPatient(
  db: CareDb,
  patientId: number,
  options: { statuses?: readonly string[] } = {},
): Promise<team.CareTeamAssignment[]> {
  const statuses: readonly EpisodeStatus[] = options.statuses?.map((s) => oneOf('statuses', s, EPISODE_STATUSES)) ?? OPEN_EPISODE_STATUSES;
  return team.listPatientCareTeam(db, checkId('patientId', patientId), statuses);
}
