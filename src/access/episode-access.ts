import { AuditAction } from '../audit/index.js';
import { setEpisodeStatus } from '../care/episode-service.js';
import { addGoal, addIntervention, setInterventionStatus, updateGoal, type GoalChange } from '../care/plan-service.js';
import type { NewGoal, NewIntervention } from '../care/plan.js';
import { toEpisode } from '../store/care/episodes.js';
import { toGoal, toIntervention } from '../store/care/plan.js';
import { toSchedule } from '../store/care/schedules.js';
import { toEpisodeDetail, toScheduleRecord, type CarePlanDocument, type EpisodeDetail, type GoalRecord, type InterventionRecord } from './care-records.js';
import { reach, scopedPatientIds, type Door } from './door.js';
import { notVisible } from './errors.js';

/**
 * An episode and its care plan (goals, interventions), for the patient's care team or a running
 * break-the-glass grant (rule 'clinical'). Reads carry the visible-patient filter in their SQL;
 * changes go through the care services (their rules, CareError) in the request's transaction.
 */
export class EpisodeAccess {
  constructor(private readonly door: Door) {}

  private get actor() {
    return this.door.caller.username;
  }

  async episode(episodeId: number): Promise<EpisodeDetail> {
    const { patientId, path } = await reach(this.door, 'episode', episodeId, 'clinical', false);
    const row = await this.door.db.selectFrom('care_episode').selectAll()
      .where('id', '=', episodeId).where('patient_id', 'in', scopedPatientIds(this.door, path)).executeTakeFirst();
    if (!row) throw notVisible('episode', episodeId);
    this.door.audit({ action: AuditAction.Read, entityType: 'episode', entityId: episodeId, patientId, detail: { via: path } });
    return toEpisodeDetail(toEpisode(row));
  }

  /** Move the episode along its state machine (care.invalid_transition otherwise); `reason` goes to the history. */
  async setStatus(episodeId: number, change: { status: string; reason?: string | null | undefined; endAt?: number | null | undefined }): Promise<EpisodeDetail> {
    const { patientId, path } = await reach(this.door, 'episode', episodeId, 'clinical', true);
    const updated = await setEpisodeStatus(this.door.db, episodeId, change.status, this.door.now, this.actor, { endAt: change.endAt ?? null, reason: change.reason ?? null });
    this.door.audit({ action: AuditAction.Update, entityType: 'episode', entityId: episodeId, patientId, detail: { via: path, status: updated.status } });
    return toEpisodeDetail(updated);
  }

  /** The episode with its goals, interventions and visit schedules (visits: ScheduleAccess.visits, paginated). */
  async plan(episodeId: number): Promise<CarePlanDocument> {
    const { patientId, path } = await reach(this.door, 'episode', episodeId, 'clinical', false);
    const db = this.door.db;
    const episode = db.selectFrom('care_episode').select('id').where('id', '=', episodeId).where('patient_id', 'in', scopedPatientIds(this.door, path));
    const row = await db.selectFrom('care_episode').selectAll().where('id', 'in', episode).executeTakeFirst();
    if (!row) throw notVisible('episode', episodeId);
    const goals = await db.selectFrom('care_plan_goal').selectAll().where('episode_id', 'in', episode).orderBy('id').execute();
    const interventions = await db.selectFrom('care_plan_intervention').selectAll().where('episode_id', 'in', episode).orderBy('id').execute();
    const schedules = await db.selectFrom('visit_schedule').selectAll().where('episode_id', 'in', episode).orderBy('id').execute();
    this.door.audit({ action: AuditAction.Read, entityType: 'care-plan', entityId: episodeId, patientId, detail: { via: path } });
    return {
      episode: toEpisodeDetail(toEpisode(row)), goals: goals.map(toGoal), interventions: interventions.map(toIntervention),
      schedules: schedules.map((s) => toScheduleRecord(toSchedule(s))),
    };
  }

  async addGoal(episodeId: number, input: NewGoal): Promise<GoalRecord> {
    const { patientId, path } = await reach(this.door, 'episode', episodeId, 'clinical', true);
    const goal = await addGoal(this.door.db, episodeId, input, this.door.now, this.actor);
    this.door.audit({ action: AuditAction.Create, entityType: 'goal', entityId: goal.id, patientId, detail: { via: path, episodeId, status: goal.status } });
    return goal;
  }

  /** Change a goal's status (along its transitions), target date or description. */
  async updateGoal(goalId: number, change: GoalChange): Promise<GoalRecord> {
    const { patientId, path } = await reach(this.door, 'goal', goalId, 'clinical', true);
    const goal = await updateGoal(this.door.db, goalId, change, this.door.now, this.actor);
    this.door.audit({ action: AuditAction.Update, entityType: 'goal', entityId: goalId, patientId, detail: { via: path, status: goal.status, fields: Object.keys(change).sort() } });
    return goal;
  }

  async addIntervention(episodeId: number, input: NewIntervention): Promise<InterventionRecord> {
    const { patientId, path } = await reach(this.door, 'episode', episodeId, 'clinical', true);
    const item = await addIntervention(this.door.db, episodeId, input, this.door.now, this.actor);
    this.door.audit({ action: AuditAction.Create, entityType: 'intervention', entityId: item.id, patientId, detail: { via: path, episodeId } });
    return item;
  }

  /** Complete or cancel an active intervention. */
  async setInterventionStatus(interventionId: number, status: string): Promise<InterventionRecord> {
    const { patientId, path } = await reach(this.door, 'intervention', interventionId, 'clinical', true);
    const item = await setInterventionStatus(this.door.db, interventionId, status, this.door.now, this.actor);
    this.door.audit({ action: AuditAction.Update, entityType: 'intervention', entityId: interventionId, patientId, detail: { via: path, status: item.status } });
    return item;
  }
}
