import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CR, FS, MllpFramer, VT, encodeFrame, type FramerEvent } from './framer.js';
import { MllpError } from './errors.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const frame = (s: string): Buffer => Buffer.concat([Buffer.of(VT), b(s), Buffer.of(FS, CR)]);

function pushAll(framer: MllpFramer, chunks: Buffer[]): FramerEvent[] {
  return chunks.flatMap((c) => framer.push(c));
}

function payloads(events: FramerEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'frame' ? [e.payload.toString('latin1')] : []));
}

function junkBytes(events: FramerEvent[]): number {
  return events.reduce((n, e) => n + (e.type === 'junk' ? e.bytes : 0), 0);
}

describe('MllpFramer', () => {
  it('decodes one frame pushed in one chunk', () => {
    const events = new MllpFramer().push(frame('MSH|^~\\&|A\rPID|1\r'));
    expect(events).toEqual([{ type: 'frame', payload: b('MSH|^~\\&|A\rPID|1\r') }]);
  });

  it('decodes several frames pushed in one chunk, in order', () => {
    const events = new MllpFramer().push(Buffer.concat([frame('one'), frame('two'), frame('three')]));
    expect(payloads(events)).toEqual(['one', 'two', 'three']);
    expect(junkBytes(events)).toBe(0);
  });

  it('reassembles a frame pushed byte by byte', () => {
    const wire = Buffer.concat([frame('MSH|a\r'), frame('MSH|b\r')]);
    const framer = new MllpFramer();
    const events = pushAll(framer, [...wire].map((x) => Buffer.of(x)));
    expect(payloads(events)).toEqual(['MSH|a\r', 'MSH|b\r']);
    expect(framer.inFrame).toBe(false);
  });

  it('ends a frame whose FS and CR arrive in different chunks', () => {
    const framer = new MllpFramer();
    expect(framer.push(Buffer.concat([Buffer.of(VT), b('abc'), Buffer.of(FS)]))).toEqual([]);
    expect(framer.inFrame).toBe(true);
    expect(payloads(framer.push(Buffer.of(CR)))).toEqual(['abc']);
  });

  it('keeps an FS not followed by CR as payload data, also across chunks', () => {
    const framer = new MllpFramer();
    const events = pushAll(framer, [
      Buffer.concat([Buffer.of(VT), b('a'), Buffer.of(FS), b('b'), Buffer.of(FS)]),
      b('c'),
      Buffer.of(FS, CR),
    ]);
    expect(events).toEqual([{ type: 'frame', payload: Buffer.concat([b('a'), Buffer.of(FS), b('b'), Buffer.of(FS), b('c')]) }]);
  });

  it('discards and counts bytes outside frames as junk', () => {
    const events = new MllpFramer().push(Buffer.concat([b('xx'), frame('one'), b('\n\n\n'), frame('two'), b('z')]));
    expect(payloads(events)).toEqual(['one', 'two']);
    expect(junkBytes(events)).toBe(6);
  });

  it('treats FS CR outside a frame as junk', () => {
    const events = new MllpFramer().push(Buffer.of(FS, CR, FS, CR));
    expect(events).toEqual([{ type: 'junk', bytes: 4 }]);
  });

  it('abandons a partial frame as junk when a new VT starts another frame', () => {
    const framer = new MllpFramer();
    const events = pushAll(framer, [Buffer.concat([Buffer.of(VT), b('partial')]), frame('whole')]);
    expect(events).toEqual([
      { type: 'junk', bytes: 8 },
      { type: 'frame', payload: b('whole') },
    ]);
  });

  it('emits one oversize event with the head of the frame and does not buffer the rest', () => {
    const framer = new MllpFramer({ maxFrameBytes: 100, headBytes: 10 });
    const big = 'x'.repeat(150);
    const events = [...framer.push(Buffer.concat([Buffer.of(VT), b(big.slice(0, 60))]))];
    expect(events).toEqual([]);
    events.push(...framer.push(b(big.slice(60, 120))));
    expect(events).toEqual([{ type: 'oversize', head: b('x'.repeat(10)), bytes: 120 }]);
    expect(framer.pendingBytes).toBe(0);
    events.push(...framer.push(b(big.slice(120))));
    expect(framer.pendingBytes).toBe(0);
    expect(framer.frameBytesSoFar).toBe(150);
    events.push(...framer.push(Buffer.concat([Buffer.of(FS, CR), frame('next')])));
    expect(events.filter((e) => e.type === 'oversize')).toHaveLength(1);
    expect(payloads(events)).toEqual(['next']);
  });

  it('accepts a frame of exactly maxFrameBytes', () => {
    const events = new MllpFramer({ maxFrameBytes: 5 }).push(frame('12345'));
    expect(payloads(events)).toEqual(['12345']);
  });

  it('records the now of the chunk in which the open frame started', () => {
    const framer = new MllpFramer();
    framer.push(b('junk'), 5);
    expect(framer.frameStartedAt).toBeNull();
    framer.push(Buffer.concat([frame('done'), Buffer.of(VT), b('ab')]), 10);
    expect(framer.frameStartedAt).toBe(10);
    expect(framer.pendingBytes).toBe(2);
    framer.push(Buffer.of(FS, CR), 20);
    expect(framer.frameStartedAt).toBeNull();
  });

  it('returns payloads that do not alias the pushed chunk', () => {
    const chunk = frame('abc');
    const [event] = new MllpFramer().push(chunk);
    chunk.fill(0);
    expect(event).toEqual({ type: 'frame', payload: b('abc') });
  });

  it('yields the same frames however the stream is split into chunks', () => {
    const text = fc.string({ unit: fc.constantFrom('M', 'S', 'H', '|', '\r', '\n', 'é') });
    fc.assert(
      fc.property(fc.array(text, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), (msgs, cuts) => {
        const wire = Buffer.concat(msgs.map((m) => encodeFrame(m)));
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((x, y) => x - y);
        const chunks: Buffer[] = [];
        let last = 0;
        for (const p of [...points, wire.length]) {
          chunks.push(wire.subarray(last, p));
          last = p;
        }
        const events = pushAll(new MllpFramer(), chunks);
        expect(events.map((e) => (e.type === 'frame' ? e.payload.toString('utf8') : e.type))).toEqual(msgs);
      }),
    );
  });
});

describe('encodeFrame', () => {
  it('wraps a payload as VT payload FS CR, encoding strings as UTF-8', () => {
    expect(encodeFrame('é')).toEqual(Buffer.of(VT, 0xc3, 0xa9, FS, CR));
  });

  it('refuses a payload containing an MLLP block byte', () => {
    expect(() => encodeFrame(Buffer.of(0x41, FS, CR))).toThrow(MllpError);
    expect(() => encodeFrame(Buffer.of(VT))).toThrow(MllpError);
  });
});
