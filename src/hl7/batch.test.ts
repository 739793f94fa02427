import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { Hl7ErrorCode, splitBatch } from './index.js';

const MSH = (id: string): string => `MSH|^~\\&|A|B|C|D|20240101||ADT^A04^ADT_A01|${id}|P|2.5\rEVN|A04\rPID|1||${id}\r`;
const b = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const str = (u: Uint8Array): string => Buffer.from(u).toString('latin1');

describe('splitBatch', () => {
  it('returns a single message as the whole input', () => {
    const s = splitBatch(b(MSH('1')));
    expect(s.kind).toBe('single');
    expect(s.kind === 'single' && str(s.messages[0])).toBe(MSH('1'));
  });

  it('splits concatenated messages without envelope into exact byte slices', () => {
    const s = splitBatch(b(MSH('1') + MSH('2') + MSH('3')));
    expect(s.kind).toBe('multi');
    if (s.kind === 'multi') expect(s.messages.map(str)).toEqual([MSH('1'), MSH('2'), MSH('3')]);
  });

  it('splits a BHS/BTS batch and reads the declared count', () => {
    const s = splitBatch(b(`BHS|^~\\&|A|B\r${MSH('1')}${MSH('2')}BTS|2\r`));
    expect(s.kind).toBe('batch');
    if (s.kind !== 'batch') return;
    expect(s.messages.map(str)).toEqual([MSH('1'), MSH('2')]);
    expect(s.batchHeaders).toEqual(['BHS|^~\\&|A|B']);
    expect(s.declaredCounts.messageCounts).toEqual([2]);
    expect(s.warnings).toEqual([]);
  });

  it('splits an FHS file with several BHS batches and checks FTS-1', () => {
    const s = splitBatch(b(`FHS|^~\\&|A\rBHS|^~\\&|1\r${MSH('1')}BTS|1\rBHS|^~\\&|2\r${MSH('2')}${MSH('3')}BTS|3\rFTS|2\r`));
    expect(s.kind).toBe('batch');
    if (s.kind !== 'batch') return;
    expect(s.fileHeader).toBe('FHS|^~\\&|A');
    expect(s.messages).toHaveLength(3);
    expect(s.actualCounts).toEqual({ batchCount: 2, messageCounts: [1, 2] });
    expect(s.declaredCounts).toEqual({ batchCount: 2, messageCounts: [1, 3] });
    expect(s.warnings).toEqual(['BTS-1 of batch 2 declares 3 messages, found 2']);
  });

  it('accepts an empty batch', () => {
    const s = splitBatch(b('BHS|^~\\&\rBTS|0\r'));
    expect(s.kind === 'batch' && s.messages).toEqual([]);
  });

  it('works on LF and CRLF separators and ignores leading blank lines and a BOM', () => {
    const lf = MSH('1').replace(/\r/g, '\n');
    const s = splitBatch(new Uint8Array([0xef, 0xbb, 0xbf, 0x0a, ...b(`BHS|^~\\&\r\n${lf}BTS|1\r\n`)]));
    expect(s.kind === 'batch' && s.messages.map(str)).toEqual([lf]);
  });

  it('refuses segments outside a message', () => {
    const s = splitBatch(b('BHS|^~\\&\rEVN|A04\rPID|1\rBTS|1\r'));
    expect(s.kind === 'invalid' && s.error.code).toBe(Hl7ErrorCode.INVALID_BATCH);
    const t = splitBatch(b('PID|1\rPV1|1\r'));
    expect(t.kind === 'invalid' && t.error.code).toBe(Hl7ErrorCode.MISSING_MSH);
  });

  it('refuses nested BHS and FHS', () => {
    const bhs = splitBatch(b(`BHS|^~\\&\r${MSH('1')}BHS|^~\\&\r${MSH('2')}BTS|1\r`));
    expect(bhs.kind === 'invalid' && bhs.error.code).toBe(Hl7ErrorCode.INVALID_BATCH);
    const fhs = splitBatch(b(`FHS|^~\\&\rBHS|^~\\&\r${MSH('1')}FHS|^~\\&\rBTS|1\rFTS|1\r`));
    expect(fhs.kind === 'invalid' && fhs.error.message).toMatch(/nested FHS/);
  });

  it('refuses BTS without BHS, FTS without FHS and data after FTS', () => {
    for (const t of [`${MSH('1')}BTS|1\r`, `${MSH('1')}FTS|1\r`, `FHS|^~\\&\r${MSH('1')}FTS|1\r${MSH('2')}`]) {
      const s = splitBatch(b(t));
      expect(s.kind === 'invalid' && s.error.code).toBe(Hl7ErrorCode.INVALID_BATCH);
    }
  });

  it('refuses empty input', () => {
    for (const t of ['', '\r\n\r\n']) {
      const s = splitBatch(b(t));
      expect(s.kind === 'invalid' && s.error.code).toBe(Hl7ErrorCode.EMPTY_INPUT);
    }
  });

  it('treats a segment named like MSHX as ordinary content, not a message start', () => {
    const s = splitBatch(b(`${MSH('1')}MSHX|1\r`));
    expect(s.kind).toBe('single');
  });
});
