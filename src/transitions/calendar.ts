/**
 * Business days (pure): Monday to Friday, less the agency's holidays, counted on the agency's local
 * calendar (a discharge at 23:30 in Chicago on a Friday is a Friday discharge even though it is
 * Saturday in UTC).
 *
 * Due instant: the END of the n-th business day after the day of the event (its last millisecond in
 * the agency's time zone). CMS counts TCM's interactive contact "within 2 business days following the
 * discharge", business days being Monday to Friday except holidays, regardless of office hours
 * (CMS TCM FAQ, 2016): a Friday discharge owes the contact by the end of Tuesday, whatever the hour
 * it happened. The day of the event itself never counts, business day or not.
 */
import { addDays, type CalendarDate } from '../care/dates.js';
import { usFederalHolidays, weekday } from './holidays.js';

export interface BusinessCalendar {
  /** IANA zone whose local days are the business days (CARECOORD_TIME_ZONE; default UTC). */
  readonly timeZone: string;
  /** Whether `date` is a holiday (a weekend day may be one too; it is not a business day either way). */
  isHoliday(date: CalendarDate): boolean;
}

/** US federal holidays (observed dates) of any year, computed on demand and cached per year. */
export function usFederalCalendar(timeZone = 'UTC'): BusinessCalendar {
  const years = new Map<number, Set<CalendarDate>>();
  const holidaysOf = (year: number) => {
    let set = years.get(year);
    if (!set) years.set(year, (set = new Set(usFederalHolidays(year).map((h) => h.date))));
    return set;
  };
  return { timeZone, isHoliday: (date) => holidaysOf(Number(date.slice(0, 4))).has(date) };
}

/** Exactly the listed holidays (a holiday file): years the list does not cover have none. */
export function listedCalendar(dates: Iterable<CalendarDate>, timeZone = 'UTC'): BusinessCalendar {
  const set = new Set(dates);
  return { timeZone, isHoliday: (date) => set.has(date) };
}

export function isBusinessDay(date: CalendarDate, calendar: BusinessCalendar): boolean {
  const d = weekday(date);
  return d !== 0 && d !== 6 && !calendar.isHoliday(date);
}

/** The n-th business day strictly after `date` (n >= 1); `date` itself for n = 0. */
export function nthBusinessDayAfter(date: CalendarDate, n: number, calendar: BusinessCalendar): CalendarDate {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`business days must be a whole number >= 0, not ${n}`);
  let day = date;
  for (let left = n; left > 0; ) {
    day = addDays(day, 1);
    if (isBusinessDay(day, calendar)) left--;
  }
  return day;
}

/**
 * The due instant `n` business days after the instant `at`: the end (last millisecond) of the n-th
 * business day after `at`'s local day in the calendar's zone. n = 0 is the end of that day.
 */
export function addBusinessDays(at: number, n: number, calendar: BusinessCalendar): number {
  return endOfLocalDay(nthBusinessDayAfter(localDate(at, calendar.timeZone), n, calendar), calendar.timeZone);
}

/** The end (last millisecond) of the calendar day `n` days after `at`'s local day. */
export function addCalendarDays(at: number, n: number, timeZone: string): number {
  return endOfLocalDay(addDays(localDate(at, timeZone), n), timeZone);
}

/** The last millisecond of `date` in `timeZone`: one before the next day starts (23:59:59.999 on most days). */
export function endOfLocalDay(date: CalendarDate, timeZone: string): number {
  return startOfLocalDay(addDays(date, 1), timeZone) - 1;
}

/**
 * The first instant whose local date in `timeZone` is `date` or later. Usually local midnight; on a
 * day whose midnight a DST change skips (America/Santiago, Asia/Beirut...) the first instant that
 * exists. A search over the ±18 h around UTC midnight, so no offset table is needed.
 */
export function startOfLocalDay(date: CalendarDate, timeZone: string): number {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  let lo = utcMidnight - 18 * 3_600_000; // local date still before `date` in every zone (offsets reach +14 h)
  let hi = utcMidnight + 18 * 3_600_000; // local date already `date` or later (offsets reach -12 h)
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (localDate(mid, timeZone) >= date) hi = mid;
    else lo = mid;
  }
  return hi;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day on which `epochMs` falls in `timeZone` (care/dates localDate, with the formatter kept per zone). */
export function localDate(epochMs: number, timeZone: string): CalendarDate {
  let f = formatters.get(timeZone);
  if (!f) formatters.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const parts = f.formatToParts(epochMs);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Whether the runtime knows `timeZone` (an IANA name). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
