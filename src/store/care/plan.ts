import type { Selectable } from 'kysely';
import type { Goal, GoalStatus, Intervention, InterventionStatus } from '../../care/plan.js';
import type { CarePlanGoalTable, CarePlanInterventionTable } from '../schema.js';
import type { CareDb } from './db.js';

export function toGoal(r: Selectable<CarePlanGoalTable>): Goal {
  return {
    id: Number(r.id), episodeId: Number(r.episode_id), description: r.description, targetDate: r.target_date, status: r.status as GoalStatus,
    achievedAt: r.achieved_at === null ? null : Number(r.achieved_at), createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}

export function toIntervention(r: Selectable<CarePlanInterventionTable>): Intervention {
  return {
    id: Number(r.id), episodeId: Number(r.episode_id), description: r.description, discipline: r.discipline,
    status: r.status as InterventionStatus, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}

export async function insertGoal(db: CareDb, g: Omit<Goal, 'id'>): Promise<Goal> {
  const row = await db.insertInto('care_plan_goal').values({
    episode_id: g.episodeId, description: g.description, target_date: g.targetDate, status: g.status,
    achieved_at: g.achievedAt, created_at: g.createdAt, updated_at: g.updatedAt,
  }).returningAll().executeTakeFirstOrThrow();
  return toGoal(row);
}

export async function getGoal(db: CareDb, id: number): Promise<Goal | undefined> {
  const row = await db.selectFrom('care_plan_goal').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toGoal(row);
}

export async function updateGoal(db: CareDb, id: number, change: Pick<Goal, 'description' | 'targetDate' | 'status' | 'achievedAt'>, at: number): Promise<Goal> {
  const row = await db.updateTable('care_plan_goal').set({
    description: change.description, target_date: change.targetDate, status: change.status, achieved_at: change.achievedAt, updated_at: at,
  }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toGoal(row);
}

export async function listGoals(db: CareDb, episodeId: number): Promise<Goal[]> {
  return (await db.selectFrom('care_plan_goal').selectAll().where('episode_id', '=', episodeId).orderBy('id').execute()).map(toGoal);
}

export async function insertIntervention(db: CareDb, i: Omit<Intervention, 'id'>): Promise<Intervention> {
  const row = await db.insertInto('care_plan_intervention').values({
    episode_id: i.episodeId, description: i.description, discipline: i.discipline, status: i.status, created_at: i.createdAt, updated_at: i.updatedAt,
  }).returningAll().executeTakeFirstOrThrow();
  return toIntervention(row);
}

export async function getIntervention(db: CareDb, id: number): Promise<Intervention | undefined> {
  const row = await db.selectFrom('care_plan_intervention').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toIntervention(row);
}

export async function setInterventionStatus(db: CareDb, id: number, status: InterventionStatus, at: number): Promise<Intervention> {
  const row = await db.updateTable('care_plan_intervention').set({ status, updated_at: at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toIntervention(row);
}

export async function listInterventions(db: CareDb, episodeId: number): Promise<Intervention[]> {
  return (await db.selectFrom('care_plan_intervention').selectAll().where('episode_id', '=', episodeId).orderBy('id').execute()).map(toIntervention);
}
