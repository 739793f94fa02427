import { describe, expect, it } from 'vitest';
import { formatHl7Timestamp, parseHl7Timestamp } from './index.js';

describe('parseHl7Timestamp', () => {
  it('reads every precision', () => {
    const cases: [string, string, string][] = [
      ['2024', 'year', '2024-01-01T00:00:00.000Z'],
      ['202402', 'month', '2024-02-01T00:00:00.000Z'],
      ['20240229', 'day', '2024-02-29T00:00:00.000Z'],
      ['2024022913', 'hour', '2024-02-29T13:00:00.000Z'],
      ['202402291345', 'minute', '2024-02-29T13:45:00.000Z'],
      ['20240229134501', 'second', '2024-02-29T13:45:01.000Z'],
      ['20240229134501.1234', 'fraction', '2024-02-29T13:45:01.123Z'],
    ];
    for (const [text, precision, iso] of cases) {
      const t = parseHl7Timestamp(text);
      expect(t?.precision).toBe(precision);
      expect(t?.date.toISOString()).toBe(iso);
    }
  });

  it('applies an explicit offset and says so', () => {
    const t = parseHl7Timestamp('20240102134501.1234-0500');
    expect(t).toMatchObject({ precision: 'fraction', offsetMinutes: -300, offsetSource: 'explicit', text: '20240102134501.1234-0500' });
    expect(t?.date.toISOString()).toBe('2024-01-02T18:45:01.123Z');
    expect(parseHl7Timestamp('202401021345+0530')?.date.toISOString()).toBe('2024-01-02T08:15:00.000Z');
  });

  it('without an offset uses the caller default, else UTC, and says which', () => {
    expect(parseHl7Timestamp('20240102', { defaultOffsetMinutes: 60 })).toMatchObject({ offsetMinutes: 60, offsetSource: 'default' });
    expect(parseHl7Timestamp('20240102', { defaultOffsetMinutes: 60 })?.date.toISOString()).toBe('2024-01-01T23:00:00.000Z');
    expect(parseHl7Timestamp('20240102')).toMatchObject({ offsetMinutes: 0, offsetSource: 'utc-assumed' });
  });

  it('ignores surrounding spaces some senders pad with', () => {
    expect(parseHl7Timestamp(' 20240102 ')?.precision).toBe('day');
  });

  it('reads years before 100 without the 1900 shift', () => {
    expect(parseHl7Timestamp('00500101')?.date.getUTCFullYear()).toBe(50);
  });

  it('returns undefined for invalid values instead of throwing', () => {
    for (const bad of ['', '24', '20241', '20241301', '20230229', '20240431', '2024010224', '202401021360', '20240102135960',
      '2024010213.5', '20240102134501.12345', '20240102+2500', '20240102-0560', '2024-01-02', 'abcd', '0000']) {
      expect(parseHl7Timestamp(bad), bad).toBeUndefined();
    }
  });
});

describe('formatHl7Timestamp', () => {
  it('writes a DTM with offset, to the second or millisecond', () => {
    const d = new Date(Date.UTC(2024, 0, 2, 18, 45, 1, 120));
    expect(formatHl7Timestamp(d, -300)).toBe('20240102134501-0500');
    expect(formatHl7Timestamp(d, 0)).toBe('20240102184501+0000');
    expect(formatHl7Timestamp(d, 330, 'fraction')).toBe('20240103001501.120+0530');
  });

  it('is read back to the same instant', () => {
    const d = new Date(Date.UTC(2031, 11, 31, 23, 59, 59));
    expect(parseHl7Timestamp(formatHl7Timestamp(d, -480))?.date.getTime()).toBe(d.getTime());
  });
});
