/**
 * Acknowledgments (HL7 v2.5.1 §2.9 and §2.14.1 MSA, §2.14.5 ERR): ACK building and the
 * enhanced-mode decision whether to send one at all.
 */
import { isWritableDelimiters, readDelimiters, STANDARD_DELIMITERS, type Delimiters } from './delimiters.js';
import { encodeField, encodeMessage, trimTrailing, type FieldValue, type SegmentValue } from './encode.js';
import { TABLE_0357, type Hl7ErrorCodeNumber } from './errors.js';
import { escapeHl7 } from './escape.js';
import { guessComponentSeparator, type LenientHeader } from './lenient.js';
import { formatHl7Timestamp } from './timestamp.js';
import { compareVersion, isKnownVersion } from './versions.js';

/** One ERR segment. `code` is from HL7 table 0357. */
export interface AckError {
  code: Hl7ErrorCodeNumber;
  severity: 'E' | 'W' | 'I' | 'F';
  text: string;
  location?: { segment: string; sequence?: number; field?: number; component?: number };
}

export interface AckInput {
  /** The received message's header (parsed or lenient). */
  original: LenientHeader;
  /** AA/AE/AR; sent as CA/CE/CR when the original asked for enhanced mode, unless ackKind is 'application'. */
  code: 'AA' | 'AE' | 'AR';
  /** MSH-10 of the ACK itself. */
  controlId: string;
  /** MSH-7. */
  now: Date;
  /** Offset (minutes east of UTC) MSH-7 is written in; default 0 (+0000). */
  offsetMinutes?: number;
  /** MSA-3, written for versions before 2.7 (withdrawn after); for versions before 2.5 it defaults to the first error's text. */
  textMessage?: string;
  errors?: AckError[];
  /** Our identity for MSH-3/MSH-4 ('^' separates components); default: the original's MSH-5/MSH-6. */
  sendingApplication?: string;
  sendingFacility?: string;
  /** 'accept' (default): the transport-level ACK; 'application': an application ACK (AA/AE/AR kept). */
  ackKind?: 'accept' | 'application';
}

/** Enhanced acknowledgment mode: MSH-15 or MSH-16 is valued (HL7 v2.5.1 §2.9.3). */
export function isEnhancedMode(original: LenientHeader): boolean {
  return original.acceptAckType.trim() !== '' || original.applicationAckType.trim() !== '';
}

/**
 * Whether an accept ACK must be sent: always in original mode; in enhanced mode per MSH-15
 * (table 0155): AL always, NE never, ER only when code is not AA, SU only when it is AA.
 * An empty or unknown MSH-15 in enhanced mode counts as AL.
 */
export function shouldSendAccept(original: LenientHeader, code: 'AA' | 'AE' | 'AR'): boolean {
  if (!isEnhancedMode(original)) return true;
  switch (original.acceptAckType.trim().toUpperCase()) {
    case 'NE': return false;
    case 'ER': return code !== 'AA';
    case 'SU': return code === 'AA';
    default: return true;
  }
}

/** The original's delimiters when valid and writable (escape character present), else |^~\&. */
function ackDelimiters(h: LenientHeader): { d: Delimiters; echoed: boolean } {
  try {
    const { delimiters } = readDelimiters('MSH' + h.fieldSeparator + h.encodingCharacters + h.fieldSeparator);
    if (isWritableDelimiters(delimiters)) return { d: delimiters, echoed: true };
  } catch {
    // invalid delimiters: fall back to the standard set
  }
  return { d: { ...STANDARD_DELIMITERS }, echoed: false };
}

/** A value copied from the original header: raw when delimiters are echoed, else re-encoded per component. */
function copied(raw: string, h: LenientHeader, echoed: boolean, d: Delimiters): FieldValue {
  if (echoed) return { raw };
  const cs = guessComponentSeparator(h.encodingCharacters, h.fieldSeparator);
  return { raw: raw.split(cs).map((c) => escapeHl7(c, d)).join(d.component) };
}

/** Our own identity text: '^' separates components, everything else is escaped. */
function own(text: string, d: Delimiters): FieldValue {
  return { raw: text.split('^').map((c) => escapeHl7(c, d)).join(d.component) };
}

const isEmpty = (v: FieldValue): boolean => v === '' || (typeof v === 'object' && 'raw' in v && v.raw === '');

function errSegment(e: AckError, version: string, d: Delimiters): SegmentValue {
  const text = TABLE_0357[e.code] ?? '';
  const loc = e.location;
  const where = [loc?.segment ?? '', loc ? String(loc.sequence ?? 1) : '', loc?.field !== undefined ? String(loc.field) : ''];
  if (compareVersion(version, '2.5') < 0) {
    // v2.1-2.4 ERR-1 (ELD/CM): segment^sequence^field^code&text&HL70357
    return { name: 'ERR', fields: [[[...where, [String(e.code), text, 'HL70357']]]] };
  }
  // v2.5+: ERR-2 location (ERL), ERR-3 code (CWE), ERR-4 severity, ERR-8 user message
  const erl = loc === undefined ? '' : [trimTrailing([...where, loc.field !== undefined ? '1' : '', loc.component !== undefined ? String(loc.component) : ''], (s) => s === '')];
  return { name: 'ERR', fields: ['', { raw: erl === '' ? '' : encodeField(erl, d) }, [[String(e.code), text, 'HL70357']], e.severity, '', '', '', e.text] };
}

/**
 * Build an ACK for a received message. Guaranteed: MSH-3/4 and MSH-5/6 swapped from the original
 * (MSH-3/4 overridable), MSH-9 ACK^<trigger>^ACK (ACK^<trigger> before v2.3.1), MSH-10 = controlId,
 * MSH-11 echoed (P when empty), MSH-12 echoed when a known version (else 2.5.1), MSH-18 echoed,
 * the original delimiters when valid (else |^~\&), MSA-2 = original MSH-10, one ERR per error in the
 * version's form, all text escaped, CR after every segment. Never throws.
 */
export function buildAck(input: AckInput): string {
  const h = input.original;
  const { d, echoed } = ackDelimiters(h);
  const version = isKnownVersion(h.version) ? h.version : '2.5.1';
  const enhanced = isEnhancedMode(h) && input.ackKind !== 'application';
  const code = enhanced ? (('C' + input.code.slice(1)) as 'CA' | 'CE' | 'CR') : input.code;
  const trigger = copied(h.triggerEvent, h, echoed, d);
  const typeParts = ['ACK', encodeField(trigger, d)];
  if (compareVersion(version, '2.3.1') >= 0) typeParts.push('ACK'); // MSH-9.3 structure exists from v2.3.1
  const type: FieldValue = { raw: trimTrailing(typeParts, (s) => s === '').join(d.component) };
  const processing = h.processingId.trim() === '' ? 'P' : copied(h.processingId, h, echoed, d);
  const msh: FieldValue[] = [
    input.sendingApplication !== undefined ? own(input.sendingApplication, d) : copied(h.receivingApplication, h, echoed, d),
    input.sendingFacility !== undefined ? own(input.sendingFacility, d) : copied(h.receivingFacility, h, echoed, d),
    copied(h.sendingApplication, h, echoed, d),
    copied(h.sendingFacility, h, echoed, d),
    formatHl7Timestamp(input.now, input.offsetMinutes ?? 0),
    '',
    type,
    input.controlId,
    processing,
    version,
    '', '', '', '', '',
    copied(h.charset, h, echoed, d),
  ];
  const errors = input.errors ?? [];
  const legacyText = compareVersion(version, '2.5') < 0 ? errors[0]?.text : undefined;
  const msaText = compareVersion(version, '2.7') < 0 ? (input.textMessage ?? legacyText ?? '') : '';
  const segments: SegmentValue[] = [
    { name: 'MSH', fields: trimTrailing(msh, isEmpty) },
    { name: 'MSA', fields: trimTrailing([code, copied(h.controlId, h, echoed, d), msaText], isEmpty) },
    ...errors.map((e) => errSegment(e, version, d)),
  ];
  return encodeMessage(segments, d);
}
