import { describe, expect, it } from 'vitest';
import { parseHl7 } from '../hl7/index.js';
import { deathFromPid, deathOf } from './death.js';
import { chooseEventTime } from './event-time.js';
import { readAdt, ssnDigitsOf, visitPayload } from './read.js';
import { coveragesOf, newDiagnoses, planCoverage, type Coverage } from './records.js';
import { readVisit } from './visit.js';
import { seg } from './testing.js';

const utc = (s: string) => Date.parse(s);
const msg = (...segments: string[]) => parseHl7(segments.join('\r') + '\r');
const MSH = (trigger: string, time = '20261125101500') => `MSH|^~\\&|EPIC|GENHOSP|CC|CC|${time}||ADT^${trigger}|C1|P|2.5.1`;

describe('chooseEventTime', () => {
  const all = { evnOccurred: 1, evnRecorded: 2, admitTime: 3, dischargeTime: 4, messageTime: 5, receivedAt: 6 };
  it('prefers EVN-6, then EVN-2, then the PV1 time that fits, then MSH-7, then the receive time', () => {
    expect(chooseEventTime(all, 'admit')).toEqual({ at: 1, source: 'EVN-6' });
    expect(chooseEventTime({ ...all, evnOccurred: undefined }, 'admit')).toEqual({ at: 2, source: 'EVN-2' });
    const noEvn = { ...all, evnOccurred: undefined, evnRecorded: undefined };
    expect(chooseEventTime(noEvn, 'admit')).toEqual({ at: 3, source: 'PV1-44' });
    expect(chooseEventTime(noEvn, 'discharge')).toEqual({ at: 4, source: 'PV1-45' });
    expect(chooseEventTime(noEvn)).toEqual({ at: 5, source: 'MSH-7' });
    expect(chooseEventTime({ receivedAt: 6 }, 'admit')).toEqual({ at: 6, source: 'received' });
  });

  it('reads the times from the message, never the receive time when the message has one', () => {
    const pv1 = seg('PV1', { 2: 'I', 19: 'V1', 45: '20261125080000' });
    const withEvn = readAdt(msg(MSH('A03'), seg('EVN', { 1: 'A03', 2: '20261125090000', 6: '20261125083000' }), 'PID|1||M1^^^GENHOSP^MR', pv1), 999)!;
    expect(withEvn).toMatchObject({ occurredAt: utc('2026-11-25T08:30:00Z'), timeSource: 'EVN-6' });
    const pv1Only = readAdt(msg(MSH('A03'), 'PID|1||M1^^^GENHOSP^MR', pv1), 999)!;
    expect(pv1Only).toMatchObject({ occurredAt: utc('2026-11-25T08:00:00Z'), timeSource: 'PV1-45' });
    const mshOnly = readAdt(msg(MSH('A02', '20261125101500-0500'), 'PID|1||M1^^^GENHOSP^MR'), 999)!;
    expect(mshOnly).toMatchObject({ occurredAt: utc('2026-11-25T15:15:00Z'), timeSource: 'MSH-7' });
  });
});

describe('readVisit', () => {
  it('normalizes PV1 and PV2', () => {
    const pv1 = seg('PV1', { 1: '1', 2: 'i', 3: '3N^312^B^SAINT_JOSEPH', 7: '2211^HAYES^ROBERT^^^DR', 10: 'MED', 14: '7', 19: 'V100^^^GENHOSP^VN', 36: '01', 37: 'HOME', 44: '20261110092500' });
    const v = readVisit(msg(MSH('A01'), 'PID|1||M1', pv1, seg('PV2', { 3: '^Chest pain' })));
    expect(v).toMatchObject({
      present: true, visitNumber: 'V100', patientClass: 'I', location: '3N/312/B', attending: 'HAYES, ROBERT (2211)', attendingId: '2211',
      hospitalService: 'MED', admitSource: '7', disposition: '01', dischargedTo: 'HOME', admitTime: utc('2026-11-10T09:25:00Z'), admitReason: 'Chest pain', repairs: [],
    });
  });

  it('reads explicit nulls and empty PV1 as nothing', () => {
    expect(readVisit(msg(MSH('A08'), 'PID|1||M1', 'PV1|1|""|""'))).toMatchObject({ present: false, patientClass: null, location: null });
    expect(readVisit(msg(MSH('A08'), 'PID|1||M1'))).toMatchObject({ present: false, visitNumber: null });
  });

  it('reads a PV1 one field short after PV1-19 at the shifted positions', () => {
    // authored/adt_a03_discharge_expired.hl7: disposition in PV1-35, admit and discharge times in PV1-43/44.
    const v = readVisit(msg(MSH('A03'), 'PID|1||M1', 'PV1|1|I|ICU^4^A^ST_LUKES||||3302^KIM^SOO-JIN^^^DR|||MED||||1|||3302^KIM^SOO-JIN^^^DR|IN|V4471||||||||||||||||20||||||||20261108031500|20261112170000'));
    expect(v).toMatchObject({ disposition: '20', admitTime: utc('2026-11-08T03:15:00Z'), dischargeTime: utc('2026-11-12T17:00:00Z'), visitNumber: 'V4471' });
    expect(v.repairs).toHaveLength(1);
    // A conforming PV1 with a prior temporary location in PV1-43 is read as written.
    const ok = readVisit(msg(MSH('A03'), 'PID|1||M1', seg('PV1', { 2: 'I', 19: 'V2', 36: '20', 43: 'TEMP^1', 44: '20261108031500', 45: '20261112170000' })));
    expect(ok).toMatchObject({ disposition: '20', admitTime: utc('2026-11-08T03:15:00Z'), dischargeTime: utc('2026-11-12T17:00:00Z'), repairs: [] });
  });
});

describe('death', () => {
  const pidOf = (s: string) => msg(MSH('A08'), s).segment('PID');
  it('reads PID-29/30, and a death time written in PID-31 when PID-29 is empty and PID-30 is Y', () => {
    expect(deathFromPid(pidOf(seg('PID', { 3: 'M1', 29: '20261112164500', 30: 'Y' })))).toMatchObject({ indicator: true, at: utc('2026-11-12T16:45:00Z'), source: 'PID-29' });
    expect(deathFromPid(pidOf(seg('PID', { 3: 'M1', 30: 'Y', 31: '20261112164500' })))).toMatchObject({ indicator: true, at: utc('2026-11-12T16:45:00Z'), source: 'PID-31' });
    expect(deathFromPid(pidOf(seg('PID', { 3: 'M1', 30: 'N', 31: 'Y' })))).toMatchObject({ indicator: false, at: undefined });
  });

  it('is a death on an expired A03 disposition (20, 40, 41, 42) or PID-30 Y, never on other dispositions', () => {
    const none = { indicator: false, at: undefined, source: undefined, repairs: [] };
    const base = { pid: none, isDischarge: true, dischargeTime: 5, occurredAt: 7 };
    for (const d of ['20', '40', '41', '42']) expect(deathOf({ ...base, disposition: d })).toEqual({ at: 5, basis: 'disposition', disposition: d, timeSource: 'PV1-45' });
    expect(deathOf({ ...base, disposition: '01' })).toBeUndefined();
    expect(deathOf({ ...base, isDischarge: false, disposition: '20' })).toBeUndefined();
    expect(deathOf({ ...base, disposition: null, pid: { ...none, indicator: true } })).toEqual({ at: 7, basis: 'pid', timeSource: 'event' });
    expect(deathOf({ ...base, disposition: '20', pid: { ...none, indicator: true, at: 3, source: 'PID-29' } })).toEqual({ at: 3, basis: 'pid', disposition: '20', timeSource: 'PID-29' });
  });
});

describe('diagnoses and coverage', () => {
  const m = msg(
    MSH('A01'),
    seg('PID', { 3: 'M1^^^GENHOSP^MR~123456789^^^SSA^SS', 5: 'DOE^JANE', 19: '987-65-4321' }),
    'DG1|1||I10^Essential hypertension^I10||20261101|A',
    'DG1|2||^^^|Chest pain||W',
    seg('IN1', { 1: '1', 2: 'PPO^Gold PPO', 3: 'BCBS01', 4: 'BLUE CROSS', 8: 'GRP9', 12: '20260101', 13: '20261231', 36: '987654321' }),
    seg('IN1', { 1: '2', 2: 'MCR^Medicare', 3: 'CMS', 4: 'MEDICARE', 12: '20250101', 49: '123456789^^^SSA^SS~MBI123^^^CMS^MB' }),
  );

  it('reads DG1 codes and uncoded text, and records a diagnosis only once', () => {
    const list = diagnosesOf(m);
    expect(list).toEqual([
      { code: 'I10', codeSystem: 'I10', description: 'Essential hypertension', type: 'A', recordedAt: utc('2026-11-01T00:00:00Z') },
      { code: null, codeSystem: null, description: 'Chest pain', type: 'W', recordedAt: 42 },
    ]);
    expect(newDiagnoses(list, list)).toEqual([]);
    expect(newDiagnoses([list[0]!], [...list, { ...list[0]!, type: 'F' }]).map((d) => d.type)).toEqual(['W', 'F']);
  });

  it('never keeps a value holding the SSN (a policy number that is the SSN)', () => {
    const c = coveragesOf(m, ssnDigitsOf(m));
    expect(ssnDigitsOf(m)).toEqual(['987654321', '123456789']);
    expect(c[0]).toMatchObject({ setId: '1', planId: 'PPO', planName: 'Gold PPO', companyId: 'BCBS01', companyName: 'BLUE CROSS', groupNumber: 'GRP9', memberId: null, effectiveDate: '2026-01-01', expirationDate: '2026-12-31' });
    expect(c[1]).toMatchObject({ setId: '2', memberId: 'MBI123' });
  });

  it('replaces coverage by set id, adds new ones and removes the ones no longer sent', () => {
    const cov = (setId: string | null, planId: string): Coverage => ({ setId, planId, planName: null, companyId: null, companyName: null, groupNumber: null, memberId: null, effectiveDate: null, expirationDate: null });
    const stored = [{ ...cov('1', 'OLD'), id: 10 }, { ...cov('2', 'MCR'), id: 11 }];
    expect(planCoverage(stored, [cov('1', 'NEW'), cov('3', 'X')])).toEqual({ update: [{ id: 10, coverage: cov('1', 'NEW') }], insert: [cov('3', 'X')], remove: [11] });
    expect(planCoverage([{ ...cov(null, 'P'), id: 5 }], [cov(null, 'P')])).toMatchObject({ update: [{ id: 5 }], insert: [], remove: [] });
  });
});

describe('visitPayload', () => {
  it('keeps only what the message says, and no PID content', () => {
    const a = readAdt(msg(MSH('A01'), 'EVN|A01|20261125101500', seg('PID', { 3: 'M1^^^GENHOSP^MR', 5: 'DOE^JANE', 19: '123-45-6789' }), seg('PV1', { 2: 'I', 3: '4W^401^A', 19: 'V9' })), 0)!;
    const p = visitPayload(a);
    expect(p).toEqual({ trigger: 'A01', eventTimeSource: 'EVN-2', visitNumber: 'V9', patientClass: 'I', location: '4W/401/A' });
    expect(JSON.stringify(a)).not.toContain('123456789');
  });

  it('implies the class of A06 (I) and A07 (O) when PV1-2 is empty', () => {
    expect(readAdt(msg(MSH('A06'), 'PID|1||M1', 'PV1|1||4W'), 0)!.visit.patientClass).toBe('I');
    expect(readAdt(msg(MSH('A07'), 'PID|1||M1', 'PV1|1||4W'), 0)!.visit.patientClass).toBe('O');
    expect(readAdt(msg(MSH('A40'), 'PID|1||M1'), 0)).toBeUndefined();
  });
});

function diagnosesOf(m: ReturnType<typeof msg>) {
  return readAdt(m, 0)!.diagnoses.map((d, i) => (i === 1 ? { ...d, recordedAt: 42 } : d));
}
