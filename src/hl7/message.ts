/**
 * One parsed HL7 v2 message: its delimiters, segments, and exact serialization.
 */
import type { Delimiters } from './delimiters.js';
import type { Hl7Segment } from './segment.js';
import { parsePath } from './path.js';
import { readLenientHeader, type LenientHeader } from './lenient.js';

/** A parsed message. Instances come from parseHl7/readHl7; they are immutable. */
export class Hl7Message {
  declare readonly delimiters: Delimiters;
  declare readonly segments: readonly Hl7Segment[];
  /** CR/LF characters that preceded the MSH segment (kept for exact serialization). */
  declare readonly leading: string;
  /** Tolerated oddities found while parsing (e.g. a repaired MSH-2). */
  declare readonly warnings: readonly string[];

  constructor(delimiters: Delimiters, segments: readonly Hl7Segment[], leading = '', warnings: readonly string[] = []) {
    this.delimiters = delimiters;
    this.segments = segments;
    this.leading = leading;
    this.warnings = warnings;
  }

  /**
   * Unescaped value at a terser-like path, '' when absent: 'MSH-9.1', 'PID-3[2].4.1', 'OBX[2]-5'.
   * A path without component reads component 1, subcomponent 1 (as HAPI's Terser does).
   * MSH-1 is the field separator, MSH-2 the encoding characters as written.
   * Throws Hl7Error INVALID_PATH only for a malformed path.
   */
  get(path: string): string {
    const p = parsePath(path);
    const seg = this.segment(p.segment, p.occurrence);
    return seg === undefined ? '' : seg.get(p.field, p.repetition, p.component, p.subcomponent);
  }

  /** Raw (still escaped) text of a whole field at a path like 'PID-5' or 'OBX[2]-5'; '' when absent. */
  fieldRaw(path: string): string {
    const p = parsePath(path);
    return this.segment(p.segment, p.occurrence)?.fieldRaw(p.field) ?? '';
  }

  /** The n-th (1-based) segment with this id, or undefined. */
  segment(name: string, occurrence = 1): Hl7Segment | undefined {
    let seen = 0;
    for (const s of this.segments) {
      if (s.name === name && ++seen === occurrence) return s;
    }
    return undefined;
  }

  /** All segments with this id, in message order. */
  segmentsNamed(name: string): Hl7Segment[] {
    return this.segments.filter((s) => s.name === name);
  }

  /** Exact serialization: the parsed text, byte for byte, including each segment's own separator. */
  toString(): string {
    let out = this.leading;
    for (const s of this.segments) out += s.raw + s.terminator;
    return out;
  }

  /** MSH-9 components, unescaped: code (9.1), trigger (9.2), structure (9.3). */
  get messageType(): { code: string; trigger: string; structure: string } {
    const msh = this.segments[0];
    return {
      code: msh?.get(9, 1, 1) ?? '',
      trigger: msh?.get(9, 1, 2) ?? '',
      structure: msh?.get(9, 1, 3) ?? '',
    };
  }

  /** MSH-10, unescaped; '' when empty (accepted). */
  get controlId(): string {
    return this.segments[0]?.get(10) ?? '';
  }

  /** MSH-12.1 version id, e.g. '2.5.1'. */
  get version(): string {
    return this.segments[0]?.get(12) ?? '';
  }

  /** MSH fields needed to address an acknowledgment (see readLenientHeader). */
  get header(): LenientHeader {
    return readLenientHeader(this.segments[0]?.raw ?? '');
  }
}
