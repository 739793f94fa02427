import { describe, expect, it } from 'vitest';
import { afterFailure } from './retry.js';
import { plan, quietEnd, type Preference } from './plan.js';

const at = (iso: string) => Date.parse(iso);
const pref = (over: Partial<Preference> = {}): Preference => ({ severity: '*', channels: ['push', 'sms'], quietStart: null, quietEnd: null, timeZone: null, ...over });

describe('plan', () => {
  const now = at('2026-03-02T15:00:00Z');

  it('uses the rule channels without a preference; in-app always immediate', () => {
    expect(plan([], 'high', ['push', 'sms', 'in-app'], now)).toEqual({ immediate: ['in-app'], sequence: ['push', 'sms'], notBefore: now, quiet: false });
  });

  it('prefers the row for the severity over the "*" row, in the user order', () => {
    const prefs = [pref({ channels: ['email'] }), pref({ severity: 'high', channels: ['sms', 'push'] })];
    expect(plan(prefs, 'high', ['push'], now).sequence).toEqual(['sms', 'push']);
    expect(plan(prefs, 'low', ['push'], now).sequence).toEqual(['email']);
  });

  it('never leaves a critical alert to in-app alone', () => {
    const prefs = [pref({ channels: ['in-app'] })];
    expect(plan(prefs, 'critical', ['push', 'sms', 'in-app'], now).sequence).toEqual(['push', 'sms']);
    expect(plan(prefs, 'medium', ['push', 'sms', 'in-app'], now).sequence).toEqual([]);
  });

  it('delays non-critical out-of-band channels to the end of quiet hours (overnight, New York)', () => {
    const prefs = [pref({ quietStart: '22:00', quietEnd: '07:00', timeZone: 'America/New_York' })];
    const night = at('2026-03-03T04:30:00Z'); // 23:30 EST
    const p = plan(prefs, 'medium', ['push'], night);
    expect(p).toMatchObject({ immediate: ['in-app'], quiet: true, notBefore: at('2026-03-03T12:00:00Z') }); // 07:00 EST
    expect(plan(prefs, 'critical', ['push'], night)).toMatchObject({ quiet: false, notBefore: night });
    expect(plan(prefs, 'medium', ['push'], at('2026-03-03T13:00:00Z')).quiet).toBe(false); // 08:00 EST
  });

  it('an early-morning time inside an overnight window ends the same day', () => {
    expect(quietEnd(at('2026-06-01T02:15:30Z'), '22:00', '07:00', 'Europe/Berlin')).toBe(at('2026-06-01T05:00:00Z')); // 04:15 CEST -> 07:00 CEST
  });

  it('a daytime window, its edges: start inside, end outside', () => {
    expect(quietEnd(at('2026-01-10T12:00:00Z'), '12:00', '13:30', 'UTC')).toBe(at('2026-01-10T13:30:00Z'));
    expect(quietEnd(at('2026-01-10T13:30:00Z'), '12:00', '13:30', 'UTC')).toBeUndefined();
    expect(quietEnd(at('2026-01-10T11:59:00Z'), '12:00', '13:30', 'UTC')).toBeUndefined();
  });

  it('across a DST change the window ends at the local clock time', () => {
    // US spring forward 2026-03-08 02:00 EST -> 03:00 EDT; 07:00 EDT = 11:00Z.
    expect(quietEnd(at('2026-03-08T04:00:00Z'), '22:00', '07:00', 'America/New_York')).toBe(at('2026-03-08T11:00:00Z'));
    // Fall back 2026-11-01: 07:00 EST = 12:00Z.
    expect(quietEnd(at('2026-11-01T04:00:00Z'), '22:00', '07:00', 'America/New_York')).toBe(at('2026-11-01T12:00:00Z'));
  });
});

describe('afterFailure', () => {
  const policy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 3000 };
  it('backs off exponentially, capped, then falls over', () => {
    expect(afterFailure(1, true, policy, 0)).toEqual({ kind: 'retry', at: 1000 });
    expect(afterFailure(2, true, policy, 0)).toEqual({ kind: 'retry', at: 2000 });
    expect(afterFailure(3, true, policy, 0)).toEqual({ kind: 'fallover' });
    expect(afterFailure(2, true, { ...policy, maxAttempts: 5 }, 10).kind).toBe('retry');
    expect(afterFailure(3, true, { ...policy, maxAttempts: 5 }, 0)).toEqual({ kind: 'retry', at: 3000 });
    expect(afterFailure(1, false, policy, 0)).toEqual({ kind: 'fallover' });
  });
});
