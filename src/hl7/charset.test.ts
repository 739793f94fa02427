import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeHl7, encodeHl7, Hl7Error, Hl7ErrorCode, readHl7, resolveCharset, sniffCharset } from './index.js';

const msh = (charset: string): string => `MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5||||||${charset}\r`;
const bytes = (...parts: (string | number[])[]): Uint8Array =>
  new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p)))));

describe('charsets', () => {
  it('decodes byte 0xE9 as "é" under MSH-18 8859/1 and encodes it back', () => {
    const raw = bytes(msh('8859/1'), 'PID|1||1||Ren', [0xe9], '\r');
    const d = decodeHl7(raw);
    expect(d.charset).toBe('8859/1');
    expect(d.text).toContain('René');
    expect(new Uint8Array(encodeHl7(d.text, d.charset))).toEqual(raw);
  });

  it('decodes UTF-8 under MSH-18 "UNICODE UTF-8"', () => {
    const raw = new Uint8Array(Buffer.from(msh('UNICODE UTF-8') + 'PID|1||1||Müller^Zoë\r', 'utf8'));
    const d = decodeHl7(raw);
    expect(d.charset).toBe('UNICODE UTF-8');
    expect(d.text).toContain('Müller^Zoë');
    expect(new Uint8Array(encodeHl7(d.text, 'UNICODE UTF-8'))).toEqual(raw);
  });

  it('decodes ASCII under MSH-18 ASCII, and falls back to 8859/1 with a warning on high bytes', () => {
    expect(decodeHl7(bytes(msh('ASCII'), 'PID|1\r'))).toMatchObject({ charset: 'ASCII', warnings: [] });
    const high = decodeHl7(bytes(msh('ASCII'), 'PID|1||', [0xe9], '\r'));
    expect(high.charset).toBe('8859/1');
    expect(high.warnings).toHaveLength(1);
  });

  it('without MSH-18 reads valid UTF-8 as UTF-8', () => {
    const d = decodeHl7(new Uint8Array(Buffer.from(msh('') + 'PID|1||1||Ñandú\r', 'utf8')));
    expect(d.charset).toBe('UNICODE UTF-8');
    expect(d.text).toContain('Ñandú');
  });

  it('without MSH-18 reads invalid UTF-8 as ISO-8859-1 and loses no byte', () => {
    const raw = bytes(msh(''), 'PID|1||', [0x96, 0xff, 0xc3], '\r');
    const d = decodeHl7(raw);
    expect(d.charset).toBe('8859/1');
    expect(new Uint8Array(encodeHl7(d.text, d.charset))).toEqual(raw);
  });

  it('reads MSH-18 "UNICODE UTF-8" with invalid bytes as ISO-8859-1 with a warning, losing nothing', () => {
    const raw = bytes(msh('UNICODE UTF-8'), [0xe9], '\r');
    const d = decodeHl7(raw);
    expect(d.charset).toBe('8859/1');
    expect(d.warnings[0]).toMatch(/not valid UTF-8/);
    expect(new Uint8Array(encodeHl7(d.text, d.charset))).toEqual(raw);
  });

  it('decodes other 8859 parts through iconv-lite, e.g. 8859/2 0xB1 is "ą"', () => {
    const raw = bytes(msh('8859/2'), 'PID|', [0xb1], '\r');
    const d = decodeHl7(raw);
    expect(d.charset).toBe('8859/2');
    expect(d.text).toContain('PID|ą');
    expect(new Uint8Array(encodeHl7(d.text, d.charset))).toEqual(raw);
  });

  it('falls back to content detection for an unsupported MSH-18, with a warning', () => {
    const d = decodeHl7(bytes(msh('ISO IR87'), 'PID|1\r'));
    expect(d.charset).toBe('UNICODE UTF-8');
    expect(d.warnings[0]).toMatch(/not supported/);
  });

  it('sniffs MSH-18 from the raw bytes with any delimiters, first repetition and component only', () => {
    expect(sniffCharset(bytes('MSH#!@%*#A######ADT!A01#1#P#2.5######8859/1!x@UNICODE UTF-8\r'))).toBe('8859/1');
    expect(sniffCharset(bytes('MSH|^~\\&|A\r'))).toBe('');
    expect(sniffCharset(bytes('PID|1'))).toBe('');
  });

  it('resolves table 0211 names and common aliases', () => {
    for (const [name, hl7] of [['8859', '8859/1'], ['ISO-8859-1', '8859/1'], ['latin1', '8859/1'], ['UTF-8', 'UNICODE UTF-8'], ['UNICODE', 'UNICODE UTF-8'], ['8859/15', '8859/15'], ['us-ascii', 'ASCII']]) {
      expect(resolveCharset(name as string)?.hl7).toBe(hl7);
    }
    expect(resolveCharset('EBCDIC')).toBeUndefined();
  });

  it('drops a leading UTF-8 byte order mark with a warning', () => {
    const d = decodeHl7(new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(msh(''))]));
    expect(d.text.startsWith('MSH')).toBe(true);
    expect(d.warnings).toEqual(['UTF-8 byte order mark dropped']);
  });

  it('encodeHl7 refuses unknown charsets with UNSUPPORTED_CHARSET', () => {
    expect(() => encodeHl7('x', 'KLINGON')).toThrow(Hl7Error);
    try {
      encodeHl7('x', 'KLINGON');
    } catch (e) {
      expect((e as Hl7Error).code).toBe(Hl7ErrorCode.UNSUPPORTED_CHARSET);
    }
    expect([...encodeHl7('é', '')]).toEqual([0xc3, 0xa9]);
  });

  it('readHl7 reports the charset it decoded with', () => {
    const r = readHl7(bytes(msh('8859/1'), 'PID|1||1||Ren', [0xe9], '\r'));
    expect(r.ok && r.charset).toBe('8859/1');
    expect(r.ok && r.message.get('PID-5')).toBe('René');
  });
});
