/**
 * Escalation's failures and the codes it logs: closed sets that callers and log readers branch on.
 * Log entries carry these codes and ids only (alert, timer, user), never patient data.
 */
export const EscalationErrorCode = {
  /** A policy is malformed (levels, roles, pools, timeouts, repeat). */
  InvalidPolicy: 'escalation.invalid_policy',
} as const;
export type EscalationErrorCode = (typeof EscalationErrorCode)[keyof typeof EscalationErrorCode];

export class EscalationError extends Error {
  override readonly name = 'EscalationError';

  constructor(readonly code: EscalationErrorCode, message: string) {
    super(message);
  }
}

/** What escalation reports in the log (pino `code` field). */
export const EscalationLogCode = {
  /** A role the level names has nobody on the patient's active episodes: the fallback pool was told. */
  RoleVacant: 'escalation.role_vacant',
  /** A pool the level names (on-call, supervisors) has no active user. */
  PoolEmpty: 'escalation.pool_empty',
  /** The fallback pool was empty too: a critical alert went to the admins. */
  FallbackToAdmins: 'escalation.fallback_to_admins',
  /** Nobody at all could be told (no admin either, or a non-critical alert with every pool empty). */
  NoRecipient: 'escalation.no_recipient',
  /** The rule names a policy that does not exist (or is malformed): the default policy was used. */
  PolicyUnknown: 'escalation.policy_unknown',
  /** A snooze without an end time: escalation stays paused until the engine reopens the alert. */
  SnoozeWithoutEnd: 'escalation.snooze_without_end',
  /** A snooze ended and no engine reopen is wired: escalation resumed on its own (the alert row still says snoozed). */
  ReopenedWithoutEngine: 'escalation.reopened_without_engine',
  /** A timer's handler failed; it is claimed again after the stale interval. */
  TimerFailed: 'escalation.timer_failed',
  /** A timer failed its last allowed attempt and is no longer claimed. */
  TimerGaveUp: 'escalation.timer_gave_up',
} as const;
export type EscalationLogCode = (typeof EscalationLogCode)[keyof typeof EscalationLogCode];
