/**
 * Calendar dates ('YYYY-MM-DD', the agency's local day) and the arithmetic visit schedules need.
 * A date is a day, not an instant: days are counted on the proleptic Gregorian calendar, with no
 * time zone involved except in `localDate`, which says which day an instant falls on somewhere.
 */
export type CalendarDate = string;

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a valid calendar date; undefined for anything else (2026-02-30, '', ...). */
export function dayNumber(date: string): number | undefined {
  const m = DATE_RE.exec(date);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return fromDayNumber(ms / DAY_MS) === date ? ms / DAY_MS : undefined;
}

export function isCalendarDate(value: unknown): value is CalendarDate {
  return typeof value === 'string' && dayNumber(value) !== undefined;
}

export function fromDayNumber(day: number): CalendarDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `date` plus `days` (negative goes back). `date` must be valid. */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromDayNumber(mustDay(date) + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return mustDay(to) - mustDay(from);
}

/** The calendar day on which the instant `epochMs` falls in `timeZone` (an IANA name such as 'America/Chicago'). */
export function localDate(epochMs: number, timeZone: string): CalendarDate {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(epochMs);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

function mustDay(date: CalendarDate): number {
  const day = dayNumber(date);
  if (day === undefined) throw new RangeError(`not a calendar date: ${JSON.stringify(date)}`);
  return day;
}
