/**
 * One generated test per file of the shared sample corpus (shared/hl7-samples beside the repo).
 * Rules: NEGATIVE files are refused with a coded Hl7Error; FUZZ files never throw (and are refused,
 * see FUZZ_EXPECTATIONS); every other file splits, parses, reports the listed type and version, and
 * round-trips byte for byte.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Buffer } from 'node:buffer';
import { decodeHl7, encodeHl7, Hl7Error, Hl7ErrorCode, parseHl7, readHl7, splitBatch } from './index.js';

const CORPUS = new URL('../../../shared/hl7-samples/', import.meta.url);

interface Entry { file: string; type: string; version: string; separator: string; notable: string }

function entries(): Entry[] {
  const lines = readFileSync(new URL('INDEX.tsv', CORPUS), 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '');
  return lines.map((l) => {
    const [file = '', type = '', version = '', separator = '', notable = ''] = l.split('\t');
    return { file, type, version, separator, notable };
  });
}

const bytesOf = (file: string): Uint8Array => new Uint8Array(readFileSync(new URL(file, CORPUS)));

/** FUZZ files: the parser must not throw; both have unusable MSH-2 delimiters, so refusing is right. */
const FUZZ_EXPECTATIONS: Record<string, Hl7ErrorCode> = {
  // MSH-2 "^\x01\0": a control character and a digit among the encoding characters
  'nhapi-fuzz/fuzz_ack_regex_chars_no_exception.hl7': Hl7ErrorCode.INVALID_ENCODING_CHARACTERS,
  // MSH-2 "^~y0": letters and digits cannot be delimiters (NUL bytes follow in the body)
  'nhapi-fuzz/fuzz_adt_a40_nul_mixed_cr_lf_no_exception.hl7': Hl7ErrorCode.INVALID_ENCODING_CHARACTERS,
};

/** NEGATIVE files and the reason each is refused for. */
const NEGATIVE_EXPECTATIONS: Record<string, Hl7ErrorCode> = {
  'cdc-data-exchange-hl7/oru_r01_lyme_bad_delimiters_malformed.hl7': Hl7ErrorCode.INVALID_ENCODING_CHARACTERS, // "&&&&"
  'hapi-hl7v2/adt_a01_unicode_utf8_bad_msh2_replacement_char.hl7': Hl7ErrorCode.INVALID_ENCODING_CHARACTERS, // U+FFFD
  'nhapi-fuzz/malformed_adt_a17_binary_bytes_nul.hl7': Hl7ErrorCode.INVALID_ENCODING_CHARACTERS, // high-bit bytes
  'nhapi-fuzz/malformed_adt_a40_single_encoding_char_stackoverflow.hl7': Hl7ErrorCode.INVALID_ENCODING_CHARACTERS, // "^"
  'nhapi-fuzz/malformed_huge_version_string.hl7': Hl7ErrorCode.INVALID_ENCODING_CHARACTERS, // "0~00"
  'nhapi-fuzz/malformed_msh_260_empty_fields.hl7': Hl7ErrorCode.INVALID_ENCODING_CHARACTERS, // MSH-2 empty
  'nhapi-fuzz/malformed_msh_only_caret_hang.hl7': Hl7ErrorCode.INVALID_ENCODING_CHARACTERS, // "^"
  'python-hl7/malformed_batch_missing_msh.hl7': Hl7ErrorCode.INVALID_BATCH, // EVN right after BHS
  'python-hl7/malformed_batch_nested_bhs.hl7': Hl7ErrorCode.INVALID_BATCH,
  'python-hl7/malformed_file_missing_msh.hl7': Hl7ErrorCode.INVALID_BATCH,
  'python-hl7/malformed_file_nested_fhs.hl7': Hl7ErrorCode.INVALID_BATCH,
  'rethinkhealth-hl7v2/invalid_missing_msh.hl7': Hl7ErrorCode.MISSING_MSH,
  'rethinkhealth-hl7v2/invalid_segment_header_length.hl7': Hl7ErrorCode.INVALID_SEGMENT_ID, // "PIDX", "PV"
  'rethinkhealth-hl7v2/invalid_wrong_version.hl7': Hl7ErrorCode.UNSUPPORTED_VERSION, // "1.0"
};

/** Files listed without a message type that are not NEGATIVE: readable bytes, but not a message. */
const NO_TYPE: Record<string, { charset: string; header: Partial<Record<string, string>> }> = {
  // MSH-only fragment with byte 0x96 (cp1252 en dash): not UTF-8, so decoded as ISO-8859-1, nothing lost.
  'python-hl7/cp1252_non_utf8_byte_msh_only.hl7': { charset: '8859/1', header: { fieldSeparator: '|', encodingCharacters: '^~\\&', sendingApplication: 'GHH LAB', sendingFacility: 'ELAB\u00963' } },
  // "$" field separator and "%" component separator; MSH stops after MSH-3, so there is no MSH-9.
  'python-hl7/nonstandard_delimiters_dollar_percent.hl7': { charset: 'UNICODE UTF-8', header: { fieldSeparator: '$', encodingCharacters: '%~\\&', sendingApplication: 'GHH LAB' } },
};

function expectRefused(error: Hl7Error, file: string): void {
  expect(error).toBeInstanceOf(Hl7Error);
  expect(error.code).toBe(NEGATIVE_EXPECTATIONS[file]);
  expect(Object.values(Hl7ErrorCode)).toContain(error.code);
  expect(error.message.length).toBeGreaterThan(10);
}

describe('sample corpus', () => {
  const all = entries();

  it('has an index with every file present', () => {
    expect(all.length).toBeGreaterThanOrEqual(90);
  });

  for (const e of all) {
    const isBatch = e.type.startsWith('BATCH');
    if (e.notable.includes('NEGATIVE')) {
      it(`refuses ${e.file} with a coded reason`, () => {
        const bytes = bytesOf(e.file);
        if (isBatch) {
          const split = splitBatch(bytes);
          expect(split.kind).toBe('invalid');
          if (split.kind === 'invalid') expectRefused(split.error, e.file);
        } else {
          const r = readHl7(bytes);
          expect(r.ok).toBe(false);
          if (!r.ok) expectRefused(r.error, e.file);
        }
      });
    } else if (e.notable.includes('FUZZ')) {
      it(`reads ${e.file} without throwing and refuses it`, () => {
        const r = readHl7(bytesOf(e.file));
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.code).toBe(FUZZ_EXPECTATIONS[e.file]);
      });
    } else if (NO_TYPE[e.file] !== undefined) {
      const want = NO_TYPE[e.file]!;
      it(`decodes ${e.file} losslessly and refuses it for its missing message type, still reading the header`, () => {
        const bytes = bytesOf(e.file);
        const decoded = decodeHl7(bytes);
        expect(decoded.charset).toBe(want.charset);
        expect(new Uint8Array(encodeHl7(decoded.text, decoded.charset))).toEqual(bytes);
        const r = readHl7(bytes);
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.error.code).toBe(Hl7ErrorCode.MISSING_MESSAGE_TYPE);
        expect(r.header).toMatchObject(want.header);
      });
    } else {
      it(`parses and round-trips ${e.file}`, () => {
        const bytes = bytesOf(e.file);
        const split = splitBatch(bytes);
        const kind = isBatch ? 'batch' : e.type.startsWith('MULTI/') ? 'multi' : 'single';
        expect(split.kind).toBe(kind);
        if (split.kind === 'invalid') return;
        const type = e.type.replace(/^(BATCH|MULTI)\//, '');
        split.messages.forEach((part, i) => {
          const decoded = decodeHl7(part);
          const message = parseHl7(decoded.text);
          if (i === 0) {
            expect(message.fieldRaw('MSH-9')).toBe(type);
            if (e.version !== '(none)') expect(message.fieldRaw('MSH-12')).toBe(e.version);
          }
          const again = encodeHl7(message.toString(), decoded.charset);
          expect(Buffer.compare(again, Buffer.from(part))).toBe(0);
        });
        // the message slices and envelope segments cover the input exactly
        const total = split.messages.reduce((n, m) => n + m.length, 0);
        if (split.kind !== 'batch') expect(total).toBe(bytes.length);
      });
    }
  }
});
