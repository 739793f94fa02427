import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normalizeEntry, type AuditRecord } from './entry.js';
import { canonicalEncoding, chainHash, GENESIS_HASH, hashMatches } from './hash.js';

const fields = normalizeEntry({ at: 1_764_000_000_000, actor: 'cli:ops', action: 'message-view', entityType: 'hl7-message', entityId: 42, patientId: 9, source: 'cli', detail: { command: 'messages show' } }, 0);

describe('audit hashes', () => {
  it('encode an entry as a JSON array in a fixed order, tagged with the encoding version', () => {
    expect(canonicalEncoding(3, fields)).toBe(
      '["cc-audit-v1",3,1764000000000,"cli:ops",null,9,"message-view","hl7-message","42","cli","success","{\\"command\\":\\"messages show\\"}"]',
    );
  });

  it('are SHA-256 over the previous hash, a newline and the encoding', () => {
    const expected = createHash('sha256').update(`${GENESIS_HASH}\n${canonicalEncoding(1, fields)}`).digest('hex');
    expect(chainHash(GENESIS_HASH, 1, fields)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('change with any field, the position or the previous hash', () => {
    const h = chainHash(GENESIS_HASH, 1, fields);
    expect(chainHash(GENESIS_HASH, 2, fields)).not.toBe(h);
    expect(chainHash('1'.repeat(64), 1, fields)).not.toBe(h);
    for (const change of [{ actor: 'cli:other' }, { patientId: 10 }, { patientId: null }, { outcome: 'denied' as const }, { detail: '{}' }, { at: fields.at + 1 }, { entityId: null }]) {
      expect(chainHash(GENESIS_HASH, 1, { ...fields, ...change })).not.toBe(h);
    }
  });

  it('tell a stored record that matches its content from one that does not', () => {
    const record: AuditRecord = { id: 1, ...fields, prevHash: GENESIS_HASH, hash: chainHash(GENESIS_HASH, 1, fields) };
    expect(hashMatches(record)).toBe(true);
    expect(hashMatches({ ...record, source: '10.1.1.1' })).toBe(false);
  });
});
