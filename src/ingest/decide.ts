import {
  buildAck,
  encodeHl7,
  readHl7,
  readLenientHeader,
  shouldSendAccept,
  splitBatch,
  type AckError,
  type Hl7Error,
  type LenientHeader,
} from '../hl7/index.js';
import { createHash } from 'node:crypto';
import type { LogDraft } from '../store/message-log.js';
import { mergeKey, patientKey } from './patient-key.js';

/** Who received the frame and under which listener policy. */
export interface FrameContext {
  listener: string;
  peer: string;
  /** MSH-4 namespace ids this listener accepts; empty = any. */
  allowedFacilities: readonly string[];
  /** carecoord's own MSH-3/MSH-4 in ACKs. */
  application: string;
  facility: string;
}

/** One message of a frame: the log draft (with its ACK, unframed) ready for the commit. */
export interface MessageDecision {
  draft: LogDraft;
}

/** What to log for a frame, and how to assemble the reply once each message's ACK is known. */
export interface FrameDecision {
  messages: MessageDecision[];
  /** Given each message's ACK (the stored one for a retransmission), the bytes to send back, or null. */
  reply(acks: readonly (Buffer | null)[]): Buffer | null;
}

/** Generates unique ACK control ids (MSH-10 of the ACKs we send). */
export type AckIdSource = () => string;

/** Codec errors that mean the message could not be read at all: rejected (AR). Content errors get AE. */
const CONTENT_ERRORS = new Set(['MISSING_MESSAGE_TYPE', 'MISSING_VERSION']);

/**
 * Decide how to log and answer one received frame. Pure apart from the id source: a single message,
 * several concatenated messages or an FHS/BHS batch become one log draft per message, each with its ACK;
 * a frame that cannot be split is one rejected draft with an AR naming why.
 */
export function decideFrame(bytes: Buffer, ctx: FrameContext, now: Date, nextAckId: AckIdSource): FrameDecision {
  const split = splitBatch(bytes);
  if (split.kind === 'invalid') {
    const header = readLenientHeader(bytes.toString('latin1'));
    const m = refusedMessage(bytes, header, 'latin1', split.error, ctx, now, nextAckId);
    return { messages: [m], reply: (acks) => acks[0] ?? null };
  }
  const messages = split.messages.map((part) => decideMessage(Buffer.from(part.buffer, part.byteOffset, part.byteLength), ctx, now, nextAckId));
  if (split.kind === 'single') return { messages, reply: (acks) => acks[0] ?? null };
  return { messages, reply: (acks) => joinAcks(acks, split.kind === 'batch', ctx, now) };
}

/** Decide on one message: AA when it parses and its facility is allowed, else AE/AR with ERR. */
export function decideMessage(bytes: Buffer, ctx: FrameContext, now: Date, nextAckId: AckIdSource): MessageDecision {
  const result = readHl7(bytes);
  if (!result.ok) return refusedMessage(bytes, result.header, result.charset, result.error, ctx, now, nextAckId);
  const { message, charset } = result;
  const header = message.header;
  const facility = message.get('MSH-4.1');
  if (ctx.allowedFacilities.length > 0 && !ctx.allowedFacilities.includes(facility)) {
    const text = `Sending facility "${facility}" is not accepted on listener ${ctx.listener}`;
    return draftFor(bytes, header, charset, ctx, now, nextAckId, 'AR', { code: 'facility_not_allowed', text }, [
      { code: 207, severity: 'E', text, location: { segment: 'MSH', sequence: 1, field: 4 } },
    ], { patientKey: null, mergeKey: null });
  }
  return draftFor(bytes, header, charset, ctx, now, nextAckId, 'AA', null, [], {
    patientKey: patientKey(message),
    mergeKey: mergeKey(message),
  });
}

/** A frame that exceeded the listener's size limit: only its head is logged, answered AR. */
export function decideOversize(head: Buffer, totalBytes: number, limit: number, ctx: FrameContext, now: Date, nextAckId: AckIdSource): FrameDecision {
  const header = readLenientHeader(head.toString('latin1'));
  const text = `Message of at least ${totalBytes} bytes exceeds this listener's limit of ${limit} bytes; it was not accepted`;
  const m = draftFor(head, header, header.charset || 'latin1', ctx, now, nextAckId, 'AR', { code: 'message_too_large', text }, [
    { code: 207, severity: 'E', text },
  ], { patientKey: null, mergeKey: null }, { truncated: true, byteLength: totalBytes });
  return { messages: [m], reply: (acks) => acks[0] ?? null };
}

function refusedMessage(bytes: Buffer, header: LenientHeader, charset: string, error: Hl7Error, ctx: FrameContext, now: Date, nextAckId: AckIdSource): MessageDecision {
  const code = CONTENT_ERRORS.has(error.code) ? 'AE' : 'AR';
  const t = error.table0357;
  const errors: AckError[] = [{ code: t.code, severity: 'E', text: error.message, ...(error.location ? { location: error.location } : {}) }];
  return draftFor(bytes, header, charset, ctx, now, nextAckId, code, { code: error.code, text: error.message }, errors, { patientKey: null, mergeKey: null });
}

function draftFor(
  bytes: Buffer,
  header: LenientHeader,
  charset: string,
  ctx: FrameContext,
  now: Date,
  nextAckId: AckIdSource,
  code: 'AA' | 'AE' | 'AR',
  error: { code: string; text: string } | null,
  errors: AckError[],
  keys: { patientKey: string | null; mergeKey: string | null },
  extra: { truncated?: boolean; byteLength?: number } = {},
): MessageDecision {
  // A message that could not be read is always answered: its MSH-15 cannot be trusted.
  const ack = error !== null || shouldSendAccept(header, code)
    ? encodeAck(buildAck({ original: header, code, controlId: nextAckId(), now, errors, sendingApplication: ctx.application, sendingFacility: ctx.facility }), charset)
    : null;
  const type = header.messageCode ? `${header.messageCode}^${header.triggerEvent}` : null;
  return {
    draft: {
      received_at: now.getTime(),
      listener: ctx.listener,
      peer: ctx.peer,
      raw: bytes,
      truncated: extra.truncated ? 1 : 0,
      byte_length: extra.byteLength ?? bytes.length,
      charset: charset || 'unknown',
      sender_key: header.sendingApplication || header.sendingFacility ? `${header.sendingApplication}|${header.sendingFacility}` : null,
      control_id: header.controlId || null,
      content_hash: createHash('sha256').update(bytes).digest('hex'),
      message_type: type,
      patient_key: keys.patientKey,
      merge_key: keys.mergeKey,
      accept_code: code,
      error_code: error?.code ?? null,
      error_text: error?.text ?? null,
      ack,
    },
  };
}

function encodeAck(text: string, charset: string): Buffer {
  try {
    return encodeHl7(text, charset);
  } catch {
    return Buffer.from(text, 'utf8');
  }
}

/** Several messages in one frame: their ACKs in one reply, wrapped in BHS/BTS when the frame was a batch. */
function joinAcks(acks: readonly (Buffer | null)[], batch: boolean, ctx: FrameContext, now: Date): Buffer | null {
  const present = acks.filter((a): a is Buffer => a !== null);
  // A batch is always answered, if only with an empty BHS/BTS envelope (HL7 v2.5 §2.10.3: the response
  // batch may carry acknowledgments for the messages in error only).
  if (present.length === 0 && !batch) return null;
  const body = present.map((a) => (a.at(-1) === 0x0d ? a : Buffer.concat([a, Buffer.from('\r')])));
  if (!batch) return Buffer.concat(body);
  const ts = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return Buffer.concat([
    Buffer.from(`BHS|^~\\&|${ctx.application}|${ctx.facility}|||${ts}\r`),
    ...body,
    Buffer.from(`BTS|${present.length}\r`),
  ]);
}
