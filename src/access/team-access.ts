import { AuditAction } from '../audit/index.js';
import { createEpisode } from '../care/episode-service.js';
import type { NewEpisode } from '../care/episode.js';
import { addTeamMember, removeTeamMember } from '../care/team-service.js';
import { toTeamMember } from '../store/care/team.js';
import { toEpisodeDetail, type EpisodeDetail, type MemberRecord } from './care-records.js';
import { reach, scopedPatientIds, type Door } from './door.js';
import { decodePageKey, pageOf, type Page, type PageRequest } from './page-cursor.js';

/**
 * Care-team assignments: open an episode for a patient, list and change its team. Allowed to the
 * patient's care team and to ManageCareTeams (admin, without clinical data); changes not under
 * break-the-glass (door.ts, rule 'assignment'). Every call is audited with how the caller got in.
 */
export class TeamAccess {
  constructor(private readonly door: Door) {}

  /** Open an episode (planned, or active with its primary coordinator) for a patient. */
  async createEpisode(patientId: number, input: Omit<NewEpisode, 'patientId'>): Promise<EpisodeDetail> {
    const { path } = await reach(this.door, 'patient', patientId, 'assignment', true);
    const episode = await createEpisode(this.door.db, { ...input, patientId }, this.door.now, this.door.caller.username);
    this.door.audit({ action: AuditAction.Create, entityType: 'episode', entityId: episode.id, patientId, detail: { via: path, type: episode.type, status: episode.status } });
    return toEpisodeDetail(episode);
  }

  /** The episode's team, by member id: current members, or every period with `includeEnded`. */
  async team(episodeId: number, page: PageRequest & { includeEnded?: boolean | undefined }): Promise<Page<MemberRecord>> {
    const { patientId, path } = await reach(this.door, 'episode', episodeId, 'assignment', false);
    const after = page.cursor === undefined ? 0 : decodePageKey(page.cursor, 1)[0] ?? 0;
    let q = this.door.db.selectFrom('care_team_member as m').innerJoin('care_episode as e', 'e.id', 'm.episode_id').innerJoin('app_user as u', 'u.id', 'm.user_id')
      .selectAll('m').select(['u.username', 'u.display_name'])
      .where('m.episode_id', '=', episodeId).where('e.patient_id', 'in', scopedPatientIds(this.door, path)).where('m.id', '>', after);
    if (!page.includeEnded) q = q.where('m.active_to', 'is', null);
    const rows = await q.orderBy('m.id').limit(page.limit + 1).execute();
    const result = pageOf(rows, page.limit, (r) => [Number(r.id)], (r) => ({ ...toTeamMember(r), username: r.username, displayName: r.display_name }));
    this.door.audit({ action: AuditAction.Read, entityType: 'care-team', entityId: episodeId, patientId, detail: { via: path, members: result.items.map((m) => m.id) } });
    return result;
  }

  /** Put a user on the team (the care rules decide primary coordinators); returns the member periods started, the new one last. */
  async addMember(episodeId: number, input: { userId: number; role: string; primary?: boolean | undefined }): Promise<MemberRecord[]> {
    const { patientId, path } = await reach(this.door, 'episode', episodeId, 'assignment', true);
    const started = await addTeamMember(this.door.db, episodeId, { userId: input.userId, role: input.role, primary: input.primary ?? false }, this.door.now, this.door.caller.username);
    for (const m of started) {
      this.door.audit({ action: AuditAction.PermissionChange, entityType: 'team-member', entityId: m.id, patientId, detail: { via: path, change: 'added', episodeId, userId: m.userId, role: m.role, primary: m.isPrimary } });
    }
    return this.withNames(started);
  }

  /** End a member's period on the team (the row stays as history). */
  async endMember(memberId: number): Promise<MemberRecord> {
    const { patientId, path } = await reach(this.door, 'team-member', memberId, 'assignment', true);
    const ended = await removeTeamMember(this.door.db, memberId, this.door.now, this.door.caller.username);
    this.door.audit({ action: AuditAction.PermissionChange, entityType: 'team-member', entityId: memberId, patientId, detail: { via: path, change: 'removed', episodeId: ended.episodeId, userId: ended.userId, role: ended.role } });
    return (await this.withNames([ended]))[0]!;
  }

  private async withNames<M extends { userId: number }>(members: M[]): Promise<(M & { username: string; displayName: string })[]> {
    if (members.length === 0) return [];
    const users = await this.door.db.selectFrom('app_user').select(['id', 'username', 'display_name']).where('id', 'in', members.map((m) => m.userId)).execute();
    const byId = new Map(users.map((u) => [Number(u.id), u]));
    return members.map((m) => ({ ...m, username: byId.get(m.userId)?.username ?? '', displayName: byId.get(m.userId)?.display_name ?? '' }));
  }
}
