import { publishCarePlan } from '../realtime/publish.js';
import { recordChanges } from '../store/care/changes.js';
import { inTransaction, type CareDb } from '../store/care/db.js';
import { lockEpisode } from '../store/care/episodes.js';
import * as plan from '../store/care/plan.js';
import { listSchedules, listVisits } from '../store/care/schedules.js';
import { isClosedEpisode, type CareEpisode } from './episode.js';
import { getEpisode } from './episode-service.js';
import { conflict, notFound } from './errors.js';
import { changeContext, changeRecord } from './history.js';
import {
  checkGoalTransition, checkInterventionTransition, GOAL_STATUSES, GoalStatus, INTERVENTION_STATUSES, validateNewGoal, validateNewIntervention,
  type CareVisit, type Goal, type Intervention, type NewGoal, type NewIntervention, type VisitSchedule,
} from './plan.js';
import { id as checkId, oneOf, optionalCalendarDate, requiredText } from './validate.js';

/** The episode, locked for a plan change; refuses finished and cancelled episodes. */
export async function lockOpenEpisode(trx: CareDb, episodeId: number): Promise<CareEpisode> {
  const episode = await lockEpisode(trx, checkId('episodeId', episodeId));
  if (!episode) throw notFound('episode', episodeId);
  if (isClosedEpisode(episode.status)) throw conflict(`episode ${episode.id} is ${episode.status}: its plan can no longer change`);
  return episode;
}

/** Add a goal (proposed unless `status` says active) to an episode that is not closed. */
export async function addGoal(db: CareDb, episodeId: number, input: NewGoal, at: number, actor: string): Promise<Goal> {
  const ctx = changeContext(at, actor);
  const fields = validateNewGoal(input);
  return inTransaction(db, async (trx) => {
    const episode = await lockOpenEpisode(trx, episodeId);
    const goal = await plan.insertGoal(trx, { ...fields, episodeId: episode.id, achievedAt: null, createdAt: ctx.at, updatedAt: ctx.at });
    await recordChanges(trx, [changeRecord(ctx, 'goal', goal.id, 'created', { patientId: episode.patientId, episodeId: episode.id }, { status: goal.status })]);
    await publishCarePlan(trx, ctx.at, episode.patientId, { entity: 'goal', id: goal.id, episodeId: episode.id, status: goal.status });
    return goal;
  });
}

export interface GoalChange {
  status?: string | undefined;
  /** A date, or null to clear it. */
  targetDate?: string | null | undefined;
  description?: string | undefined;
}

/**
 * Change a goal's status (along the goal transitions; achieved sets achieved_at), target date or
 * description. Status changes stay possible after the episode closed (recording how it ended).
 */
export async function updateGoal(db: CareDb, goalId: number, change: GoalChange, at: number, actor: string): Promise<Goal> {
  const ctx = changeContext(at, actor);
  const status = change.status === undefined ? undefined : oneOf('status', change.status, GOAL_STATUSES);
  return inTransaction(db, async (trx) => {
    const goal = await plan.getGoal(trx, checkId('goalId', goalId));
    if (!goal) throw notFound('goal', goalId);
    const episode = (await lockEpisode(trx, goal.episodeId))!;
    if (status !== undefined && status !== goal.status) checkGoalTransition(goal, status);
    const next = {
      status: status ?? goal.status,
      achievedAt: status === GoalStatus.Achieved && goal.status !== status ? ctx.at : goal.achievedAt,
      targetDate: change.targetDate === undefined ? goal.targetDate : optionalCalendarDate('targetDate', change.targetDate),
      description: change.description === undefined ? goal.description : requiredText('description', change.description, 1000),
    };
    const updated = await plan.updateGoal(trx, goal.id, next, ctx.at);
    await recordChanges(trx, [changeRecord(ctx, 'goal', goal.id, status !== undefined && status !== goal.status ? 'status' : 'updated',
      { patientId: episode.patientId, episodeId: episode.id }, { from: goal.status, to: next.status, targetDate: next.targetDate })]);
    await publishCarePlan(trx, ctx.at, episode.patientId, { entity: 'goal', id: goal.id, episodeId: episode.id, status: updated.status });
    return updated;
  });
}

/** Add an intervention (active) to an episode that is not closed. */
export async function addIntervention(db: CareDb, episodeId: number, input: NewIntervention, at: number, actor: string): Promise<Intervention> {
  const ctx = changeContext(at, actor);
  const fields = validateNewIntervention(input);
  return inTransaction(db, async (trx) => {
    const episode = await lockOpenEpisode(trx, episodeId);
    const item = await plan.insertIntervention(trx, { ...fields, episodeId: episode.id, status: 'active', createdAt: ctx.at, updatedAt: ctx.at });
    await recordChanges(trx, [changeRecord(ctx, 'intervention', item.id, 'created', { patientId: episode.patientId, episodeId: episode.id })]);
    await publishCarePlan(trx, ctx.at, episode.patientId, { entity: 'intervention', id: item.id, episodeId: episode.id, status: item.status });
    return item;
  });
}

/** Complete or cancel an active intervention. */
export async function setInterventionStatus(db: CareDb, interventionId: number, status: string, at: number, actor: string): Promise<Intervention> {
  const ctx = changeContext(at, actor);
  const to = oneOf('status', status, INTERVENTION_STATUSES);
  return inTransaction(db, async (trx) => {
    const item = await plan.getIntervention(trx, checkId('interventionId', interventionId));
    if (!item) throw notFound('intervention', interventionId);
    const episode = (await lockEpisode(trx, item.episodeId))!;
    checkInterventionTransition(item, to);
    const updated = await plan.setInterventionStatus(trx, item.id, to, ctx.at);
    await recordChanges(trx, [changeRecord(ctx, 'intervention', item.id, 'status', { patientId: episode.patientId, episodeId: episode.id }, { from: item.status, to })]);
    await publishCarePlan(trx, ctx.at, episode.patientId, { entity: 'intervention', id: item.id, episodeId: episode.id, status: updated.status });
    return updated;
  });
}

/** An episode's whole care plan. */
export interface CarePlan {
  episode: CareEpisode;
  goals: Goal[];
  interventions: Intervention[];
  schedules: VisitSchedule[];
  visits: CareVisit[];
}

export async function getCarePlan(db: CareDb, episodeId: number): Promise<CarePlan> {
  const episode = await getEpisode(db, episodeId);
  const [goals, interventions, schedules, visits] = [
    await plan.listGoals(db, episode.id), await plan.listInterventions(db, episode.id),
    await listSchedules(db, episode.id), await listVisits(db, episode.id),
  ];
  return { episode, goals, interventions, schedules, visits };
}
