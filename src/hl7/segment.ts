/**
 * Segment model: segment -> fields -> repetitions -> components -> subcomponents (HL7 v2.5.1 §2.5-2.6).
 * Raw text is kept at every level so serialization is exact; structure below the segment is split
 * lazily, on first access, and cached.
 */
import { STANDARD_DELIMITERS, type Delimiters } from './delimiters.js';
import { unescapeHl7 } from './escape.js';

const NO_STRINGS: readonly string[] = Object.freeze([]);

/**
 * `text.split(sep)` for a one-character separator, as an indexOf/slice scan: String.prototype.split
 * with a non-empty separator goes through a runtime call, which costs more than the scan for the few
 * pieces a field or component has. No scan-and-allocate beyond `[text]` when sep does not occur.
 */
function splitOn(text: string, sep: string): string[] {
  let at = text.indexOf(sep);
  if (at < 0) return [text];
  if (sep.length !== 1) return text.split(sep);
  const out: string[] = [];
  let from = 0;
  do {
    out.push(at === from ? '' : text.slice(from, at));
    from = at + 1;
    at = text.indexOf(sep, from);
  } while (at >= 0);
  out.push(text.slice(from));
  return out;
}

/** One repetition of a field: its components (raw text) and their subcomponents. */
export class Hl7Repetition {
  // `declare`d fields are set by the constructor alone (no class-field definitions to run first).
  declare readonly raw: string;
  private declare readonly d: Delimiters;
  private declare comps: readonly string[] | undefined;

  constructor(raw: string, delimiters: Delimiters) {
    this.raw = raw;
    this.d = delimiters;
    this.comps = undefined;
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
  declare readonly raw: string;
  private declare readonly d: Delimiters;
  private declare reps: readonly Hl7Repetition[] | undefined;

  constructor(raw: string, delimiters: Delimiters) {
    this.raw = raw;
    this.d = delimiters;
    this.reps = undefined;
  }

  /** @internal The shared empty field (see EMPTY_FIELD). */
  static empty(): Hl7Field {
    const f = new Hl7Field('', STANDARD_DELIMITERS);
    for (const r of f.repetitions) void r.components;
    return f;
  }

  /** The repetitions (at least one, possibly empty). */
  get repetitions(): readonly Hl7Repetition[] {
    let reps = this.reps;
    if (reps === undefined) {
      const raw = this.raw;
      const d = this.d;
      if (raw.indexOf(d.repetition) < 0) {
        // Most fields have one repetition: no split, no intermediate array.
        reps = [new Hl7Repetition(raw, d)];
      } else {
        const parts = splitOn(raw, d.repetition);
        const list: Hl7Repetition[] = [];
        for (let i = 0; i < parts.length; i++) list.push(new Hl7Repetition(parts[i] as string, d));
        reps = list;
      }
      this.reps = reps;
    }
    return reps;
  }

  /** Unescaped value at repetition/component/subcomponent (1-based), '' when absent. */
  get(rep = 1, comp = 1, sub = 1): string {
    const r = this.repetitions[rep - 1];
    return r === undefined ? '' : r.get(comp, sub);
  }
}

/** Set a field's repetitions to the one repetition holding all of it (caller knows there is no separator). */
function oneRepetition(f: Hl7Field): void {
  const g = f as unknown as { raw: string; d: Delimiters; reps: readonly Hl7Repetition[] | undefined };
  g.reps = [new Hl7Repetition(g.raw, g.d)];
}

/**
 * One segment. Field numbers are HL7 sequence numbers: for MSH, field 1 is the field separator and
 * field 2 the encoding characters (neither is split further); for other segments field 1 follows the id.
 */
export class Hl7Segment {
  /** Segment id, e.g. "PID". */
  declare readonly name: string;
  /** Segment text without its separator. */
  declare readonly raw: string;
  /** The exact separator run that followed the segment (CR, LF, CRLF, blank lines...); '' at the end. */
  declare readonly terminator: string;
  declare readonly delimiters: Delimiters;
  /** name === 'MSH', computed once (the name is a slice of the message, so comparing it is not free). */
  private declare readonly msh: boolean;
  private declare parts: string[] | undefined;
  /** Whether the segment text holds the repetition separator at all (checked once, on first field()). */
  private declare repeats: boolean | undefined;
  private declare fieldCache: (Hl7Field | undefined)[] | undefined;

  constructor(name: string, raw: string, terminator: string, delimiters: Delimiters) {
    this.name = name;
    this.raw = raw;
    this.terminator = terminator;
    this.delimiters = delimiters;
    this.msh = name === 'MSH';
    this.parts = undefined;
    this.repeats = undefined;
    this.fieldCache = undefined;
  }

  private split(): string[] {
    return (this.parts ??= splitOn(this.raw, this.delimiters.field));
  }

  /** Number of the last field present (trailing empty fields included, as written). */
  get fieldCount(): number {
    const n = this.split().length - 1;
    return this.msh ? n + 1 : n;
  }

  /** Raw text of field n (1-based), '' when absent. MSH-1 is the field separator. */
  fieldRaw(n: number): string {
    if (n < 1) return '';
    if (this.msh) return n === 1 ? this.delimiters.field : this.split()[n - 1] ?? '';
    return this.split()[n] ?? '';
  }

  /** Structured field n (1-based); an empty field when absent. MSH-1 and MSH-2 are single values. */
  field(n: number): Hl7Field {
    let cache = this.fieldCache;
    if (cache === undefined) {
      // One slot per field present (index = field number); absent fields extend it as needed.
      cache = this.fieldCache = new Array<Hl7Field | undefined>(this.split().length + 1);
    }
    let f = cache[n];
    if (f === undefined) {
      const raw = this.fieldRaw(n);
      // Most fields of a message are empty; an empty field reads the same under any delimiters.
      if (raw === '') return EMPTY_FIELD;
      const literal = this.msh && (n === 1 || n === 2);
      f = new Hl7Field(raw, literal ? LITERAL_DELIMITERS : this.delimiters);
      // No repetition separator anywhere in the segment: every field is one repetition, known
      // without looking at the field (one scan per segment instead of one per field).
      if (!(this.repeats ??= this.raw.indexOf(this.delimiters.repetition) >= 0)) oneRepetition(f);
      cache[n] = f;
    }
    return f;
  }

  /** Unescaped value of field/repetition/component/subcomponent (1-based), '' when absent. */
  get(field: number, rep = 1, comp = 1, sub = 1): string {
    if (this.msh && (field === 1 || field === 2)) {
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

/**
 * The one empty field (raw ''), shared: one empty repetition with one empty component, under any
 * delimiters. Its arrays are frozen, so sharing it cannot leak a change from one message to another.
 */
const EMPTY_FIELD: Hl7Field = Hl7Field.empty();
