/**
 * Property tests (fast-check): escaping is lossless, any message structure survives
 * write -> parse -> write, and readHl7/splitBatch never throw on arbitrary or mutated bytes.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeMessage, escapeHl7, formatHl7Timestamp, Hl7Error, parseHl7, parseHl7Timestamp, readHl7, readLenientHeader, splitBatch,
  unescapeHl7, type Delimiters, type SegmentValue,
} from './index.js';

const PUNCTUATION = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];
const TRICKY = [...'|^~\\&#!@%*XDbrHNFSTRE0A.', '\r', '\n', '\t', '\u0000', '\u001f', 'é', '€', '\uFFFD', '😀'];

/** Any text, biased towards delimiters, escape letters and control characters. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 30 }),
);

/** A random valid delimiter set: 4 or 5 encoding characters, or 3 (no subcomponent separator). */
const delimiters: fc.Arbitrary<Delimiters> = fc
  .tuple(fc.shuffledSubarray(PUNCTUATION, { minLength: 6, maxLength: 6 }), fc.constantFrom(3, 4, 5))
  .map(([[field, component, repetition, escape, subcomponent, truncation], n]) => {
    const d: Delimiters = { field: field!, component: component!, repetition: repetition!, escape: escape!, subcomponent: n >= 4 ? subcomponent! : '' };
    if (n === 5) d.truncation = truncation!;
    return d;
  });

const items = <T>(arb: fc.Arbitrary<T>, max: number) => fc.array(arb, { minLength: 1, maxLength: max });
const segmentId = fc
  .tuple(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'))
  .map((c) => c.join(''))
  .filter((id) => !['MSH', 'BHS', 'BTS', 'FHS', 'FTS'].includes(id));

/** Fields as repetitions -> components -> subcomponents of arbitrary text. */
const field = items(items(items(text, 3), 4), 3);

describe('properties', () => {
  it('escapeHl7 then unescapeHl7 gives back any text, for any delimiter set', () => {
    fc.assert(fc.property(text, delimiters, (s, d) => {
      const escaped = escapeHl7(s, d);
      expect(unescapeHl7(escaped, d)).toBe(s);
      for (const ch of [d.field, d.component, d.repetition, d.subcomponent, '\r', '\n']) {
        if (ch !== '') expect(escaped.includes(ch)).toBe(false);
      }
    }), { numRuns: 3000 });
  });

  it('any message structure survives write -> parse with the same values, and writes back identically', () => {
    fc.assert(fc.property(
      delimiters,
      fc.array(fc.record({ name: segmentId, fields: fc.array(field, { maxLength: 8 }) }), { maxLength: 6 }),
      fc.array(field, { maxLength: 6 }),
      fc.constantFrom('\r', '\n', '\r\n'),
      (d, body, mshFields, separator) => {
        const flat = (f: string[][][]) => (d.subcomponent === '' ? f.map((r) => r.map((c) => [c.join('')])) : f);
        const header: SegmentValue = { name: 'MSH', fields: [...mshFields.slice(0, 6).map(flat), ...Array(6 - Math.min(6, mshFields.length)).fill(''), [['ADT', 'A01']], 'CTRL', 'P', '2.5.1'] };
        const segments: SegmentValue[] = [header, ...body.map((s) => ({ name: s.name, fields: s.fields.map(flat) }))];
        const written = encodeMessage(segments, d, separator);
        const m = parseHl7(written);
        expect(m.toString()).toBe(written);
        expect(m.delimiters).toEqual(d);
        expect(m.messageType.trigger).toBe('A01');
        expect(m.segments.map((s) => s.name)).toEqual(segments.map((s) => s.name));
        segments.forEach((s, i) => {
          const parsed = m.segments[i]!;
          const first = s.name === 'MSH' ? 3 : 1;
          s.fields.forEach((f, j) => {
            const reps = typeof f === 'string' ? [[[f]]] : (f as (string | (string | string[])[])[]).map((r) => (typeof r === 'string' ? [[r]] : r.map((c) => (typeof c === 'string' ? [c] : c))));
            reps.forEach((r, ri) => r.forEach((c, ci) => c.forEach((v, si) => {
              expect(parsed.get(first + j, ri + 1, ci + 1, si + 1)).toBe(v);
            })));
          });
        });
        expect(encodeMessage(segments, d, separator)).toBe(m.toString());
      },
    ), { numRuns: 400 });
  });

  it('readHl7, splitBatch and readLenientHeader never throw on arbitrary bytes', () => {
    const prefixes = ['', 'MSH|^~\\&|', 'MSH|^~\\&|A|B|C|D|2024||ADT^A01|1|P|2.5\r', 'BHS|^~\\&\rMSH|', 'FHS|^~\\&\r'];
    fc.assert(fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 400 }), (prefix, tail) => {
      const bytes = new Uint8Array([...Buffer.from(prefix, 'latin1'), ...tail]);
      const r = readHl7(bytes);
      if (!r.ok) expect(r.error).toBeInstanceOf(Hl7Error);
      splitBatch(bytes);
      readLenientHeader(Buffer.from(bytes).toString('latin1'));
    }), { numRuns: 3000 });
  });

  it('parseHl7 only ever throws Hl7Error, whatever the text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('', 'MSH|^~\\&|'), (s, prefix) => {
      try {
        parseHl7(prefix + s);
      } catch (e) {
        expect(e).toBeInstanceOf(Hl7Error);
      }
    }), { numRuns: 2000 });
  });

  it('readHl7 never throws on mutated corpus samples', () => {
    const corpus = new URL('../../../shared/hl7-samples/', import.meta.url);
    const files = readFileSync(new URL('INDEX.tsv', corpus), 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '').map((l) => l.split('\t')[0]!);
    const samples = files.map((f) => new Uint8Array(readFileSync(new URL(f, corpus))).slice(0, 4096));
    const mutation = fc.record({ at: fc.nat(), kind: fc.constantFrom('set', 'insert', 'delete'), byte: fc.constantFrom(0, 10, 13, 0x7c, 0x5e, 0x7e, 0x5c, 0x26, 0x80, 0xff, 0x4d, 0x53, 0x48) });
    fc.assert(fc.property(fc.constantFrom(...samples), fc.array(mutation, { minLength: 1, maxLength: 8 }), (sample, mutations) => {
      const bytes = [...sample];
      for (const m of mutations) {
        const i = bytes.length === 0 ? 0 : m.at % bytes.length;
        if (m.kind === 'set') bytes[i] = m.byte;
        else if (m.kind === 'insert') bytes.splice(i, 0, m.byte);
        else bytes.splice(i, 1);
      }
      const input = new Uint8Array(bytes);
      const r = readHl7(input);
      if (r.ok) expect(r.message.toString().length).toBeGreaterThan(0);
      else expect(r.error).toBeInstanceOf(Hl7Error);
      const split = splitBatch(input);
      if (split.kind === 'invalid') expect(split.error).toBeInstanceOf(Hl7Error);
    }), { numRuns: 2000 });
  });

  it('formatHl7Timestamp output parses back to the same second, for any instant and offset', () => {
    fc.assert(fc.property(
      fc.date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9998-12-31T00:00:00Z'), noInvalidDate: true }),
      fc.integer({ min: -14 * 60, max: 14 * 60 }),
      (date, offset) => {
        const t = parseHl7Timestamp(formatHl7Timestamp(date, offset));
        expect(t?.offsetMinutes).toBe(offset);
        expect(t?.date.getTime()).toBe(Math.floor(date.getTime() / 1000) * 1000);
      },
    ), { numRuns: 1000 });
  });
});
