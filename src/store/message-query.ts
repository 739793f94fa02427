import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { InboxStatus } from './inbox.js';

export interface MessageFilter {
  controlId?: string | undefined;
  /** An inbox status, 'received' (logged, not yet taken in by the workers) or 'error' (failed or rejected). */
  status?: string | undefined;
  messageType?: string | undefined;
  patientKey?: string | undefined;
  /**
   * A patient identifier as received in PID-3 (or MRG-1): "MRN^AUTHORITY" (the ordering key) matches
   * exactly, a bare "MRN" matches it under any assigning authority. Served by the key indexes of
   * migration 2026-11-25T1720, never by reading raw bodies.
   */
  mrn?: string | undefined;
  /** The sender: "MSH-3|MSH-4" exactly, or MSH-3 alone (any facility of that application). */
  sender?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
  /** Entries with ids below this (paging newest first). */
  beforeId?: number | undefined;
  limit?: number | undefined;
}

export interface MessageSummary {
  id: number;
  receivedAt: number;
  listener: string;
  peer: string;
  senderKey: string | null;
  controlId: string | null;
  messageType: string | null;
  patientKey: string | null;
  byteLength: number;
  /** Accept outcome at receipt: AA accepted, AE/AR refused. */
  acceptCode: string;
  /** MSA-1 of the acknowledgment actually sent (CA/CE/CR in enhanced mode), or 'none' (MSH-15 asked for none). */
  ackSent: string;
  status: string;
  attempts: number;
  errorCode: string | null;
  errorText: string | null;
}

export const MESSAGE_STATUSES = ['received', 'error', ...Object.values(InboxStatus)] as const;

/** Log entries joined with their processing state, newest first. */
export async function listMessages(db: Kysely<Database>, filter: MessageFilter): Promise<MessageSummary[]> {
  const rows = await messageListQuery(db, filter).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    receivedAt: Number(r.received_at),
    listener: r.listener,
    peer: r.peer,
    senderKey: r.sender_key,
    controlId: r.control_id,
    messageType: r.message_type,
    patientKey: r.patient_key,
    byteLength: r.byte_length,
    acceptCode: r.accept_code,
    ackSent: msaCode(r.ack),
    status: r.status ?? 'received',
    attempts: r.attempts ?? 0,
    errorCode: r.last_error_code ?? r.error_code,
    errorText: r.last_error_text ?? r.error_text,
  }));
}

/** The query of listMessages (exported so tests can check its plan uses the key indexes). */
export function messageListQuery(db: Kysely<Database>, filter: MessageFilter) {
  let q = db
    .selectFrom('hl7log.message_log as m')
    .leftJoin('inbox as i', 'i.entry_id', 'm.id')
    .select([
      'm.id', 'm.received_at', 'm.listener', 'm.peer', 'm.sender_key', 'm.control_id', 'm.message_type',
      'm.patient_key', 'm.byte_length', 'm.accept_code', 'm.error_code', 'm.error_text', 'm.ack',
      'i.status', 'i.attempts', 'i.last_error_code', 'i.last_error_text',
    ]);
  if (filter.controlId) q = q.where('m.control_id', '=', filter.controlId);
  if (filter.messageType) q = q.where('m.message_type', 'like', `${filter.messageType}%`);
  if (filter.patientKey) q = q.where((eb) => eb.or([eb('m.patient_key', '=', filter.patientKey!), eb('m.merge_key', '=', filter.patientKey!)]));
  if (filter.mrn) {
    const mrn = filter.mrn;
    if (mrn.includes('^')) q = q.where((eb) => eb.or([eb('m.patient_key', '=', mrn), eb('m.merge_key', '=', mrn)]));
    else if (db.getExecutor().adapter instanceof PostgresAdapter) {
      // text_pattern_ops index: a LIKE prefix (backslash is PostgreSQL's default LIKE escape).
      const pattern = `${mrn.replace(/[\\%_]/g, (c) => `\\${c}`)}^%`;
      q = q.where((eb) => eb.or([eb('m.patient_key', 'like', pattern), eb('m.merge_key', 'like', pattern)]));
    } else {
      // SQLite's LIKE ignores case and skips the BINARY index: a range over "MRN^" .. "MRN_" ('_' follows '^').
      const [lo, hi] = [`${mrn}^`, `${mrn}_`];
      q = q.where((eb) => eb.or([
        eb.and([eb('m.patient_key', '>=', lo), eb('m.patient_key', '<', hi)]),
        eb.and([eb('m.merge_key', '>=', lo), eb('m.merge_key', '<', hi)]),
      ]));
    }
  }
  if (filter.sender) {
    const sender = filter.sender;
    q = sender.includes('|')
      ? q.where('m.sender_key', '=', sender)
      : q.where(sql<boolean>`substr(${sql.ref('m.sender_key')}, 1, ${sender.length + 1}) = ${`${sender}|`}`);
  }
  if (filter.since !== undefined) q = q.where('m.received_at', '>=', filter.since);
  if (filter.until !== undefined) q = q.where('m.received_at', '<', filter.until);
  if (filter.beforeId !== undefined) q = q.where('m.id', '<', filter.beforeId);
  if (filter.status === 'received') q = q.where('i.status', 'is', null);
  else if (filter.status === 'error') q = q.where('i.status', 'in', [InboxStatus.Failed, InboxStatus.Rejected]);
  else if (filter.status) q = q.where('i.status', '=', filter.status);
  return q.orderBy('m.id', 'desc').limit(filter.limit ?? 100);
}

/** MSA-1 of a stored ACK: the segment after MSA and the message's field separator (MSH-1). */
export function msaCode(ack: Buffer | null): string {
  if (!ack) return 'none';
  const text = ack.toString('latin1');
  const sep = text[3] ?? '|';
  const msa = text.indexOf(`\rMSA${sep}`);
  if (msa < 0) return '?';
  return text.slice(msa + 5).split(sep, 1)[0]!.split('\r', 1)[0]! || '?';
}
