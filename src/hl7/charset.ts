/**
 * Character sets (HL7 v2.5.1 §2.15.9.18, table 0211). The charset is read from MSH-18 in the raw
 * bytes before any decoding (segment ids, delimiters and CR/LF are ASCII in every supported charset).
 * Decoding never loses bytes: whatever cannot be decoded exactly falls back to ISO-8859-1, with a warning.
 */
import { Buffer, isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { Hl7Error, Hl7ErrorCode } from './errors.js';

/** How a charset name is handled: the canonical HL7 name and the iconv-lite encoding. */
interface Charset {
  hl7: string;
  iconv: string;
}

const UTF8: Charset = { hl7: 'UNICODE UTF-8', iconv: 'utf8' };
const LATIN1: Charset = { hl7: '8859/1', iconv: 'latin1' };
const ASCII: Charset = { hl7: 'ASCII', iconv: 'latin1' };

const ALIASES: Record<string, Charset> = {
  'ASCII': ASCII, 'US-ASCII': ASCII, 'ISO IR6': ASCII,
  'UNICODE UTF-8': UTF8, 'UTF-8': UTF8, 'UTF8': UTF8, 'UNICODE': UTF8,
  '8859': LATIN1, 'LATIN1': LATIN1, 'ISO IR100': LATIN1,
  'GB 18030-2000': { hl7: 'GB 18030-2000', iconv: 'gb18030' },
  'BIG-5': { hl7: 'BIG-5', iconv: 'big5' },
  'KS X 1001': { hl7: 'KS X 1001', iconv: 'euc-kr' },
  'WINDOWS-1252': { hl7: 'WINDOWS-1252', iconv: 'windows-1252' },
  'CP1252': { hl7: 'WINDOWS-1252', iconv: 'windows-1252' },
};

/**
 * Resolve an MSH-18 value (or a name returned by decodeHl7) to a charset; undefined when unsupported.
 * Accepts the table 0211 names ASCII, 8859/1..8859/15, UNICODE UTF-8, UNICODE (read as UTF-8) and
 * common aliases such as 'UTF-8', 'ISO-8859-1', '8859' (= 8859/1), 'latin1'.
 */
export function resolveCharset(name: string): Charset | undefined {
  const n = name.trim().toUpperCase().replace(/_/g, '-');
  const alias = ALIASES[n];
  if (alias !== undefined) return alias;
  const m = /^(?:8859\/|ISO-?8859-|ISO8859-?)(\d{1,2})$/.exec(n);
  if (m === null) return undefined;
  const part = Number(m[1]);
  if (part === 1) return LATIN1;
  const enc = `iso-8859-${part}`;
  return iconv.encodingExists(enc) ? { hl7: `8859/${part}`, iconv: enc } : undefined;
}

function isLineEnd(b: number | undefined): boolean {
  return b === 13 || b === 10;
}

/**
 * MSH-18 (first repetition, first component) read from raw bytes, '' when absent.
 * Looks only at the first line starting with "MSH" (bounded to 64 KiB).
 */
export function sniffCharset(bytes: Uint8Array): string {
  let at = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) at = 3;
  while (isLineEnd(bytes[at])) at++;
  if (bytes[at] !== 0x4d || bytes[at + 1] !== 0x53 || bytes[at + 2] !== 0x48) return '';
  const fs = bytes[at + 3];
  if (fs === undefined || isLineEnd(fs)) return '';
  const cs = bytes[at + 4];
  const rs = bytes[at + 5];
  const limit = Math.min(bytes.length, at + 64 * 1024);
  let field = 2; // at+3 is MSH-1 (the separator itself); at+4 starts MSH-2
  let start = -1;
  for (let i = at + 4; i < limit; i++) {
    const b = bytes[i];
    if (isLineEnd(b)) break;
    if (b === fs) {
      field++;
      if (field === 18) start = i + 1;
      else if (field === 19) return ascii(bytes, start, i, cs, rs);
    }
  }
  if (start < 0) return '';
  let end = start;
  while (end < limit && !isLineEnd(bytes[end])) end++;
  return ascii(bytes, start, end, cs, rs);
}

function ascii(bytes: Uint8Array, start: number, end: number, cs: number | undefined, rs: number | undefined): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    if (b === cs || b === rs) break;
    out += String.fromCharCode(b);
  }
  return out.trim();
}

/** Result of decodeHl7: text, the charset actually used (an HL7 name encodeHl7 accepts), warnings. */
export interface DecodedHl7 {
  text: string;
  charset: string;
  warnings: string[];
}

function latin1(buf: Buffer, warnings: string[], why?: string): DecodedHl7 {
  if (why !== undefined) warnings.push(why);
  return { text: buf.toString('latin1'), charset: LATIN1.hl7, warnings };
}

/**
 * Decode raw bytes with the charset named in MSH-18. Without MSH-18: UTF-8 when the bytes are valid
 * UTF-8, else ISO-8859-1. Guaranteed: never throws, and encodeHl7(text, charset) gives back the
 * input bytes (minus a leading UTF-8 byte order mark, which is dropped with a warning).
 */
export function decodeHl7(bytes: Uint8Array): DecodedHl7 {
  const warnings: string[] = [];
  let buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    warnings.push('UTF-8 byte order mark dropped');
    buf = buf.subarray(3);
  }
  const declared = sniffCharset(buf);
  let cs = declared === '' ? undefined : resolveCharset(declared);
  if (declared !== '' && cs === undefined) {
    warnings.push(`MSH-18 charset ${JSON.stringify(declared)} is not supported; decoding by content`);
  }
  if (cs === undefined || cs === UTF8) {
    if (isUtf8(buf)) return { text: buf.toString('utf8'), charset: UTF8.hl7, warnings };
    return latin1(buf, warnings, cs === UTF8 ? `bytes are not valid UTF-8 although MSH-18 is ${JSON.stringify(declared)}; decoded as ISO-8859-1` : undefined);
  }
  if (cs === LATIN1) return latin1(buf, warnings);
  if (cs === ASCII) {
    // Checked on the bytes (one vectorised pass) rather than on the decoded text.
    if (!isAscii(buf)) return latin1(buf, warnings, 'bytes above 0x7F although MSH-18 is ASCII; decoded as ISO-8859-1');
    return { text: buf.toString('latin1'), charset: ASCII.hl7, warnings };
  }
  const text = iconv.decode(buf, cs.iconv, { stripBOM: false });
  if (!iconv.encode(text, cs.iconv).equals(buf)) {
    return latin1(buf, warnings, `bytes are not valid ${cs.hl7}; decoded as ISO-8859-1`);
  }
  return { text, charset: cs.hl7, warnings };
}

/**
 * Encode text in a charset (an MSH-18 value or a name returned by decodeHl7; '' means UTF-8).
 * Characters the charset cannot represent become '?'. Throws Hl7Error UNSUPPORTED_CHARSET for
 * unknown names.
 */
export function encodeHl7(text: string, charset: string): Buffer {
  const first = charset.split(/[\^~]/)[0] ?? '';
  const cs = first.trim() === '' ? UTF8 : resolveCharset(first);
  if (cs === undefined) throw new Hl7Error(Hl7ErrorCode.UNSUPPORTED_CHARSET, `no encoder for charset ${JSON.stringify(charset)}`);
  if (cs === UTF8) return Buffer.from(text, 'utf8');
  return iconv.encode(text, cs.iconv);
}
