import { appendAudit, appendAudits, AuditAction, AuditOutcome, inAuditedTransaction, type AuditEntry } from '../audit/index.js';
import { completeTask as completeCareTask } from '../care/task-service.js';
import { publishBreakGlass } from '../realtime/audience.js';
import type { AlertLifecycle } from '../alerts/lifecycle.js';
import { AlertAccess } from './alert-access.js';
import { grantById, insertGrant, listGrants, patientIsLive, recordReview, taskPatientId, type BreakGlassOutcome, type GrantFilter } from './break-glass.js';
import type { Caller } from './caller.js';
import { AccessError, AccessErrorCode, forbidden, notVisible } from './errors.js';
import type { AssignablePatient } from './care-records.js';
import type { Door } from './door.js';
import { EpisodeAccess } from './episode-access.js';
import type { Page, PageRequest } from './page-cursor.js';
import { findAssignablePatients, type AssignmentSearch } from './patient-search.js';
import { ScheduleAccess } from './schedule-access.js';
import { TaskAccess } from './task-access.js';
import { TeamAccess } from './team-access.js';
import { panelOf } from './panel.js';
import { PatientScope } from './patient-scope.js';
import { BREAK_GLASS_REASON_MAX, BREAK_GLASS_REASON_MIN, can, Permission } from './policy.js';
import type { BreakGlassGrant, PanelEntry, TaskRecord } from './records.js';
import { toTask } from './rows.js';
import { accessPathTo, type Db } from './visible.js';

export interface AccessOptions {
  /** The request's time (epoch ms): decides which break-the-glass grants are running. */
  now: number;
  /** How long a break-the-glass grant lasts. */
  breakGlassMs: number;
  /** Alert changes go through it (its listeners: escalation, delivery); PatientAccess.alerts needs it. */
  alerts?: AlertLifecycle | undefined;
}

/**
 * The caller's door to patient data, inside one transaction. Built only by withPatientAccess, which
 * writes the audit entries of everything read or changed through it before the commit.
 */
export class PatientAccess {
  private readonly audits: AuditEntry[] = [];
  private readonly scopes: PatientScope[] = [];

  constructor(private readonly db: Db, readonly caller: Caller, private readonly options: AccessOptions) {}

  /** My patients: those on my current care teams (see panelOf). */
  async panel(): Promise<PanelEntry[]> {
    const entries = await panelOf(this.db, this.caller);
    this.audit({ action: AuditAction.Search, entityType: 'panel', detail: { patients: entries.map((e) => e.patient.id) } });
    return entries;
  }

  /** A patient the caller may see; access.not_found (whether it exists or not) otherwise. */
  async patient(patientId: number): Promise<PatientScope> {
    const path = await accessPathTo(this.db, this.caller, patientId, this.options.now);
    if (!path) throw notVisible('patient', patientId);
    const scope = new PatientScope(this.db, this.caller, this.options.now, patientId, path);
    this.scopes.push(scope);
    return scope;
  }

  /** Complete a task of a patient the caller may see (the care service's rules apply: CareError). */
  async completeTask(taskId: number, note: string | null): Promise<TaskRecord> {
    const patientId = await taskPatientId(this.db, taskId);
    const path = patientId === undefined ? undefined : await accessPathTo(this.db, this.caller, patientId, this.options.now);
    if (patientId === undefined || !path) throw notVisible('task', taskId);
    const task = await completeCareTask(this.db, taskId, note, this.options.now, this.caller.username);
    this.audit({ action: AuditAction.Update, entityType: 'task', entityId: taskId, patientId, detail: { status: task.status, via: path } });
    const row = await this.db.selectFrom('task').selectAll().where('id', '=', taskId).executeTakeFirstOrThrow();
    return toTask(row);
  }

  /**
   * Emergency access: a grant on the patient for options.breakGlassMs, for a caller whose roles allow
   * it (access.forbidden otherwise), recorded for the privacy officer and audited as break-glass.
   */
  async breakGlass(patientId: number, reason: string): Promise<BreakGlassGrant> {
    if (!can(this.caller.roles, Permission.BreakGlass)) throw forbidden('your roles do not allow emergency access');
    const why = reason.trim();
    if (why.length < BREAK_GLASS_REASON_MIN || why.length > BREAK_GLASS_REASON_MAX) {
      throw new AccessError(AccessErrorCode.InvalidReason, `reason must be ${BREAK_GLASS_REASON_MIN} to ${BREAK_GLASS_REASON_MAX} characters`);
    }
    if (!(await patientIsLive(this.db, patientId))) throw notVisible('patient', patientId);
    const grantedAt = this.options.now;
    const expiresAt = grantedAt + this.options.breakGlassMs;
    const id = await insertGrant(this.db, this.caller, { patientId, reason: why, grantedAt, expiresAt });
    const grant = { id, userId: this.caller.userId, username: this.caller.username, patientId, reason: why, grantedAt, expiresAt, source: this.caller.source, reviewedAt: null, reviewedBy: null, reviewOutcome: null, reviewNote: null };
    // Raised to the privacy officers' streams when this transaction commits (realtime/audience.ts).
    await publishBreakGlass(this.db, { ...grant, at: grantedAt, state: 'granted', outcome: null });
    this.audit({ action: AuditAction.BreakGlass, entityType: 'break-glass-grant', entityId: id, patientId, detail: { reason: why, expiresAt } });
    return grant;
  }

  /** The grants, newest first, for a caller who reviews them (access.forbidden otherwise). */
  async breakGlassGrants(opts: Omit<GrantFilter, 'activeAt'> & { activeOnly?: boolean | undefined }): Promise<BreakGlassGrant[]> {
    if (!can(this.caller.roles, Permission.ReviewBreakGlass)) throw forbidden('listing emergency access grants is for the privacy officer');
    const grants = await listGrants(this.db, { ...opts, activeAt: opts.activeOnly ? this.options.now : undefined });
    this.audit({ action: AuditAction.Search, entityType: 'break-glass-grant', detail: { grants: grants.map((g) => g.id) } });
    return grants;
  }

  /**
   * The privacy officer's review of a grant (once; not of one's own grant): outcome and note recorded
   * with who and when, audited, and told to the other privacy officers' streams.
   */
  async reviewBreakGlass(id: number, outcome: BreakGlassOutcome, note: string | null): Promise<BreakGlassGrant> {
    if (!can(this.caller.roles, Permission.ReviewBreakGlass)) throw forbidden('reviewing emergency access grants is for the privacy officer');
    const grant = await grantById(this.db, id);
    if (!grant) throw new AccessError(AccessErrorCode.NotFound, `break-glass grant ${id} was not found`, { type: 'break-glass-grant', id });
    if (grant.userId === this.caller.userId) throw forbidden('a grant is reviewed by someone other than its holder');
    const at = this.options.now;
    const text = note?.trim() || null;
    if (!(await recordReview(this.db, id, { at, by: this.caller.username, outcome, note: text }))) {
      throw new AccessError(AccessErrorCode.AlreadyReviewed, `break-glass grant ${id} was already reviewed`);
    }
    await publishBreakGlass(this.db, { ...grant, at, state: 'reviewed', outcome });
    this.audit({ action: AuditAction.Update, entityType: 'break-glass-grant', entityId: id, patientId: grant.patientId, detail: { review: outcome } });
    return { ...grant, reviewedAt: at, reviewedBy: this.caller.username, reviewOutcome: outcome, reviewNote: text };
  }

  /** Episodes and their goals and interventions (care team or break-the-glass). */
  get episodes(): EpisodeAccess {
    return new EpisodeAccess(this.door());
  }

  /** Visit schedules and visits (care team or break-the-glass). */
  get schedules(): ScheduleAccess {
    return new ScheduleAccess(this.door());
  }

  /** Care-team assignments (care team, or ManageCareTeams without clinical data). */
  get teams(): TeamAccess {
    return new TeamAccess(this.door());
  }

  /** Tasks and my worklist (care team or break-the-glass). */
  get tasks(): TaskAccess {
    return new TaskAccess(this.door());
  }

  /** Alerts: my inbox, a patient's history, one alert, acknowledge/snooze/resolve (care team or break-the-glass). */
  get alerts(): AlertAccess {
    if (!this.options.alerts) throw new Error('withPatientAccess was given no AlertLifecycle');
    return new AlertAccess(this.door(), this.options.alerts);
  }

  /** Patients to assign a care team to (ManageCareTeams): what an assignment needs only. */
  findAssignablePatients(search: AssignmentSearch, page: PageRequest): Promise<Page<AssignablePatient>> {
    return findAssignablePatients(this.door(), search, page);
  }

  private door(): Door {
    return { db: this.db, caller: this.caller, now: this.options.now, audit: (e) => this.audit(e) };
  }

  private audit(e: Omit<AuditEntry, 'actor' | 'userId' | 'source' | 'at'>): void {
    this.audits.push({ ...this.who(), ...e });
  }

  private who() {
    return { at: this.options.now, actor: this.caller.username, userId: this.caller.userId, source: this.caller.source };
  }

  /** One read entry per patient opened (listing the parts read and how access was had), then the rest in order. */
  auditEntries(): AuditEntry[] {
    const reads: AuditEntry[] = this.scopes.filter((s) => s.parts.size > 0).map((s) => ({
      ...this.who(), action: AuditAction.Read, entityType: 'patient', entityId: s.patientId, patientId: s.patientId,
      detail: { parts: [...s.parts].sort(), via: s.path },
    }));
    return [...reads, ...this.audits];
  }
}

/**
 * Run `work` with the caller's PatientAccess in one transaction, and append the audit entries of
 * what it read or changed last in that transaction (the audit contract: what cannot be audited is
 * not done). A refusal (access.not_found / access.forbidden) is audited as denied, then rethrown.
 */
export async function withPatientAccess<T>(db: Db, caller: Caller, options: AccessOptions, work: (access: PatientAccess) => Promise<T>): Promise<T> {
  try {
    return await inAuditedTransaction(db, async (trx) => {
      const access = new PatientAccess(trx, caller, options);
      const result = await work(access);
      await appendAudits(trx, access.auditEntries());
      return result;
    });
  } catch (err) {
    if (err instanceof AccessError && (err.code === AccessErrorCode.NotFound || err.code === AccessErrorCode.Forbidden)) {
      await appendAudit(db, {
        at: options.now, actor: caller.username, userId: caller.userId, source: caller.source,
        // A refused task completion or other write was an attempted change; every other refusal an attempted read.
        action: err.subject?.type === 'task' || err.subject?.write ? AuditAction.Update : AuditAction.Read,
        entityType: err.subject?.type ?? 'access', entityId: err.subject?.id ?? null, outcome: AuditOutcome.Denied, detail: { code: err.code },
      });
    }
    throw err;
  }
}
