/**
 * TransitionOfCareReaction: the alert engine calls it with what each processed message did
 * (MessageEffects), inside that message's processing transaction, so the tasks and holds commit with
 * the message or not at all.
 *
 * - A discharge from a hospital stay to the community of a patient with an open episode creates the
 *   transition-of-care tasks (plan.ts), each linked to the discharge event in transition_task; an
 *   event that already has them (reprocessing) or a stay whose standing discharge already has them
 *   (a repeated A03) creates none. It lifts the hold its stay put on home-health visits.
 * - An inpatient admission of a home-health patient holds the episode's active visit schedules (the
 *   reason names the encounter) and creates an open 'hold-notice' task for the field-clinician role:
 *   a task, not a separate message, so it is in the clinician's worklist and on the stream at once
 *   (the 'task' event) and needs nothing of the alert engine.
 * - A13 (the discharge withdrawn) cancels the still-pending tasks that discharge created and holds the
 *   visits again (the patient is in); A11 (the admission withdrawn) releases the hold of that stay and
 *   cancels its notice.
 */
import type { Transaction } from 'kysely';
import type { EventReaction, MessageEffects } from '../alerts/contract.js';
import { EPISODE_STATUSES } from '../care/episode.js';
import { holdSchedules, releaseSchedules } from '../care/schedule-service.js';
import { cancelTask, createTask } from '../care/task-service.js';
import { PENDING_TASK_STATUSES } from '../care/task.js';
import { listPatientEpisodes } from '../store/care/episodes.js';
import { getEncounter } from '../store/encounters.js';
import type { ClinicalEvent } from '../store/events.js';
import type { Database } from '../store/schema.js';
import { insertTransitionTask, listEncounterTasks, listTasksOfEvents, standingDischargeHasTasks } from '../store/transitions.js';
import type { BusinessCalendar } from './calendar.js';
import {
  DISCHARGE_TASK_KINDS, holdNotice, holdReason, homeHealthEpisodes, isCommunityDischarge, isInpatientAdmission, planDischargeTasks,
  type DischargeFacts, type EpisodeFacts, type PlannedTask, type TransitionPolicy,
} from './plan.js';

type Trx = Transaction<Database>;

/** The actor recorded in care_change for what the reaction does. */
export const TRANSITIONS_ACTOR = 'system:transitions';

export interface TransitionOptions {
  calendar: BusinessCalendar;
  policy: TransitionPolicy;
}

const OPEN_EPISODES = EPISODE_STATUSES.filter((s) => s === 'active' || s === 'on-hold');
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

export class TransitionOfCareReaction implements EventReaction {
  readonly name = 'transition-of-care';

  constructor(private readonly options: TransitionOptions) {}

  async react(trx: Trx, effects: MessageEffects): Promise<void> {
    for (const e of effects.withdrawn) {
      if (e.type === 'discharge') await this.dischargeWithdrawn(trx, e, effects.at);
      else if (e.type === 'admit' || e.type === 'class-change') await this.admissionWithdrawn(trx, e, effects.at);
    }
    const died = new Set(effects.inserted.filter((e) => e.type === 'death').map((e) => e.patientId));
    for (const e of effects.inserted) {
      if (e.withdrawnAt !== null || e.encounterId === null) continue;
      if (e.type === 'discharge') await this.discharged(trx, e, died.has(e.patientId), effects.at);
      else if (e.type === 'admit' || e.type === 'class-change') await this.admitted(trx, e, effects.at);
    }
  }

  private async discharged(trx: Trx, e: ClinicalEvent, died: boolean, at: number): Promise<void> {
    const facts = await dischargeFacts(trx, e, died);
    if (!isCommunityDischarge(facts, this.options.policy)) return;
    const episodes = await openEpisodes(trx, e.patientId);
    await this.liftHold(trx, e.encounterId!, episodes, at);
    if (await standingDischargeHasTasks(trx, e.encounterId!, e.id)) return; // a repeated A03 for the same stay
    const done = new Set((await listTasksOfEvents(trx, [e.id])).map((l) => l.link.kind));
    const planned = planDischargeTasks(facts, episodes, this.options.policy, this.options.calendar, at).filter((p) => !done.has(p.kind));
    for (const p of planned) await createLinkedTask(trx, e, p, at);
  }

  /**
   * A13: the discharge did not happen. Its pending tasks are cancelled; when the stay is in progress
   * again (the encounter fold: a cancel-discharge puts the patient back in), so are those of any other
   * discharge of the stay, and the visits are held again.
   */
  private async dischargeWithdrawn(trx: Trx, e: ClinicalEvent, at: number): Promise<void> {
    const encounter = e.encounterId === null ? undefined : await getEncounter(trx, e.encounterId);
    const inAgain = encounter?.status === 'in-progress';
    const linked = inAgain ? (await Promise.all(DISCHARGE_TASK_KINDS.map((k) => listEncounterTasks(trx, encounter.id, k, PENDING_TASK_STATUSES)))).flat() : await listTasksOfEvents(trx, [e.id]);
    for (const { task, link } of linked) {
      if (DISCHARGE_TASK_KINDS.includes(link.kind as never) && PENDING_TASK_STATUSES.includes(task.status)) {
        await cancelTask(trx, task.id, 'discharge cancelled (A13)', at, TRANSITIONS_ACTOR);
      }
    }
    if (inAgain && isInpatientAdmission('class-change', encounter.patientClass, this.options.policy)) await this.hold(trx, e, encounter.id, at);
  }

  /** An admission that arrives after its stay ended (an A01 late behind its A03) holds nothing. */
  private async admitted(trx: Trx, e: ClinicalEvent, at: number): Promise<void> {
    const encounter = await getEncounter(trx, e.encounterId!);
    const patientClass = str(e.payload.patientClass) ?? (e.type === 'admit' ? null : encounter?.patientClass ?? null);
    if (encounter?.status !== 'in-progress' || !isInpatientAdmission(e.type, patientClass, this.options.policy)) return;
    await this.hold(trx, e, e.encounterId!, at);
  }

  /** A11: the admission did not happen; the hold of that stay is released and its notice cancelled. */
  private async admissionWithdrawn(trx: Trx, e: ClinicalEvent, at: number): Promise<void> {
    if (e.encounterId === null) return;
    await this.liftHold(trx, e.encounterId, await openEpisodes(trx, e.patientId), at, 'admission cancelled (A11)');
  }

  /** Hold the home-health visits for the stay; tell the field clinician when something was held (once per event). */
  private async hold(trx: Trx, e: ClinicalEvent, encounterId: number, at: number): Promise<void> {
    for (const episode of homeHealthEpisodes(await openEpisodes(trx, e.patientId))) {
      const held = await holdSchedules(trx, episode.id, holdReason(encounterId), at, TRANSITIONS_ACTOR);
      if (held.length === 0) continue;
      const notified = (await listTasksOfEvents(trx, [e.id])).some((l) => l.link.kind === 'hold-notice' && l.task.episodeId === episode.id);
      if (!notified) await createLinkedTask(trx, e, holdNotice(episode.id), at);
    }
  }

  private async liftHold(trx: Trx, encounterId: number, episodes: readonly EpisodeFacts[], at: number, why = 'hold lifted: discharged'): Promise<void> {
    for (const episode of homeHealthEpisodes(episodes)) {
      await releaseSchedules(trx, episode.id, holdReason(encounterId), at, TRANSITIONS_ACTOR, this.options.calendar.timeZone);
    }
    for (const { task } of await listEncounterTasks(trx, encounterId, 'hold-notice', PENDING_TASK_STATUSES)) {
      await cancelTask(trx, task.id, why, at, TRANSITIONS_ACTOR);
    }
  }
}

async function dischargeFacts(trx: Trx, e: ClinicalEvent, died: boolean): Promise<DischargeFacts> {
  const p = e.payload;
  const sentClass = str(p.patientClass);
  const patientClass = sentClass ?? (await getEncounter(trx, e.encounterId!))?.patientClass ?? null;
  return { dischargedAt: typeof p.dischargeTime === 'number' ? p.dischargeTime : e.occurredAt, patientClass, disposition: str(p.disposition), died };
}

const openEpisodes = (trx: Trx, patientId: number) => listPatientEpisodes(trx, patientId, OPEN_EPISODES);

async function createLinkedTask(trx: Trx, e: ClinicalEvent, p: PlannedTask, at: number): Promise<void> {
  const task = await createTask(trx, {
    patientId: e.patientId, episodeId: p.episodeId, sourceEventId: e.id, title: p.title, description: p.description,
    assigneeRole: p.role, dueAt: p.dueAt, priority: p.priority,
  }, at, TRANSITIONS_ACTOR);
  await insertTransitionTask(trx, { taskId: task.id, sourceEventId: e.id, kind: p.kind, encounterId: e.encounterId, createdAt: at });
}
