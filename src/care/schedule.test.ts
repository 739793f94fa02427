import { describe, expect, it } from 'vitest';
import { addDays, dayNumber, daysBetween, isCalendarDate, localDate } from './dates.js';
import { dueDatesDuringHold, dueVisitDates, nextDueDate, pastDueVisits, type DueSchedule } from './schedule.js';

const everyThree = { startDate: '2026-12-01', everyDays: 3, endDate: null };

describe('calendar dates', () => {
  it('accepts only dates that exist, leap days included', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    for (const bad of ['2026-02-29', '2026-13-01', '2026-1-01', '20261201', '', '2026-12-01T00:00']) expect(isCalendarDate(bad)).toBe(false);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(daysBetween('2026-12-01', '2027-01-01')).toBe(31);
    expect(dayNumber('1970-01-02')).toBe(1);
  });

  it('says on which day an instant falls in a time zone', () => {
    const at = Date.UTC(2026, 11, 2, 3, 30); // 2026-12-02 03:30 UTC
    expect(localDate(at, 'UTC')).toBe('2026-12-02');
    expect(localDate(at, 'America/Chicago')).toBe('2026-12-01');
    expect(localDate(at, 'Asia/Tokyo')).toBe('2026-12-02');
  });
});

describe('due visit dates', () => {
  it('are the start date plus every N days, within the window, both ends inclusive', () => {
    expect(dueVisitDates(everyThree, '2026-12-01', '2026-12-10')).toEqual(['2026-12-01', '2026-12-04', '2026-12-07', '2026-12-10']);
    expect(dueVisitDates(everyThree, '2026-12-05', '2026-12-12')).toEqual(['2026-12-07', '2026-12-10']);
  });

  it('never fall before the start or after the end date', () => {
    expect(dueVisitDates(everyThree, '2026-11-01', '2026-12-02')).toEqual(['2026-12-01']);
    expect(dueVisitDates({ ...everyThree, endDate: '2026-12-09' }, '2026-12-01', '2027-01-01')).toEqual(['2026-12-01', '2026-12-04', '2026-12-07']);
    expect(dueVisitDates(everyThree, '2026-12-10', '2026-12-01')).toEqual([]);
  });

  it('run daily, and weekly across a year end', () => {
    expect(dueVisitDates({ startDate: '2026-12-30', everyDays: 1, endDate: null }, '2026-12-29', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
    expect(dueVisitDates({ startDate: '2026-12-24', everyDays: 7, endDate: null }, '2026-12-25', '2027-01-14')).toEqual(['2026-12-31', '2027-01-07', '2027-01-14']);
  });

  it('give the next due date on or after a day, none once the schedule has ended', () => {
    expect(nextDueDate(everyThree, '2026-11-20')).toBe('2026-12-01');
    expect(nextDueDate(everyThree, '2026-12-04')).toBe('2026-12-04');
    expect(nextDueDate(everyThree, '2026-12-05')).toBe('2026-12-07');
    expect(nextDueDate({ ...everyThree, endDate: '2026-12-06' }, '2026-12-05')).toBeUndefined();
  });

  it('refuse a window with an absurd number of dates instead of looping for ever', () => {
    expect(() => dueVisitDates({ startDate: '1970-01-01', everyDays: 1, endDate: null }, '1970-01-01', '2999-01-01')).toThrow(RangeError);
  });
});

describe('past-due visits', () => {
  const schedule: DueSchedule = { ...everyThree, status: 'active', heldOn: null };

  it('are due dates before today with nothing recorded; a visit due today is not yet past due', () => {
    expect(pastDueVisits(schedule, [], '2026-12-10')).toEqual(['2026-12-01', '2026-12-04', '2026-12-07']);
    expect(pastDueVisits(schedule, ['2026-12-01', '2026-12-07'], '2026-12-10')).toEqual(['2026-12-04']);
    expect(pastDueVisits(schedule, [], '2026-12-01')).toEqual([]);
  });

  it('wait out the grace days and look back no further than `from`', () => {
    // Due 12-07, two days' grace: 12-08 and 12-09; past due from 12-10 on.
    expect(pastDueVisits(schedule, [], '2026-12-10', { graceDays: 2 })).toEqual(['2026-12-01', '2026-12-04', '2026-12-07']);
    expect(pastDueVisits(schedule, [], '2026-12-10', { graceDays: 3 })).toEqual(['2026-12-01', '2026-12-04']);
    expect(pastDueVisits(schedule, [], '2026-12-10', { from: '2026-12-02' })).toEqual(['2026-12-04', '2026-12-07']);
  });

  it('stop on the day a hold began, and vanish once the schedule ended', () => {
    const held: DueSchedule = { ...schedule, status: 'on-hold', heldOn: '2026-12-04' };
    expect(pastDueVisits(held, [], '2026-12-20')).toEqual(['2026-12-01']);
    expect(pastDueVisits({ ...held, heldOn: '2026-12-30' }, [], '2026-12-08')).toEqual(['2026-12-01', '2026-12-04', '2026-12-07']);
    expect(pastDueVisits({ ...schedule, status: 'ended' }, [], '2026-12-20')).toEqual([]);
  });

  it('due dates in a hold run from its first day up to the day before the release', () => {
    expect(dueDatesDuringHold(everyThree, '2026-12-04', '2026-12-10')).toEqual(['2026-12-04', '2026-12-07']);
    expect(dueDatesDuringHold(everyThree, '2026-12-05', '2026-12-06')).toEqual([]);
  });
});
