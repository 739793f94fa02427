import { describe, expect, it } from 'vitest';
import { parseHl7 } from '../hl7/index.js';
import { readOrderResult } from './result.js';
import { oruGroups } from './structure.js';
import { summarize } from './summary.js';

const FALLBACK = Date.UTC(2026, 10, 3, 13, 15, 22);
function orderOf(...segments: string[]) {
  const m = parseHl7(['MSH|^~\\&|LAB|H|CC|CC|20261103081522||ORU^R01|1|P|2.5.1', 'PID|1||M1', ...segments].join('\r'));
  return readOrderResult(oruGroups(m)[0]!.orders[0]!, FALLBACK);
}

describe('readOrderResult', () => {
  const bmp = orderOf(
    'ORC|RE|ORD1|LAB1',
    'OBR|1|ORD1|LAB1^LABSYS|80048^BASIC METABOLIC PANEL^CPT|||20261103070500-0500||||||||||||||||||F',
    'NTE|1|L|Fasting specimen.',
    'OBX|1|NM|2823-3^Potassium^LN||6.8|mmol/L|3.5-5.1|HH|||F|||20261103081000-0500',
    'NTE|1|L|Critical value called to RN J. PARKS at 0815.',
    'OBX|2|NM|2951-2^Sodium^LN||128|mmol/L|136-145|L|||F',
    'OBX|3|NM|2160-0^Creatinine^LN||1.9|mg/dL|0.7-1.3||||F',
    'OBX|4|NM|2345-7^Glucose^LN||41|mg/dL|70-99|LL~C|||C',
  );

  it('reads the order: codes, order numbers with namespace, status, OBR-7', () => {
    expect(bmp.order).toEqual({
      setId: '1', code: '80048', codeSystem: 'CPT', text: 'BASIC METABOLIC PANEL',
      placerOrder: 'ORD1', fillerOrder: 'LAB1^LABSYS', status: 'F', observedAt: Date.UTC(2026, 10, 3, 12, 5),
    });
    expect(bmp.occurredAt).toBe(Date.UTC(2026, 10, 3, 12, 5));
    expect(bmp.notes).toBe('Fasting specimen.');
  });

  it('reads each result with value, units, range, flags, interpretation, status, time and notes', () => {
    expect(bmp.results[0]).toMatchObject({
      setId: '1', code: '2823-3', codeSystem: 'LN', codeText: 'Potassium', valueType: 'NM',
      value: { text: '6.8', num: 6.8 }, units: 'mmol/L', referenceRange: '3.5-5.1', abnormalFlags: ['HH'],
      interpretation: 'critical-high', outOfRange: true, resultStatus: 'F', observedAt: Date.UTC(2026, 10, 3, 13, 10),
      notes: 'Critical value called to RN J. PARKS at 0815.',
    });
    // No OBX-14: OBR-7.
    expect(bmp.results[1]).toMatchObject({ interpretation: 'low', observedAt: Date.UTC(2026, 10, 3, 12, 5), notes: null });
    // Out of range without a flag: no interpretation invented, outOfRange says it.
    expect(bmp.results[2]).toMatchObject({ abnormalFlags: [], interpretation: null, outOfRange: true });
    expect(bmp.results[3]).toMatchObject({ abnormalFlags: ['LL', 'C'], interpretation: 'critical-low', resultStatus: 'C' });
  });

  it('falls back to ORC-3 for the filler order and to the message time for times', () => {
    const r = orderOf('ORC|RE||F9^LAB', 'OBR|1|||CBC', 'OBX|1|NM|WBC||7.5');
    expect(r.order.fillerOrder).toBe('F9^LAB');
    expect(r.occurredAt).toBe(FALLBACK);
    expect(r.results[0]!.observedAt).toBe(FALLBACK);
    const obxOnly = orderOf('OBR|1||F1|CBC', 'OBX|1|NM|A||1||||||F|||20261101', 'OBX|2|NM|B||1||||||F|||20261102');
    expect(obxOnly.occurredAt).toBe(Date.UTC(2026, 10, 1));
  });

  it('reads CWE abnormal flags by identifier, else text', () => {
    const r = orderOf('OBR|1||F1|X', 'OBX|1|CWE|625-4^Culture^LN||27268008^Salmonella^SCT|||A^A^HL70078~^Critical|||P');
    expect(r.results[0]).toMatchObject({ abnormalFlags: ['A', 'Critical'], interpretation: 'critical-abnormal', resultStatus: 'P' });
  });
});

describe('summarize', () => {
  it('counts by interpretation and names the critical and abnormal results', () => {
    const s = summarize(orderOf(
      'OBR|1||F1|X',
      'OBX|1|NM|K^Potassium||6.8|mmol/L|3.5-5.1|HH',
      'OBX|2|NM|NA^Sodium||128|mmol/L|136-145|L',
      'OBX|3|NM|CR^Creatinine||1.9|mg/dL|0.7-1.3',
      'OBX|4|NM|GLU^Glucose||90|mg/dL|70-99|N',
    ).results);
    expect(s).toMatchObject({ count: 4, byInterpretation: { 'critical-high': 1, low: 1, none: 1, normal: 1 }, outOfRange: 3, outOfRangeUnflagged: 1, severity: 'critical' });
    expect(s.critical).toEqual([expect.objectContaining({ code: 'K', text: 'Potassium', value: '6.8', valueNum: 6.8, units: 'mmol/L', interpretation: 'critical-high', flags: ['HH'] })]);
    expect(s.abnormal.map((a) => a.code)).toEqual(['NA']);
  });

  it('has no severity when nothing is flagged', () => {
    expect(summarize([])).toMatchObject({ count: 0, severity: null, critical: [], abnormal: [] });
  });
});
