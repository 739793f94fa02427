import { addDays, dayNumber, daysBetween, fromDayNumber, type CalendarDate } from './dates.js';
import type { ScheduleStatus } from './plan.js';

/**
 * Visit schedule arithmetic, pure: a schedule is due on startDate + k × everyDays (k = 0, 1, ...),
 * never after endDate. Dates are the agency's calendar days; the caller says which day is today.
 */
export interface ScheduleDates {
  startDate: CalendarDate;
  everyDays: number;
  endDate: CalendarDate | null;
}

export interface DueSchedule extends ScheduleDates {
  status: ScheduleStatus;
  /** The day the current hold began (on-hold schedules): nothing falls due from then on until release. */
  heldOn: CalendarDate | null;
}

/** A window large enough for any real use (27 years of daily visits); beyond it is a caller's bug. */
const MAX_DATES = 10_000;

/** Due dates of `schedule` within [from, to], both inclusive, in order. */
export function dueVisitDates(schedule: ScheduleDates, from: CalendarDate, to: CalendarDate): CalendarDate[] {
  const start = dayNumber(schedule.startDate)!;
  const first = Math.max(dayNumber(from)!, start);
  const last = Math.min(dayNumber(to)!, schedule.endDate === null ? Infinity : dayNumber(schedule.endDate)!);
  const every = schedule.everyDays;
  if (!(every >= 1) || last < first) return [];
  if ((last - first) / every > MAX_DATES) throw new RangeError(`window ${from}..${to} holds more than ${MAX_DATES} due dates`);
  const dates: CalendarDate[] = [];
  for (let day = start + Math.ceil((first - start) / every) * every; day <= last; day += every) dates.push(fromDayNumber(day));
  return dates;
}

export interface PastDueOptions {
  /** Look no further back than this day (default: the schedule's start). */
  from?: CalendarDate | undefined;
  /** A visit is past due only once this many whole days have gone by after its due date (default 0: from the next day). */
  graceDays?: number | undefined;
}

/**
 * Due dates before `today` (less the grace days) that have no recorded visit (completed, missed or
 * cancelled all count as recorded). A schedule on hold owes nothing from the day its hold began;
 * due dates inside earlier holds were recorded as cancelled when the hold was released. An ended
 * schedule owes nothing at all: ending it (or its episode) closes the question.
 */
export function pastDueVisits(schedule: DueSchedule, recordedDueDates: Iterable<CalendarDate>, today: CalendarDate, options: PastDueOptions = {}): CalendarDate[] {
  if (schedule.status === 'ended') return [];
  let to = addDays(today, -1 - (options.graceDays ?? 0));
  if (schedule.status === 'on-hold' && schedule.heldOn !== null && daysBetween(schedule.heldOn, to) >= 0) to = addDays(schedule.heldOn, -1);
  const recorded = new Set(recordedDueDates);
  return dueVisitDates(schedule, options.from ?? schedule.startDate, to).filter((d) => !recorded.has(d));
}

/** Due dates that fell in a hold from `heldOn` up to (not including) `releasedOn`: the visits the hold cancelled. */
export function dueDatesDuringHold(schedule: ScheduleDates, heldOn: CalendarDate, releasedOn: CalendarDate): CalendarDate[] {
  return dueVisitDates(schedule, heldOn, addDays(releasedOn, -1));
}

/** The next due date on or after `today`, undefined when the schedule has ended by then. */
export function nextDueDate(schedule: ScheduleDates, today: CalendarDate): CalendarDate | undefined {
  const start = dayNumber(schedule.startDate)!;
  const from = Math.max(dayNumber(today)!, start);
  const day = start + Math.ceil((from - start) / schedule.everyDays) * schedule.everyDays;
  return schedule.endDate !== null && day > dayNumber(schedule.endDate)! ? undefined : fromDayNumber(day);
}
