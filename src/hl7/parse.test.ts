import { describe, expect, it } from 'vitest';
import { Hl7Error, Hl7ErrorCode, parseHl7 } from './index.js';

const ADT = [
  'MSH|^~\\&|SEND|FAC|RECV|RFAC|20240102134501-0500||ADT^A01^ADT_A01|CTRL1|P|2.5.1',
  'PID|1||111^^^HOSP^MR~222^^^SSA^SS||DOE^JOHN^Q||19800101|M|||1 Main St\\T\\Co^^Town' + '|'.repeat(19) + '""',
  'OBX|1|ST|X^Y||first',
  'OBX|2|ST|X^Y||second\\F\\part',
  'ZPD|custom|',
].join('\r') + '\r';

function refusal(text: string): Hl7Error {
  try {
    parseHl7(text);
  } catch (e) {
    if (e instanceof Hl7Error) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('parseHl7', () => {
  it('reads values at terser-like paths, unescaped', () => {
    const m = parseHl7(ADT);
    expect(m.get('MSH-9.1')).toBe('ADT');
    expect(m.get('MSH-9.2')).toBe('A01');
    expect(m.get('PID-3[2].4.1')).toBe('SSA');
    expect(m.get('PID-5')).toBe('DOE');
    expect(m.get('PID-5.2')).toBe('JOHN');
    expect(m.get('PID-11.1')).toBe('1 Main St&Co');
    expect(m.get('OBX[2]-5')).toBe('second|part');
    expect(m.get('OBX[3]-5')).toBe('');
    expect(m.get('PID-99')).toBe('');
  });

  it('exposes MSH-1 as the field separator and MSH-2 as the encoding characters', () => {
    const m = parseHl7(ADT);
    expect(m.get('MSH-1')).toBe('|');
    expect(m.get('MSH-2')).toBe('^~\\&');
    expect(m.get('MSH-3')).toBe('SEND');
    expect(m.segments[0]?.fieldCount).toBe(12);
  });

  it('reports message type, control id and version from MSH', () => {
    const m = parseHl7(ADT);
    expect(m.messageType).toEqual({ code: 'ADT', trigger: 'A01', structure: 'ADT_A01' });
    expect(m.controlId).toBe('CTRL1');
    expect(m.version).toBe('2.5.1');
  });

  it('keeps "" explicit nulls as the two-character value', () => {
    expect(parseHl7(ADT).get('PID-30')).toBe('""');
  });

  it('finds segments by name and occurrence, including Z-segments', () => {
    const m = parseHl7(ADT);
    expect(m.segmentsNamed('OBX')).toHaveLength(2);
    expect(m.segment('OBX', 2)?.get(1)).toBe('2');
    expect(m.segment('ZPD')?.get(1)).toBe('custom');
    expect(m.segment('ZPD')?.fieldCount).toBe(2);
  });

  it('round-trips byte for byte with CR, LF, CRLF, mixed separators, blank lines and no final separator', () => {
    const body = ['MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.4', 'PID|||1', 'OBX|1|NM|K||6.8'];
    for (const text of [
      body.join('\r') + '\r',
      body.join('\n') + '\n',
      body.join('\r\n') + '\r\n',
      body[0] + '\n' + body[1] + '\r' + body[2] + '\r\r',
      '\r\n' + body.join('\r'),
    ]) {
      const m = parseHl7(text);
      expect(m.toString()).toBe(text);
      expect(m.segments.map((s) => s.name)).toEqual(['MSH', 'PID', 'OBX']);
    }
  });

  it('keeps each segment separator as received', () => {
    const m = parseHl7('MSH|^~\\&|||||||ADT^A01|1|P|2.5\r\nEVN|A01\nPID|1\r');
    expect(m.segments.map((s) => s.terminator)).toEqual(['\r\n', '\n', '\r']);
  });

  it('reads non-standard delimiters from MSH-1 and MSH-2', () => {
    const m = parseHl7('MSH#!@%*#SEND#FAC###20240101##ADT!A01#1#P#2.5\rPID#1##a!b@c!d*e%F%');
    expect(m.delimiters).toEqual({ field: '#', component: '!', repetition: '@', escape: '%', subcomponent: '*' });
    expect(m.get('MSH-9.2')).toBe('A01');
    expect(m.get('PID-3[2].2.2')).toBe('e#');
  });

  it('reads a 5-character MSH-2 with the v2.7 truncation character', () => {
    const m = parseHl7('MSH|^~\\&#|A||||||ADT^A01|1|P|2.7\rPID|1||a#b');
    expect(m.delimiters.truncation).toBe('#');
    expect(m.get('PID-3')).toBe('a#b');
  });

  it('reads a 3-character MSH-2 as having no subcomponent separator', () => {
    const m = parseHl7('MSH|^~\\|A||||||ADT^A01|1|P|2.3\rPID|1||a&b');
    expect(m.delimiters.subcomponent).toBe('');
    expect(m.get('PID-3')).toBe('a&b');
  });

  it('reads a doubled escape character in MSH-2 ("^~\\\\&") as "^~\\&" with a warning', () => {
    const text = 'MSH|^~\\\\&|A||||||ORU^R01|1|P|2.6\rPID|1||a&b';
    const m = parseHl7(text);
    expect(m.delimiters.subcomponent).toBe('&');
    expect(m.warnings).toHaveLength(1);
    expect(m.get('PID-3.1.2')).toBe('b');
    expect(m.toString()).toBe(text);
  });

  it('accepts an empty control id and exposes it as ""', () => {
    expect(parseHl7('MSH|^~\\&|||||||ADT^A01||P|2.5').controlId).toBe('');
  });

  it('tolerates version components like "2.5^^"', () => {
    expect(parseHl7('MSH|^~\\&|||||||ADT^A45||P|2.5^^').version).toBe('2.5');
  });

  it('refuses text that does not start with MSH', () => {
    expect(refusal('PID|1||123\r').code).toBe(Hl7ErrorCode.MISSING_MSH);
    expect(refusal('').code).toBe(Hl7ErrorCode.EMPTY_INPUT);
    expect(refusal('\r\n').code).toBe(Hl7ErrorCode.EMPTY_INPUT);
  });

  it('refuses invalid MSH-1 field separators', () => {
    for (const t of ['MSH', 'MSH\r', 'MSHA^~\\&', 'MSH ^~\\&', 'MSH\u0000^~\\&', 'MSHé^~\\&']) {
      expect(refusal(t).code).toBe(Hl7ErrorCode.INVALID_FIELD_SEPARATOR);
    }
  });

  it('refuses invalid MSH-2 encoding characters with the MSH-2 location', () => {
    for (const enc of ['', '^', '&&&&', '0~00', '^~y0', '^\uFFFD\\&', '^~\\&#!', '^ \\&', '^\u0001\\&']) {
      const e = refusal(`MSH|${enc}|A||||||ADT^A01|1|P|2.5`);
      expect(e.code).toBe(Hl7ErrorCode.INVALID_ENCODING_CHARACTERS);
      expect(e.location).toEqual({ segment: 'MSH', sequence: 1, field: 2 });
    }
  });

  it('refuses encoding characters that collide with the field separator', () => {
    // MSH-1 "^" then "^~\&": MSH-2 ends at once, so it is empty
    expect(refusal('MSH^^~\\&^A^^^^^^ADT~A01^1^P^2.5').code).toBe(Hl7ErrorCode.INVALID_ENCODING_CHARACTERS);
  });

  it('refuses segment ids that are not three upper-case alphanumerics', () => {
    for (const bad of ['PIDX|1', 'PV|1', 'pid|1', '1PD|1', ' PID|1', 'P-D|1']) {
      expect(refusal(`MSH|^~\\&|||||||ADT^A01|1|P|2.5\r${bad}`).code).toBe(Hl7ErrorCode.INVALID_SEGMENT_ID);
    }
  });

  it('refuses NUL and other C0 control characters in content, naming the segment', () => {
    const e = refusal('MSH|^~\\&|||||||ADT^A01|1|P|2.5\rPID|1||12\u00003');
    expect(e.code).toBe(Hl7ErrorCode.CONTROL_CHARACTER);
    expect(e.location?.segment).toBe('PID');
    expect(parseHl7('MSH|^~\\&|||||||ADT^A01|1|P|2.5\rNTE|1||a\tb').get('NTE-3')).toBe('a\tb');
  });

  it('refuses a message without MSH-9 message type', () => {
    const e = refusal('MSH|^~\\&|A|B|C|D|||^A01|1|P|2.5');
    expect(e.code).toBe(Hl7ErrorCode.MISSING_MESSAGE_TYPE);
    expect(e.table0357).toEqual({ code: 101, text: 'Required field missing' });
  });

  it('refuses missing and unknown versions; unknown ones map to 203', () => {
    expect(refusal('MSH|^~\\&|||||||ADT^A01|1|P').code).toBe(Hl7ErrorCode.MISSING_VERSION);
    const e = refusal('MSH|^~\\&|||||||ADT^A01|1|P|1.0');
    expect(e.code).toBe(Hl7ErrorCode.UNSUPPORTED_VERSION);
    expect(e.table0357.code).toBe(203);
    expect(refusal('MSH|^~\\&|||||||ADT^A01|1|P|2.8.1000000000000').code).toBe(Hl7ErrorCode.UNSUPPORTED_VERSION);
  });

  it('refuses a second MSH or a batch segment inside one message', () => {
    expect(refusal('MSH|^~\\&|||||||ADT^A01|1|P|2.5\rMSH|^~\\&|||||||ADT^A01|2|P|2.5').code).toBe(Hl7ErrorCode.UNEXPECTED_SEGMENT);
    expect(refusal('MSH|^~\\&|||||||ADT^A01|1|P|2.5\rBTS|1').code).toBe(Hl7ErrorCode.UNEXPECTED_SEGMENT);
  });

  it('throws INVALID_PATH for malformed paths', () => {
    const m = parseHl7(ADT);
    for (const p of ['PID', 'PID-0', 'pid-3', 'PID-3.', 'PID[0]-3']) expect(() => m.get(p)).toThrow(Hl7Error);
  });

  it('parses a message of 200 000 empty fields in linear time', () => {
    const text = 'MSH|^~\\&|||||||ADT^A01|1|P|2.5\rZZZ' + '|'.repeat(200_000);
    const m = parseHl7(text);
    expect(m.segment('ZZZ')?.fieldCount).toBe(200_000);
  });
});
