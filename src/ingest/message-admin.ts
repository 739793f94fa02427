import type { Kysely } from 'kysely';
import { decodeHl7 } from '../hl7/index.js';
import { getInboxRow, InboxStatus, requeue } from '../store/inbox.js';
import { getEntry, type LogEntry } from '../store/message-log.js';
import { msaCode } from '../store/message-query.js';
import { findByIdentifier } from '../store/patients.js';
import type { Database } from '../store/schema.js';

/**
 * The interface analyst's operations on the message log, shared by `carecoord messages` and
 * GET/POST /api/messages (through src/access): one entry's metadata and processing outcome, its raw
 * text split for display, and a reprocess. Raw bytes are read only through store/message-log getEntry.
 * Callers audit (a view of a raw message names the patient from `linkedPatientId`).
 */

export const MessageAdminErrorCode = {
  /** No log entry with this id (404). */
  NotFound: 'messages.not_found',
  /** Only failed or unhandled entries can be queued again; or the entry was not taken in yet (409). */
  NotReprocessable: 'messages.not_reprocessable',
} as const;
export type MessageAdminErrorCode = (typeof MessageAdminErrorCode)[keyof typeof MessageAdminErrorCode];

export const MESSAGE_ADMIN_ERROR_STATUS: Readonly<Record<MessageAdminErrorCode, number>> = {
  [MessageAdminErrorCode.NotFound]: 404,
  [MessageAdminErrorCode.NotReprocessable]: 409,
};

export class MessageAdminError extends Error {
  override readonly name = 'MessageAdminError';

  constructor(readonly code: MessageAdminErrorCode, message: string) {
    super(message);
  }
}

/** A log entry's metadata, processing outcome and ACK: no message content. */
export interface MessageDetail {
  id: number;
  receivedAt: number;
  listener: string;
  peer: string;
  senderKey: string | null;
  controlId: string | null;
  messageType: string | null;
  /** The ordering keys read at receipt (PID-3 / MRG-1 identifier ^ authority). */
  patientKey: string | null;
  mergeKey: string | null;
  /** The patient holding the message's identifier now (followed through merges), when known. */
  patientId: number | null;
  byteLength: number;
  truncated: boolean;
  charset: string;
  acceptCode: string;
  ackSent: string;
  /** The ACK sent (text, segments separated by CR), null when none was due. */
  ack: string | null;
  status: string;
  attempts: number;
  processedAt: number | null;
  /** At receipt (refusal) or from the last processing attempt. */
  error: { code: string; text: string | null } | null;
}

/** One segment of a raw message split into fields for display: fields[0] is field 1 (MSH-1 is the separator). */
export interface SegmentView {
  segment: string;
  fields: string[];
}

/** The patient a log entry concerns: the holder of its ordering identifier (PID-3 read at receipt), through merges. */
export async function linkedPatientId(db: Kysely<Database>, entry: Pick<LogEntry, 'patient_key'>): Promise<number | null> {
  const key = entry.patient_key;
  if (!key) return null;
  const at = key.lastIndexOf('^');
  if (at <= 0) return null;
  return (await findByIdentifier(db, key.slice(at + 1), key.slice(0, at)))?.id ?? null;
}

export async function requireEntry(db: Kysely<Database>, id: number): Promise<LogEntry> {
  const entry = await getEntry(db, id);
  if (!entry) throw new MessageAdminError(MessageAdminErrorCode.NotFound, `no log entry ${id}`);
  return entry;
}

export async function messageDetail(db: Kysely<Database>, entry: LogEntry): Promise<MessageDetail> {
  const id = Number(entry.id);
  const state = await getInboxRow(db, id);
  const error = entry.error_code
    ? { code: entry.error_code, text: entry.error_text }
    : state?.last_error_code ? { code: state.last_error_code, text: state.last_error_text } : null;
  return {
    id, receivedAt: Number(entry.received_at), listener: entry.listener, peer: entry.peer, senderKey: entry.sender_key, controlId: entry.control_id,
    messageType: entry.message_type, patientKey: entry.patient_key, mergeKey: entry.merge_key, patientId: await linkedPatientId(db, entry),
    byteLength: entry.byte_length, truncated: !!entry.truncated, charset: entry.charset, acceptCode: entry.accept_code, ackSent: msaCode(entry.ack),
    ack: entry.ack?.toString('utf8') ?? null, status: state?.status ?? 'received', attempts: state?.attempts ?? 0,
    processedAt: state?.processed_at == null ? null : Number(state.processed_at), error,
  };
}

/** The message as text (decoded per MSH-18) and its segments split into fields (pure). */
export function messageText(raw: Uint8Array): { text: string; segments: SegmentView[] } {
  const text = decodeHl7(raw).text;
  return { text, segments: splitSegments(text) };
}

/** Segments (CR, LF or CRLF separated) split on the field separator of MSH-1 ('|' when there is no MSH). */
export function splitSegments(text: string): SegmentView[] {
  const lines = text.split(/\r\n|\r|\n/).filter((l) => l.length > 0);
  const msh = lines.find((l) => l.startsWith('MSH') || l.startsWith('FHS') || l.startsWith('BHS'));
  const sep = msh?.[3] ?? '|';
  return lines.map((line) => {
    const name = line.slice(0, 3);
    const header = name === 'MSH' || name === 'FHS' || name === 'BHS';
    if (header && line[3] === sep) {
      // MSH-1 is the field separator itself; MSH-2 the encoding characters.
      return { segment: name, fields: [sep, ...line.slice(4).split(sep)] };
    }
    const parts = line.split(sep);
    return { segment: parts[0]!, fields: parts.slice(1) };
  });
}

/**
 * Queue a failed or unhandled entry again (a running server picks it up at its next poll). Returns
 * the status it had. messages.not_found / messages.not_reprocessable otherwise.
 */
export async function reprocessEntry(db: Kysely<Database>, id: number, at: number): Promise<{ from: string }> {
  const before = await getInboxRow(db, id);
  if (!before) {
    if (!(await getEntry(db, id))) throw new MessageAdminError(MessageAdminErrorCode.NotFound, `no log entry ${id}`);
    throw new MessageAdminError(MessageAdminErrorCode.NotReprocessable, `no processed-state for entry ${id} (not yet taken in by a running server)`);
  }
  if (before.status !== InboxStatus.Failed && before.status !== InboxStatus.Unhandled) {
    throw new MessageAdminError(MessageAdminErrorCode.NotReprocessable, `entry ${id} is ${before.status}: only failed or unhandled entries can be reprocessed`);
  }
  await requeue(db, id, at);
  return { from: before.status };
}
