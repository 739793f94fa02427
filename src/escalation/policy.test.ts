import { describe, expect, it } from 'vitest';
import { EscalationError } from './errors.js';
import { DEFAULT_POLICY, EscalationStatus, nextStep, replanDueAt, validatePolicy, withRuleRoles, type EscalationPolicy, type EscalationState } from './policy.js';

const MIN = 60_000;
const T = Date.UTC(2026, 11, 1, 9);
const at = (level: number, repeat: number, status: EscalationState['status'] = EscalationStatus.Active, levelStartedAt = T): EscalationState => ({ level, repeat, status, levelStartedAt });

describe('nextStep', () => {
  it('starts at level 0 with the level timeout of the severity', () => {
    expect(nextStep(DEFAULT_POLICY, null, 'critical', T)).toEqual({ kind: 'notify', level: 0, repeat: 0, notify: { roles: ['care-coordinator'], pools: [] }, dueAt: T + 15 * MIN });
    expect(nextStep(DEFAULT_POLICY, null, 'high', T)).toMatchObject({ level: 0, dueAt: T + 30 * MIN });
    // low never escalates under the default policy
    expect(nextStep(DEFAULT_POLICY, null, 'low', T)).toMatchObject({ kind: 'notify', level: 0, dueAt: null });
  });

  it('walks coordinator -> supervisor -> on-call, then repeats the ladder, then is exhausted', () => {
    const now = T + 15 * MIN;
    expect(nextStep(DEFAULT_POLICY, at(0, 0), 'critical', now)).toEqual({ kind: 'notify', level: 1, repeat: 0, notify: { roles: ['supervisor'], pools: [] }, dueAt: now + 15 * MIN });
    expect(nextStep(DEFAULT_POLICY, at(1, 0), 'critical', now)).toMatchObject({ level: 2, repeat: 0, notify: { roles: [], pools: ['on-call'] }, dueAt: now + 15 * MIN });
    expect(nextStep(DEFAULT_POLICY, at(2, 0), 'critical', now)).toMatchObject({ level: 0, repeat: 1, dueAt: now + 15 * MIN });
    // the last level of the last pass: told, but nothing follows it
    expect(nextStep(DEFAULT_POLICY, at(1, 1), 'critical', now)).toMatchObject({ level: 2, repeat: 1, dueAt: null });
    expect(nextStep(DEFAULT_POLICY, at(2, 1), 'critical', now)).toEqual({ kind: 'done', reason: 'exhausted' });
    expect(nextStep(DEFAULT_POLICY, at(0, 0, EscalationStatus.Final), 'critical', now)).toEqual({ kind: 'done', reason: 'exhausted' });
  });

  it('acknowledging stops, snoozing pauses, resolving stops', () => {
    expect(nextStep(DEFAULT_POLICY, at(0, 0, EscalationStatus.Acknowledged), 'critical', T)).toEqual({ kind: 'done', reason: 'acknowledged' });
    expect(nextStep(DEFAULT_POLICY, at(1, 0, EscalationStatus.Snoozed), 'critical', T)).toEqual({ kind: 'done', reason: 'snoozed' });
    expect(nextStep(DEFAULT_POLICY, at(1, 0, EscalationStatus.Stopped), 'critical', T)).toEqual({ kind: 'done', reason: 'stopped' });
  });

  it('a policy without repeat ends after its last level', () => {
    const p: EscalationPolicy = { ...DEFAULT_POLICY, id: 'once', repeat: 0 };
    expect(nextStep(p, at(1, 0), 'critical', T)).toMatchObject({ level: 2, dueAt: null });
    expect(nextStep(p, at(2, 0), 'critical', T)).toEqual({ kind: 'done', reason: 'exhausted' });
  });
});

describe('replanDueAt', () => {
  it('a higher severity shortens the current level, never lengthens it, never before now', () => {
    const s = at(0, 0, EscalationStatus.Active, T);
    expect(replanDueAt(DEFAULT_POLICY, s, 'critical', T + 5 * MIN, T + 120 * MIN)).toBe(T + 15 * MIN);
    expect(replanDueAt(DEFAULT_POLICY, s, 'medium', T + 5 * MIN, T + 15 * MIN)).toBe(T + 15 * MIN);
    expect(replanDueAt(DEFAULT_POLICY, s, 'critical', T + 40 * MIN, T + 120 * MIN)).toBe(T + 40 * MIN);
    // low had no timer: critical starts one from the level's start
    expect(replanDueAt(DEFAULT_POLICY, at(0, 0, EscalationStatus.Final, T), 'critical', T + MIN, null)).toBe(T + 15 * MIN);
    // the very last level has nothing to escalate to
    expect(replanDueAt(DEFAULT_POLICY, at(2, 1), 'critical', T, null)).toBeNull();
  });
});

describe('policies as data', () => {
  it('the default policy is valid and round-trips', () => {
    expect(validatePolicy(JSON.parse(JSON.stringify(DEFAULT_POLICY)))).toEqual(DEFAULT_POLICY);
  });

  it('refuses malformed policies with a code', () => {
    const bad = [
      { ...DEFAULT_POLICY, id: 'Bad Id' },
      { ...DEFAULT_POLICY, levels: [] },
      { ...DEFAULT_POLICY, repeat: -1 },
      { ...DEFAULT_POLICY, levels: [{ roles: ['janitor'], pools: [], timeoutMinutesBySeverity: DEFAULT_POLICY.levels[0]!.timeoutMinutesBySeverity }] },
      { ...DEFAULT_POLICY, levels: [{ roles: [], pools: ['everyone'], timeoutMinutesBySeverity: DEFAULT_POLICY.levels[0]!.timeoutMinutesBySeverity }] },
      { ...DEFAULT_POLICY, levels: [{ roles: [], pools: [], timeoutMinutesBySeverity: { critical: 0, high: 1, medium: 1, low: 1 } }] },
      { ...DEFAULT_POLICY, levels: [{ roles: [], pools: [], timeoutMinutesBySeverity: { critical: 1, high: 1, medium: 1 } }] },
    ];
    for (const p of bad) expect(() => validatePolicy(p)).toThrow(EscalationError);
    try {
      validatePolicy(bad[0]);
    } catch (err) {
      expect((err as EscalationError).code).toBe('escalation.invalid_policy');
    }
  });

  it('level 0 joins the rule roles to the policy roles', () => {
    expect(withRuleRoles({ roles: ['care-coordinator'], pools: [] }, ['care-coordinator', 'primary-physician'])).toEqual({ roles: ['care-coordinator', 'primary-physician'], pools: [] });
  });
});
