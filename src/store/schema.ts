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

export interface Database {
  'hl7log.message_log': MessageLogTable;
  'hl7log.log_policy': LogPolicyTable;
  inbox: InboxTable;
}
