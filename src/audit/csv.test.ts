import { describe, expect, it } from 'vitest';
import { auditCsvHeader, auditCsvRow, csvField } from './csv.js';
import type { AuditRecord } from './entry.js';

describe('audit CSV (RFC 4180)', () => {
  it('quotes fields with commas, quotes, CR or LF, doubling inner quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(null)).toBe('');
    expect(csvField(42)).toBe('42');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@cmd')).toBe("'@cmd");
  });

  it('writes CRLF-terminated records with ISO 8601 UTC times and the detail JSON as one field', () => {
    const r: AuditRecord = {
      id: 7, at: Date.UTC(2026, 11, 1, 9, 30), actor: 'Doe, Jane', userId: 3, patientId: 12, action: 'export', entityType: 'audit-log', entityId: null,
      source: '10.0.0.1', outcome: 'success', detail: '{"filter":{"user":"a,b"},"rows":2}', prevHash: 'p', hash: 'h',
    };
    expect(auditCsvHeader()).toBe('id,at,actor,user_id,patient_id,action,entity_type,entity_id,source,outcome,detail,hash\r\n');
    expect(auditCsvRow(r)).toBe('7,2026-12-01T09:30:00.000Z,"Doe, Jane",3,12,export,audit-log,,10.0.0.1,success,"{""filter"":{""user"":""a,b""},""rows"":2}",h\r\n');
  });
});
