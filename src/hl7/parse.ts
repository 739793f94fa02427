/**
 * parseHl7: text -> Hl7Message, validating what every HL7 v2 message must satisfy (HL7 v2.5.1 §2.5-2.6):
 * MSH first with valid delimiters, well-formed segment ids, no control characters, a message type
 * and a known version. One linear pass; no recursion; nothing split below the segment until asked.
 */
import { readDelimiters, type Delimiters } from './delimiters.js';
import { Hl7Error, Hl7ErrorCode } from './errors.js';
import { Hl7Message } from './message.js';
import { Hl7Segment } from './segment.js';
import { isKnownVersion } from './versions.js';

const CR = 13;
const LF = 10;
// C0 controls other than TAB, LF, CR. A single character class: linear, no backtracking.
const CONTROL = /[\x00-\x08\x0B\x0C\x0E-\x1F]/;
const ENVELOPE = new Set(['MSH', 'FHS', 'BHS', 'BTS', 'FTS']);

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Segment id at `pos`, validated: [A-Z][A-Z0-9]{2}, followed by the field separator or the segment end. */
function segmentId(text: string, pos: number, end: number, fs: string, sequence: number): string {
  const a = text.charCodeAt(pos);
  const b = text.charCodeAt(pos + 1);
  const c = text.charCodeAt(pos + 2);
  const ok = pos + 3 <= end && isUpper(a) && (isUpper(b) || isDigit(b)) && (isUpper(c) || isDigit(c)) && (pos + 3 === end || text[pos + 3] === fs);
  if (!ok) {
    const shown = JSON.stringify(text.slice(pos, Math.min(end, pos + 8)));
    throw new Hl7Error(Hl7ErrorCode.INVALID_SEGMENT_ID, `segment ${sequence} starts with ${shown}: a segment id is 3 upper-case letters or digits followed by the field separator`, { segment: text.slice(pos, Math.min(end, pos + 3)), sequence });
  }
  return text.slice(pos, pos + 3);
}

function controlCharacterError(text: string, at: number): Hl7Error {
  // Error path only: find the segment holding `at` and its occurrence number.
  const names: string[] = [];
  let lineStart = 0;
  for (let i = 0; i <= at; i++) {
    const c = text.charCodeAt(i);
    if (c === CR || c === LF) lineStart = i + 1;
    else if (i === lineStart) names.push(text.slice(i, i + 3));
  }
  const name = names[names.length - 1] ?? 'MSH';
  const sequence = names.filter((n) => n === name).length;
  const code = text.charCodeAt(at).toString(16).toUpperCase().padStart(2, '0');
  return new Hl7Error(Hl7ErrorCode.CONTROL_CHARACTER, `control character 0x${code} at offset ${at} (in ${name} segment ${sequence}); only CR, LF and TAB are allowed`, { segment: name, sequence });
}

function splitSegments(text: string, start: number, d: Delimiters): Hl7Segment[] {
  const segs: Hl7Segment[] = [];
  const n = text.length;
  let pos = start;
  let cr = text.indexOf('\r', pos);
  let lf = text.indexOf('\n', pos);
  while (pos < n) {
    if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
    if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
    const end = cr === -1 ? (lf === -1 ? n : lf) : lf === -1 || cr < lf ? cr : lf;
    let next = end;
    while (next < n) {
      const c = text.charCodeAt(next);
      if (c !== CR && c !== LF) break;
      next++;
    }
    const name = segmentId(text, pos, end, d.field, segs.length + 1);
    // Envelope ids all start with M, F or B: test the first code before hashing the id.
    const first = text.charCodeAt(pos);
    if (segs.length > 0 && (first === 0x4d || first === 0x46 || first === 0x42) && ENVELOPE.has(name)) {
      throw new Hl7Error(Hl7ErrorCode.UNEXPECTED_SEGMENT, `${name} at segment ${segs.length + 1}: one message holds one MSH and no batch envelope (split batches first)`, { segment: name, sequence: segs.length + 1 });
    }
    segs.push(new Hl7Segment(name, text.slice(pos, end), text.slice(end, next), d));
    pos = next;
  }
  return segs;
}

function checkHeader(msh: Hl7Segment): void {
  if (msh.get(9, 1, 1).trim() === '') {
    throw new Hl7Error(Hl7ErrorCode.MISSING_MESSAGE_TYPE, 'MSH-9 message type is empty', { segment: 'MSH', sequence: 1, field: 9, component: 1 });
  }
  const version = msh.get(12, 1, 1);
  if (version === '') {
    throw new Hl7Error(Hl7ErrorCode.MISSING_VERSION, 'MSH-12 version id is empty', { segment: 'MSH', sequence: 1, field: 12 });
  }
  if (!isKnownVersion(version)) {
    const shown = version.length > 20 ? version.slice(0, 20) + '...' : version;
    throw new Hl7Error(Hl7ErrorCode.UNSUPPORTED_VERSION, `MSH-12 version ${JSON.stringify(shown)} is not an HL7 v2 version`, { segment: 'MSH', sequence: 1, field: 12 });
  }
}

/**
 * Parse one message from text. Leading CR/LF are tolerated and kept; segment separators may be CR,
 * LF, CRLF or any mixture, and runs of them (blank lines) are kept as the segment's terminator.
 * Guaranteed: parseHl7(t).toString() === t for every t it accepts.
 * Throws Hl7Error (EMPTY_INPUT, MISSING_MSH, INVALID_FIELD_SEPARATOR, INVALID_ENCODING_CHARACTERS,
 * CONTROL_CHARACTER, INVALID_SEGMENT_ID, UNEXPECTED_SEGMENT, MISSING_MESSAGE_TYPE, MISSING_VERSION,
 * UNSUPPORTED_VERSION) with a reason and, where known, the location.
 */
export function parseHl7(text: string): Hl7Message {
  let start = 0;
  while (start < text.length && (text.charCodeAt(start) === CR || text.charCodeAt(start) === LF)) start++;
  if (start === text.length) throw new Hl7Error(Hl7ErrorCode.EMPTY_INPUT, 'no message: the input is empty');
  if (!text.startsWith('MSH', start)) {
    throw new Hl7Error(Hl7ErrorCode.MISSING_MSH, `a message starts with MSH, not ${JSON.stringify(text.slice(start, start + 3))}`, { segment: 'MSH', sequence: 1 });
  }
  const { delimiters, warnings } = readDelimiters(start === 0 ? text.slice(0, 16) : text.slice(start, start + 16));
  const control = CONTROL.exec(text);
  if (control !== null) throw controlCharacterError(text, control.index);
  const segments = splitSegments(text, start, delimiters);
  checkHeader(segments[0] as Hl7Segment);
  return new Hl7Message(delimiters, segments, text.slice(0, start), warnings);
}
