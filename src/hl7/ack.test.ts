import { describe, expect, it } from 'vitest';
import { buildAck, parseHl7, readLenientHeader, shouldSendAccept, readMsa, readErr, readMsh } from './index.js';

const NOW = new Date(Date.UTC(2024, 0, 2, 18, 45, 1));
const header = (msh: string) => readLenientHeader(msh);
const ORIGINAL = 'MSH|^~\\&|LAB|HOSP|CARE|CC|20240102||ORU^R01^ORU_R01|MSG42|P|2.5.1||||||UNICODE UTF-8\r';
const lines = (ack: string): string[] => ack.split('\r').filter((l) => l !== '');

describe('buildAck', () => {
  it('builds an original-mode AA with swapped applications, echoed ids, version and charset', () => {
    const ack = buildAck({ original: header(ORIGINAL), code: 'AA', controlId: 'ACK1', now: NOW });
    expect(lines(ack)).toEqual([
      'MSH|^~\\&|CARE|CC|LAB|HOSP|20240102184501+0000||ACK^R01^ACK|ACK1|P|2.5.1||||||UNICODE UTF-8',
      'MSA|AA|MSG42',
    ]);
    expect(ack.endsWith('\r')).toBe(true);
    expect(ack).not.toContain('\n');
  });

  it('uses our own identity for MSH-3/4 when given, and MSH-7 in the given offset', () => {
    const ack = buildAck({ original: header(ORIGINAL), code: 'AA', controlId: 'A', now: NOW, sendingApplication: 'CARECOORD^1.2.3^ISO', sendingFacility: 'HQ', offsetMinutes: -300 });
    const m = parseHl7(ack);
    expect(m.get('MSH-3.2')).toBe('1.2.3');
    expect(m.get('MSH-4')).toBe('HQ');
    expect(m.get('MSH-7')).toBe('20240102134501-0500');
  });

  it('maps AA/AE/AR to CA/CE/CR when the original asked for enhanced mode', () => {
    const enhanced = header('MSH|^~\\&|LAB|HOSP|CARE|CC|2024||ADT^A01|X|P|2.5|||AL|NE');
    for (const [code, sent] of [['AA', 'CA'], ['AE', 'CE'], ['AR', 'CR']] as const) {
      expect(parseHl7(buildAck({ original: enhanced, code, controlId: 'A', now: NOW })).get('MSA-1')).toBe(sent);
    }
    expect(parseHl7(buildAck({ original: enhanced, code: 'AE', controlId: 'A', now: NOW, ackKind: 'application' })).get('MSA-1')).toBe('AE');
  });

  it('writes ERR-2..ERR-8 for v2.5 and later', () => {
    const ack = buildAck({
      original: header(ORIGINAL), code: 'AE', controlId: 'A', now: NOW,
      errors: [{ code: 101, severity: 'E', text: 'PID-3 is empty | required', location: { segment: 'PID', sequence: 1, field: 3 } }],
    });
    expect(lines(ack)[2]).toBe('ERR||PID^1^3^1|101^Required field missing^HL70357|E||||PID-3 is empty \\F\\ required');
    const err = readErr(parseHl7(ack));
    expect(err).toMatchObject({ severity: 'E', userMessage: 'PID-3 is empty | required', code: { identifier: '101', codingSystem: 'HL70357' } });
  });

  it('writes ERR-1 (segment^sequence^field^code&text&HL70357) before v2.5, with the text in MSA-3', () => {
    const v23 = header('MSH|^~\\&|LAB|HOSP|CARE|CC|2024||ADT^A04|X|P|2.3');
    const ack = buildAck({ original: v23, code: 'AR', controlId: 'A', now: NOW, errors: [{ code: 203, severity: 'E', text: 'bad', location: { segment: 'MSH', field: 12 } }] });
    expect(lines(ack)).toEqual([
      'MSH|^~\\&|CARE|CC|LAB|HOSP|20240102184501+0000||ACK^A04|A|P|2.3',
      'MSA|AR|X|bad',
      'ERR|MSH^1^12^203&Unsupported version id&HL70357',
    ]);
    expect(readErr(parseHl7(ack))?.code.identifier).toBe('203');
  });

  it('echoes the original delimiters and escapes text with them', () => {
    const custom = header('MSH#!@%*#LAB#HOSP#CARE#CC#2024##ADT!A01!ADT_A01#X#P#2.5');
    const ack = buildAck({ original: custom, code: 'AE', controlId: 'A#1', now: NOW, errors: [{ code: 207, severity: 'E', text: 'a!b' }] });
    expect(ack.startsWith('MSH#!@%*#CARE#CC#LAB#HOSP#')).toBe(true);
    const m = parseHl7(ack);
    expect(m.get('MSH-10')).toBe('A#1');
    expect(m.get('MSH-9.2')).toBe('A01');
    expect(m.get('ERR-8')).toBe('a!b');
  });

  it('falls back to |^~\\& when the original delimiters are invalid, and to version 2.5.1 when unreadable', () => {
    const broken = header('MSH|&&&&|LAB^1.2^ISO|HOSP|CARE|CC|2024||ADT^A01|X|P|9.9');
    const ack = buildAck({ original: broken, code: 'AR', controlId: 'A', now: NOW });
    const m = parseHl7(ack);
    expect(m.get('MSH-2')).toBe('^~\\&');
    expect(m.get('MSH-5.2')).toBe('1.2');
    expect(m.version).toBe('2.5.1');
    expect(m.get('MSA-2')).toBe('X');
  });

  it('builds a parseable ACK even from an empty header', () => {
    const m = parseHl7(buildAck({ original: readLenientHeader(''), code: 'AR', controlId: 'A', now: NOW }));
    expect(readMsh(m)?.processingId.id).toBe('P');
    expect(readMsa(m)).toMatchObject({ code: 'AR', controlId: '' });
  });
});

describe('shouldSendAccept', () => {
  const withMsh15 = (v: string) => header(`MSH|^~\\&|A|B|C|D|2024||ADT^A01|X|P|2.5|||${v}|AL`);
  it('always sends in original mode (MSH-15 and MSH-16 empty)', () => {
    for (const code of ['AA', 'AE', 'AR'] as const) expect(shouldSendAccept(header(ORIGINAL), code)).toBe(true);
  });
  it('follows MSH-15 in enhanced mode: AL always, NE never, ER only on error, SU only on success', () => {
    expect([shouldSendAccept(withMsh15('AL'), 'AA'), shouldSendAccept(withMsh15('AL'), 'AR')]).toEqual([true, true]);
    expect([shouldSendAccept(withMsh15('NE'), 'AA'), shouldSendAccept(withMsh15('NE'), 'AE')]).toEqual([false, false]);
    expect([shouldSendAccept(withMsh15('ER'), 'AA'), shouldSendAccept(withMsh15('ER'), 'AE')]).toEqual([false, true]);
    expect([shouldSendAccept(withMsh15('SU'), 'AA'), shouldSendAccept(withMsh15('SU'), 'AR')]).toEqual([true, false]);
  });
});
