import { sql } from 'kysely';
import type { AlertLifecycle } from '../alerts/lifecycle.js';
import { AlertError, AlertErrorCode } from '../alerts/errors.js';
import { AuditAction } from '../audit/index.js';
import { toAlert, type AlertRecord } from '../store/alerts.js';
import { reach, scopedPatientIds, type Door } from './door.js';
import { AccessError, AccessErrorCode, notVisible } from './errors.js';
import { decodePageKey, pageOf, type Page, type PageRequest } from './page-cursor.js';
import { visiblePatientIds } from './visible.js';

/** What an alert's reader sees: the alert, who acknowledged and resolved it, who was told and how. */
export interface AlertDetail extends AlertRecord {
  acknowledgedByUsername: string | null;
  resolvedByUsername: string | null;
}
export interface AlertRecipientRecord { userId: number; username: string | null; role: string; level: number; repeat: number; gap: boolean; gapReason: string | null; notifiedAt: number }
export interface AlertDeliveryRecord { userId: number; channel: string; attempt: number; status: string; errorCode: string | null; queuedAt: number; attemptedAt: number | null }
export interface AlertDocument { alert: AlertDetail; recipients: AlertRecipientRecord[]; deliveries: AlertDeliveryRecord[] }

/** The inbox: alerts still to handle. */
export const INBOX_STATUSES = ['open', 'acknowledged', 'snoozed'] as const;
export type AlertSort = 'newest' | 'severity';
export interface AlertInboxFilter {
  statuses?: readonly string[] | undefined;
  severities?: readonly string[] | undefined;
  patientId?: number | undefined;
  sort?: AlertSort | undefined;
}

/** Snoozes are bounded: 24 hours at most; a critical alert 1 hour at most (it must come back soon). */
export const SNOOZE_MAX_MS = 24 * 3_600_000;
export const CRITICAL_SNOOZE_MAX_MS = 3_600_000;

const RANK = sql<number>`case severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end`;
const SORTS: readonly AlertSort[] = ['newest', 'severity'];

/**
 * Alerts of the patients the caller sees (care team or a running break-the-glass grant): the inbox,
 * a patient's history, one alert, and the lifecycle changes (acknowledge, snooze, resolve) made by
 * AlertLifecycle in this transaction, which publishes the realtime event, tells the listeners and
 * appends the one audit entry of the change (with the access path).
 */
export class AlertAccess {
  constructor(private readonly door: Door, private readonly lifecycle: AlertLifecycle) {}

  /**
   * My inbox: open, acknowledged and snoozed alerts of my visible patients, newest first (raised_at,
   * id) or most severe first (severity, then newest). Keyset pages; the cursor carries the sort.
   */
  async inbox(filter: AlertInboxFilter, page: PageRequest): Promise<Page<AlertRecord>> {
    const sort = filter.sort ?? 'newest';
    const cursor = page.cursor === undefined ? undefined : decodePageKey(page.cursor, 4);
    if (cursor && cursor[0] !== SORTS.indexOf(sort)) throw new AccessError(AccessErrorCode.InvalidCursor, 'cursor is not valid for this sort: pass back the nextCursor of a previous page');
    const { db, caller, now } = this.door;
    let q = db.selectFrom('alert').selectAll()
      .where('patient_id', 'in', visiblePatientIds(db, caller, now))
      .where('status', 'in', [...(filter.statuses?.length ? filter.statuses : INBOX_STATUSES)]);
    if (filter.severities?.length) q = q.where('severity', 'in', [...filter.severities]);
    if (filter.patientId !== undefined) q = q.where('patient_id', '=', filter.patientId);
    if (cursor) {
      const [, rank, raisedAt, id] = cursor as [number, number | null, number, number];
      q = q.where((eb) => {
        const newer = eb.or([eb('raised_at', '<', raisedAt), eb.and([eb('raised_at', '=', raisedAt), eb('id', '<', id)])]);
        return sort === 'severity' ? eb.or([eb(RANK, '>', rank ?? 0), eb.and([eb(RANK, '=', rank ?? 0), newer])]) : newer;
      });
    }
    if (sort === 'severity') q = q.orderBy(RANK);
    const rows = (await q.orderBy('raised_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute()).map(toAlert);
    const result = pageOf(rows, page.limit, (a) => [SORTS.indexOf(sort), sort === 'severity' ? rankOf(a.severity) : null, a.raisedAt, a.id], (a) => a);
    this.door.audit({
      action: AuditAction.Search, entityType: 'alert-inbox',
      detail: { filter: { statuses: filter.statuses ?? null, severities: filter.severities ?? null, patientId: filter.patientId ?? null, sort }, alerts: result.items.map((a) => a.id), patients: [...new Set(result.items.map((a) => a.patientId))] },
    });
    return result;
  }

  /** A patient's alerts, any status, newest first (keyset pages). */
  async history(patientId: number, page: PageRequest): Promise<Page<AlertRecord>> {
    const { path } = await reach(this.door, 'patient', patientId, 'clinical', false);
    const cursor = page.cursor === undefined ? undefined : decodePageKey(page.cursor, 2);
    let q = this.door.db.selectFrom('alert').selectAll().where('patient_id', '=', patientId).where('patient_id', 'in', scopedPatientIds(this.door, path));
    if (cursor) {
      const [raisedAt, id] = cursor as [number, number];
      q = q.where((eb) => eb.or([eb('raised_at', '<', raisedAt), eb.and([eb('raised_at', '=', raisedAt), eb('id', '<', id)])]));
    }
    const rows = (await q.orderBy('raised_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute()).map(toAlert);
    const result = pageOf(rows, page.limit, (a) => [a.raisedAt, a.id], (a) => a);
    this.door.audit({ action: AuditAction.Read, entityType: 'alert-history', entityId: patientId, patientId, detail: { via: path, alerts: result.items.map((a) => a.id) } });
    return result;
  }

  /** One alert with its reasons, state times, who acted, its recipients and delivery attempts. */
  async alert(alertId: number): Promise<AlertDocument> {
    const { patientId, path } = await reach(this.door, 'alert', alertId, 'clinical', false);
    const { db } = this.door;
    const row = await db.selectFrom('alert').selectAll().where('id', '=', alertId).where('patient_id', 'in', scopedPatientIds(this.door, path)).executeTakeFirst();
    if (!row) throw notVisible('alert', alertId);
    const a = toAlert(row);
    const names = await this.usernames([a.acknowledgedBy, a.resolvedBy]);
    const recipients = await db.selectFrom('alert_recipient as r').leftJoin('app_user as u', 'u.id', 'r.user_id')
      .select(['r.user_id', 'u.username', 'r.role', 'r.level', 'r.repeat', 'r.gap', 'r.gap_reason', 'r.notified_at'])
      .where('r.alert_id', '=', alertId).orderBy('r.id').execute();
    const deliveries = await db.selectFrom('alert_delivery')
      .select(['user_id', 'channel', 'attempt', 'status', 'error_code', 'queued_at', 'attempted_at'])
      .where('alert_id', '=', alertId).orderBy('id').execute();
    this.door.audit({ action: AuditAction.Read, entityType: 'alert', entityId: alertId, patientId, detail: { via: path } });
    return {
      alert: { ...a, acknowledgedByUsername: name(names, a.acknowledgedBy), resolvedByUsername: name(names, a.resolvedBy) },
      recipients: recipients.map((r) => ({
        userId: Number(r.user_id), username: r.username ?? null, role: r.role, level: Number(r.level), repeat: Number(r.repeat), gap: Number(r.gap) === 1,
        gapReason: r.gap_reason, notifiedAt: Number(r.notified_at),
      })),
      deliveries: deliveries.map((d) => ({
        userId: Number(d.user_id), channel: d.channel, attempt: Number(d.attempt), status: d.status, errorCode: d.error_code,
        queuedAt: Number(d.queued_at), attemptedAt: d.attempted_at === null ? null : Number(d.attempted_at),
      })),
    };
  }

  acknowledge(alertId: number): Promise<AlertRecord> {
    return this.change(alertId, (actor) => this.lifecycle.acknowledge(this.door.db, alertId, actor, this.door.now));
  }

  resolve(alertId: number, resolution: string): Promise<AlertRecord> {
    return this.change(alertId, (actor) => this.lifecycle.resolve(this.door.db, alertId, resolution, actor, this.door.now));
  }

  /** Snooze until a time at most SNOOZE_MAX_MS ahead (CRITICAL_SNOOZE_MAX_MS for a critical alert). */
  snooze(alertId: number, until: number, reason: string): Promise<AlertRecord> {
    return this.change(alertId, async (actor) => {
      const current = await this.door.db.selectFrom('alert').select('severity').where('id', '=', alertId).executeTakeFirstOrThrow();
      const max = current.severity === 'critical' ? CRITICAL_SNOOZE_MAX_MS : SNOOZE_MAX_MS;
      if (!Number.isFinite(until) || until > this.door.now + max) {
        throw new AlertError(AlertErrorCode.InvalidInput, `a ${current.severity} alert is snoozed for at most ${max / 3_600_000} hour(s)`, 'until');
      }
      return this.lifecycle.snooze(this.door.db, alertId, until, reason, actor, this.door.now);
    });
  }

  /** The caller must reach the alert's patient; the lifecycle locks, decides, publishes, tells and audits (once). */
  private async change(alertId: number, work: (actor: { username: string; userId: number; source: string; via: string }) => Promise<AlertRecord>): Promise<AlertRecord> {
    const { path } = await reach(this.door, 'alert', alertId, 'clinical', true);
    const { caller } = this.door;
    return work({ username: caller.username, userId: caller.userId, source: caller.source, via: path });
  }

  private async usernames(ids: readonly (number | null)[]): Promise<Map<number, string>> {
    const wanted = [...new Set(ids.filter((i): i is number => i !== null))];
    if (wanted.length === 0) return new Map();
    const rows = await this.door.db.selectFrom('app_user').select(['id', 'username']).where('id', 'in', wanted).execute();
    return new Map(rows.map((r) => [Number(r.id), r.username]));
  }
}

const rankOf = (severity: string): number => ({ critical: 0, high: 1, medium: 2 } as Record<string, number>)[severity] ?? 3;
const name = (names: Map<number, string>, id: number | null): string | null => (id === null ? null : names.get(id) ?? null);
