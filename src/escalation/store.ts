import type { Kysely, Selectable } from 'kysely';
import type { Channel, RecipientRole, Severity } from '../alerts/contract.js';
import type { AlertEscalationTable, Database } from '../store/schema.js';
import { validatePolicy, type EscalationPolicy, type EscalationStatus } from './policy.js';
import type { PoolMembers, Recipient, TeamSeat } from './recipients.js';

/**
 * Escalation's own SQL (policies, escalation state, recipients, pools). Plain functions, `db` first:
 * the store's handle or the caller's transaction. Timers are in timer-store.ts.
 */
type Db = Kysely<Database>;

/** A stored policy, checked (undefined: no such policy; throws EscalationError when malformed). */
export async function getPolicy(db: Db, id: string): Promise<EscalationPolicy | undefined> {
  const row = await db.selectFrom('escalation_policy').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return validatePolicy({ id: row.id, name: row.name, levels: JSON.parse(row.levels) as unknown, repeat: Number(row.repeat) });
}

/** Create or replace a policy (validated first). */
export async function savePolicy(db: Db, input: EscalationPolicy, at: number): Promise<EscalationPolicy> {
  const p = validatePolicy(input);
  const values = { name: p.name, levels: JSON.stringify(p.levels), repeat: p.repeat, updated_at: at };
  await db.insertInto('escalation_policy').values({ id: p.id, ...values, created_at: at })
    .onConflict((oc) => oc.column('id').doUpdateSet(values)).execute();
  return p;
}

/** One alert's escalation, as stored. */
export interface Escalation {
  alertId: number;
  /** null: the rule names no policy. */
  policyId: string | null;
  patientId: number;
  episodeId: number | null;
  severity: Severity;
  channels: Channel[];
  ruleRoles: RecipientRole[];
  level: number;
  repeat: number;
  state: EscalationStatus;
  levelStartedAt: number;
  snoozedUntil: number | null;
  reopenedAt: number | null;
}

function toEscalation(r: Selectable<AlertEscalationTable>): Escalation {
  return {
    alertId: Number(r.alert_id), policyId: r.policy_id, patientId: Number(r.patient_id), episodeId: r.episode_id === null ? null : Number(r.episode_id),
    severity: r.severity as Severity, channels: JSON.parse(r.channels) as Channel[], ruleRoles: JSON.parse(r.rule_roles) as RecipientRole[],
    level: Number(r.level), repeat: Number(r.repeat), state: r.state as EscalationStatus, levelStartedAt: Number(r.level_started_at),
    snoozedUntil: r.snoozed_until === null ? null : Number(r.snoozed_until), reopenedAt: r.reopened_at === null ? null : Number(r.reopened_at),
  };
}

/**
 * The alert's escalation. `lock`: a no-op UPDATE ... RETURNING, which locks the row on PostgreSQL
 * until commit and takes SQLite's writer lock, so a timer and a listener never act on it at once.
 */
export async function getEscalation(db: Db, alertId: number, lock = false): Promise<Escalation | undefined> {
  const row = lock
    ? await db.updateTable('alert_escalation').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('alert_id', '=', alertId).returningAll().executeTakeFirst()
    : await db.selectFrom('alert_escalation').selectAll().where('alert_id', '=', alertId).executeTakeFirst();
  return row && toEscalation(row);
}

export async function insertEscalation(db: Db, e: Escalation, at: number): Promise<void> {
  await db.insertInto('alert_escalation').values({
    alert_id: e.alertId, policy_id: e.policyId, patient_id: e.patientId, episode_id: e.episodeId, severity: e.severity,
    channels: JSON.stringify(e.channels), rule_roles: JSON.stringify(e.ruleRoles), level: e.level, repeat: e.repeat, state: e.state,
    level_started_at: e.levelStartedAt, snoozed_until: e.snoozedUntil, reopened_at: e.reopenedAt, created_at: at, updated_at: at,
  }).execute();
}

export type EscalationPatch = Partial<Pick<Escalation, 'severity' | 'level' | 'repeat' | 'state' | 'levelStartedAt' | 'snoozedUntil' | 'reopenedAt'>>;

export async function updateEscalation(db: Db, alertId: number, patch: EscalationPatch, at: number): Promise<void> {
  await db.updateTable('alert_escalation').set({
    ...(patch.severity !== undefined && { severity: patch.severity }),
    ...(patch.level !== undefined && { level: patch.level }),
    ...(patch.repeat !== undefined && { repeat: patch.repeat }),
    ...(patch.state !== undefined && { state: patch.state }),
    ...(patch.levelStartedAt !== undefined && { level_started_at: patch.levelStartedAt }),
    ...(patch.snoozedUntil !== undefined && { snoozed_until: patch.snoozedUntil }),
    ...(patch.reopenedAt !== undefined && { reopened_at: patch.reopenedAt }),
    updated_at: at,
  }).where('alert_id', '=', alertId).execute();
}

export interface StoredRecipient extends Recipient {
  alertId: number;
  level: number;
  repeat: number;
  notifiedAt: number;
}

export async function insertRecipients(db: Db, alertId: number, level: number, repeat: number, recipients: readonly Recipient[], at: number): Promise<void> {
  if (recipients.length === 0) return;
  await db.insertInto('alert_recipient').values(recipients.map((r) => ({
    alert_id: alertId, user_id: r.userId, role: r.role, level, repeat, gap: r.gap ? 1 : 0, gap_reason: r.gapReason, notified_at: at,
  }))).execute();
}

/** Everyone told about the alert, in order. */
export async function listRecipients(db: Db, alertId: number): Promise<StoredRecipient[]> {
  const rows = await db.selectFrom('alert_recipient').selectAll().where('alert_id', '=', alertId).orderBy('id').execute();
  return rows.map((r) => ({
    alertId: Number(r.alert_id), userId: Number(r.user_id), role: r.role as Recipient['role'], level: Number(r.level), repeat: Number(r.repeat),
    gap: Number(r.gap) === 1, gapReason: r.gap_reason, notifiedAt: Number(r.notified_at),
  }));
}

/**
 * Current team seats on the patient's active and on-hold episodes, active users only (the query of
 * care/team-service activeCareTeamOfPatient, served by the care_episode (patient_id, status) and
 * care_team_member (episode_id) indexes).
 */
export async function teamSeats(db: Db, patientId: number): Promise<TeamSeat[]> {
  const rows = await db.selectFrom('care_team_member as m')
    .innerJoin('care_episode as e', 'e.id', 'm.episode_id')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'm.role', 'm.episode_id', 'm.is_primary'])
    .where('e.patient_id', '=', patientId).where('e.status', 'in', ['active', 'on-hold'])
    .where('m.active_to', 'is', null).where('u.status', '=', 'active')
    .orderBy('e.start_at', 'desc').orderBy('e.id').orderBy('m.is_primary', 'desc').orderBy('m.id')
    .execute();
  return rows.map((r) => ({ userId: Number(r.user_id), role: r.role as RecipientRole, episodeId: Number(r.episode_id), isPrimary: Number(r.is_primary) === 1 }));
}

/** Active users holding a user role (roles is a JSON array of names: match the quoted name). */
async function usersWithRole(db: Db, role: string): Promise<number[]> {
  const rows = await db.selectFrom('app_user').select('id').where('status', '=', 'active').where('roles', 'like', `%"${role}"%`).orderBy('id').execute();
  return rows.map((r) => Number(r.id));
}

/** The pools: supervisors, the on-call list (by username, active users, in the list's order), admins. */
export async function poolMembers(db: Db, onCallUsernames: readonly string[]): Promise<PoolMembers> {
  const names = onCallUsernames.map((n) => n.toLowerCase());
  const onCallRows = names.length === 0 ? [] : await db.selectFrom('app_user').select(['id', 'username'])
    .where('status', '=', 'active').where('username', 'in', names).execute();
  const onCall = names.flatMap((n) => onCallRows.filter((r) => r.username === n).map((r) => Number(r.id)));
  return { supervisors: await usersWithRole(db, 'supervisor'), onCall, admins: await usersWithRole(db, 'admin') };
}
