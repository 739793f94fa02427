import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHl7, readObx } from '../hl7/index.js';
import { observationValue, structuredNumeric } from './value.js';

/** The value read from one literal OBX segment. */
function valueOf(obx: string) {
  const m = parseHl7(`MSH|^~\\&|LAB|H|CC|CC|20261103081522||ORU^R01|1|P|2.5.1\r${obx}\r`);
  return observationValue(readObx(m)!);
}

describe('observationValue (OBX-5 by OBX-2, table 0125)', () => {
  it('reads NM as a number, keeping the text as sent', () => {
    expect(valueOf('OBX|1|NM|2823-3^K^LN||6.80|mmol/L')).toMatchObject({ text: '6.80', num: 6.8, comparator: null });
    expect(valueOf('OBX|1|NM|x||-10')).toMatchObject({ num: -10 });
    expect(valueOf('OBX|1|NM|x||.2')).toMatchObject({ num: 0.2 });
  });

  it('salvages a comparator a sender wrote into NM, and nothing else', () => {
    expect(valueOf('OBX|1|NM|x||<0.01')).toMatchObject({ text: '<0.01', num: 0.01, comparator: '<' });
    expect(valueOf('OBX|1|NM|x||>= 90')).toMatchObject({ num: 90, comparator: '>=' });
    expect(valueOf('OBX|1|NM|x||see note')).toMatchObject({ text: 'see note', num: null, comparator: null });
  });

  it.each([
    ['<^5', { text: '<5', num: 5, comparator: '<' }],
    ['>^100', { text: '>100', num: 100, comparator: '>' }],
    ['<=^0.5', { text: '<=0.5', num: 0.5, comparator: '<=' }],
    ['^182', { text: '182', num: 182, comparator: null }],
    ['=^4.2', { text: '4.2', num: 4.2, comparator: null }],
    ['^1^:^2', { text: '1:2', num: null, comparator: null }],
    ['^1^/^64', { text: '1/64', num: null, comparator: null }],
    ['^10^-^20', { text: '10-20', num: null, comparator: null }],
    ['^2^+', { text: '2+', num: null, comparator: null }],
    ['<>^5', { text: '<>5', num: null, comparator: null }],
    ['182', { text: '182', num: 182, comparator: null }],
    ['<5', { text: '<5', num: 5, comparator: '<' }],
  ])('reads SN %s', (raw, expected) => {
    expect(valueOf(`OBX|1|SN|x||${raw}`)).toMatchObject(expected);
  });

  it('reads coded values with their code and system, text first', () => {
    expect(valueOf('OBX|1|CWE|94500-6^SARS-CoV-2^LN||260373001^Detected^SCT')).toMatchObject({ text: 'Detected', code: '260373001', codeSystem: 'SCT' });
    expect(valueOf('OBX|1|CE|x||^^^ALT1^Alt text^L')).toMatchObject({ text: 'Alt text', code: 'ALT1', codeSystem: 'L' });
    expect(valueOf('OBX|1|CWE|x||^^^^S01^^^^FultonCounty')).toMatchObject({ text: 'S01', code: null, codeSystem: null });
    expect(valueOf('OBX|1|CWE|x||^^^^^^^^FultonCounty')).toMatchObject({ text: 'FultonCounty', code: null });
    expect(valueOf('OBX|1|CWE|x||Y')).toMatchObject({ text: 'Y', code: 'Y' });
  });

  it('reads text types line by line, formatting escapes as sent', () => {
    expect(valueOf('OBX|1|TX|x||line one~line two')).toMatchObject({ text: 'line one\nline two', num: null });
    expect(valueOf('OBX|1|FT|x||a\\.br\\b')).toMatchObject({ text: 'a\\.br\\b' });
    expect(valueOf('OBX|1|ST|x||5.2')).toMatchObject({ text: '5.2', num: null });
  });

  it('reads dates with their instant', () => {
    expect(valueOf('OBX|1|TS|x||20180312')).toMatchObject({ text: '20180312', time: Date.UTC(2018, 2, 12) });
    expect(valueOf('OBX|1|DT|x||2022')).toMatchObject({ text: '2022', time: Date.UTC(2022, 0, 1) });
    expect(valueOf('OBX|1|TS|x||not a date')).toMatchObject({ text: 'not a date', time: null });
  });

  it('keeps encapsulated data whole', () => {
    expect(valueOf('OBX|1|ED|PDF^Report||^TX^PDF^Base64^JVBERi0xLjQK')).toMatchObject({ text: '^TX^PDF^Base64^JVBERi0xLjQK', num: null });
  });

  it('reads a number when OBX-2 is empty, and nothing for an empty value', () => {
    expect(valueOf('OBX|1||x||42')).toMatchObject({ text: '42', num: 42 });
    expect(valueOf('OBX|1|NM|x||')).toEqual({ text: null, num: null, comparator: null, code: null, codeSystem: null, time: null });
  });

  it('reads back every comparator and number written as SN', () => {
    fc.assert(fc.property(fc.constantFrom('<', '<=', '>', '>=', ''), fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 0, max: 4 }), (c, n, d) => {
      const text = (n / 10 ** d).toFixed(d);
      const v = structuredNumeric([c, text]);
      expect(v.num).toBe(Number(text));
      expect(v.comparator).toBe(c === '' ? null : c);
      expect(v.text).toBe(`${c}${text}`);
    }));
  });
});
