/**
 * Byte-level framing of a received frame or file into messages (HL7 v2.5.1 §2.10.3 batch protocol):
 *   [FHS] { [BHS] { MSH ... } [BTS] } [FTS]
 * Works on bytes: segment ids and CR/LF are ASCII in every supported charset, so each message is an
 * exact subarray of the input, including its segment separators.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { Hl7Error, Hl7ErrorCode } from './errors.js';

export interface BatchCounts {
  /** FTS-1, the file batch count, when present. */
  batchCount?: number;
  /** BTS-1, the batch message count, per BHS batch (undefined when BTS is absent or empty). */
  messageCounts: (number | undefined)[];
}

export type BatchSplit =
  | { kind: 'single'; messages: [Uint8Array] }
  | { kind: 'multi'; messages: Uint8Array[] }
  | {
      kind: 'batch';
      messages: Uint8Array[];
      /** FHS segment text, when present. */
      fileHeader?: string;
      /** BHS segment texts, in order. */
      batchHeaders: string[];
      /** Counts the trailers declare. */
      declaredCounts: BatchCounts;
      /** Counts actually found (batchCount = number of BHS batches). */
      actualCounts: { batchCount: number; messageCounts: number[] };
      /** Declared counts that do not match, and other tolerated oddities. */
      warnings: string[];
    }
  | { kind: 'invalid'; error: Hl7Error };

type Kind = 'MSH' | 'FHS' | 'BHS' | 'BTS' | 'FTS' | 'other';

function isAlnum(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

function kindAt(bytes: Uint8Array, s: number, e: number): Kind {
  if (e - s < 3 || (e - s > 3 && isAlnum(bytes[s + 3] as number))) return 'other';
  const id = String.fromCharCode(bytes[s] as number, bytes[s + 1] as number, bytes[s + 2] as number);
  return id === 'MSH' || id === 'FHS' || id === 'BHS' || id === 'BTS' || id === 'FTS' ? id : 'other';
}

function text(bytes: Uint8Array, s: number, e: number): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset + s, e - s);
  return b.toString(isUtf8(b) ? 'utf8' : 'latin1');
}

/** Field 1 of a BTS/FTS segment as a count, when it is a plain number. */
function count(seg: string): number | undefined {
  const v = seg.slice(4).split(seg.charAt(3))[0]?.split('^')[0]?.trim() ?? '';
  return /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}

function invalid(code: Hl7ErrorCode, reason: string, segment?: string): BatchSplit {
  return { kind: 'invalid', error: new Hl7Error(code, reason, segment === undefined ? undefined : { segment }) };
}

/**
 * Split bytes into messages. A leading UTF-8 BOM and leading CR/LF are not part of any message.
 * Refuses (kind 'invalid', never throws): empty input, a segment before any MSH, nested FHS or BHS,
 * BTS without BHS, FTS without FHS, anything after FTS.
 */
export function splitBatch(bytes: Uint8Array): BatchSplit {
  const n = bytes.length;
  let pos = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (pos < n && (bytes[pos] === 13 || bytes[pos] === 10)) pos++;
  if (pos >= n) return invalid(Hl7ErrorCode.EMPTY_INPUT, 'no message: the input is empty');

  const messages: Uint8Array[] = [];
  const batchHeaders: string[] = [];
  const declared: BatchCounts = { messageCounts: [] };
  const actual: number[] = [];
  const warnings: string[] = [];
  let fileHeader: string | undefined;
  let envelope = false;
  let inBatch = false;
  let fileClosed = false;
  let msgStart = -1;
  let index = 0;
  const close = (at: number): void => {
    if (msgStart >= 0) messages.push(bytes.subarray(msgStart, at));
    msgStart = -1;
  };

  while (pos < n) {
    let e = pos;
    while (e < n && bytes[e] !== 13 && bytes[e] !== 10) e++;
    let next = e;
    while (next < n && (bytes[next] === 13 || bytes[next] === 10)) next++;
    const kind = kindAt(bytes, pos, e);
    index++;
    if (fileClosed) return invalid(Hl7ErrorCode.INVALID_BATCH, `segment ${index} follows FTS, which ends the file`, 'FTS');
    switch (kind) {
      case 'MSH':
        close(pos);
        msgStart = pos;
        if (inBatch) actual[actual.length - 1] = (actual[actual.length - 1] ?? 0) + 1;
        break;
      case 'FHS':
        if (index !== 1) return invalid(Hl7ErrorCode.INVALID_BATCH, `FHS at segment ${index}: a file header must be the first segment (nested FHS)`, 'FHS');
        envelope = true;
        fileHeader = text(bytes, pos, e);
        break;
      case 'BHS':
        if (inBatch) return invalid(Hl7ErrorCode.INVALID_BATCH, `BHS at segment ${index} inside an open batch (nested BHS; BTS expected first)`, 'BHS');
        close(pos);
        envelope = inBatch = true;
        batchHeaders.push(text(bytes, pos, e));
        actual.push(0);
        declared.messageCounts.push(undefined);
        break;
      case 'BTS':
        if (!inBatch) return invalid(Hl7ErrorCode.INVALID_BATCH, `BTS at segment ${index} without a BHS`, 'BTS');
        close(pos);
        inBatch = false;
        declared.messageCounts[declared.messageCounts.length - 1] = count(text(bytes, pos, e));
        break;
      case 'FTS': {
        if (fileHeader === undefined) return invalid(Hl7ErrorCode.INVALID_BATCH, `FTS at segment ${index} without an FHS`, 'FTS');
        close(pos);
        if (inBatch) warnings.push('FTS closes a batch that had no BTS');
        inBatch = false;
        fileClosed = true;
        const c = count(text(bytes, pos, e));
        if (c !== undefined) declared.batchCount = c;
        break;
      }
      default:
        if (msgStart < 0) {
          const id = text(bytes, pos, Math.min(e, pos + 3));
          return invalid(envelope ? Hl7ErrorCode.INVALID_BATCH : Hl7ErrorCode.MISSING_MSH, `segment ${index} (${JSON.stringify(id)}) is not inside a message: no MSH before it`, id);
        }
    }
    pos = next;
  }
  close(n);
  if (!envelope) {
    const [first] = messages;
    if (first === undefined) return invalid(Hl7ErrorCode.MISSING_MSH, 'no MSH segment found');
    return messages.length === 1 ? { kind: 'single', messages: [first] } : { kind: 'multi', messages };
  }
  declared.messageCounts.forEach((d, i) => {
    if (d !== undefined && d !== actual[i]) warnings.push(`BTS-1 of batch ${i + 1} declares ${d} messages, found ${actual[i]}`);
  });
  if (declared.batchCount !== undefined && declared.batchCount !== batchHeaders.length) {
    warnings.push(`FTS-1 declares ${declared.batchCount} batches, found ${batchHeaders.length}`);
  }
  const result: BatchSplit = { kind: 'batch', messages, batchHeaders, declaredCounts: declared, actualCounts: { batchCount: batchHeaders.length, messageCounts: actual }, warnings };
  if (fileHeader !== undefined) result.fileHeader = fileHeader;
  return result;
}
