import { describe, expect, it } from 'vitest';
import { AuditAction, canonicalJson, normalizeEntry, storableText, type AuditEntry } from './entry.js';
import { AuditErrorCode } from './errors.js';

const base: AuditEntry = { actor: 'jdoe', action: AuditAction.Read, entityType: 'patient', entityId: 7, patientId: 7, source: '10.0.0.5' };

describe('audit entries', () => {
  it('fill the defaults: success, no user id, the append time, an empty detail', () => {
    expect(normalizeEntry(base, 1_000)).toEqual({
      at: 1_000, actor: 'jdoe', userId: null, patientId: 7, action: 'read', entityType: 'patient', entityId: '7', source: '10.0.0.5', outcome: 'success', detail: '{}',
    });
  });

  it('refuse an action or outcome outside the vocabulary, a missing actor and a non-integer id, with a code', () => {
    const code = (e: Partial<AuditEntry>) => {
      try {
        normalizeEntry({ ...base, ...e } as AuditEntry, 0);
      } catch (err) {
        return (err as { code: string }).code;
      }
      return 'accepted';
    };
    expect(code({ action: 'peek' as AuditAction })).toBe(AuditErrorCode.InvalidEntry);
    expect(code({ outcome: 'maybe' as never })).toBe(AuditErrorCode.InvalidEntry);
    expect(code({ actor: '' })).toBe(AuditErrorCode.InvalidEntry);
    expect(code({ patientId: 1.5 })).toBe(AuditErrorCode.InvalidEntry);
    expect(code({ at: -1 })).toBe(AuditErrorCode.InvalidEntry);
    expect(code({ actor: 'x'.repeat(201) })).toBe(AuditErrorCode.InvalidEntry);
  });

  it('encode detail canonically: sorted keys at every level, undefined members left out', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null, 'x'], c: undefined } })).toBe('{"a":{"d":[true,null,"x"]},"b":1}');
    expect(normalizeEntry({ ...base, detail: { z: 'é', a: 2 } }, 0).detail).toBe('{"a":2,"z":"é"}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/finite/);
  });

  it('store text both databases keep as is: NUL and lone surrogates become U+FFFD', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableText('x\uD800y')).toBe('x\uFFFDy');
    expect(storableText('😀')).toBe('😀');
    expect(normalizeEntry({ ...base, actor: 'ev\u0000il' }, 0).actor).toBe('ev\uFFFDil');
  });
});
