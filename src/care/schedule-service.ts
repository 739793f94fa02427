import { publishCarePlan } from '../realtime/publish.js';
import { recordChanges, type NewCareChange } from '../store/care/changes.js';
import { inTransaction, isUniqueViolation, type CareDb } from '../store/care/db.js';
import { lockEpisode } from '../store/care/episodes.js';
import * as schedules from '../store/care/schedules.js';
import { getUser } from '../store/care/users.js';
import { localDate, type CalendarDate } from './dates.js';
import type { CareEpisode } from './episode.js';
import { getEpisode } from './episode-service.js';
import { conflict, invalidInput, notFound } from './errors.js';
import { changeContext, changeRecord, type ChangeContext } from './history.js';
import { lockOpenEpisode } from './plan-service.js';
import { checkScheduleTransition, ScheduleStatus, validateNewSchedule, validateNewVisit, type CareVisit, type NewSchedule, type NewVisit, type VisitSchedule } from './plan.js';
import { dueDatesDuringHold, dueVisitDates, pastDueVisits, type PastDueOptions } from './schedule.js';
import { checkUserAssignee } from './team-service.js';
import type { Assignee } from './team.js';
import { calendarDate, id as checkId, requiredText } from './validate.js';

/** Add a recurring visit schedule (active) to an episode that is not closed; a user assignee must be on its team. */
export async function addSchedule(db: CareDb, episodeId: number, input: NewSchedule, at: number, actor: string): Promise<VisitSchedule> {
  const ctx = changeContext(at, actor);
  const fields = validateNewSchedule(input);
  return inTransaction(db, async (trx) => {
    const episode = await lockOpenEpisode(trx, episodeId);
    await checkUserAssignee(trx, fields.assignee, [episode.id], `episode ${episode.id}`);
    const schedule = await schedules.insertSchedule(trx, {
      ...fields, episodeId: episode.id, status: ScheduleStatus.Active, holdReason: null, heldAt: null, createdAt: ctx.at, updatedAt: ctx.at,
    });
    await recordChanges(trx, [changeRecord(ctx, 'schedule', schedule.id, 'created', scopeOf(episode), { everyDays: schedule.everyDays, startDate: schedule.startDate })]);
    await publishSchedules(trx, episode, [schedule], ctx);
    return schedule;
  });
}

/**
 * Put every active schedule of the episode on hold with `reason` (an inpatient admission puts field
 * visits on hold). Schedules already on hold or ended are left as they are, so a repeated call changes
 * nothing. Returns the schedules it held. Runs in the caller's transaction when given one.
 */
export async function holdSchedules(db: CareDb, episodeId: number, reason: string, at: number, actor = 'system'): Promise<VisitSchedule[]> {
  const ctx = changeContext(at, actor);
  const why = requiredText('reason', reason, 200);
  return inTransaction(db, async (trx) => {
    const episode = await lockEpisode(trx, checkId('episodeId', episodeId));
    if (!episode) throw notFound('episode', episodeId);
    return holdMany(trx, episode, await schedules.listSchedules(trx, episode.id, [ScheduleStatus.Active]), why, ctx);
  });
}

/**
 * Release the episode's schedules held with `reason` (null: every held schedule), making them
 * active again. Due dates that fell in the hold, from the day it began up to the day before the
 * release (days in `timeZone`, the agency's), get a cancelled visit record, so they are not reported
 * as missed. Returns the schedules it released.
 */
export async function releaseSchedules(db: CareDb, episodeId: number, reason: string | null, at: number, actor = 'system', timeZone = 'UTC'): Promise<VisitSchedule[]> {
  const ctx = changeContext(at, actor);
  return inTransaction(db, async (trx) => {
    const episode = await lockEpisode(trx, checkId('episodeId', episodeId));
    if (!episode) throw notFound('episode', episodeId);
    const held = (await schedules.listSchedules(trx, episode.id, [ScheduleStatus.OnHold])).filter((s) => reason === null || s.holdReason === reason);
    return releaseMany(trx, episode, held, ctx, timeZone);
  });
}

/** Hold one schedule (care.invalid_transition unless it is active). */
export async function holdSchedule(db: CareDb, scheduleId: number, reason: string, at: number, actor: string): Promise<VisitSchedule> {
  const ctx = changeContext(at, actor);
  const why = requiredText('reason', reason, 200);
  return withSchedule(db, scheduleId, ScheduleStatus.OnHold, async (trx, episode, schedule) => (await holdMany(trx, episode, [schedule], why, ctx))[0]!);
}

/** Release one held schedule, cancelling the due dates its hold covered (see releaseSchedules). */
export async function releaseSchedule(db: CareDb, scheduleId: number, at: number, actor: string, timeZone = 'UTC'): Promise<VisitSchedule> {
  const ctx = changeContext(at, actor);
  return withSchedule(db, scheduleId, ScheduleStatus.Active, async (trx, episode, schedule) => (await releaseMany(trx, episode, [schedule], ctx, timeZone))[0]!);
}

/** End a schedule for good: no visit falls due any more, none is reported missed. */
export async function endSchedule(db: CareDb, scheduleId: number, at: number, actor: string): Promise<VisitSchedule> {
  const ctx = changeContext(at, actor);
  return withSchedule(db, scheduleId, ScheduleStatus.Ended, async (trx, episode, schedule) => {
    const [ended] = await schedules.updateSchedules(trx, [schedule.id], { status: ScheduleStatus.Ended, holdReason: null, heldAt: null }, ctx.at);
    await recordChanges(trx, [changeRecord(ctx, 'schedule', schedule.id, 'status', scopeOf(episode), { from: schedule.status, to: ScheduleStatus.Ended })]);
    await publishSchedules(trx, episode, [ended!], ctx);
    return ended!;
  });
}

async function withSchedule<T>(db: CareDb, scheduleId: number, to: ScheduleStatus, work: (trx: CareDb, episode: CareEpisode, schedule: VisitSchedule) => Promise<T>): Promise<T> {
  return inTransaction(db, async (trx) => {
    const found = await schedules.getSchedule(trx, checkId('scheduleId', scheduleId));
    if (!found) throw notFound('visit schedule', scheduleId);
    const episode = (await lockEpisode(trx, found.episodeId))!;
    const schedule = (await schedules.getSchedule(trx, scheduleId))!;
    checkScheduleTransition(schedule, to);
    return work(trx, episode, schedule);
  });
}

async function holdMany(trx: CareDb, episode: CareEpisode, list: VisitSchedule[], reason: string, ctx: ChangeContext): Promise<VisitSchedule[]> {
  const held = await schedules.updateSchedules(trx, list.map((s) => s.id), { status: ScheduleStatus.OnHold, holdReason: reason, heldAt: ctx.at }, ctx.at);
  await recordChanges(trx, held.map((s) => changeRecord(ctx, 'schedule', s.id, 'held', scopeOf(episode), { reason })));
  await publishSchedules(trx, episode, held, ctx);
  return held;
}

async function releaseMany(trx: CareDb, episode: CareEpisode, list: VisitSchedule[], ctx: ChangeContext, timeZone: string): Promise<VisitSchedule[]> {
  const recorded = await schedules.recordedDueDates(trx, episode.id);
  const releasedOn = localDate(ctx.at, timeZone);
  const visits: Array<Omit<CareVisit, 'id'>> = [];
  const changes: NewCareChange[] = [];
  for (const s of list) {
    const missedByHold = dueDatesDuringHold(s, localDate(s.heldAt ?? ctx.at, timeZone), releasedOn).filter((d) => !recorded.get(s.id)?.has(d));
    for (const dueDate of missedByHold) {
      visits.push({ episodeId: episode.id, scheduleId: s.id, dueDate, status: 'cancelled', visitedAt: null, userId: null, note: `on hold: ${s.holdReason ?? ''}`.trim(), createdAt: ctx.at });
    }
    changes.push(changeRecord(ctx, 'schedule', s.id, 'released', scopeOf(episode), { reason: s.holdReason, heldAt: s.heldAt, cancelledDueDates: missedByHold }));
  }
  const released = await schedules.updateSchedules(trx, list.map((s) => s.id), { status: ScheduleStatus.Active, holdReason: null, heldAt: null }, ctx.at);
  await schedules.insertVisits(trx, visits);
  await recordChanges(trx, changes);
  await publishSchedules(trx, episode, released, ctx);
  return released;
}

/**
 * Record what became of a visit: completed (visitedAt defaults to `at`), missed or cancelled. A visit
 * against a schedule names one of its due dates, and each due date is recorded once (care.conflict).
 * Possible after the episode closed (late documentation).
 */
export async function recordVisit(db: CareDb, episodeId: number, input: NewVisit, at: number, actor: string): Promise<CareVisit> {
  const ctx = changeContext(at, actor);
  const fields = validateNewVisit(input, ctx.at);
  return inTransaction(db, async (trx) => {
    const episode = await lockEpisode(trx, checkId('episodeId', episodeId));
    if (!episode) throw notFound('episode', episodeId);
    if (fields.scheduleId !== null) await checkDueDate(trx, episode.id, checkId('scheduleId', fields.scheduleId), fields.dueDate!);
    if (fields.userId !== null && !(await getUser(trx, checkId('userId', fields.userId)))) throw notFound('user', fields.userId);
    let visit: CareVisit;
    try {
      [visit] = (await schedules.insertVisits(trx, [{ ...fields, episodeId: episode.id, createdAt: ctx.at }])) as [CareVisit];
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`visit schedule ${fields.scheduleId} already has a visit recorded for ${fields.dueDate}`);
      throw err;
    }
    await recordChanges(trx, [changeRecord(ctx, 'visit', visit.id, 'created', scopeOf(episode), { scheduleId: visit.scheduleId, dueDate: visit.dueDate, status: visit.status })]);
    await publishCarePlan(trx, ctx.at, episode.patientId, { entity: 'visit', id: visit.id, episodeId: episode.id, status: visit.status });
    return visit;
  });
}

async function checkDueDate(trx: CareDb, episodeId: number, scheduleId: number, dueDate: CalendarDate): Promise<void> {
  const schedule = await schedules.getSchedule(trx, scheduleId);
  if (!schedule || schedule.episodeId !== episodeId) throw notFound(`visit schedule of episode ${episodeId}:`, scheduleId);
  if (dueVisitDates(schedule, dueDate, dueDate).length === 0) throw invalidInput('dueDate', `${dueDate} is not a due date of visit schedule ${scheduleId}`);
  if ((await schedules.recordedDueDates(trx, episodeId)).get(scheduleId)?.has(dueDate)) {
    throw conflict(`visit schedule ${scheduleId} already has a visit recorded for ${dueDate}`);
  }
}

/** A due visit with nothing recorded against it. */
export interface PastDueVisit {
  episodeId: number;
  scheduleId: number;
  dueDate: CalendarDate;
  visitType: string;
  discipline: string | null;
  assignee: Assignee;
}

/**
 * The episode's due visits before `today` with no visit recorded (see pastDueVisits: a held schedule
 * owes nothing from its hold day, an ended one nothing at all). `timeZone` (default UTC) says on which
 * day a hold began. For the missed-scheduled-visit rule and the plan view.
 */
export async function listPastDueVisits(db: CareDb, episodeId: number, today: string, options: PastDueOptions & { timeZone?: string } = {}): Promise<PastDueVisit[]> {
  const day = calendarDate('today', today);
  const episode = await getEpisode(db, episodeId);
  const recorded = await schedules.recordedDueDates(db, episode.id);
  const open = await schedules.listSchedules(db, episode.id, [ScheduleStatus.Active, ScheduleStatus.OnHold]);
  return open.flatMap((s) => {
    const heldOn = s.status === ScheduleStatus.OnHold && s.heldAt !== null ? localDate(s.heldAt, options.timeZone ?? 'UTC') : null;
    return pastDueVisits({ ...s, heldOn }, recorded.get(s.id) ?? [], day, options)
      .map((dueDate) => ({ episodeId: episode.id, scheduleId: s.id, dueDate, visitType: s.visitType, discipline: s.discipline, assignee: s.assignee }));
  });
}

const scopeOf = (episode: CareEpisode) => ({ patientId: episode.patientId, episodeId: episode.id });

/** One real-time event per schedule changed, in the change's transaction. */
async function publishSchedules(trx: CareDb, episode: CareEpisode, list: readonly VisitSchedule[], ctx: ChangeContext): Promise<void> {
  for (const s of list) await publishCarePlan(trx, ctx.at, episode.patientId, { entity: 'schedule', id: s.id, episodeId: episode.id, status: s.status });
}
