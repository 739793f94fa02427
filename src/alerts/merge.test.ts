import { describe, expect, it } from 'vitest';
import type { Severity } from './contract.js';
import type { Firing } from './evaluate.js';
import { isVisitEvent, mergeFirings, suppressionKey, visitKey, withdrawReasons, withinSuppression } from './merge.js';

const firing = (ruleId: string, severity: Severity, text = ruleId): Firing => ({
  ruleId, ruleVersion: 1, severity, title: `T ${ruleId}`, text, recipients: ['care-coordinator'], channels: ['in-app'], escalationPolicy: null, suppressionMinutes: 0,
});

describe('one alert per visit', () => {
  it('raises a new alert led by the most severe reason, listing every reason', () => {
    const { draft, kind } = mergeFirings(undefined, [firing('readmission-30d', 'critical'), firing('ed-visit', 'high')], 1);
    expect(kind).toBe('raised');
    expect(draft).toMatchObject({ severity: 'critical', ruleId: 'readmission-30d', title: 'T readmission-30d', status: 'open', eventCount: 1, firstEventId: 1, lastEventId: 1 });
    expect(draft.reasons.map((r) => r.ruleId)).toEqual(['readmission-30d', 'ed-visit']);
  });
  it('a later event of the visit updates it in place: counter, latest event, the same rule replaces its reason', () => {
    const first = mergeFirings(undefined, [firing('ed-visit', 'high', 'v1')], 1).draft;
    const { draft, kind, previousSeverity } = mergeFirings(first, [firing('ed-visit', 'high', 'v2')], 2);
    expect(kind).toBe('updated');
    expect(previousSeverity).toBe('high');
    expect(draft).toMatchObject({ eventCount: 2, firstEventId: 1, lastEventId: 2, severity: 'high' });
    expect(draft.reasons).toHaveLength(1);
    expect(draft.reasons[0]!.text).toBe('v2');
  });
  it('a more severe rule raises the severity and reopens an acknowledged alert', () => {
    const first = { ...mergeFirings(undefined, [firing('ed-visit', 'high')], 1).draft, status: 'acknowledged' as const };
    const { draft } = mergeFirings(first, [firing('readmission-30d', 'critical')], 2);
    expect(draft).toMatchObject({ severity: 'critical', ruleId: 'readmission-30d', status: 'open' });
    expect(draft.reasons).toHaveLength(2);
  });
  it('an acknowledged or resolved alert stays so when nothing more severe arrives', () => {
    const first = { ...mergeFirings(undefined, [firing('ed-visit', 'high')], 1).draft, status: 'resolved' as const };
    expect(mergeFirings(first, [firing('abnormal-lab', 'medium')], 2).draft.status).toBe('resolved');
  });
  it('cancels withdraw the reasons they caused; with none left the alert is withdrawn, and comes back when the visit fires again', () => {
    const first = mergeFirings(undefined, [firing('readmission-30d', 'critical'), firing('ed-visit', 'high')], 1).draft;
    const partly = withdrawReasons(first, new Set(['ed-visit']), 1);
    expect(partly).toMatchObject({ kind: 'updated', draft: { severity: 'high', ruleId: 'ed-visit', status: 'open' } });
    const gone = withdrawReasons(partly.draft, new Set(), 0);
    expect(gone).toMatchObject({ kind: 'withdrawn', draft: { status: 'withdrawn' } });
    expect(mergeFirings(gone.draft, [firing('ed-visit', 'high')], 3)).toMatchObject({ kind: 'raised', draft: { status: 'open' } });
  });
});

describe('keys and suppression', () => {
  it('visit events of an encounter share the visit key; results and deaths do not', () => {
    expect(isVisitEvent({ type: 'visit-update', encounterId: 4 })).toBe(true);
    expect(isVisitEvent({ type: 'observation', encounterId: 4 })).toBe(false);
    expect(isVisitEvent({ type: 'admit', encounterId: null })).toBe(false);
    expect(visitKey(4)).toBe('visit:4');
    expect(suppressionKey('critical-lab', 7, null)).toBe('rule:critical-lab:patient:7:episode:-');
  });
  it('an open alert takes new firings within the window only; closed ones never', () => {
    expect(withinSuppression({ status: 'open', raisedAt: 0 }, 60, 59 * 60_000)).toBe(true);
    expect(withinSuppression({ status: 'acknowledged', raisedAt: 0 }, 60, 60 * 60_000)).toBe(false);
    expect(withinSuppression({ status: 'resolved', raisedAt: 0 }, 60, 1)).toBe(false);
    expect(withinSuppression({ status: 'open', raisedAt: 0 }, 0, 1)).toBe(false);
  });
});
