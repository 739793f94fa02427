/**
 * Segment model: segment -> fields -> repetitions -> components -> subcomponents (HL7 v2.5.1 §2.5-2.6).
 * Raw text is kept at every level so serialization is exact; structure below the segment is split
 * lazily, on first access, and cached.
 */
import type { Delimiters } from './delimiters.js';
import { unescapeHl7 } from './escape.js';

const NO_STRINGS: readonly string[] = Object.freeze([]);

/** `text.split(sep)`, without the scan-and-allocate of split when sep does not occur (the usual case). */
function splitOn(text: string, sep: string): string[] {
  return text.indexOf(sep) < 0 ? [text] : text.split(sep);
}

/** One repetition of a field: its components (raw text) and their subcomponents. */
export class Hl7Repetition {
  readonly raw: string;
  private readonly d: Delimiters;
  private comps: readonly string[] | undefined;

  constructor(raw: string, delimiters: Delimiters) {
    this.raw = raw;
    this.d = delimiters;
  }

  /** Raw text of each component (at least one, possibly ''). */
  get components(): readonly string[] {
    return (this.comps ??= splitOn(this.raw, this.d.component));
  }

  /** Raw text of each subcomponent of component n (1-based); [] when the component is absent. */
  subcomponents(n: number): readonly string[] {
    const c = this.components[n - 1];
    if (c === undefined) return NO_STRINGS;
    return this.d.subcomponent === '' ? [c] : splitOn(c, this.d.subcomponent);
  }

  /** Unescaped subcomponent `sub` of component `comp` (1-based), '' when absent. */
  get(comp = 1, sub = 1): string {
    const raw = this.subcomponents(comp)[sub - 1];
    return raw === undefined ? '' : unescapeHl7(raw, this.d);
  }
}

/** One field: raw text and its repetitions. */
export class Hl7Field {
  readonly raw: string;
  private readonly d: Delimiters;
  private reps: readonly Hl7Repetition[] | undefined;

  constructor(raw: string, delimiters: Delimiters) {
    this.raw = raw;
    this.d = delimiters;
  }

  /** The repetitions (at least one, possibly empty). */
  get repetitions(): readonly Hl7Repetition[] {
    if (this.reps === undefined) {
      // Most fields have one repetition: skip the split (and its array) then.
      if (this.raw.indexOf(this.d.repetition) < 0) return (this.reps = [new Hl7Repetition(this.raw, this.d)]);
      const parts = this.raw.split(this.d.repetition);
      const reps: Hl7Repetition[] = new Array(parts.length);
      for (let i = 0; i < parts.length; i++) reps[i] = new Hl7Repetition(parts[i] as string, this.d);
      this.reps = reps;
    }
    return this.reps;
  }

  /** Unescaped value at repetition/component/subcomponent (1-based), '' when absent. */
  get(rep = 1, comp = 1, sub = 1): string {
    const r = this.repetitions[rep - 1];
    return r === undefined ? '' : r.get(comp, sub);
  }
}

/**
 * One segment. Field numbers are HL7 sequence numbers: for MSH, field 1 is the field separator and
 * field 2 the encoding characters (neither is split further); for other segments field 1 follows the id.
 */
export class Hl7Segment {
  /** Segment id, e.g. "PID". */
  readonly name: string;
  /** Segment text without its separator. */
  readonly raw: string;
  /** The exact separator run that followed the segment (CR, LF, CRLF, blank lines...); '' at the end. */
  readonly terminator: string;
  readonly delimiters: Delimiters;
  private parts: string[] | undefined;
  private fieldCache: (Hl7Field | undefined)[] | undefined;

  constructor(name: string, raw: string, terminator: string, delimiters: Delimiters) {
    this.name = name;
    this.raw = raw;
    this.terminator = terminator;
    this.delimiters = delimiters;
  }

  private split(): string[] {
    return (this.parts ??= this.raw.split(this.delimiters.field));
  }

  private index(n: number): number {
    return this.name === 'MSH' ? n - 1 : n;
  }

  /** Number of the last field present (trailing empty fields included, as written). */
  get fieldCount(): number {
    const n = this.split().length - 1;
    return this.name === 'MSH' ? n + 1 : n;
  }

  /** Raw text of field n (1-based), '' when absent. MSH-1 is the field separator. */
  fieldRaw(n: number): string {
    if (n < 1) return '';
    if (n === 1 && this.name === 'MSH') return this.delimiters.field;
    return this.split()[this.index(n)] ?? '';
  }

  /** Structured field n (1-based); an empty field when absent. MSH-1 and MSH-2 are single values. */
  field(n: number): Hl7Field {
    const cache = (this.fieldCache ??= []);
    let f = cache[n];
    if (f === undefined) {
      const raw = this.fieldRaw(n);
      const literal = this.name === 'MSH' && (n === 1 || n === 2);
      f = new Hl7Field(raw, literal ? LITERAL_DELIMITERS : this.delimiters);
      cache[n] = f;
    }
    return f;
  }

  /** Unescaped value of field/repetition/component/subcomponent (1-based), '' when absent. */
  get(field: number, rep = 1, comp = 1, sub = 1): string {
    if (this.name === 'MSH' && (field === 1 || field === 2)) {
      return rep === 1 && comp === 1 && sub === 1 ? this.fieldRaw(field) : '';
    }
    return this.field(field).get(rep, comp, sub);
  }

  /** The segment text as received (without separator). */
  toString(): string {
    return this.raw;
  }
}

/** Delimiters that never occur in MSH-1/MSH-2 text, so those fields stay whole. */
const LITERAL_DELIMITERS: Delimiters = Object.freeze({
  field: '\u0000',
  component: '\u0000',
  repetition: '\u0000',
  escape: '',
  subcomponent: '',
});
