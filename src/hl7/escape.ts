/**
 * Escape sequences (HL7 v2.5.1 §2.7). Unescaping replaces delimiter escapes (\F\ \S\ \T\ \R\ \E\,
 * \P\ for the v2.7 truncation character) and hexadecimal data (\Xhh..\); formatting and highlighting
 * escapes (\H\ \N\ \.br\ \.sp\ ... §2.7.5-2.7.6), charset switches (\C..\ \M..\) and local escapes
 * (\Z..\) are left intact, exactly as written. Both directions are single linear passes.
 */
import type { Delimiters } from './delimiters.js';
import { Hl7Error, Hl7ErrorCode } from './errors.js';

const HEX = /^[0-9A-Fa-f]+$/;

/** Decode "\Xhh..\" payload: UTF-8 when the bytes are valid multi-byte UTF-8, else one char per byte. */
function decodeHex(hex: string): string | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0 || !HEX.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  let high = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    bytes[i] = b;
    if (b >= 0x80) high = true;
  }
  if (high) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // not UTF-8: fall through to one character per byte (ISO-8859-1)
    }
  }
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/** The replacement for the escape body between two escape characters, or undefined to keep it. */
function replacement(body: string, d: Delimiters): string | undefined {
  switch (body) {
    case 'F': return d.field;
    case 'S': return d.component;
    case 'T': return d.subcomponent === '' ? undefined : d.subcomponent;
    case 'R': return d.repetition;
    case 'E': return d.escape;
    case 'P': return d.truncation;
    default:
      return body.charCodeAt(0) === 0x58 /* X */ ? decodeHex(body.slice(1)) : undefined;
  }
}

/**
 * Unescape one leaf value (a subcomponent, or any text with no unescaped delimiters).
 * Guaranteed: never throws; unknown or formatting escapes and an unterminated escape are kept as written.
 */
export function unescapeHl7(text: string, d: Delimiters): string {
  const e = d.escape;
  if (e === '') return text;
  if (text.indexOf(e) < 0) return text;
  let out = '';
  let pos = 0; // text before pos has been copied to out
  let scan = 0;
  for (;;) {
    const start = text.indexOf(e, scan);
    if (start < 0) break;
    const close = text.indexOf(e, start + 1);
    if (close < 0) break; // unterminated: keep the rest as written
    const body = text.slice(start + 1, close);
    const rep = body === '' ? undefined : replacement(body, d);
    if (rep === undefined) {
      // Kept as written (formatting, unknown, or an empty pair whose second char may open the next sequence).
      scan = body === '' ? close : close + 1;
      continue;
    }
    out += text.slice(pos, start) + rep;
    pos = close + 1;
    scan = pos;
  }
  return out + text.slice(pos);
}

/**
 * Escape text for use as one leaf value. Delimiters and the escape character become \F\ \S\ \T\ \R\ \E\
 * (\P\ for a truncation character), CR/LF and other C0 controls except TAB become \Xhh\.
 * Guaranteed: unescapeHl7(escapeHl7(s, d), d) === s for every string s when d has an escape character.
 * Throws Hl7Error UNESCAPABLE_VALUE when d has no escape character and s needs escaping.
 */
export function escapeHl7(text: string, d: Delimiters): string {
  let out = '';
  let pos = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    const code = ch.charCodeAt(0);
    let rep: string | undefined;
    if (code < 0x20 && code !== 0x09) rep = 'X' + code.toString(16).toUpperCase().padStart(2, '0');
    else if (ch === d.field) rep = 'F';
    else if (ch === d.component) rep = 'S';
    else if (ch === d.repetition) rep = 'R';
    else if (ch === d.escape) rep = 'E';
    else if (ch === d.subcomponent) rep = 'T';
    else if (d.truncation !== undefined && ch === d.truncation) rep = 'P';
    if (rep === undefined) continue;
    if (d.escape === '') {
      throw new Hl7Error(Hl7ErrorCode.UNESCAPABLE_VALUE, 'value contains a delimiter or control character but the message has no escape character');
    }
    out += text.slice(pos, i) + d.escape + rep + d.escape;
    pos = i + 1;
  }
  return pos === 0 ? text : out + text.slice(pos);
}
