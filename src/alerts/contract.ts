import type { Transaction } from 'kysely';
import type { TeamRole } from '../care/team.js';
import type { ClinicalEvent } from '../store/events.js';
import type { Database } from '../store/schema.js';

/**
 * What the alert engine (src/alerts), delivery (src/delivery) and escalation (src/escalation) agree
 * on. The engine decides and stores alerts inside the processing transaction of the message that
 * caused them; it then tells its listeners, still inside that transaction, so that the recipients,
 * the delivery jobs and the escalation timers commit with the alert or not at all (an ACKed message
 * reprocessed after a crash raises nothing twice).
 */

/** Alert severities, most urgent first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Rank for comparisons: critical 0 ... low 3 (lower is more urgent). */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** The more urgent of two severities. */
export function worstSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) <= severityRank(b) ? a : b;
}

/**
 * open -> acknowledged -> resolved; snoozed (until a time, with a reason) returns to open when the
 * snooze ends; withdrawn when the messages that caused it are cancelled (A11 withdraws an admit's
 * alerts): a withdrawn alert is resolved by the system, not by a person.
 */
export const ALERT_STATUSES = ['open', 'acknowledged', 'snoozed', 'resolved', 'withdrawn'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** Channels a rule or a user preference can name. */
export const CHANNELS = ['in-app', 'email', 'sms', 'voice', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Care-team roles recipients are named by (care_team_member.role). */
export type RecipientRole = TeamRole;

/** How an alert changed, as told to listeners. */
export type AlertChangeKind =
  | 'raised' // a new alert
  | 'updated' // the same visit or suppression window again: counter, latest event, maybe a higher severity or a new reason
  | 'acknowledged'
  | 'snoozed'
  | 'reopened' // a snooze ended
  | 'resolved'
  | 'withdrawn';

export interface AlertChange {
  kind: AlertChangeKind;
  alertId: number;
  patientId: number;
  episodeId: number | null;
  ruleId: string;
  ruleVersion: number;
  severity: Severity;
  /** Severity before this change (on 'updated' it may have risen). */
  previousSeverity: Severity | null;
  status: AlertStatus;
  /** From the rule: who is told first, by care-team role, and through which channels. */
  recipients: readonly RecipientRole[];
  channels: readonly Channel[];
  /** Escalation policy id from the rule (null: none). */
  escalationPolicy: string | null;
  /** The user who acted (acknowledge, snooze, resolve), or null for the system. */
  actorUserId: number | null;
  at: number;
  /** On 'snoozed': when the snooze ends (epoch ms), for escalation's unsnooze timer. */
  snoozedUntil?: number | null;
}

/** A listener is called inside the transaction that changed the alert; throwing rolls the change back. */
export interface AlertListener {
  alertChanged(trx: Transaction<Database>, change: AlertChange): Promise<void>;
}

/**
 * What one processed message did to the clinical record: the events it inserted and the events it
 * withdrew (a cancel). The engine hands this to the alert rules and to every EventReaction, in the
 * message's processing transaction, after its handler ran.
 */
export interface MessageEffects {
  /** The message log entry (hl7log.message_log.id). */
  entryId: number;
  inserted: readonly ClinicalEvent[];
  withdrawn: readonly ClinicalEvent[];
  /** Processing time (epoch ms). */
  at: number;
}

/** Non-alert reactions to clinical events (transition-of-care tasks, schedule holds), run beside the rules. */
export interface EventReaction {
  readonly name: string;
  react(trx: Transaction<Database>, effects: MessageEffects): Promise<void>;
}
