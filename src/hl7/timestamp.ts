/**
 * HL7 date/time values (DTM, and TS.1; HL7 v2.5.1 §2.A.22 DTM, §2.A.81 TS):
 *   YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]
 * Parsing is total: invalid text gives undefined, never an exception.
 */

export type Hl7Precision = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'fraction';

export interface Hl7Timestamp {
  /** The UTC instant of the start of the value (e.g. midnight for a day). */
  date: Date;
  precision: Hl7Precision;
  /** The offset used, in minutes east of UTC (explicit, or the assumed default). */
  offsetMinutes: number;
  /** 'explicit' when the text has +/-ZZZZ; otherwise the caller's default or UTC was assumed. */
  offsetSource: 'explicit' | 'default' | 'utc-assumed';
  /** The original text. */
  text: string;
}

const PRECISIONS: Record<number, Hl7Precision> = { 4: 'year', 6: 'month', 8: 'day', 10: 'hour', 12: 'minute', 14: 'second' };
// Fixed-width groups only: linear, no backtracking.
const DTM = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?(?:([+-])(\d{2})(\d{2}))?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
}
function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * Parse a DTM. Without an explicit offset the value is read in `defaultOffsetMinutes` when given,
 * else in UTC, and offsetSource says which. Returns undefined for anything invalid (bad digits,
 * month 13, Feb 30, hour 24, offset beyond +/-14:00, fraction without seconds...).
 */
export function parseHl7Timestamp(text: string, options: { defaultOffsetMinutes?: number } = {}): Hl7Timestamp | undefined {
  const t = text.trim();
  const m = DTM.exec(t);
  if (m === null) return undefined;
  const digits = (m[0].match(/^\d+/)?.[0] ?? '').length;
  if (PRECISIONS[digits] === undefined) return undefined;
  if (m[7] !== undefined && digits !== 14) return undefined;
  const precision: Hl7Precision = m[7] !== undefined ? 'fraction' : (PRECISIONS[digits] as Hl7Precision);
  const n = (i: number, dflt: number): number => (m[i] === undefined ? dflt : Number(m[i]));
  const [y, mo, d, h, mi, s] = [n(1, 0), n(2, 1), n(3, 1), n(4, 0), n(5, 0), n(6, 0)];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000 + 1e-9);
  let offsetMinutes: number;
  let offsetSource: Hl7Timestamp['offsetSource'];
  if (m[8] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 14 || om > 59 || oh * 60 + om > 14 * 60) return undefined;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (oh * 60 + om);
    offsetSource = 'explicit';
  } else if (options.defaultOffsetMinutes !== undefined) {
    offsetMinutes = options.defaultOffsetMinutes;
    offsetSource = 'default';
  } else {
    offsetMinutes = 0;
    offsetSource = 'utc-assumed';
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  date.setTime(date.getTime() - offsetMinutes * 60_000);
  return { date, precision, offsetMinutes, offsetSource, text };
}

function pad(v: number, width: number): string {
  return String(v).padStart(width, '0');
}

/**
 * Format an instant as a DTM in the given offset (minutes east of UTC), e.g. '20240102134501-0500'.
 * precision 'second' (default) or 'fraction' (adds .SSS milliseconds). Offsets are whole minutes.
 */
export function formatHl7Timestamp(date: Date, offsetMinutes: number, precision: 'second' | 'fraction' = 'second'): string {
  const off = Math.round(offsetMinutes);
  const local = new Date(date.getTime() + off * 60_000);
  let out = pad(local.getUTCFullYear(), 4) + pad(local.getUTCMonth() + 1, 2) + pad(local.getUTCDate(), 2) +
    pad(local.getUTCHours(), 2) + pad(local.getUTCMinutes(), 2) + pad(local.getUTCSeconds(), 2);
  if (precision === 'fraction') out += '.' + pad(local.getUTCMilliseconds(), 3);
  const abs = Math.abs(off);
  return out + (off < 0 ? '-' : '+') + pad(Math.floor(abs / 60), 2) + pad(abs % 60, 2);
}
