import { SEVERITIES, type RecipientRole, type Severity } from '../alerts/contract.js';
import { TEAM_ROLES } from '../care/team.js';
import { EscalationError, EscalationErrorCode } from './errors.js';

/** Groups of users outside the patient's care team. */
export const Pool = {
  /** Active users with the user role supervisor. */
  Supervisors: 'supervisors',
  /** The on-call list (CARECOORD_ONCALL_USERS: usernames), active users only. */
  OnCall: 'on-call',
} as const;
export type Pool = (typeof Pool)[keyof typeof Pool];
export const POOLS: readonly Pool[] = Object.values(Pool);

/** Who a level tells: care-team roles on the patient's active episodes, and pools. */
export interface RecipientSpec {
  roles: readonly RecipientRole[];
  pools: readonly Pool[];
}

/** One level: who, and how long they have to acknowledge per severity (null: no escalation past this level). */
export interface EscalationLevel extends RecipientSpec {
  timeoutMinutesBySeverity: Readonly<Record<Severity, number | null>>;
}

/**
 * Levels are told in order; after the last, the ladder starts again at level 0 `repeat` more times.
 * Level 0 is told together with the rule's own recipients.
 */
export interface EscalationPolicy {
  id: string;
  name: string;
  levels: readonly EscalationLevel[];
  repeat: number;
}

/** Where an alert's escalation stands. */
export const EscalationStatus = {
  /** A level was told; its timer runs until the level's timeout. */
  Active: 'active',
  /** The last level was told (or the severity has no timeout there): no timer runs; waiting for an acknowledgement. */
  Final: 'final',
  /** Someone acknowledged: escalation stopped for good. */
  Acknowledged: 'acknowledged',
  /** Paused until the snooze ends (an unsnooze timer), then resumes at the same level. */
  Snoozed: 'snoozed',
  /** Resolved or withdrawn: every timer cancelled. */
  Stopped: 'stopped',
} as const;
export type EscalationStatus = (typeof EscalationStatus)[keyof typeof EscalationStatus];
export const ESCALATION_STATUSES: readonly EscalationStatus[] = Object.values(EscalationStatus);

export interface EscalationState {
  level: number;
  repeat: number;
  status: EscalationStatus;
  /** When the current level was told (or its clock restarted after a snooze). */
  levelStartedAt: number;
}

/** Tell `notify` now (as level `level` of pass `repeat`); escalate again at `dueAt` unless acknowledged (null: never). */
export interface NotifyStep {
  kind: 'notify';
  level: number;
  repeat: number;
  notify: RecipientSpec;
  dueAt: number | null;
}
export type Step = NotifyStep | { kind: 'done'; reason: 'acknowledged' | 'snoozed' | 'stopped' | 'exhausted' };

const MINUTE = 60_000;

/** The built-in policy, as the escalation migration seeds it (id `default`). */
export const DEFAULT_POLICY: EscalationPolicy = {
  id: 'default',
  name: 'Coordinator, then supervisor, then on-call physician',
  levels: [
    { roles: ['care-coordinator'], pools: [], timeoutMinutesBySeverity: { critical: 15, high: 30, medium: 120, low: null } },
    { roles: ['supervisor'], pools: [], timeoutMinutesBySeverity: { critical: 15, high: 30, medium: 120, low: null } },
    { roles: [], pools: ['on-call'], timeoutMinutesBySeverity: { critical: 15, high: 30, medium: 120, low: null } },
  ],
  repeat: 1,
};

/** A rule without a policy: its own recipients at level 0, no escalation. */
export const NO_ESCALATION: EscalationPolicy = {
  id: 'none',
  name: 'No escalation',
  levels: [{ roles: [], pools: [], timeoutMinutesBySeverity: { critical: null, high: null, medium: null, low: null } }],
  repeat: 0,
};

/** When the level told at `startedAt` escalates at `severity` (null: it does not). */
export function levelDueAt(policy: EscalationPolicy, level: number, severity: Severity, startedAt: number): number | null {
  const minutes = policy.levels[level]?.timeoutMinutesBySeverity[severity] ?? null;
  return minutes === null ? null : startedAt + Math.round(minutes * MINUTE);
}

/** The level after (level, repeat): the next one, or level 0 of the next pass, or none. */
function following(policy: EscalationPolicy, level: number, repeat: number): { level: number; repeat: number } | null {
  if (level + 1 < policy.levels.length) return { level: level + 1, repeat };
  if (repeat < policy.repeat) return { level: 0, repeat: repeat + 1 };
  return null;
}

/**
 * The next escalation step. `state` null: the alert was just raised (level 0). Otherwise the current
 * level's time ran out unacknowledged: tell the next level (or level 0 of the next pass). The step's
 * `dueAt` is null when nothing follows it or its level does not escalate at this severity.
 */
export function nextStep(policy: EscalationPolicy, state: EscalationState | null, severity: Severity, now: number): Step {
  if (state) {
    if (state.status === EscalationStatus.Acknowledged) return { kind: 'done', reason: 'acknowledged' };
    if (state.status === EscalationStatus.Snoozed) return { kind: 'done', reason: 'snoozed' };
    if (state.status === EscalationStatus.Stopped) return { kind: 'done', reason: 'stopped' };
  }
  const next = state ? (state.status === EscalationStatus.Final ? null : following(policy, state.level, state.repeat)) : { level: 0, repeat: 0 };
  if (!next) return { kind: 'done', reason: 'exhausted' };
  const level = policy.levels[next.level]!;
  const dueAt = following(policy, next.level, next.repeat) ? levelDueAt(policy, next.level, severity, now) : null;
  return { kind: 'notify', level: next.level, repeat: next.repeat, notify: { roles: level.roles, pools: level.pools }, dueAt };
}

/**
 * When the current level escalates after the severity changed (it rose: the level's clock is the
 * same, its timeout shorter). Never later than `pendingDueAt`, never before `now`; null: no timer.
 */
export function replanDueAt(policy: EscalationPolicy, state: EscalationState, severity: Severity, now: number, pendingDueAt: number | null): number | null {
  if (state.status !== EscalationStatus.Active && state.status !== EscalationStatus.Final) return pendingDueAt;
  if (!following(policy, state.level, state.repeat)) return null;
  const due = levelDueAt(policy, state.level, severity, state.levelStartedAt);
  const earliest = due === null ? pendingDueAt : pendingDueAt === null ? due : Math.min(due, pendingDueAt);
  return earliest === null ? null : Math.max(earliest, now);
}

/** The rule's roles joined to a level's (level 0 tells both); duplicates removed, order kept. */
export function withRuleRoles(spec: RecipientSpec, ruleRoles: readonly RecipientRole[]): RecipientSpec {
  return { roles: [...new Set([...ruleRoles, ...spec.roles])], pools: spec.pools };
}

const POLICY_ID_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MAX_TIMEOUT_MINUTES = 7 * 24 * 60;

/** Check a policy read from the database or given by an administrator; throws EscalationError(InvalidPolicy). */
export function validatePolicy(input: unknown): EscalationPolicy {
  const bad = (why: string): never => {
    throw new EscalationError(EscalationErrorCode.InvalidPolicy, `escalation policy: ${why}`);
  };
  const p = (input ?? {}) as Record<string, unknown>;
  if (typeof p.id !== 'string' || !POLICY_ID_RE.test(p.id)) bad('id must be 1 to 64 of a-z, 0-9, ".", "_", "-"');
  if (typeof p.name !== 'string' || p.name.trim() === '' || p.name.length > 200) bad('name must be 1 to 200 characters');
  if (!Number.isInteger(p.repeat) || (p.repeat as number) < 0 || (p.repeat as number) > 10) bad('repeat must be an integer from 0 to 10');
  if (!Array.isArray(p.levels) || p.levels.length < 1 || p.levels.length > 10) bad('levels must list 1 to 10 levels');
  const levels = (p.levels as unknown[]).map((raw, i): EscalationLevel => {
    const l = (raw ?? {}) as Record<string, unknown>;
    const roles = Array.isArray(l.roles) ? l.roles : bad(`level ${i}: roles must be a list`);
    const pools = Array.isArray(l.pools) ? l.pools : bad(`level ${i}: pools must be a list`);
    for (const r of roles) if (!TEAM_ROLES.includes(r)) bad(`level ${i}: unknown role ${String(r)}`);
    for (const x of pools) if (!POOLS.includes(x)) bad(`level ${i}: unknown pool ${String(x)}`);
    const t = (l.timeoutMinutesBySeverity ?? bad(`level ${i}: timeoutMinutesBySeverity is required`)) as Record<string, unknown>;
    const timeouts = {} as Record<Severity, number | null>;
    for (const s of SEVERITIES) {
      const v = t[s];
      if (v === null) timeouts[s] = null;
      else if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_TIMEOUT_MINUTES) timeouts[s] = v;
      else bad(`level ${i}: timeout for ${s} must be minutes in (0, ${MAX_TIMEOUT_MINUTES}] or null`);
    }
    const unknownKeys = Object.keys(t).filter((k) => !(SEVERITIES as readonly string[]).includes(k));
    if (unknownKeys.length) bad(`level ${i}: unknown severity ${unknownKeys.join(', ')}`);
    return { roles: [...new Set(roles as RecipientRole[])], pools: [...new Set(pools as Pool[])], timeoutMinutesBySeverity: timeouts };
  });
  return { id: p.id as string, name: (p.name as string).trim(), levels, repeat: p.repeat as number };
}
