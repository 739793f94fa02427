import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addDays, fromDayNumber } from '../care/dates.js';
import { addBusinessDays, addCalendarDays, endOfLocalDay, isBusinessDay, listedCalendar, localDate, nthBusinessDayAfter, startOfLocalDay, usFederalCalendar } from './calendar.js';
import { TransitionErrorCode } from './errors.js';
import { loadHolidayFile, parseHolidayFile } from './holiday-file.js';
import { observedDate, usFederalHolidays, weekday } from './holidays.js';

const dates = (year: number) => usFederalHolidays(year).map((h) => h.date);
const us = usFederalCalendar();
/** Any day of 1990-2100. */
const anyDate = fc.integer({ min: 7305, max: 47482 }).map(fromDayNumber);

describe('US federal holidays (5 U.S.C. 6103)', () => {
  it('2026 on their observed dates: Independence Day (a Saturday) on Friday July 3', () => {
    expect(dates(2026)).toEqual([
      '2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-03',
      '2026-09-07', '2026-10-12', '2026-11-11', '2026-11-26', '2026-12-25',
    ]);
  });

  it('2027: Juneteenth and Independence Day on Saturday/Sunday, Christmas on Saturday, and New Year 2028 observed on Friday 2027-12-31', () => {
    expect(dates(2027)).toEqual([
      '2027-01-01', '2027-01-18', '2027-02-15', '2027-05-31', '2027-06-18', '2027-07-05',
      '2027-09-06', '2027-10-11', '2027-11-11', '2027-11-25', '2027-12-24', '2027-12-31',
    ]);
    expect(dates(2028)).not.toContain('2028-01-01');
  });

  it('2028: Veterans Day (a Saturday) on Friday November 10; 2021 has Juneteenth, 2020 does not', () => {
    expect(dates(2028)).toContain('2028-11-10');
    expect(dates(2021)).toContain('2021-06-18');
    expect(dates(2020).some((d) => d.startsWith('2020-06'))).toBe(false);
  });

  it('observed dates move Saturday back a day and Sunday forward a day', () => {
    expect(observedDate('2026-07-04')).toBe('2026-07-03');
    expect(observedDate('2027-07-04')).toBe('2027-07-05');
    expect(observedDate('2026-12-25')).toBe('2026-12-25');
  });

  it('every year has 11 days off, none on a weekend, each in its year (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 2021, max: 2400 }), (year) => {
      const list = usFederalHolidays(year);
      // 11, less New Year's Day when observed the Dec 31 before, plus next year's when observed on this Dec 31.
      const count = list.length + (weekday(`${year}-01-01`) === 6 ? 1 : 0) - (list.some((h) => h.date === `${year}-12-31`) ? 1 : 0);
      expect(count).toBe(11);
      for (const h of list) {
        expect(h.date.startsWith(`${year}-`)).toBe(true);
        expect([0, 6]).not.toContain(weekday(h.date));
      }
    }));
  });

  it('the Monday holidays and Thanksgiving fall on their weekday in the right week (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1990, max: 2400 }), (year) => {
      const byName = new Map(usFederalHolidays(year).map((h) => [h.name, h.date]));
      const mlk = byName.get('Birthday of Martin Luther King, Jr.')!;
      expect(weekday(mlk)).toBe(1);
      expect(Number(mlk.slice(8))).toBeGreaterThanOrEqual(15);
      expect(Number(mlk.slice(8))).toBeLessThanOrEqual(21);
      const memorial = byName.get('Memorial Day')!;
      expect(weekday(memorial)).toBe(1);
      expect(addDays(memorial, 7).slice(5, 7)).toBe('06');
      const thanksgiving = byName.get('Thanksgiving Day')!;
      expect(weekday(thanksgiving)).toBe(4);
      expect(Number(thanksgiving.slice(8))).toBeGreaterThanOrEqual(22);
      expect(Number(thanksgiving.slice(8))).toBeLessThanOrEqual(28);
    }));
  });
});

describe('business days', () => {
  it('a weekday that is no holiday is a business day; weekends and observed holidays are not', () => {
    expect(isBusinessDay('2026-12-01', us)).toBe(true);
    expect(isBusinessDay('2026-12-05', us)).toBe(false);
    expect(isBusinessDay('2026-07-03', us)).toBe(false);
    expect(isBusinessDay('2026-11-26', us)).toBe(false);
  });

  it('counts from the day after: Friday + 2 is Tuesday; Wednesday before Thanksgiving + 2 is Monday', () => {
    expect(nthBusinessDayAfter('2026-12-04', 2, us)).toBe('2026-12-08');
    expect(nthBusinessDayAfter('2026-11-25', 2, us)).toBe('2026-11-30');
    expect(nthBusinessDayAfter('2026-12-24', 2, us)).toBe('2026-12-29'); // Christmas Friday, weekend
    expect(nthBusinessDayAfter('2027-12-30', 1, us)).toBe('2028-01-03'); // New Year 2028 observed Dec 31
    expect(nthBusinessDayAfter('2026-12-05', 0, us)).toBe('2026-12-05');
  });

  it('a Saturday discharge counts Monday as the first business day', () => {
    expect(nthBusinessDayAfter('2026-12-05', 2, us)).toBe('2026-12-08');
  });

  it('refuses a negative or fractional count', () => {
    expect(() => nthBusinessDayAfter('2026-12-05', -1, us)).toThrow(RangeError);
    expect(() => nthBusinessDayAfter('2026-12-05', 1.5, us)).toThrow(RangeError);
  });

  it('the n-th business day after is a business day, later than the start, with exactly n-1 business days between (property)', () => {
    fc.assert(fc.property(anyDate, fc.integer({ min: 1, max: 30 }), (date, n) => {
      const due = nthBusinessDayAfter(date, n, us);
      expect(due > date).toBe(true);
      expect(isBusinessDay(due, us)).toBe(true);
      let between = 0;
      for (let d = addDays(date, 1); d < due; d = addDays(d, 1)) if (isBusinessDay(d, us)) between++;
      expect(between).toBe(n - 1);
    }));
  });

  it('adding business days composes: (n + m) = m after n (property)', () => {
    fc.assert(fc.property(anyDate, fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), (date, n, m) => {
      expect(nthBusinessDayAfter(nthBusinessDayAfter(date, n, us), m, us)).toBe(nthBusinessDayAfter(date, n + m, us));
    }));
  });

  it('no run of more than 4 days without a business day under the federal calendar (property)', () => {
    fc.assert(fc.property(anyDate, (date) => {
      expect(nthBusinessDayAfter(date, 1, us) <= addDays(date, 4)).toBe(true);
    }));
  });
});

describe('due instants in the agency time zone', () => {
  const chicago = usFederalCalendar('America/Chicago');

  it('a Friday 23:30 Chicago discharge (Saturday in UTC) is due at the end of Tuesday, Chicago time', () => {
    const at = Date.parse('2026-12-05T05:30:00Z'); // Friday 2026-12-04 23:30 CST
    expect(addBusinessDays(at, 2, chicago)).toBe(Date.parse('2026-12-09T05:59:59.999Z'));
    expect(addBusinessDays(at, 2, us)).toBe(Date.parse('2026-12-08T23:59:59.999Z')); // in UTC it was Saturday
  });

  it('calendar days end at local midnight, across a DST change', () => {
    const at = Date.parse('2026-10-30T15:00:00Z'); // Friday; DST ends Sunday 2026-11-01 in Chicago
    expect(addCalendarDays(at, 7, 'America/Chicago')).toBe(Date.parse('2026-11-07T05:59:59.999Z'));
    expect(endOfLocalDay('2026-11-01', 'America/Chicago') - startOfLocalDay('2026-11-01', 'America/Chicago')).toBe(25 * 3_600_000 - 1);
  });

  it('a day whose midnight does not exist starts at the first instant that does', () => {
    // Santiago springs forward at 00:00 -> 01:00 on 2026-09-06.
    const start = startOfLocalDay('2026-09-06', 'America/Santiago');
    expect(localDate(start, 'America/Santiago')).toBe('2026-09-06');
    expect(localDate(start - 1, 'America/Santiago')).toBe('2026-09-05');
  });

  it('the due instant is the last millisecond of a business day in the zone (property)', () => {
    const zones = ['UTC', 'America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu', 'Asia/Kolkata', 'Pacific/Kiritimati'];
    fc.assert(fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2090, 0, 1) }), fc.integer({ min: 0, max: 10 }), fc.constantFrom(...zones), (at, n, zone) => {
      const cal = usFederalCalendar(zone);
      const due = addBusinessDays(at, n, cal);
      const dueDay = localDate(due, zone);
      expect(due).toBeGreaterThan(at);
      expect(dueDay).toBe(nthBusinessDayAfter(localDate(at, zone), n, cal));
      expect(localDate(due + 1, zone)).toBe(addDays(dueDay, 1));
    }), { numRuns: 200 });
  });
});

describe('holiday file (CARECOORD_HOLIDAYS_FILE)', () => {
  it('reads a JSON list, objects with a date, or { holidays }', () => {
    expect(parseHolidayFile('["2026-12-24","2026-12-25"]')).toEqual(['2026-12-24', '2026-12-25']);
    expect(parseHolidayFile('[{"date":"2026-12-24","name":"Christmas Eve"}]')).toEqual(['2026-12-24']);
    expect(parseHolidayFile('{"holidays":["2026-12-31","2026-12-24","2026-12-24"]}')).toEqual(['2026-12-24', '2026-12-31']);
  });

  it('reads a CSV with a header, comments, names and CRLF', () => {
    expect(parseHolidayFile('date,name\r\n# agency\r\n2026-12-24,Christmas Eve\r\n\r\n"2026-11-27",Day after\r\n')).toEqual(['2026-11-27', '2026-12-24']);
  });

  it('refuses anything that is not a date, with a code', () => {
    for (const bad of ['["2026-02-30"]', '{"x":1}', '[1', 'date\n12/24/2026']) {
      expect(() => parseHolidayFile(bad)).toThrow(expect.objectContaining({ code: TransitionErrorCode.HolidayFileInvalid }));
    }
  });

  it('a listed calendar replaces the federal one; an unreadable file is a coded error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-holidays-'));
    const file = join(dir, 'h.csv');
    writeFileSync(file, '2026-12-24\n');
    const cal = listedCalendar(loadHolidayFile(file));
    expect(isBusinessDay('2026-12-24', cal)).toBe(false);
    expect(isBusinessDay('2026-12-25', cal)).toBe(true);
    expect(() => loadHolidayFile(join(dir, 'missing.json'))).toThrow(expect.objectContaining({ code: TransitionErrorCode.HolidayFileUnreadable }));
  });
});
