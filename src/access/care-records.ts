import type { CareEpisode, CareVisit, Goal, Intervention, Task, TeamMember, VisitSchedule } from '../care/index.js';
import type { TaskRecord } from './records.js';

/**
 * What the access layer returns about episodes, teams, care plans and tasks: plain records, times
 * in epoch ms, calendar dates as 'YYYY-MM-DD', an assignee as a user id or a team role.
 */
export type EpisodeDetail = Pick<CareEpisode, 'id' | 'patientId' | 'type' | 'goal' | 'status' | 'startAt' | 'endAt' | 'createdBy' | 'createdAt' | 'updatedAt'>;
export type MemberRecord = TeamMember & { username: string; displayName: string };
export type GoalRecord = Goal;
export type InterventionRecord = Intervention;
export type VisitRecord = CareVisit;

export interface ScheduleRecord extends Omit<VisitSchedule, 'assignee'> {
  assigneeUserId: number | null;
  assigneeRole: string | null;
}

export interface CarePlanDocument {
  episode: EpisodeDetail;
  goals: GoalRecord[];
  interventions: InterventionRecord[];
  schedules: ScheduleRecord[];
}

export interface TaskDetail extends TaskRecord {
  description: string | null;
  createdBy: string | null;
  updatedAt: number;
}

/** A patient as the care-team administrator finds it: what an assignment needs, nothing clinical. */
export interface AssignablePatient {
  id: number;
  status: string;
  familyName: string | null;
  givenName: string | null;
  birthDate: string | null;
  mrns: { authority: string; value: string }[];
  /** Planned, active and on-hold episodes (what a team is assigned to). */
  episodes: { id: number; type: string; status: string; startAt: number }[];
}

const assigneeColumns = (a: VisitSchedule['assignee'] | Task['assignee']) =>
  (a.kind === 'user' ? { assigneeUserId: a.userId, assigneeRole: null } : { assigneeUserId: null, assigneeRole: a.role });

export function toEpisodeDetail(e: CareEpisode): EpisodeDetail {
  return { id: e.id, patientId: e.patientId, type: e.type, goal: e.goal, status: e.status, startAt: e.startAt, endAt: e.endAt, createdBy: e.createdBy, createdAt: e.createdAt, updatedAt: e.updatedAt };
}

export function toScheduleRecord(s: VisitSchedule): ScheduleRecord {
  const { assignee, ...rest } = s;
  return { ...rest, ...assigneeColumns(assignee) };
}

export function toTaskDetail(t: Task): TaskDetail {
  return {
    id: t.id, patientId: t.patientId, episodeId: t.episodeId, title: t.title, status: t.status, priority: t.priority, dueAt: t.dueAt,
    ...assigneeColumns(t.assignee), createdAt: t.createdAt, completedAt: t.completedAt, completedBy: t.completedBy,
    completionNote: t.completionNote, description: t.description, createdBy: t.createdBy, updatedAt: t.updatedAt,
  };
}
