import type { ColumnType, Generated } from 'kysely';

/**
 * The raw HL7 message log: append-only, kept apart from operational data
 * (SQLite: its own file attached as schema `hl7log`; PostgreSQL: schema `hl7log`).
 * The database refuses UPDATE, and DELETE of entries younger than the retention floor.
 * Times are epoch milliseconds in both dialects.
 */
export interface MessageLogTable {
  id: Generated<number>;
  received_at: number;
  listener: string;
  peer: string;
  /** Exact bytes as received (for an oversize frame: its first bytes only, see `truncated`). */
  raw: Buffer;
  truncated: ColumnType<number, number | undefined, never>;
  byte_length: number;
  charset: string;
  /** MSH-3 + '|' + MSH-4 as written, null when unreadable. */
  sender_key: string | null;
  /** MSH-10, null when empty or unreadable (no retransmission detection then). */
  control_id: string | null;
  /** SHA-256 (hex) of `raw`: part of the retransmission key. */
  content_hash: string;
  message_type: string | null;
  /** Ordering key read at receipt from PID-3 (identifier + assigning authority). */
  patient_key: string | null;
  /** Second ordering key for merges (MRG-1). */
  merge_key: string | null;
  /** Accept outcome: AA accepted for processing, AE/AR refused at receipt. */
  accept_code: 'AA' | 'AE' | 'AR';
  error_code: string | null;
  error_text: string | null;
  /** The acknowledgment sent (unframed), replayed verbatim to a retransmission; null when none was due (MSH-15). */
  ack: Buffer | null;
}

/** Retention floor enforced by the log's delete trigger (SQLite only; PostgreSQL keeps it in the trigger function). */
export interface LogPolicyTable {
  id: number;
  min_retention_days: number;
}

/** Processing state of each log entry: lives with operational data, written in the same transaction as the entry's effects. */
export interface InboxTable {
  entry_id: number;
  received_at: number;
  message_type: string | null;
  patient_key: string | null;
  merge_key: string | null;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  last_error_code: string | null;
  last_error_text: string | null;
  updated_at: number;
  processed_at: number | null;
}


/** An id assigned by the database. */
type Id = Generated<number>;

export interface AppUserTable {
  id: Id;
  username: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  /** JSON array of role names. */
  roles: string;
  status: string;
  created_at: number;
  updated_at: number;
  /** argon2id PHC string; null until a password is set (src/auth). */
  password_hash: Defaulted<string | null>;
  password_changed_at: Defaulted<number | null>;
  /** 1: the next sign-in may only change the password (after an admin's reset-password). */
  must_change_password: Defaulted<number>;
  /** Base32 TOTP secret (RFC 6238); pending until mfa_enrolled is 1. */
  mfa_secret: Defaulted<string | null>;
  mfa_enrolled: Defaulted<number>;
  /** Last accepted TOTP time step: codes of this step or earlier are refused (no replay). */
  mfa_last_step: Defaulted<number | null>;
  /** Consecutive failed sign-ins, reset by a success or by a lock. */
  failed_logins: Defaulted<number>;
  locked_until: Defaulted<number | null>;
}

/** A column with a database default: optional on insert. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

/** A server-side session (src/auth): looked up by the SHA-256 of its cookie token; ended rows are kept. */
export interface SessionTable {
  id: Id;
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  token_hash: string;
  user_id: number;
  created_at: number;
  /** Last authenticated request: the idle deadline is this plus the idle timeout. */
  last_seen_at: number;
  /** Absolute end, set at creation. */
  expires_at: number;
  ended_at: number | null;
  /** logout | logout-all | idle-timeout | absolute-timeout | disabled | password-reset | password-changed | mfa-reset */
  end_reason: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface PatientTable {
  id: Id;
  /** active | deceased | merged | staging (pending identity review). */
  status: string;
  merged_into: number | null;
  family_name: string | null;
  given_name: string | null;
  middle_name: string | null;
  birth_date: string | null;
  sex: string | null;
  /** The last four digits only: a full SSN is never stored. */
  ssn_last4: string | null;
  language: string | null;
  address_line: string | null;
  city: string | null;
  state: string | null;
  postcode: string | null;
  phone: string | null;
  deceased_at: number | null;
  /** JSON: the full current demographics (names, addresses, phones, ...). */
  demographics: string;
  source_entry_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface PatientNameTable {
  id: Id;
  patient_id: number;
  family: string | null;
  given: string | null;
  middle: string | null;
  prefix: string | null;
  suffix: string | null;
  name_type: string | null;
  valid_from: number;
  valid_to: number | null;
  source_entry_id: number | null;
}

export interface PatientDemographicsHistoryTable {
  id: Id;
  patient_id: number;
  replaced_at: number;
  source_entry_id: number | null;
  demographics: string;
}

export interface PatientIdentifierTable {
  id: Id;
  patient_id: number;
  authority: string;
  value: string;
  type_code: string | null;
  facility: string | null;
  moved_from: number | null;
  source_entry_id: number | null;
  created_at: number;
}

export interface PatientMatchKeyTable {
  match_key: string;
  patient_id: number;
}

export interface PatientCoverageTable {
  id: Id;
  patient_id: number;
  set_id: string | null;
  plan_id: string | null;
  plan_name: string | null;
  company_id: string | null;
  company_name: string | null;
  group_number: string | null;
  member_id: string | null;
  effective_date: string | null;
  expiration_date: string | null;
  source_entry_id: number | null;
  updated_at: number;
}

export interface EncounterTable {
  id: Id;
  patient_id: number;
  facility: string;
  visit_number: string | null;
  patient_class: string | null;
  /** planned | in-progress | finished | cancelled */
  status: string;
  admitted_at: number | null;
  discharged_at: number | null;
  location: string | null;
  hospital_service: string | null;
  attending: string | null;
  admit_source: string | null;
  discharge_disposition: string | null;
  discharged_to: string | null;
  created_at: number;
  updated_at: number;
}

export interface PatientDiagnosisTable {
  id: Id;
  patient_id: number;
  encounter_id: number | null;
  code: string | null;
  code_system: string | null;
  description: string | null;
  diagnosis_type: string | null;
  recorded_at: number;
  source_entry_id: number | null;
}

export interface ClinicalEventTable {
  id: Id;
  patient_id: number;
  encounter_id: number | null;
  event_type: string;
  /** When it happened (EVN/PV1/OBR times), not when the message arrived. */
  occurred_at: number;
  recorded_at: number;
  facility: string | null;
  source_entry_id: number | null;
  message_type: string | null;
  /** JSON: the normalized payload of the event. */
  payload: string;
  /** 1 when it arrived after an event of the same encounter that happened later. */
  out_of_order: number;
  withdrawn_at: number | null;
  /** The event (a cancel) that withdrew it. */
  withdrawn_by: number | null;
}

export interface ObservationTable {
  id: Id;
  patient_id: number;
  event_id: number;
  encounter_id: number | null;
  order_code: string | null;
  order_text: string | null;
  filler_order: string | null;
  set_id: string | null;
  code: string | null;
  code_system: string | null;
  code_text: string | null;
  value_type: string | null;
  value: string | null;
  value_num: number | null;
  units: string | null;
  reference_range: string | null;
  abnormal_flags: string | null;
  interpretation: string | null;
  result_status: string | null;
  observed_at: number;
  notes: string | null;
  source_entry_id: number | null;
  /** OBX-4 observation sub-id. */
  sub_id: string | null;
  /** SN comparator or a '<0.01'-style NM value's comparator. */
  value_comparator: string | null;
  value_code: string | null;
  value_code_system: string | null;
  value_time: number | null;
  range_low: number | null;
  range_high: number | null;
  /** 1 outside the reference range, 0 inside, null when that cannot be said. */
  out_of_range: number | null;
  /** Replaced by a later result (OBX-11 C, F after P...): kept, not in effect. */
  superseded_at: number | null;
  superseded_by: number | null;
  /** Retracted (OBX-11 W wrong patient, D delete): kept, not in effect. */
  withdrawn_at: number | null;
  withdrawn_by: number | null;
}

export interface CareEpisodeTable {
  id: Id;
  patient_id: number;
  episode_type: string;
  goal: string | null;
  status: string;
  start_at: number;
  end_at: number | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface CareTeamMemberTable {
  id: Id;
  episode_id: number;
  user_id: number;
  role: string;
  is_primary: number;
  active_from: number;
  active_to: number | null;
  created_at: number;
}

export interface CarePlanGoalTable {
  id: Id;
  episode_id: number;
  description: string;
  target_date: string | null;
  status: string;
  achieved_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface CarePlanInterventionTable {
  id: Id;
  episode_id: number;
  description: string;
  discipline: string | null;
  status: string;
  created_at: number;
  updated_at: number;
}

export interface VisitScheduleTable {
  id: Id;
  episode_id: number;
  visit_type: string;
  discipline: string | null;
  assignee_user_id: number | null;
  assignee_role: string | null;
  every_days: number;
  start_date: string;
  end_date: string | null;
  status: string;
  hold_reason: string | null;
  held_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface CareVisitTable {
  id: Id;
  episode_id: number;
  schedule_id: number | null;
  due_date: string | null;
  status: string;
  visited_at: number | null;
  user_id: number | null;
  note: string | null;
  created_at: number;
}

export interface TaskTable {
  id: Id;
  patient_id: number;
  episode_id: number | null;
  alert_id: number | null;
  source_event_id: number | null;
  title: string;
  description: string | null;
  assignee_user_id: number | null;
  assignee_role: string | null;
  due_at: number | null;
  priority: string;
  status: string;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  completed_by: string | null;
  completion_note: string | null;
}

export interface MatchReviewTable {
  id: Id;
  /** The staging patient holding the incoming record until a reviewer decides. */
  patient_id: number;
  source_entry_id: number | null;
  /** open | linked | separate */
  status: string;
  /** JSON: candidates with scores, grades and per-field weights. */
  candidates: string;
  /** JSON: the incoming record as matched. */
  incoming: string;
  created_at: number;
  decided_at: number | null;
  decided_by: string | null;
  decision: string | null;
  decision_note: string | null;
  merge_id: number | null;
}

export interface PatientMergeTable {
  id: Id;
  survivor_id: number;
  merged_id: number;
  /** adt-a40 | review | admin */
  source: string;
  source_entry_id: number | null;
  decided_by: string | null;
  merged_at: number;
  /** JSON: the ids of the rows moved, per table, so the merge can be reversed. */
  moved: string;
  reversed_at: number | null;
  reversed_by: string | null;
}

/** Who changed what in the care model, and when: one row per change (care services). */
export interface CareChangeTable {
  id: Id;
  at: number;
  actor: string;
  /** user | episode | team-member | goal | intervention | schedule | visit | task */
  entity: string;
  entity_id: number;
  /** created | status | updated | removed | held | released | reassigned | disabled ... */
  action: string;
  patient_id: number | null;
  episode_id: number | null;
  /** JSON: what changed ({ from, to, reason, ... }); ids and codes, no free-text PHI beyond notes. */
  detail: string;
}

/** One row per identity decision (matcher link, review opened/decided/undone, merge, unmerge). Rows are only added. */
export interface IdentityDecisionTable {
  id: Id;
  decided_at: number;
  /** A person's name, 'matcher' for automatic decisions, or the sender (MSH-3|MSH-4) of an A40. */
  decided_by: string;
  action: string;
  patient_id: number | null;
  other_patient_id: number | null;
  review_id: number | null;
  merge_id: number | null;
  source_entry_id: number | null;
  note: string | null;
  /** JSON: what the decision was based on (scores, identifiers attached, ...). */
  detail: string;
}

/**
 * The audit trail (src/audit): one row per audited event, hash-chained (`hash` = SHA-256 over
 * `prev_hash` and the canonical encoding of the row). `id` is the chain position, taken from the
 * one-row head `audit_chain` (declared in src/audit/store.ts). The database refuses UPDATE, and DELETE
 * of rows younger than the retention floor or not behind the retention anchor.
 */
export interface AuditLogTable {
  id: number;
  at: number;
  /** A username, 'system' or 'cli:NAME'. */
  actor: string;
  user_id: number | null;
  patient_id: number | null;
  /** AuditAction (src/audit/entry.ts). */
  action: string;
  entity_type: string;
  entity_id: string | null;
  /** Client IP, 'cli', 'mllp' or 'system'. */
  source: string;
  /** success | denied | failed */
  outcome: string;
  /** Canonical JSON. */
  detail: string;
  prev_hash: string;
  hash: string;
}

/** An emergency ("break the glass") access to a patient outside the user's care teams (src/access); rows are kept. */
export interface BreakGlassGrantTable {
  id: Id;
  user_id: number;
  patient_id: number;
  /** Why, as the clinician typed it: read by the privacy officer. */
  reason: string;
  granted_at: number;
  /** The grant gives access while now < expires_at. */
  expires_at: number;
  /** Client IP of the request. */
  source: string;
  reviewed_at: number | null;
  reviewed_by: string | null;
  review_note: string | null;
  /** The privacy officer's finding: appropriate | inappropriate (null until reviewed). */
  review_outcome: Defaulted<string | null>;
}

/** A change the dashboard is told about (src/realtime): written in the change's transaction; id = SSE event id. */
export interface RealtimeEventTable {
  id: Id;
  /** When it was published (epoch ms): the replay window and pruning read it. */
  at: number;
  patient_id: number;
  /** clinical-event | task | patient | alert | break-glass (its audience: realtime/audience.ts) */
  kind: string;
  /** The id of the row it is about (clinical_event.id, task.id, ...). */
  ref_id: number;
  /** Small canonical JSON: codes, statuses and times only, no free text. */
  payload: string;
}

/** A task a transition-of-care reaction created (src/transitions), by the event that caused it and its kind. */
export interface TransitionTaskTable {
  task_id: number;
  source_event_id: number;
  /** interactive-contact | face-to-face | medication-reconciliation | resumption-of-care | hold-notice */
  kind: string;
  encounter_id: number | null;
  created_at: number;
  /** When the overdue reminder was raised (TaskReminderJob). */
  reminded_at: number | null;
  /** When it was reported to the coordinator's alert, past the grace period. */
  reported_at: number | null;
}

/** An alert rule (src/alerts): its definition lives in versions; `current_version` is the one evaluated. */
export interface AlertRuleTable {
  id: string;
  name: string;
  /** 1 evaluated, 0 kept but off. */
  enabled: number;
  current_version: number;
  /** 1 for the rules carecoord ships (alerts/builtin.ts), seeded on by default. */
  builtin: number;
  created_at: number;
  updated_at: number;
}

/** One saved, validated version of a rule (immutable): an alert names the version that fired it. */
export interface AlertRuleVersionTable {
  rule_id: string;
  version: number;
  /** JSON: the RuleDefinition (alerts/rule.ts). */
  definition: string;
  created_at: number;
  created_by: string;
}

/** An alert: one per hospital visit, or per rule, patient and episode within the rule's suppression window. */
export interface AlertTable {
  id: Id;
  patient_id: number;
  episode_id: number | null;
  encounter_id: number | null;
  /** The rule (and version) of the most severe reason: recipients, channels and escalation come from it. */
  rule_id: string;
  rule_version: number;
  /** visit:ENCOUNTER, or rule:RULE:patient:P:episode:E (alerts/merge.ts). */
  dedup_key: string;
  /** critical | high | medium | low: the highest of its reasons. */
  severity: string;
  /** open | acknowledged | snoozed | resolved | withdrawn */
  status: string;
  title: string;
  message: string;
  /** JSON [{ruleId, ruleVersion, severity, text}]: every rule that fired into it and still stands. */
  reasons: string;
  event_count: number;
  first_event_id: number;
  last_event_id: number;
  raised_at: number;
  updated_at: number;
  acknowledged_at: number | null;
  acknowledged_by: number | null;
  snoozed_until: number | null;
  snooze_reason: string | null;
  resolved_at: number | null;
  resolved_by: number | null;
  resolution: string | null;
}

/** Which clinical event fired which rule into which alert: idempotence on reprocessing, and what a cancel withdraws. */
export interface AlertEventTable {
  alert_id: number;
  event_id: number;
  rule_id: string;
  rule_version: number;
  severity: string;
  at: number;
  withdrawn_at: number | null;
}

/** A data key (src/keys), wrapped under the master key; `id` is the key id written into each sealed value. */
export interface DataKeyTable {
  id: number;
  /** nonce | AES-256-GCM(wrapping subkey, data key) | tag, bound to the id. */
  wrapped: Buffer;
  /** Fingerprint of the master key it is wrapped under (names the key file without revealing it). */
  master_fp: string;
  created_at: number;
  /** Set when a newer key took over new writes; the key still opens what it sealed. */
  retired_at: number | null;
}

/** One delivery attempt of an alert to a user on a channel (src/delivery): outbox and log. */
export interface AlertDeliveryTable {
  id: Id;
  /** The alert (src/alerts); no foreign key until both migrations are in. */
  alert_id: number;
  patient_id: number;
  user_id: number;
  /** in-app | email | sms | voice | push */
  channel: string;
  /** 1, 2, ... per channel: a retry is a new row with the next attempt. */
  attempt: number;
  /** queued | sending | delivered | failed | skipped (delivery/types.ts) */
  status: string;
  severity: string;
  rule_id: string;
  /** JSON array: the channels still to fall over to, in order. */
  fallback: string;
  /** Short, without PHI: the provider's status and message id. */
  provider_response: string | null;
  error_code: string | null;
  queued_at: number;
  attempted_at: number | null;
  /** Queued: not before. Sending: the claim's lease (a crashed sender's row is claimed again after it). */
  next_attempt_at: number;
  /** Set when the alert was acknowledged before this row was sent (it is then skipped). */
  acknowledged_at: number | null;
}

/** A user's channels for a severity ('*': any severity without a row of its own) and quiet hours. */
export interface NotificationPreferenceTable {
  user_id: number;
  severity: string;
  /** JSON array of channels, in fall-over order. */
  channels: string;
  /** 'HH:MM' local time in time_zone; both null: no quiet hours. */
  quiet_start: string | null;
  quiet_end: string | null;
  /** IANA time zone (default UTC). */
  time_zone: string | null;
  updated_at: number;
}

/** A Web Push subscription (the browser's PushSubscription). */
export interface PushSubscriptionTable {
  id: Id;
  user_id: number;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: number;
}

/** Keys delivery generated for itself (the VAPID pair); the private half sealed with the store's data key. */
export interface DeliveryKeyTable {
  name: string;
  public_value: string;
  private_sealed: string;
  created_at: number;
}

/** An escalation policy (src/escalation): ordered levels as JSON, a repeat count. */
export interface EscalationPolicyTable {
  id: string;
  name: string;
  /** JSON array of {roles, pools, timeoutMinutesBySeverity} (escalation/policy.ts). */
  levels: string;
  repeat: number;
  created_at: number;
  updated_at: number;
}

/** Where an alert's escalation stands (src/escalation); one row per alert (no foreign key to alert yet). */
export interface AlertEscalationTable {
  alert_id: number;
  /** null: the rule names no policy (level 0 only). */
  policy_id: string | null;
  patient_id: number;
  episode_id: number | null;
  severity: string;
  /** JSON array of the alert's channels. */
  channels: string;
  /** JSON array of the rule's care-team roles (told at level 0, on every repeat). */
  rule_roles: string;
  level: number;
  repeat: number;
  /** active | final | acknowledged | snoozed | stopped (escalation/policy.ts) */
  state: string;
  level_started_at: number;
  snoozed_until: number | null;
  /** Set when the escalation reopened itself after a snooze (no engine reopen available). */
  reopened_at: number | null;
  created_at: number;
  updated_at: number;
}

/** Who was told about an alert, at which level; `gap` 1: sent to the fallback pool for a vacant role. */
export interface AlertRecipientTable {
  id: Id;
  alert_id: number;
  user_id: number;
  /** The care-team role, or pool:supervisors | pool:on-call | pool:admins. */
  role: string;
  level: number;
  repeat: number;
  gap: number;
  gap_reason: string | null;
  notified_at: number;
}

/** A durable timer (src/escalation): claimed by one scheduler, fired once (fired_at), or cancelled. */
export interface AlertTimerTable {
  id: Id;
  alert_id: number;
  /** escalate | unsnooze */
  kind: string;
  level: number;
  repeat: number;
  due_at: number;
  fired_at: number | null;
  cancelled_at: number | null;
  claimed_by: string | null;
  claimed_at: number | null;
  attempts: Defaulted<number>;
  created_at: number;
}

export interface Database {
  'hl7log.message_log': MessageLogTable;
  'hl7log.log_policy': LogPolicyTable;
  inbox: InboxTable;
  app_user: AppUserTable;
  patient: PatientTable;
  patient_name: PatientNameTable;
  patient_demographics_history: PatientDemographicsHistoryTable;
  patient_identifier: PatientIdentifierTable;
  patient_match_key: PatientMatchKeyTable;
  patient_coverage: PatientCoverageTable;
  patient_diagnosis: PatientDiagnosisTable;
  encounter: EncounterTable;
  clinical_event: ClinicalEventTable;
  observation: ObservationTable;
  care_episode: CareEpisodeTable;
  care_team_member: CareTeamMemberTable;
  care_plan_goal: CarePlanGoalTable;
  care_plan_intervention: CarePlanInterventionTable;
  visit_schedule: VisitScheduleTable;
  care_visit: CareVisitTable;
  task: TaskTable;
  match_review: MatchReviewTable;
  patient_merge: PatientMergeTable;
  care_change: CareChangeTable;
  identity_decision: IdentityDecisionTable;
  audit_log: AuditLogTable;
  session: SessionTable;
  break_glass_grant: BreakGlassGrantTable;
  realtime_event: RealtimeEventTable;
  transition_task: TransitionTaskTable;
  data_key: DataKeyTable;
  alert_rule: AlertRuleTable;
  alert_rule_version: AlertRuleVersionTable;
  alert: AlertTable;
  alert_event: AlertEventTable;
  alert_delivery: AlertDeliveryTable;
  notification_preference: NotificationPreferenceTable;
  push_subscription: PushSubscriptionTable;
  delivery_key: DeliveryKeyTable;
  escalation_policy: EscalationPolicyTable;
  alert_escalation: AlertEscalationTable;
  alert_recipient: AlertRecipientTable;
  alert_timer: AlertTimerTable;
}
