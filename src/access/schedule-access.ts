import { AuditAction } from '../audit/index.js';
import type { NewSchedule, NewVisit } from '../care/plan.js';
import { addSchedule, endSchedule, holdSchedule, recordVisit, releaseSchedule } from '../care/schedule-service.js';
import { toVisit } from '../store/care/schedules.js';
import { toScheduleRecord, type ScheduleRecord, type VisitRecord } from './care-records.js';
import { reach, scopedPatientIds, type Door } from './door.js';
import { decodePageKey, pageOf, type Page, type PageRequest } from './page-cursor.js';

/**
 * Visit schedules (add, hold, release, end) and visits (record, list newest first, paginated), for
 * the patient's care team or a running break-the-glass grant. Audited like EpisodeAccess.
 */
export class ScheduleAccess {
  constructor(private readonly door: Door) {}

  async addSchedule(episodeId: number, input: NewSchedule): Promise<ScheduleRecord> {
    const { patientId, path } = await reach(this.door, 'episode', episodeId, 'clinical', true);
    const s = await addSchedule(this.door.db, episodeId, input, this.door.now, this.door.caller.username);
    this.door.audit({ action: AuditAction.Create, entityType: 'schedule', entityId: s.id, patientId, detail: { via: path, episodeId, everyDays: s.everyDays } });
    return toScheduleRecord(s);
  }

  /** Hold (reason required), release, or end one schedule (care.invalid_transition from the wrong status). */
  async changeSchedule(scheduleId: number, change: { to: 'hold'; reason: string } | { to: 'release' | 'end' }): Promise<ScheduleRecord> {
    const { patientId, path } = await reach(this.door, 'schedule', scheduleId, 'clinical', true);
    const { db, now, caller } = this.door;
    const s = change.to === 'hold' ? await holdSchedule(db, scheduleId, change.reason, now, caller.username)
      : change.to === 'release' ? await releaseSchedule(db, scheduleId, now, caller.username)
      : await endSchedule(db, scheduleId, now, caller.username);
    this.door.audit({ action: AuditAction.Update, entityType: 'schedule', entityId: scheduleId, patientId, detail: { via: path, change: change.to, status: s.status } });
    return toScheduleRecord(s);
  }

  /** Record what became of a visit (completed, missed, cancelled), against a schedule's due date or not. */
  async recordVisit(episodeId: number, input: NewVisit): Promise<VisitRecord> {
    const { patientId, path } = await reach(this.door, 'episode', episodeId, 'clinical', true);
    const visit = await recordVisit(this.door.db, episodeId, input, this.door.now, this.door.caller.username);
    this.door.audit({ action: AuditAction.Create, entityType: 'visit', entityId: visit.id, patientId, detail: { via: path, episodeId, status: visit.status } });
    return visit;
  }

  /** The episode's recorded visits, newest first. */
  async visits(episodeId: number, page: PageRequest): Promise<Page<VisitRecord>> {
    const { patientId, path } = await reach(this.door, 'episode', episodeId, 'clinical', false);
    const before = page.cursor === undefined ? undefined : decodePageKey(page.cursor, 1)[0] ?? 0;
    let q = this.door.db.selectFrom('care_visit as v').innerJoin('care_episode as e', 'e.id', 'v.episode_id').selectAll('v')
      .where('v.episode_id', '=', episodeId).where('e.patient_id', 'in', scopedPatientIds(this.door, path));
    if (before !== undefined) q = q.where('v.id', '<', before);
    const rows = await q.orderBy('v.id', 'desc').limit(page.limit + 1).execute();
    const result = pageOf(rows, page.limit, (r) => [Number(r.id)], toVisit);
    this.door.audit({ action: AuditAction.Read, entityType: 'visit', entityId: episodeId, patientId, detail: { via: path, visits: result.items.map((v) => v.id) } });
    return result;
  }
}
