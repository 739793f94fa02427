/**
 * Message delimiters read from MSH-1 and MSH-2 (HL7 v2.5.1 §2.5.4, v2.7 §2.5.5.2 for the
 * truncation character). Nothing here is ever assumed: every delimiter comes from the header.
 */
import { Hl7Error, Hl7ErrorCode } from './errors.js';

/**
 * The delimiters of one message. A 2-character MSH-2 has no escape character (empty string);
 * a 3-character one has no subcomponent separator (empty string); only a 5-character one has a
 * truncation character.
 */
export interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
  truncation?: string;
}

/** The delimiters recommended by the standard: |^~\& */
export const STANDARD_DELIMITERS: Readonly<Delimiters> = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
});

/** MSH-2 text for a delimiter set (without MSH-1). */
export function encodingCharacters(d: Delimiters): string {
  return d.component + d.repetition + d.escape + d.subcomponent + (d.truncation ?? '');
}

/** A delimiter must be printable ASCII punctuation: not alphanumeric, not space, not control. */
function isUsableDelimiter(code: number): boolean {
  if (code < 0x21 || code > 0x7e) return false;
  if (code >= 0x30 && code <= 0x39) return false;
  if (code >= 0x41 && code <= 0x5a) return false;
  if (code >= 0x61 && code <= 0x7a) return false;
  return true;
}

function describe(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code >= 0x21 && code <= 0x7e ? `"${ch}"` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Result of reading MSH-1/MSH-2: the delimiters, where MSH-2 ends, and repair notes. */
export interface HeaderDelimiters {
  delimiters: Delimiters;
  /** Index in the text just after MSH-2 (at the field separator ending it, or segment end). */
  end: number;
  warnings: string[];
}

/**
 * Read and validate MSH-1/MSH-2 from a text that starts with "MSH".
 * Throws Hl7Error INVALID_FIELD_SEPARATOR or INVALID_ENCODING_CHARACTERS.
 * One repair is made, with a warning: a 5-character MSH-2 whose 3rd and 4th characters are both
 * the escape character ("^~\\&", a common string-escaping bug) is read as the 4 characters "^~\&".
 */
export function readDelimiters(text: string): HeaderDelimiters {
  const fs = text.charAt(3);
  if (fs === '' || fs === '\r' || fs === '\n') {
    throw new Hl7Error(Hl7ErrorCode.INVALID_FIELD_SEPARATOR, 'MSH-1 field separator is missing', msh(1));
  }
  if (!isUsableDelimiter(fs.charCodeAt(0))) {
    throw new Hl7Error(Hl7ErrorCode.INVALID_FIELD_SEPARATOR, `MSH-1 field separator ${describe(fs)} is not printable ASCII punctuation`, msh(1));
  }
  let end = 4;
  while (end < text.length && end < 12) {
    const c = text.charAt(end);
    if (c === fs || c === '\r' || c === '\n') break;
    end++;
  }
  let enc = text.slice(4, end);
  const warnings: string[] = [];
  if (enc.length === 5 && enc[2] === enc[3] && enc[2] !== enc[4]) {
    warnings.push(`MSH-2 "${enc}" has a doubled escape character; read as "${enc.slice(0, 3) + enc.slice(4)}"`);
    enc = enc.slice(0, 3) + enc.slice(4);
  }
  validateEncodingCharacters(enc, fs);
  const [component = '', repetition = '', escape = '', subcomponent = '', truncation] = enc;
  const delimiters: Delimiters = { field: fs, component, repetition, escape, subcomponent };
  if (truncation !== undefined) delimiters.truncation = truncation;
  return { delimiters, end, warnings };
}

/** A module-level function rather than a closure: validateEncodingCharacters runs once per message. */
function invalidEncoding(enc: string, why: string): never {
  throw new Hl7Error(Hl7ErrorCode.INVALID_ENCODING_CHARACTERS, `MSH-2 encoding characters ${JSON.stringify(enc)}: ${why}`, msh(2));
}

function validateEncodingCharacters(enc: string, fs: string): void {
  if (enc.length < 2) invalidEncoding(enc, 'fewer than 2 characters (component and repetition separators are required)');
  if (enc.length > 5) invalidEncoding(enc, 'more than 5 characters');
  for (let i = 0; i < enc.length; i++) {
    const ch = enc.charAt(i);
    if (!isUsableDelimiter(ch.charCodeAt(0))) invalidEncoding(enc, `${describe(ch)} is not printable ASCII punctuation`);
    if (ch === fs) invalidEncoding(enc, `${describe(ch)} is also the field separator`);
    if (enc.indexOf(ch) !== i) invalidEncoding(enc, `${describe(ch)} is used twice`);
  }
}

function msh(field: number): { segment: string; sequence: number; field: number } {
  return { segment: 'MSH', sequence: 1, field };
}

/** True when the delimiter set can write any value: valid, distinct, with escape and subcomponent characters. */
export function isWritableDelimiters(d: Delimiters): boolean {
  const all = [d.field, d.component, d.repetition, d.escape, d.subcomponent, d.truncation ?? ''].filter((c) => c !== '');
  if (d.escape === '' || d.component === '' || d.repetition === '' || d.subcomponent === '') return false;
  return all.every((c, i) => c.length === 1 && isUsableDelimiter(c.charCodeAt(0)) && all.indexOf(c) === i);
}
