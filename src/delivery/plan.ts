import { CHANNELS, type Channel, type Severity } from '../alerts/contract.js';

/** A user's preference for one severity (or '*'), as stored in notification_preference. */
export interface Preference {
  severity: Severity | '*';
  /** In fall-over order. */
  channels: readonly Channel[];
  /** 'HH:MM' local time; both set or both null. An overnight window has start > end (22:00-07:00). */
  quietStart: string | null;
  quietEnd: string | null;
  /** IANA zone; null = UTC. */
  timeZone: string | null;
}

/** What to send a user for one alert. */
export interface DeliveryPlan {
  /** Sent at once, whatever the hour: in-app (the dashboard). */
  immediate: readonly Channel[];
  /** Out-of-band channels in fall-over order: the first is tried, the next when it fails for good. */
  sequence: readonly Channel[];
  /** The first of `sequence` waits until then (the end of quiet hours); `now` otherwise. */
  notBefore: number;
  /** True when quiet hours delayed the sequence. */
  quiet: boolean;
}

/**
 * Decide the channels and the time for one recipient (pure; time is an argument).
 * - Channels: the user's preference for the severity, else their '*' preference, else the rule's.
 * - In-app is always sent, immediately: the alert is on the dashboard in any case.
 * - A critical alert is never left to in-app alone: if the preference names no other channel, the
 *   rule's out-of-band channels are used.
 * - Quiet hours delay the out-of-band channels of non-critical alerts to the window's end; critical
 *   alerts ignore them.
 */
export function plan(preferences: readonly Preference[], severity: Severity, ruleChannels: readonly Channel[], now: number): DeliveryPlan {
  const pref = preferences.find((p) => p.severity === severity) ?? preferences.find((p) => p.severity === '*');
  let sequence = outOfBand(pref ? pref.channels : ruleChannels);
  if (sequence.length === 0 && severity === 'critical') sequence = outOfBand(ruleChannels);
  let notBefore = now;
  let quiet = false;
  if (severity !== 'critical' && pref?.quietStart && pref.quietEnd && sequence.length > 0) {
    const end = quietEnd(now, pref.quietStart, pref.quietEnd, pref.timeZone ?? 'UTC');
    if (end !== undefined) {
      notBefore = end;
      quiet = true;
    }
  }
  return { immediate: ['in-app'], sequence, notBefore, quiet };
}

function outOfBand(channels: readonly Channel[]): Channel[] {
  return [...new Set(channels)].filter((c) => c !== 'in-app' && (CHANNELS as readonly string[]).includes(c));
}

const MINUTE = 60_000;

/** 'HH:MM' -> minutes since midnight; throws on anything else. */
export function parseClock(hhmm: string): number {
  const m = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(hhmm);
  if (!m) throw new RangeError(`not a time of day (HH:MM): ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Local wall-clock minutes since midnight of `at` in `timeZone`. */
export function localMinutes(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/**
 * If `now` lies inside the quiet window [start, end) local time, the instant the window ends;
 * otherwise undefined. Overnight windows (start > end) span midnight; start == end is no window.
 * Across a DST change the end is corrected to the local clock reading `end`.
 */
export function quietEnd(now: number, start: string, end: string, timeZone: string): number | undefined {
  const s = parseClock(start);
  const e = parseClock(end);
  if (s === e) return undefined;
  const local = localMinutes(now, timeZone);
  const inside = s < e ? local >= s && local < e : local >= s || local < e;
  if (!inside) return undefined;
  // Start of the current local minute, then forward by the wall-clock distance to the end.
  const minuteStart = now - (now % MINUTE);
  let candidate = minuteStart + ((e - local + 1440) % 1440) * MINUTE;
  // A DST shift inside the window moves the wall clock: correct by what the clock then reads.
  const drift = ((localMinutes(candidate, timeZone) - e + 1440 + 720) % 1440) - 720;
  candidate -= drift * MINUTE;
  return candidate;
}
