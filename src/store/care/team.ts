import type { Selectable } from 'kysely';
import type { EpisodeStatus, EpisodeType } from '../../care/episode.js';
import type { TeamMember, TeamMemberView, TeamRole } from '../../care/team.js';
import type { CareTeamMemberTable } from '../schema.js';
import { flag, type CareDb } from './db.js';

export function toTeamMember(r: Selectable<CareTeamMemberTable>): TeamMember {
  return {
    id: Number(r.id), episodeId: Number(r.episode_id), userId: Number(r.user_id), role: r.role as TeamRole, isPrimary: r.is_primary === 1,
    activeFrom: Number(r.active_from), activeTo: r.active_to === null ? null : Number(r.active_to),
  };
}

export async function getTeamMember(db: CareDb, id: number): Promise<TeamMember | undefined> {
  const row = await db.selectFrom('care_team_member').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toTeamMember(row);
}

/** Members currently on the episode's team (active_to null). */
export async function listCurrentMembers(db: CareDb, episodeId: number): Promise<TeamMember[]> {
  const rows = await db.selectFrom('care_team_member').selectAll().where('episode_id', '=', episodeId).where('active_to', 'is', null).orderBy('id').execute();
  return rows.map(toTeamMember);
}

/** The team with user names: current members, or every period ever when `includeEnded`; primary first, then by role and start. */
export async function listTeam(db: CareDb, episodeId: number, includeEnded = false): Promise<TeamMemberView[]> {
  let q = db.selectFrom('care_team_member as m').innerJoin('app_user as u', 'u.id', 'm.user_id')
    .selectAll('m').select(['u.username', 'u.display_name'])
    .where('m.episode_id', '=', episodeId);
  if (!includeEnded) q = q.where('m.active_to', 'is', null);
  const rows = await q.orderBy('m.is_primary', 'desc').orderBy('m.role').orderBy('m.active_from').orderBy('m.id').execute();
  return rows.map((r) => ({ ...toTeamMember(r), username: r.username, displayName: r.display_name }));
}

export async function insertMembers(db: CareDb, episodeId: number, members: ReadonlyArray<{ userId: number; role: TeamRole; isPrimary: boolean }>, at: number): Promise<TeamMember[]> {
  if (members.length === 0) return [];
  const rows = await db.insertInto('care_team_member').values(members.map((m) => ({
    episode_id: episodeId, user_id: m.userId, role: m.role, is_primary: flag(m.isPrimary), active_from: at, active_to: null, created_at: at,
  }))).returningAll().execute();
  return rows.map(toTeamMember);
}

/** End the periods of these members at `at` (only those still running). */
export async function endMembers(db: CareDb, ids: readonly number[], at: number): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('care_team_member').set({ active_to: at }).where('id', 'in', [...ids]).where('active_to', 'is', null).execute();
}

/** End every running period on the episode's team; returns the members ended. */
export async function endEpisodeTeam(db: CareDb, episodeId: number, at: number): Promise<TeamMember[]> {
  const rows = await db.updateTable('care_team_member').set({ active_to: at }).where('episode_id', '=', episodeId).where('active_to', 'is', null).returningAll().execute();
  return rows.map(toTeamMember);
}

/** End every running period of the user on any team; returns the members ended. */
export async function endUserMemberships(db: CareDb, userId: number, at: number): Promise<TeamMember[]> {
  const rows = await db.updateTable('care_team_member').set({ active_to: at }).where('user_id', '=', userId).where('active_to', 'is', null).returningAll().execute();
  return rows.map(toTeamMember);
}

/** Episodes (in `statuses`) whose current primary coordinator is the user. */
export async function episodesWithPrimary(db: CareDb, userId: number, statuses: readonly EpisodeStatus[]): Promise<number[]> {
  const rows = await db.selectFrom('care_team_member as m').innerJoin('care_episode as e', 'e.id', 'm.episode_id').select('e.id')
    .where('m.user_id', '=', userId).where('m.is_primary', '=', 1).where('m.active_to', 'is', null).where('e.status', 'in', [...statuses])
    .orderBy('e.id').execute();
  return rows.map((r) => Number(r.id));
}

/** One current team membership of a patient, with the episode and the user's contact details. */
export interface CareTeamAssignment extends TeamMemberView {
  patientId: number;
  episodeType: EpisodeType;
  episodeStatus: EpisodeStatus;
  email: string | null;
  phone: string | null;
}

/** Current members of the patient's episodes in `statuses`, active users only; by episode, primary first, then role. */
export async function listPatientCareTeam(db: CareDb, patientId: number, statuses: readonly EpisodeStatus[]): Promise<CareTeamAssignment[]> {
  if (statuses.length === 0) return [];
  const rows = await db.selectFrom('care_team_member as m')
    .innerJoin('care_episode as e', 'e.id', 'm.episode_id')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .selectAll('m').select(['e.patient_id', 'e.episode_type', 'e.status as episode_status', 'u.username', 'u.display_name', 'u.email', 'u.phone'])
    .where('e.patient_id', '=', patientId).where('e.status', 'in', [...statuses])
    .where('m.active_to', 'is', null).where('u.status', '=', 'active')
    .orderBy('e.start_at', 'desc').orderBy('e.id').orderBy('m.is_primary', 'desc').orderBy('m.role').orderBy('m.id')
    .execute();
  return rows.map((r) => ({
    ...toTeamMember(r), username: r.username, displayName: r.display_name, patientId: Number(r.patient_id),
    episodeType: r.episode_type as EpisodeType, episodeStatus: r.episode_status as EpisodeStatus, email: r.email, phone: r.phone,
  }));
}

/** Whether the user currently has any role on the team of one of these episodes. */
export async function isCurrentMember(db: CareDb, userId: number, episodeIds: readonly number[]): Promise<boolean> {
  if (episodeIds.length === 0) return false;
  const row = await db.selectFrom('care_team_member').select('id').where('user_id', '=', userId)
    .where('episode_id', 'in', [...episodeIds]).where('active_to', 'is', null).limit(1).executeTakeFirst();
  return row !== undefined;
}
