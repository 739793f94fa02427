/**
 * Control segments: MSH (HL7 v2.5.1 §2.14.9), EVN (§3.4.1), MSA (§2.14.8), ERR (§2.14.5).
 */
import type { Hl7Message } from '../message.js';
import type { Hl7Segment } from '../segment.js';
import type { Hl7Timestamp } from '../timestamp.js';
import { cwe, hd, pick, rep, reps, ts, xcn, type Cwe, type Hd, type TimeOptions, type Xcn } from './datatypes.js';

export interface Msh {
  fieldSeparator: string;
  encodingCharacters: string;
  sendingApplication: Hd;
  sendingFacility: Hd;
  receivingApplication: Hd;
  receivingFacility: Hd;
  dateTime: Hl7Timestamp | undefined;
  security: string;
  messageType: { code: string; trigger: string; structure: string };
  controlId: string;
  processingId: { id: string; mode: string };
  version: string;
  sequenceNumber: string;
  continuationPointer: string;
  acceptAckType: string;
  applicationAckType: string;
  countryCode: string;
  /** MSH-18 repetitions (the first is the message's default charset). */
  charsets: string[];
  principalLanguage: Cwe;
  /** MSH-21 message profile identifiers (EI.1). */
  profiles: string[];
}

/** MSH of a message (or an MSH segment), unescaped. */
export function readMsh(src: Hl7Message | Hl7Segment, opts?: TimeOptions): Msh | undefined {
  const s = pick(src, 'MSH');
  if (s === undefined) return undefined;
  const t = rep(s, 9);
  return {
    fieldSeparator: s.fieldRaw(1),
    encodingCharacters: s.fieldRaw(2),
    sendingApplication: hd(rep(s, 3)),
    sendingFacility: hd(rep(s, 4)),
    receivingApplication: hd(rep(s, 5)),
    receivingFacility: hd(rep(s, 6)),
    dateTime: ts(rep(s, 7), 1, opts),
    security: s.get(8),
    messageType: { code: t.get(1), trigger: t.get(2), structure: t.get(3) },
    controlId: s.get(10),
    processingId: { id: s.get(11, 1, 1), mode: s.get(11, 1, 2) },
    version: s.get(12),
    sequenceNumber: s.get(13),
    continuationPointer: s.get(14),
    acceptAckType: s.get(15),
    applicationAckType: s.get(16),
    countryCode: s.get(17),
    charsets: reps(s, 18).map((r) => r.get(1)),
    principalLanguage: cwe(rep(s, 19)),
    profiles: reps(s, 21).map((r) => r.get(1)),
  };
}

export interface Evn {
  eventTypeCode: string;
  recordedTime: Hl7Timestamp | undefined;
  plannedTime: Hl7Timestamp | undefined;
  reasonCode: string;
  operators: Xcn[];
  occurredTime: Hl7Timestamp | undefined;
  facility: Hd;
}

/** EVN, unescaped. */
export function readEvn(src: Hl7Message | Hl7Segment, opts?: TimeOptions): Evn | undefined {
  const s = pick(src, 'EVN');
  if (s === undefined) return undefined;
  return {
    eventTypeCode: s.get(1),
    recordedTime: ts(rep(s, 2), 1, opts),
    plannedTime: ts(rep(s, 3), 1, opts),
    reasonCode: s.get(4),
    operators: reps(s, 5).map(xcn),
    occurredTime: ts(rep(s, 6), 1, opts),
    facility: hd(rep(s, 7)),
  };
}

export interface Msa {
  /** AA, AE, AR, CA, CE or CR. */
  code: string;
  /** The acknowledged message's MSH-10. */
  controlId: string;
  textMessage: string;
  expectedSequenceNumber: string;
  /** MSA-6 (before v2.5). */
  errorCondition: Cwe;
}

/** MSA, unescaped. */
export function readMsa(src: Hl7Message | Hl7Segment): Msa | undefined {
  const s = pick(src, 'MSA');
  if (s === undefined) return undefined;
  return { code: s.get(1), controlId: s.get(2), textMessage: s.get(3), expectedSequenceNumber: s.get(4), errorCondition: cwe(rep(s, 6)) };
}

export interface ErrLocation { segment: string; sequence: string; field: string; fieldRepetition: string; component: string; subcomponent: string }

export interface Err {
  /** ERR-2 (v2.5+), or the locations of ERR-1 (before v2.5). */
  locations: ErrLocation[];
  /** ERR-3 (v2.5+), or ERR-1.4 (before v2.5), usually table 0357. */
  code: Cwe;
  /** ERR-4: E, W, I or F; '' before v2.5. */
  severity: string;
  diagnostic: string;
  userMessage: string;
}

/** ERR in either form: v2.5+ (ERR-2..8) or older (ERR-1 ELD: segment^sequence^field^code&text&system). */
export function readErr(src: Hl7Message | Hl7Segment): Err | undefined {
  const s = pick(src, 'ERR');
  if (s === undefined) return undefined;
  const modern = s.fieldRaw(3) !== '' || s.fieldRaw(2) !== '';
  if (modern) {
    return {
      locations: reps(s, 2).map((r) => ({ segment: r.get(1), sequence: r.get(2), field: r.get(3), fieldRepetition: r.get(4), component: r.get(5), subcomponent: r.get(6) })),
      code: cwe(rep(s, 3)),
      severity: s.get(4),
      diagnostic: s.get(7),
      userMessage: s.get(8),
    };
  }
  const legacy = reps(s, 1);
  const first = legacy[0];
  return {
    locations: legacy.map((r) => ({ segment: r.get(1), sequence: r.get(2), field: r.get(3), fieldRepetition: '', component: '', subcomponent: '' })),
    code: first === undefined ? cwe(rep(s, 3)) : { identifier: first.get(4, 1), text: first.get(4, 2), codingSystem: first.get(4, 3), alternateIdentifier: '', alternateText: '', alternateCodingSystem: '' },
    severity: '',
    diagnostic: '',
    userMessage: '',
  };
}
