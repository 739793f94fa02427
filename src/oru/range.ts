/**
 * Reference ranges (OBX-7, HL7 v2.5.1 §7.4.2.7: "lower limit-upper limit", "> lower limit",
 * "< upper limit", or text) and the out-of-range reading of a numeric value. Pure.
 *
 * `outOfRange` is a separate reading from the interpretation: it never becomes an abnormal flag
 * (a sender that leaves OBX-8 empty has not called the value abnormal), but rules and displays may
 * show it ("outside the stated range, not flagged").
 */

/** One end of a range. */
export interface Bound {
  value: number;
  inclusive: boolean;
}

export interface ReferenceRange {
  low: Bound | null;
  high: Bound | null;
}

/** SN comparators (HL7 v2.5.1 §2.A.71 SN.1) as stored. */
export type Comparator = '<' | '<=' | '>' | '>=' | '<>';

const NUM = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)`;
// Single pass, no nested quantifiers over the same characters: linear.
const BETWEEN = new RegExp(String.raw`^(${NUM})\s*(?:-|–|—|to|\.\.)\s*(${NUM})$`, 'i');
const ONE_SIDED = new RegExp(String.raw`^(<=|>=|≤|≥|<|>)\s*(${NUM})$`);

/**
 * Parse OBX-7. Accepted: "3.5-5.1", "-3-3", "3.5 - 5.1", "3.5 to 5.1", "<5", "<=5", ">60", ">= 60",
 * "≤5"; wrapped in parentheses ("(<1.0)"); followed by unit-like words without digits
 * ("<0.50 IU/mL", "<130 optimal"). Anything else (several ranges, "Negative", low > high) is null.
 */
export function parseReferenceRange(text: string | null | undefined): ReferenceRange | null {
  if (!text) return null;
  let t = text.trim();
  if (t.length > 200) return null;
  const paren = /^\(([^()]*)\)(.*)$/.exec(t);
  if (paren) t = `${paren[1] ?? ''} ${paren[2] ?? ''}`.trim();
  // Drop a trailing word part (units, "optimal") when it carries no digits.
  const tail = /^(.*?\d\.?)\s+([^\d]+)$/.exec(t);
  if (tail) t = (tail[1] ?? '').trim();
  t = t.replace(/\s+/g, ' ');
  const between = BETWEEN.exec(t);
  if (between) {
    const low = Number(between[1]);
    const high = Number(between[2]);
    if (!(low <= high)) return null;
    return { low: { value: low, inclusive: true }, high: { value: high, inclusive: true } };
  }
  const one = ONE_SIDED.exec(t);
  if (one) {
    const op = one[1] as string;
    const value = Number(one[2]);
    const inclusive = op === '<=' || op === '>=' || op === '≤' || op === '≥';
    return op.startsWith('<') || op === '≤' ? { low: null, high: { value, inclusive } } : { low: { value, inclusive }, high: null };
  }
  return null;
}

/** The set of true values a reported value stands for: "<5" is (-inf, 5). */
interface Interval {
  lo: number;
  loIn: boolean;
  hi: number;
  hiIn: boolean;
}

function valueInterval(num: number, comparator: Comparator | null): Interval | null {
  switch (comparator) {
    case null: return { lo: num, loIn: true, hi: num, hiIn: true };
    case '<': return { lo: -Infinity, loIn: false, hi: num, hiIn: false };
    case '<=': return { lo: -Infinity, loIn: false, hi: num, hiIn: true };
    case '>': return { lo: num, loIn: false, hi: Infinity, hiIn: false };
    case '>=': return { lo: num, loIn: true, hi: Infinity, hiIn: false };
    default: return null;
  }
}

/** a ends before b starts (no common point). */
function before(aHi: number, aHiIn: boolean, bLo: number, bLoIn: boolean): boolean {
  return aHi < bLo || (aHi === bLo && !(aHiIn && bLoIn));
}

/**
 * Whether a numeric value lies outside a reference range: true when every value it stands for is
 * outside, false when every one is inside, null when that cannot be said (no number, no range, a
 * comparator straddling a limit, '<>').
 */
export function isOutOfRange(num: number | null, comparator: Comparator | null, range: ReferenceRange | null): boolean | null {
  if (num === null || !Number.isFinite(num) || range === null) return null;
  const v = valueInterval(num, comparator);
  if (v === null) return null;
  const r: Interval = {
    lo: range.low?.value ?? -Infinity,
    loIn: range.low?.inclusive ?? false,
    hi: range.high?.value ?? Infinity,
    hiIn: range.high?.inclusive ?? false,
  };
  if (before(v.hi, v.hiIn, r.lo, r.loIn) || before(r.hi, r.hiIn, v.lo, v.loIn)) return true;
  const lowInside = v.lo > r.lo || (v.lo === r.lo && (r.loIn || !v.loIn));
  const highInside = v.hi < r.hi || (v.hi === r.hi && (r.hiIn || !v.hiIn));
  return lowInside && highInside ? false : null;
}
