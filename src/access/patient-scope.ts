import type { Caller } from './caller.js';
import { afterCursor, decodeCursor, encodeCursor, type TimelineCursor } from './timeline-cursor.js';
import { VISIBLE_EPISODE_STATUSES, type AccessPath } from './policy.js';
import type { EncounterRecord, EpisodeRecord, EventRecord, IdentifierRecord, ObservationRecord, PatientSummary, PlanRecord, TaskRecord, TeamMemberRecord, TimelineItem } from './records.js';
import { toTask } from './rows.js';
import { visiblePatientIds, type Db } from './visible.js';

const n = (v: number | null): number | null => (v === null ? null : Number(v));

/**
 * One patient as the caller may see it: the only way routes read a patient's data. It exists only
 * once the patient was found visible (PatientAccess.patient), and every query here still carries
 * `patient_id in (visible set)`, so a grant that lapses mid-request, or a team change, is honoured
 * by the query itself. Each read adds its part to `parts`, which the audit entry lists.
 */
export class PatientScope {
  readonly parts = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly caller: Caller,
    private readonly now: number,
    readonly patientId: number,
    /** How the caller reached this patient (team or break-the-glass): written to the audit entry. */
    readonly path: AccessPath,
  ) {}

  private visible() {
    return visiblePatientIds(this.db, this.caller, this.now);
  }

  async summary(): Promise<PatientSummary | undefined> {
    this.parts.add('demographics');
    const r = await this.db.selectFrom('patient')
      .select(['id', 'status', 'family_name', 'given_name', 'middle_name', 'birth_date', 'sex', 'language', 'address_line', 'city', 'state', 'postcode', 'phone', 'deceased_at'])
      .where('id', '=', this.patientId).where('id', 'in', this.visible()).executeTakeFirst();
    return r && {
      id: Number(r.id), status: r.status, familyName: r.family_name, givenName: r.given_name, middleName: r.middle_name, birthDate: r.birth_date,
      sex: r.sex, language: r.language, addressLine: r.address_line, city: r.city, state: r.state, postcode: r.postcode, phone: r.phone, deceasedAt: n(r.deceased_at),
    };
  }

  async identifiers(): Promise<IdentifierRecord[]> {
    this.parts.add('identifiers');
    const rows = await this.db.selectFrom('patient_identifier').select(['authority', 'value', 'type_code', 'facility'])
      .where('patient_id', '=', this.patientId).where('patient_id', 'in', this.visible()).orderBy('id').execute();
    return rows.map((r) => ({ authority: r.authority, value: r.value, typeCode: r.type_code, facility: r.facility }));
  }

  async encounters(): Promise<EncounterRecord[]> {
    this.parts.add('encounters');
    const rows = await this.db.selectFrom('encounter').selectAll()
      .where('patient_id', '=', this.patientId).where('patient_id', 'in', this.visible()).orderBy('id', 'desc').execute();
    return rows.map((r) => ({
      id: Number(r.id), facility: r.facility, visitNumber: r.visit_number, patientClass: r.patient_class, status: r.status,
      admittedAt: n(r.admitted_at), dischargedAt: n(r.discharged_at), location: r.location, dischargeDisposition: r.discharge_disposition,
    }));
  }

  /** Every episode of the patient, latest start first. */
  async episodes(): Promise<EpisodeRecord[]> {
    this.parts.add('episodes');
    const rows = await this.db.selectFrom('care_episode').selectAll()
      .where('patient_id', '=', this.patientId).where('patient_id', 'in', this.visible()).orderBy('start_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map((r) => ({ id: Number(r.id), type: r.episode_type, status: r.status, goal: r.goal, startAt: Number(r.start_at), endAt: n(r.end_at) }));
  }

  /** Current members of the teams of the patient's active and on-hold episodes; primary first. */
  async careTeam(): Promise<TeamMemberRecord[]> {
    this.parts.add('care-team');
    const rows = await this.db.selectFrom('care_team_member as m').innerJoin('care_episode as e', 'e.id', 'm.episode_id').innerJoin('app_user as u', 'u.id', 'm.user_id')
      .select(['m.episode_id', 'm.user_id', 'm.role', 'm.is_primary', 'm.active_from', 'u.username', 'u.display_name'])
      .where('e.patient_id', '=', this.patientId).where('e.patient_id', 'in', this.visible())
      .where('e.status', 'in', [...VISIBLE_EPISODE_STATUSES]).where('m.active_to', 'is', null)
      .orderBy('m.episode_id', 'desc').orderBy('m.is_primary', 'desc').orderBy('m.role').orderBy('m.id').execute();
    return rows.map((r) => ({
      episodeId: Number(r.episode_id), userId: Number(r.user_id), username: r.username, displayName: r.display_name, role: r.role,
      isPrimary: Number(r.is_primary) === 1, activeFrom: Number(r.active_from),
    }));
  }

  /** The care plan (goals, interventions) of each active or on-hold episode. */
  async carePlan(): Promise<PlanRecord[]> {
    this.parts.add('care-plan');
    const episodes = this.db.selectFrom('care_episode').select('id')
      .where('patient_id', '=', this.patientId).where('patient_id', 'in', this.visible()).where('status', 'in', [...VISIBLE_EPISODE_STATUSES]);
    const goals = await this.db.selectFrom('care_plan_goal').selectAll().where('episode_id', 'in', episodes).orderBy('id').execute();
    const interventions = await this.db.selectFrom('care_plan_intervention').selectAll().where('episode_id', 'in', episodes).orderBy('id').execute();
    const plans = new Map<number, PlanRecord>();
    const plan = (episodeId: number) => plans.get(episodeId) ?? plans.set(episodeId, { episodeId, goals: [], interventions: [] }).get(episodeId)!;
    for (const g of goals) plan(Number(g.episode_id)).goals.push({ id: Number(g.id), description: g.description, targetDate: g.target_date, status: g.status });
    for (const i of interventions) plan(Number(i.episode_id)).interventions.push({ id: Number(i.id), description: i.description, discipline: i.discipline, status: i.status });
    return [...plans.values()].sort((a, b) => b.episodeId - a.episodeId);
  }

  async tasks(): Promise<TaskRecord[]> {
    this.parts.add('tasks');
    const rows = await this.db.selectFrom('task').selectAll().where('patient_id', '=', this.patientId).where('patient_id', 'in', this.visible()).orderBy('id', 'desc').execute();
    return rows.map(toTask);
  }

  /** One code's results in effect, oldest first (a lab trend). */
  async observationTrend(code: string, opts: { codeSystem?: string | undefined; since?: number | undefined; limit: number }): Promise<ObservationRecord[]> {
    this.parts.add('observations');
    let q = this.db.selectFrom('observation').selectAll()
      .where('patient_id', '=', this.patientId).where('patient_id', 'in', this.visible()).where('code', '=', code)
      .where('superseded_at', 'is', null).where('withdrawn_at', 'is', null);
    if (opts.codeSystem !== undefined) q = q.where('code_system', '=', opts.codeSystem);
    if (opts.since !== undefined) q = q.where('observed_at', '>=', opts.since);
    // The latest `limit` results, returned oldest first.
    const rows = await q.orderBy('observed_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
    return rows.reverse().map((r) => ({
      id: Number(r.id), code: r.code, codeSystem: r.code_system, codeText: r.code_text, value: r.value, valueNum: n(r.value_num),
      valueComparator: r.value_comparator, units: r.units, referenceRange: r.reference_range, interpretation: r.interpretation,
      resultStatus: r.result_status, observedAt: Number(r.observed_at),
    }));
  }

  /**
   * One page of the timeline, newest first: clinical events (not withdrawn) at their occurrence time
   * and tasks at their creation time. `cursor` is the nextCursor of the previous page.
   */
  async timeline(page: { limit: number; cursor?: string | undefined }): Promise<{ items: TimelineItem[]; nextCursor: string | null }> {
    this.parts.add('timeline');
    const cursor = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const take = page.limit + 1;
    let events = this.db.selectFrom('clinical_event').select(['id', 'event_type', 'occurred_at', 'encounter_id', 'facility', 'payload'])
      .where('patient_id', '=', this.patientId).where('patient_id', 'in', this.visible()).where('withdrawn_at', 'is', null);
    let tasks = this.db.selectFrom('task').selectAll().where('patient_id', '=', this.patientId).where('patient_id', 'in', this.visible());
    if (cursor) {
      events = events.where((eb) => keyset(eb, 'occurred_at', afterCursor(EVENT_RANK, cursor), cursor));
      tasks = tasks.where((eb) => keyset(eb, 'created_at', afterCursor(TASK_RANK, cursor), cursor));
    }
    const eventRows = await events.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(take).execute();
    const taskRows = await tasks.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(take).execute();
    const merged: (TimelineItem & { key: TimelineCursor })[] = [
      ...eventRows.map((r) => {
        const event: EventRecord = { id: Number(r.id), type: r.event_type, occurredAt: Number(r.occurred_at), encounterId: n(r.encounter_id), facility: r.facility, payload: JSON.parse(r.payload) as Record<string, unknown> };
        return { kind: 'event' as const, at: event.occurredAt, event, key: { t: event.occurredAt, r: EVENT_RANK, id: event.id } };
      }),
      ...taskRows.map((r) => {
        const task = toTask(r);
        return { kind: 'task' as const, at: task.createdAt, task, key: { t: task.createdAt, r: TASK_RANK, id: task.id } };
      }),
    ].sort((a, b) => b.key.t - a.key.t || b.key.r - a.key.r || b.key.id - a.key.id);
    const items = merged.slice(0, page.limit);
    const last = items[items.length - 1];
    const nextCursor = merged.length > page.limit && last ? encodeCursor(last.key) : null;
    return { items: items.map(({ key: _key, ...item }) => item as TimelineItem), nextCursor };
  }
}

const EVENT_RANK = 1;
const TASK_RANK = 0;

/** The keyset condition of afterCursor on a source's (time column, id). */
function keyset(eb: any, column: string, cond: ReturnType<typeof afterCursor>, c: TimelineCursor) {
  if (cond.kind === 'tie') return eb.or([eb(column, '<', c.t), eb.and([eb(column, '=', c.t), eb('id', '<', cond.id)])]);
  return eb(column, cond.kind === 'time<=t' ? '<=' : '<', c.t);
}
