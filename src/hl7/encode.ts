/**
 * Writing segments from values: the inverse of the segment model. Every leaf is escaped
 * (HL7 v2.5.1 §2.7), so any text survives a write/parse round trip.
 */
import { encodingCharacters, type Delimiters } from './delimiters.js';
import { escapeHl7 } from './escape.js';

/** A component: one text, or its subcomponents. */
export type ComponentValue = string | readonly string[];
/** A repetition: one text, or its components. */
export type RepetitionValue = string | readonly ComponentValue[];
/** Already-encoded text, written as is (it must use the same delimiters). */
export interface RawValue {
  raw: string;
}
/** A field: one text, already-encoded text, or its repetitions (each a text or components). */
export type FieldValue = string | RawValue | readonly RepetitionValue[];

/** Segment to write: id and fields from sequence 1 (for MSH, from MSH-3: MSH-1/MSH-2 come from the delimiters). */
export interface SegmentValue {
  name: string;
  fields: readonly FieldValue[];
}

function component(v: ComponentValue, d: Delimiters): string {
  if (typeof v === 'string') return escapeHl7(v, d);
  return v.map((s) => escapeHl7(s, d)).join(d.subcomponent);
}

function repetition(v: RepetitionValue, d: Delimiters): string {
  if (typeof v === 'string') return escapeHl7(v, d);
  return v.map((c) => component(c, d)).join(d.component);
}

/**
 * Encode one field value. A string is one escaped value; arrays give repetitions -> components ->
 * subcomponents. Nothing is trimmed: the structure is written exactly as given. With a 3-character
 * MSH-2 (no subcomponent separator) a component must be given as a single string.
 */
export function encodeField(v: FieldValue, d: Delimiters): string {
  if (typeof v === 'string') return escapeHl7(v, d);
  if (!Array.isArray(v)) return (v as RawValue).raw;
  return (v as readonly RepetitionValue[]).map((r) => repetition(r, d)).join(d.repetition);
}

/** Encode one segment (without separator). */
export function encodeSegment(seg: SegmentValue, d: Delimiters): string {
  const head = seg.name === 'MSH' ? 'MSH' + d.field + encodingCharacters(d) : seg.name;
  let out = head;
  for (const f of seg.fields) out += d.field + encodeField(f, d);
  return out;
}

/** Encode a message; each segment is followed by `separator` (CR by default, HL7 v2.5.1 §2.5.1). */
export function encodeMessage(segments: readonly SegmentValue[], d: Delimiters, separator = '\r'): string {
  let out = '';
  for (const s of segments) out += encodeSegment(s, d) + separator;
  return out;
}

/** Drop trailing empty items (for tidy output: "A^B" rather than "A^B^^"). */
export function trimTrailing<T>(items: readonly T[], isEmpty: (t: T) => boolean): T[] {
  let n = items.length;
  while (n > 0 && isEmpty(items[n - 1] as T)) n--;
  return items.slice(0, n);
}
