/**
 * US federal holidays (pure). The legal public holidays are those of 5 U.S.C. 6103(a); when one falls
 * on a Saturday it is observed on the Friday before, on a Sunday the Monday after (5 U.S.C. 6103(b)
 * and Executive Order 11582). So New Year's Day 2028 (a Saturday) is observed on Friday 2027-12-31,
 * which belongs to 2027's list.
 */
import { addDays, fromDayNumber, type CalendarDate } from '../care/dates.js';

export interface Holiday {
  date: CalendarDate;
  name: string;
}

const DAY_MS = 86_400_000;
const ymd = (y: number, m: number, d: number): CalendarDate => fromDayNumber(Date.UTC(y, m - 1, d) / DAY_MS);
/** 0 Sunday ... 6 Saturday. */
export const weekday = (date: CalendarDate): number => new Date(`${date}T00:00:00Z`).getUTCDay();

/** The n-th (1-based) `dow` of a month. */
function nthWeekday(year: number, month: number, dow: number, n: number): CalendarDate {
  const first = ymd(year, month, 1);
  return addDays(first, ((dow - weekday(first) + 7) % 7) + 7 * (n - 1));
}

/** The last `dow` of a month. */
function lastWeekday(year: number, month: number, dow: number): CalendarDate {
  const last = addDays(ymd(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1), -1);
  return addDays(last, -((weekday(last) - dow + 7) % 7));
}

/** Saturday -> the Friday before, Sunday -> the Monday after (5 U.S.C. 6103(b)). */
export function observedDate(date: CalendarDate): CalendarDate {
  const d = weekday(date);
  return d === 6 ? addDays(date, -1) : d === 0 ? addDays(date, 1) : date;
}

/** The legal public holidays of `year` on their actual dates (5 U.S.C. 6103(a)), with the year each began. */
export function legalPublicHolidays(year: number): Holiday[] {
  const MON = 1;
  const THU = 4;
  const all: Array<Holiday & { since: number }> = [
    { name: "New Year's Day", date: ymd(year, 1, 1), since: 1870 },
    { name: 'Birthday of Martin Luther King, Jr.', date: nthWeekday(year, 1, MON, 3), since: 1986 },
    { name: "Washington's Birthday", date: nthWeekday(year, 2, MON, 3), since: 1971 },
    { name: 'Memorial Day', date: lastWeekday(year, 5, MON), since: 1971 },
    { name: 'Juneteenth National Independence Day', date: ymd(year, 6, 19), since: 2021 },
    { name: 'Independence Day', date: ymd(year, 7, 4), since: 1870 },
    { name: 'Labor Day', date: nthWeekday(year, 9, MON, 1), since: 1894 },
    { name: 'Columbus Day', date: nthWeekday(year, 10, MON, 2), since: 1971 },
    { name: 'Veterans Day', date: ymd(year, 11, 11), since: 1978 },
    { name: 'Thanksgiving Day', date: nthWeekday(year, 11, THU, 4), since: 1942 },
    { name: 'Christmas Day', date: ymd(year, 12, 25), since: 1870 },
  ];
  return all.filter((h) => year >= h.since).map(({ name, date }) => ({ name, date }));
}

/**
 * The days off federal employees get in `year`: every legal public holiday on its observed date, those
 * of next year observed in this one included (New Year's Day on a Saturday), in date order. The rules
 * are today's (Monday holidays since 1971); earlier years are not historical record.
 */
export function usFederalHolidays(year: number): Holiday[] {
  return [...legalPublicHolidays(year), ...legalPublicHolidays(year + 1)]
    .map((h) => ({ name: h.name, date: observedDate(h.date) }))
    .filter((h) => h.date.startsWith(`${String(year).padStart(4, '0')}-`))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
