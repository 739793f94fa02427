import { isCalendarDate, type CalendarDate } from './dates.js';
import { invalidInput } from './errors.js';

/**
 * Input checks shared by the care rules. Each returns the normalised value or throws CareError
 * care.invalid_input naming the field; messages quote the allowed values, never the patient's data.
 */

/** Trimmed, non-empty text of at most `max` characters. */
export function requiredText(field: string, value: unknown, max = 500): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') throw invalidInput(field, `${field} is required`);
  if (text.length > max) throw invalidInput(field, `${field} is longer than ${max} characters`);
  return text;
}

/** Like requiredText, but undefined, null and blank become null. */
export function optionalText(field: string, value: unknown, max = 500): string | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return null;
  return requiredText(field, value, max);
}

/** One of a closed set of values. */
export function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalidInput(field, `${field} must be one of ${allowed.join(', ')}`);
}

/** A database id: a positive safe integer. */
export function id(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw invalidInput(field, `${field} must be a positive integer id`);
}

/** An instant in epoch milliseconds. */
export function instant(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw invalidInput(field, `${field} must be a time in epoch milliseconds`);
}

export function optionalInstant(field: string, value: unknown): number | null {
  return value === undefined || value === null ? null : instant(field, value);
}

/** A calendar date 'YYYY-MM-DD' that exists. */
export function calendarDate(field: string, value: unknown): CalendarDate {
  if (isCalendarDate(value)) return value;
  throw invalidInput(field, `${field} must be a date YYYY-MM-DD`);
}

export function optionalCalendarDate(field: string, value: unknown): CalendarDate | null {
  return value === undefined || value === null || value === '' ? null : calendarDate(field, value);
}

/** The person or process making a change, recorded with it. */
export function actor(value: unknown): string {
  return requiredText('actor', value, 200);
}
