import type { EpisodeStatus } from './episode.js';
import { isClosedEpisode, isOpenEpisode } from './episode.js';
import { conflict, invalidInput } from './errors.js';
import type { User, UserRole } from './user.js';
import { id, oneOf } from './validate.js';

/** What a user does on one episode's care team. */
export const TeamRole = {
  /** Runs the episode; exactly one of them is primary while the episode is active or on hold. */
  CareCoordinator: 'care-coordinator',
  PrimaryPhysician: 'primary-physician',
  Specialist: 'specialist',
  FieldClinician: 'field-clinician',
  Supervisor: 'supervisor',
} as const;
export type TeamRole = (typeof TeamRole)[keyof typeof TeamRole];
export const TEAM_ROLES: readonly TeamRole[] = Object.values(TeamRole);

/** The user role a team role needs (a physician can be primary physician or specialist, ...). */
const REQUIRED_USER_ROLE: Record<TeamRole, UserRole> = {
  'care-coordinator': 'coordinator',
  'primary-physician': 'physician',
  specialist: 'physician',
  'field-clinician': 'field-clinician',
  supervisor: 'supervisor',
};

/** One period of a user on a team; removing a member ends the period (active_to), the row stays as history. */
export interface TeamMember {
  id: number;
  episodeId: number;
  userId: number;
  role: TeamRole;
  isPrimary: boolean;
  activeFrom: number;
  /** null while the member is on the team. */
  activeTo: number | null;
}

/** A member with the user's names, as listed. */
export interface TeamMemberView extends TeamMember {
  username: string;
  displayName: string;
}

/** Who a task or a visit schedule is for: one user, or whoever holds a team role on the episode. */
export type Assignee = { kind: 'user'; userId: number } | { kind: 'role'; role: TeamRole };

export function validateAssignee(input: { userId?: number | null | undefined; role?: string | null | undefined }): Assignee {
  const hasUser = input.userId !== undefined && input.userId !== null;
  const hasRole = input.role !== undefined && input.role !== null && input.role !== '';
  if (hasUser === hasRole) throw invalidInput('assignee', 'assign to exactly one of a user or a team role');
  return hasUser ? { kind: 'user', userId: id('assignee', input.userId) } : { kind: 'role', role: oneOf('assignee', input.role, TEAM_ROLES) };
}

export interface AddMemberRequest {
  userId: number;
  role: TeamRole;
  /** Make this coordinator the primary one (demotes the current primary). */
  primary: boolean;
}

/** What the store does to add a member: end these member periods, then start these. */
export interface TeamChange {
  end: number[];
  start: Array<{ userId: number; role: TeamRole; isPrimary: boolean }>;
}

/** Refuses users who are disabled or lack the user role the team role needs. */
export function checkUserFitsRole(user: Pick<User, 'id' | 'status' | 'roles'>, role: TeamRole): void {
  if (user.status !== 'active') throw invalidInput('userId', `user ${user.id} is disabled`);
  const needed = REQUIRED_USER_ROLE[role];
  if (!user.roles.includes(needed)) throw invalidInput('role', `user ${user.id} cannot be ${role}: that needs the user role ${needed}`);
}

/**
 * Decide how to add a member to a team whose current members are `active`. Only a care coordinator
 * can be primary; the first coordinator of a team without a primary becomes primary; a new primary
 * demotes the old one (their primary period ends and a non-primary one starts, so history shows both).
 */
export function decideAddMember(episode: { id: number; status: EpisodeStatus }, active: readonly TeamMember[], req: AddMemberRequest): TeamChange {
  if (isClosedEpisode(episode.status)) throw conflict(`episode ${episode.id} is ${episode.status}: its team can no longer change`);
  if (req.primary && req.role !== TeamRole.CareCoordinator) throw invalidInput('primary', 'only a care-coordinator can be primary');
  const current = active.filter((m) => m.activeTo === null);
  const primary = current.find((m) => m.isPrimary);
  const existing = current.find((m) => m.userId === req.userId && m.role === req.role);
  const makePrimary = req.role === TeamRole.CareCoordinator && (req.primary || primary === undefined);
  if (existing && !(makePrimary && !existing.isPrimary)) {
    throw conflict(`user ${req.userId} is already ${req.role}${existing.isPrimary ? ' (primary)' : ''} on episode ${episode.id}`);
  }
  const change: TeamChange = { end: [], start: [] };
  if (existing) change.end.push(existing.id);
  if (makePrimary && primary) {
    change.end.push(primary.id);
    change.start.push({ userId: primary.userId, role: TeamRole.CareCoordinator, isPrimary: false });
  }
  change.start.push({ userId: req.userId, role: req.role, isPrimary: makePrimary });
  return change;
}

/** Refuses to remove a member already removed, or the primary coordinator of an active or on-hold episode. */
export function checkRemoveMember(episode: { id: number; status: EpisodeStatus }, member: TeamMember): void {
  if (member.activeTo !== null) throw conflict(`team member ${member.id} was already removed`);
  if (member.isPrimary && isOpenEpisode(episode.status)) {
    throw conflict(`team member ${member.id} is the primary care coordinator of ${episode.status} episode ${episode.id}: assign another primary first`);
  }
}
