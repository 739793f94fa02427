import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBusinessDay } from './calendar.js';
import { TransitionErrorCode } from './errors.js';
import { transitionOptionsFromEnv } from './settings.js';

describe('transition settings from the environment', () => {
  it('defaults: UTC, US federal holidays, moderate complexity', () => {
    const o = transitionOptionsFromEnv({});
    expect(o.calendar.timeZone).toBe('UTC');
    expect(isBusinessDay('2026-11-26', o.calendar)).toBe(false); // Thanksgiving
    expect(o.policy.complexity).toBe('moderate');
  });

  it('CARECOORD_TIME_ZONE, CARECOORD_HOLIDAYS_FILE (replacing the federal list) and CARECOORD_TOC_COMPLEXITY', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cc-tz-')), 'holidays.json');
    writeFileSync(file, '["2026-12-24"]');
    const o = transitionOptionsFromEnv({ CARECOORD_TIME_ZONE: 'America/Denver', CARECOORD_HOLIDAYS_FILE: file, CARECOORD_TOC_COMPLEXITY: 'high' });
    expect(o.calendar.timeZone).toBe('America/Denver');
    expect(isBusinessDay('2026-12-24', o.calendar)).toBe(false);
    expect(isBusinessDay('2026-11-26', o.calendar)).toBe(true);
    expect(o.policy.complexity).toBe('high');
  });

  it('bad values fail fast with a code naming the variable', () => {
    expect(() => transitionOptionsFromEnv({ CARECOORD_TIME_ZONE: 'Mars/Olympus' })).toThrow(expect.objectContaining({ code: TransitionErrorCode.InvalidTimeZone, message: expect.stringContaining('CARECOORD_TIME_ZONE') }));
    expect(() => transitionOptionsFromEnv({ CARECOORD_TOC_COMPLEXITY: 'low' })).toThrow(expect.objectContaining({ code: TransitionErrorCode.InvalidSetting, message: expect.stringContaining('CARECOORD_TOC_COMPLEXITY') }));
    expect(() => transitionOptionsFromEnv({ CARECOORD_HOLIDAYS_FILE: '/nonexistent/h.csv' })).toThrow(expect.objectContaining({ code: TransitionErrorCode.HolidayFileUnreadable }));
  });
});
