/**
 * readHl7: the total, fuzz-safe entry point from raw bytes to a message or a refusal.
 */
import { decodeHl7 } from './charset.js';
import { Hl7Error, Hl7ErrorCode } from './errors.js';
import { emptyHeader, readLenientHeader, type LenientHeader } from './lenient.js';
import type { Hl7Message } from './message.js';
import { parseHl7 } from './parse.js';

export type ReadResult =
  | { ok: true; message: Hl7Message; charset: string; warnings: string[] }
  | { ok: false; error: Hl7Error; header: LenientHeader; charset: string };

/**
 * Decode (MSH-18) and parse one message. Never throws, for any input whatsoever: a refusal carries
 * the Hl7Error and the best-effort header needed to address a NAK. Unexpected failures are reported
 * as Hl7ErrorCode.INTERNAL.
 */
export function readHl7(bytes: Uint8Array): ReadResult {
  let text = '';
  let charset = 'UNICODE UTF-8';
  try {
    const decoded = decodeHl7(bytes);
    text = decoded.text;
    charset = decoded.charset;
    const message = parseHl7(text);
    return { ok: true, message, charset, warnings: [...decoded.warnings, ...message.warnings] };
  } catch (e) {
    const error = e instanceof Hl7Error ? e : new Hl7Error(Hl7ErrorCode.INTERNAL, `internal error: ${String(e instanceof Error ? e.message : e)}`);
    let header: LenientHeader;
    try {
      header = readLenientHeader(text);
    } catch {
      header = emptyHeader();
    }
    return { ok: false, error, header, charset };
  }
}
