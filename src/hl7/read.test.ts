import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { Hl7ErrorCode, readHl7, readLenientHeader } from './index.js';

describe('readHl7', () => {
  it('returns the message and decoding warnings for a good message', () => {
    const r = readHl7(new Uint8Array(Buffer.from('MSH|^~\\\\&|A||||||ORU^R01|7|P|2.6\r')));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.message.controlId).toBe('7');
      expect(r.warnings).toHaveLength(1);
    }
  });

  it('refuses with the error and a lenient header to address the NAK', () => {
    const r = readHl7(new Uint8Array(Buffer.from('MSH|&&&&|APP^1.2^ISO|FAC|RCV|RFAC|20240101||ADT^A01|C9|P|2.5.1|||AL|NE||UNICODE UTF-8\rPID|1\r')));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(Hl7ErrorCode.INVALID_ENCODING_CHARACTERS);
    expect(r.header).toMatchObject({ sendingApplication: 'APP^1.2^ISO', controlId: 'C9', messageCode: 'ADT', version: '2.5.1', acceptAckType: 'AL', applicationAckType: 'NE', charset: 'UNICODE UTF-8' });
  });
});

describe('readLenientHeader', () => {
  it('reads every header field it needs from a well-formed MSH', () => {
    expect(readLenientHeader('MSH|^~\\&|S|SF|R|RF|2024||ADT^A08^ADT_A01|ID1|T^I|2.5^^|||ER|AL||8859/1\rPID|1')).toEqual({
      fieldSeparator: '|', encodingCharacters: '^~\\&', sendingApplication: 'S', sendingFacility: 'SF', receivingApplication: 'R',
      receivingFacility: 'RF', controlId: 'ID1', processingId: 'T^I', version: '2.5', messageCode: 'ADT', triggerEvent: 'A08',
      acceptAckType: 'ER', applicationAckType: 'AL', charset: '8859/1',
    });
  });

  it('finds the MSH after a batch header and uses its own delimiters', () => {
    const h = readLenientHeader('BHS|^~\\&\rMSH$%~\\&$A$B$$$$$ORM%O01$X$P$2.3');
    expect(h).toMatchObject({ fieldSeparator: '$', messageCode: 'ORM', triggerEvent: 'O01', controlId: 'X', version: '2.3' });
  });

  it('returns an empty header (field separator "|") when there is no MSH', () => {
    expect(readLenientHeader('PID|1')).toMatchObject({ fieldSeparator: '|', controlId: '', messageCode: '' });
    expect(readLenientHeader('')).toMatchObject({ fieldSeparator: '|' });
    expect(readLenientHeader('MSH').fieldSeparator).toBe('|');
  });
});
