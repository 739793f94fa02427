import type { Kysely } from 'kysely';
import { severityRank, type AlertChange, type Channel, type Severity } from '../alerts/contract.js';
import type { Database } from '../store/schema.js';
import { EscalationLogCode } from './errors.js';
import {
  DEFAULT_POLICY, EscalationStatus, NO_ESCALATION, nextStep, replanDueAt, withRuleRoles, type EscalationPolicy, type EscalationState, type NotifyStep,
} from './policy.js';
import { resolveRecipients, type Gap } from './recipients.js';
import { getEscalation, getPolicy, insertEscalation, insertRecipients, poolMembers, teamSeats, updateEscalation, type Escalation } from './store.js';
import { cancelTimers, insertTimer, pendingTimers, TimerKind, type AlertTimer } from './timer-store.js';

type Db = Kysely<Database>;

/** One delivery to enqueue: src/delivery implements the sink; it runs in the caller's transaction. */
export interface DeliveryJob {
  alertId: number;
  userId: number;
  severity: Severity;
  channels: readonly Channel[];
  /** The escalation level that told this user (0: the first recipients). */
  level: number;
}

export interface DeliverySink {
  enqueue(trx: Db, job: DeliveryJob): Promise<void>;
}

/** The engine's reopen of a snoozed alert (src/alerts), when it offers one; it tells its listeners 'reopened'. */
export interface AlertReopener {
  reopen(trx: Db, alertId: number, at: number): Promise<void>;
}

/** Where escalation reports (a pino logger fits): codes and ids only, never patient data. */
export interface EscalationLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface EscalationDeps {
  sink: DeliverySink;
  log: EscalationLog;
  /** The on-call pool: usernames (CARECOORD_ONCALL_USERS), in order. */
  onCallUsernames: readonly string[];
  reopener?: AlertReopener | undefined;
}

/** The policy an escalation runs under: its own, the default when missing or malformed, none when the rule names none. */
async function policyOf(db: Db, deps: EscalationDeps, policyId: string | null, alertId: number): Promise<EscalationPolicy> {
  if (policyId === null) return NO_ESCALATION;
  try {
    const p = await getPolicy(db, policyId);
    if (p) return p;
  } catch {
    // malformed: reported below, and the default keeps the alert escalating
  }
  deps.log.warn({ code: EscalationLogCode.PolicyUnknown, alertId, policyId }, 'escalation policy not found: default used');
  return DEFAULT_POLICY;
}

function stateOf(e: Pick<Escalation, 'level' | 'repeat' | 'state' | 'levelStartedAt'>): EscalationState {
  return { level: e.level, repeat: e.repeat, status: e.state, levelStartedAt: e.levelStartedAt };
}

/** Resolve, record and enqueue one step's recipients; gaps are logged by code. */
async function notify(db: Db, deps: EscalationDeps, e: Pick<Escalation, 'alertId' | 'patientId' | 'severity' | 'channels' | 'ruleRoles'>, step: NotifyStep, now: number): Promise<void> {
  const spec = step.level === 0 ? withRuleRoles(step.notify, e.ruleRoles) : step.notify;
  const resolution = resolveRecipients(spec, await teamSeats(db, e.patientId), await poolMembers(db, deps.onCallUsernames), e.severity);
  logGaps(deps, e.alertId, step.level, e.severity, resolution.gaps, resolution.toAdmins);
  await insertRecipients(db, e.alertId, step.level, step.repeat, resolution.recipients, now);
  for (const r of resolution.recipients) {
    await deps.sink.enqueue(db, { alertId: e.alertId, userId: r.userId, severity: e.severity, channels: e.channels, level: step.level });
  }
}

function logGaps(deps: EscalationDeps, alertId: number, level: number, severity: Severity, gaps: readonly Gap[], toAdmins: boolean): void {
  for (const g of gaps) {
    if (g.kind === 'role-vacant') deps.log.warn({ code: EscalationLogCode.RoleVacant, alertId, level, role: g.what }, 'role vacant: fallback pool told');
    else if (g.kind === 'pool-empty') deps.log.warn({ code: EscalationLogCode.PoolEmpty, alertId, level, pool: g.what }, 'pool empty');
    else if (g.kind === 'fallback-empty') deps.log.error({ code: EscalationLogCode.PoolEmpty, alertId, level, pool: g.what }, 'fallback pool empty');
    else deps.log.error({ code: EscalationLogCode.NoRecipient, alertId, level, severity }, 'NOBODY could be told about this alert');
  }
  if (toAdmins) deps.log.error({ code: EscalationLogCode.FallbackToAdmins, alertId, level, severity }, 'critical alert sent to the admins: no care team, supervisor or on-call user');
}

async function scheduleEscalation(db: Db, alertId: number, step: { level: number; repeat: number }, dueAt: number, now: number): Promise<void> {
  await insertTimer(db, { alertId, kind: TimerKind.Escalate, level: step.level, repeat: step.repeat, dueAt }, now);
}

/** A new alert: tell level 0 (the rule's roles and the policy's first level), start its timer. */
export async function raiseEscalation(db: Db, deps: EscalationDeps, change: AlertChange): Promise<void> {
  if (await getEscalation(db, change.alertId)) return; // told already (a repeated 'raised')
  const policy = await policyOf(db, deps, change.escalationPolicy, change.alertId);
  const step = nextStep(policy, null, change.severity, change.at) as NotifyStep;
  const e: Escalation = {
    alertId: change.alertId, policyId: change.escalationPolicy === null ? null : policy.id, patientId: change.patientId, episodeId: change.episodeId,
    severity: change.severity, channels: [...change.channels], ruleRoles: [...change.recipients], level: 0, repeat: 0,
    state: step.dueAt === null ? EscalationStatus.Final : EscalationStatus.Active, levelStartedAt: change.at, snoozedUntil: null, reopenedAt: null,
  };
  await insertEscalation(db, e, change.at);
  await notify(db, deps, e, step, change.at);
  if (step.dueAt !== null) await scheduleEscalation(db, e.alertId, step, step.dueAt, change.at);
}

/** The alert's severity rose: the current level's timeout shortens (never lengthens). */
export async function severityChanged(db: Db, deps: EscalationDeps, change: AlertChange): Promise<void> {
  const e = await getEscalation(db, change.alertId, true);
  if (!e) return raiseEscalation(db, deps, change);
  if (severityRank(change.severity) >= severityRank(e.severity)) return;
  await updateEscalation(db, e.alertId, { severity: change.severity }, change.at);
  if (e.state !== EscalationStatus.Active && e.state !== EscalationStatus.Final) return;
  const policy = await policyOf(db, deps, e.policyId, e.alertId);
  const pending = (await pendingTimers(db, e.alertId)).filter((t) => t.kind === TimerKind.Escalate);
  const dueAt = replanDueAt(policy, stateOf(e), change.severity, change.at, pending[0]?.dueAt ?? null);
  if (dueAt === null || dueAt === pending[0]?.dueAt) return;
  await cancelTimers(db, e.alertId, change.at, [TimerKind.Escalate]);
  await scheduleEscalation(db, e.alertId, e, dueAt, change.at);
  if (e.state === EscalationStatus.Final) await updateEscalation(db, e.alertId, { state: EscalationStatus.Active }, change.at);
}

/** Acknowledged (stops escalation for good) or resolved/withdrawn (cancels every timer). */
export async function stopEscalation(db: Db, alertId: number, state: typeof EscalationStatus.Acknowledged | typeof EscalationStatus.Stopped, at: number): Promise<void> {
  const e = await getEscalation(db, alertId, true);
  await cancelTimers(db, alertId, at);
  if (e && e.state !== EscalationStatus.Stopped) await updateEscalation(db, alertId, { state, snoozedUntil: null }, at);
}

/** Snoozed until `until` (null: unknown, the engine must reopen it): escalation pauses. */
export async function snoozeEscalation(db: Db, deps: EscalationDeps, alertId: number, until: number | null, at: number): Promise<void> {
  const e = await getEscalation(db, alertId, true);
  if (!e || e.state === EscalationStatus.Stopped || e.state === EscalationStatus.Acknowledged) return;
  await cancelTimers(db, alertId, at);
  await updateEscalation(db, alertId, { state: EscalationStatus.Snoozed, snoozedUntil: until }, at);
  if (until === null) {
    deps.log.warn({ code: EscalationLogCode.SnoozeWithoutEnd, alertId }, 'snooze without an end time: escalation paused until reopened');
    return;
  }
  await insertTimer(db, { alertId, kind: TimerKind.Unsnooze, level: e.level, repeat: e.repeat, dueAt: until }, at);
}

/** The snooze ended: the current level's clock starts again from `at`. */
export async function resumeEscalation(db: Db, deps: EscalationDeps, alertId: number, at: number, reopenedHere = false): Promise<void> {
  const e = await getEscalation(db, alertId, true);
  if (!e || e.state !== EscalationStatus.Snoozed) return;
  await cancelTimers(db, alertId, at);
  const policy = await policyOf(db, deps, e.policyId, alertId);
  const resumed = { ...e, state: EscalationStatus.Active, levelStartedAt: at };
  const dueAt = replanDueAt(policy, stateOf(resumed), e.severity, at, null);
  await updateEscalation(db, alertId, {
    state: dueAt === null ? EscalationStatus.Final : EscalationStatus.Active, levelStartedAt: at, snoozedUntil: null, ...(reopenedHere && { reopenedAt: at }),
  }, at);
  if (dueAt !== null) await scheduleEscalation(db, alertId, e, dueAt, at);
}

/** The scheduler's handler: escalate to the next level, or end a snooze. A stale timer does nothing. */
export function escalationTimerHandler(deps: EscalationDeps) {
  return async (db: Db, timer: AlertTimer, now: number): Promise<void> => {
    if (timer.kind === TimerKind.Unsnooze) {
      const e = await getEscalation(db, timer.alertId);
      if (!e || e.state !== EscalationStatus.Snoozed) return;
      if (deps.reopener) {
        // The engine reopens the alert and tells its listeners 'reopened' (this module resumes then).
        await deps.reopener.reopen(db, timer.alertId, now);
        await resumeEscalation(db, deps, timer.alertId, now); // no-op when the engine's listener call already resumed it
      } else {
        deps.log.info({ code: EscalationLogCode.ReopenedWithoutEngine, alertId: timer.alertId }, 'snooze ended: escalation resumed (no engine reopen wired)');
        await resumeEscalation(db, deps, timer.alertId, now, true);
      }
      return;
    }
    const e = await getEscalation(db, timer.alertId, true);
    if (!e || e.state !== EscalationStatus.Active || e.level !== timer.level || e.repeat !== timer.repeat) return;
    const policy = await policyOf(db, deps, e.policyId, e.alertId);
    const step = nextStep(policy, stateOf(e), e.severity, now);
    if (step.kind === 'done') {
      await updateEscalation(db, e.alertId, { state: EscalationStatus.Final }, now);
      return;
    }
    await updateEscalation(db, e.alertId, {
      level: step.level, repeat: step.repeat, levelStartedAt: now, state: step.dueAt === null ? EscalationStatus.Final : EscalationStatus.Active,
    }, now);
    await notify(db, deps, e, step, now);
    if (step.dueAt !== null) await scheduleEscalation(db, e.alertId, step, step.dueAt, now);
  };
}
