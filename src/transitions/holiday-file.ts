/**
 * The agency's own holiday list (CARECOORD_HOLIDAYS_FILE), which replaces the US federal default:
 * a JSON list of dates (["2026-12-24", ...], or objects with a `date`, or `{ "holidays": [...] }`) or
 * a CSV whose first column is the date (a `date` header, blank lines and `#` comments skipped; more
 * columns, e.g. a name, are ignored). Dates are the agency's local days, 'YYYY-MM-DD'.
 */
import { readFileSync } from 'node:fs';
import { isCalendarDate, type CalendarDate } from '../care/dates.js';
import { TransitionError, TransitionErrorCode } from './errors.js';

const invalid = (file: string, why: string) => new TransitionError(TransitionErrorCode.HolidayFileInvalid, `holiday file ${file}: ${why}`);

/** The dates a holiday file lists (pure); `file` only names it in errors. JSON when it starts with [ or {. */
export function parseHolidayFile(text: string, file = 'CARECOORD_HOLIDAYS_FILE'): CalendarDate[] {
  const body = text.replace(/^\uFEFF/, '').trim();
  const dates = body.startsWith('[') || body.startsWith('{') ? fromJson(body, file) : fromCsv(body);
  dates.forEach((d, i) => {
    if (!isCalendarDate(d)) throw invalid(file, `entry ${i + 1} is not a YYYY-MM-DD date`);
  });
  return [...new Set(dates)].sort();
}

function fromJson(body: string, file: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw invalid(file, 'not valid JSON');
  }
  const list = Array.isArray(value) ? value : (value as { holidays?: unknown }).holidays;
  if (!Array.isArray(list)) throw invalid(file, 'expected a list of dates or { "holidays": [...] }');
  return list.map((item) => (typeof item === 'object' && item !== null ? (item as { date?: unknown }).date : item) as string);
}

function fromCsv(body: string): string[] {
  return body
    .split(/\r\n|\r|\n/)
    .map((line) => line.split(',')[0]!.trim().replace(/^"(.*)"$/, '$1'))
    .filter((first, i) => first !== '' && !first.startsWith('#') && !(i === 0 && first.toLowerCase() === 'date'));
}

/** Read and parse the file (TransitionError holiday_file_unreadable / holiday_file_invalid). */
export function loadHolidayFile(path: string): CalendarDate[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TransitionError(TransitionErrorCode.HolidayFileUnreadable, `holiday file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseHolidayFile(text, path);
}
