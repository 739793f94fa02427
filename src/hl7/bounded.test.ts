/** Work stays linear in the input size on adversarial shapes (generous time bounds, not benchmarks). */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { parseHl7, readHl7, splitBatch, STANDARD_DELIMITERS, unescapeHl7 } from './index.js';

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

describe('bounded work', () => {
  it('parses a 4 MB message of 40 000 segments and reads every field quickly', () => {
    const obx = 'OBX|1|NM|2823-3^Potassium^LN||6.8|mmol/L|3.5-5.1|HH|||F|||20261103081000-0500\r';
    const text = 'MSH|^~\\&|A|B|C|D|2024||ORU^R01|1|P|2.5.1\r' + obx.repeat(40_000);
    const { value, ms } = timed(() => {
      const m = parseHl7(text);
      let n = 0;
      for (const s of m.segments) for (let i = 1; i <= s.fieldCount; i++) n += s.fieldRaw(i).length;
      return n;
    });
    expect(value).toBeGreaterThan(2_000_000);
    expect(ms).toBeLessThan(2000);
  });

  it('unescapes a million escape characters in linear time', () => {
    for (const input of ['\\'.repeat(1_000_000), '\\F'.repeat(500_000), '\\X'.repeat(500_000) + '\\']) {
      const { ms } = timed(() => unescapeHl7(input, STANDARD_DELIMITERS));
      expect(ms).toBeLessThan(1000);
    }
  });

  it('refuses 8 MB without a single segment separator quickly, still reading the header', () => {
    const bytes = new Uint8Array(Buffer.from('MSH|^~\\&|APP|FAC|' + 'x'.repeat(8_000_000)));
    const { value, ms } = timed(() => readHl7(bytes));
    expect(value.ok).toBe(false);
    if (!value.ok) expect(value.header.sendingApplication).toBe('APP');
    expect(ms).toBeLessThan(2000);
  });

  it('splits 20 000 concatenated messages quickly', () => {
    const one = 'MSH|^~\\&|A|B|C|D|2024||ADT^A04|1|P|2.5\rPID|1||7\r';
    const { value, ms } = timed(() => splitBatch(new Uint8Array(Buffer.from(one.repeat(20_000)))));
    expect(value.kind === 'multi' && value.messages.length).toBe(20_000);
    expect(ms).toBeLessThan(2000);
  });
});
