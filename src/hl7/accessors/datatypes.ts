/**
 * Composite data types (HL7 v2.5.1 chapter 2A) read from one field repetition, unescaped.
 * Missing components are ''. Components are numbered as in the standard.
 */
import type { Hl7Message } from '../message.js';
import type { Hl7Repetition, Hl7Segment } from '../segment.js';
import { parseHl7Timestamp, type Hl7Timestamp } from '../timestamp.js';

/** Options for reading timestamps without an explicit offset (see parseHl7Timestamp). */
export interface TimeOptions {
  defaultOffsetMinutes?: number;
}

/** The segment to read: the first `name` segment of a message, or the given segment when its id matches. */
export function pick(src: Hl7Message | Hl7Segment, name: string): Hl7Segment | undefined {
  if ('segments' in src) return src.segment(name);
  return src.name === name ? src : undefined;
}

/** Apply a reader to every `name` segment of a message, in order. */
export function readAll<T>(message: Hl7Message, name: string, reader: (s: Hl7Segment) => T | undefined): T[] {
  const out: T[] = [];
  for (const s of message.segmentsNamed(name)) {
    const v = reader(s);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/** Non-empty repetitions of field n. */
export function reps(seg: Hl7Segment, n: number): Hl7Repetition[] {
  return seg.field(n).repetitions.filter((r) => r.raw !== '');
}

/** First repetition of field n (possibly empty). */
export function rep(seg: Hl7Segment, n: number): Hl7Repetition {
  return seg.field(n).repetitions[0] as Hl7Repetition;
}

export function ts(r: Hl7Repetition, comp: number, opts?: TimeOptions): Hl7Timestamp | undefined {
  const t = r.get(comp);
  return t === '' ? undefined : parseHl7Timestamp(t, opts);
}

/** HD: hierarchic designator. */
export interface Hd { namespaceId: string; universalId: string; universalIdType: string }
export function hd(r: Hl7Repetition, comp?: number): Hd {
  if (comp === undefined) return { namespaceId: r.get(1), universalId: r.get(2), universalIdType: r.get(3) };
  return { namespaceId: r.get(comp, 1), universalId: r.get(comp, 2), universalIdType: r.get(comp, 3) };
}

/** CE/CWE/CNE: coded element. */
export interface Cwe { identifier: string; text: string; codingSystem: string; alternateIdentifier: string; alternateText: string; alternateCodingSystem: string }
export function cwe(r: Hl7Repetition): Cwe {
  return { identifier: r.get(1), text: r.get(2), codingSystem: r.get(3), alternateIdentifier: r.get(4), alternateText: r.get(5), alternateCodingSystem: r.get(6) };
}

/** CX: extended composite id (assigning authority/facility: their namespace id, and universal id). */
export interface Cx { id: string; checkDigit: string; assigningAuthority: string; assigningAuthorityUniversalId: string; identifierType: string; assigningFacility: string }
export function cx(r: Hl7Repetition): Cx {
  return { id: r.get(1), checkDigit: r.get(2), assigningAuthority: r.get(4, 1), assigningAuthorityUniversalId: r.get(4, 2), identifierType: r.get(5), assigningFacility: r.get(6, 1) };
}

/** XPN: person name (family = FN.1 surname). */
export interface Xpn { family: string; given: string; middle: string; suffix: string; prefix: string; degree: string; type: string }
export function xpn(r: Hl7Repetition): Xpn {
  return { family: r.get(1, 1), given: r.get(2), middle: r.get(3), suffix: r.get(4), prefix: r.get(5), degree: r.get(6), type: r.get(7) };
}

/** XCN: person id and name (family = XCN.2 FN.1). */
export interface Xcn extends Xpn { id: string; assigningAuthority: string }
export function xcn(r: Hl7Repetition): Xcn {
  return { id: r.get(1), family: r.get(2, 1), given: r.get(3), middle: r.get(4), suffix: r.get(5), prefix: r.get(6), degree: r.get(7), type: r.get(10), assigningAuthority: r.get(9, 1) };
}

/** XAD: address (street = SAD.1). */
export interface Xad { street: string; other: string; city: string; state: string; postalCode: string; country: string; type: string; county: string }
export function xad(r: Hl7Repetition): Xad {
  return { street: r.get(1, 1), other: r.get(2), city: r.get(3), state: r.get(4), postalCode: r.get(5), country: r.get(6), type: r.get(7), county: r.get(9) };
}

/** XTN: telecommunication number. `number` is XTN.1 when valued, else built from XTN.5-8. */
export interface Xtn { number: string; use: string; equipment: string; email: string; countryCode: string; areaCode: string; localNumber: string; extension: string }
export function xtn(r: Hl7Repetition): Xtn {
  const parts = { use: r.get(2), equipment: r.get(3), email: r.get(4), countryCode: r.get(5), areaCode: r.get(6), localNumber: r.get(7), extension: r.get(8) };
  const built = [parts.countryCode && `+${parts.countryCode}`, parts.areaCode && `(${parts.areaCode})`, parts.localNumber, parts.extension && `x${parts.extension}`].filter((s) => s !== '').join(' ');
  return { number: r.get(1) || built, ...parts };
}

/** PL: person location (facility = HD.1). */
export interface Pl { pointOfCare: string; room: string; bed: string; facility: string; status: string; locationType: string; building: string; floor: string; description: string }
export function pl(r: Hl7Repetition): Pl {
  return { pointOfCare: r.get(1), room: r.get(2), bed: r.get(3), facility: r.get(4, 1), status: r.get(5), locationType: r.get(6), building: r.get(7), floor: r.get(8), description: r.get(9) };
}

/** EI: entity identifier. */
export interface Ei { entityId: string; namespaceId: string; universalId: string; universalIdType: string }
export function ei(r: Hl7Repetition): Ei {
  return { entityId: r.get(1), namespaceId: r.get(2), universalId: r.get(3), universalIdType: r.get(4) };
}

/** XON: organization name. */
export interface Xon { name: string; id: string; assigningAuthority: string; identifier: string }
export function xon(r: Hl7Repetition): Xon {
  return { name: r.get(1), id: r.get(3), assigningAuthority: r.get(6, 1), identifier: r.get(10) };
}
