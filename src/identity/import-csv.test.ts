import { describe, expect, it } from 'vitest';
import { csvReader, type CsvRecord } from './import-csv.js';
import { readImportHeader, readImportRow } from './import-row.js';

function readAll(text: string, chunk = text.length): CsvRecord[] {
  const r = csvReader();
  const out: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...r.push(text.slice(i, i + chunk)));
  return [...out, ...r.end()];
}

const FILE = '\uFEFFmrn,family\r\nA1,"O\'Brien, Jr"\n\nA2,"line one\nline two"\nA3,"say ""hi"""\nA4,last';

describe('csvReader', () => {
  it('reads quoted fields, doubled quotes, CRLF and a BOM, and names the line each record starts on', () => {
    expect(readAll(FILE)).toEqual([
      { line: 1, cells: ['mrn', 'family'] },
      { line: 2, cells: ['A1', "O'Brien, Jr"] },
      { line: 4, cells: ['A2', 'line one\nline two'] },
      { line: 6, cells: ['A3', 'say "hi"'] },
      { line: 7, cells: ['A4', 'last'] },
    ]);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    for (const chunk of [1, 2, 3, 7]) expect(readAll(FILE, chunk)).toEqual(readAll(FILE));
  });

  it('reports a quote left open at the end of the file', () => {
    expect(readAll('a,b\n1,"never closed\n2,x\n').at(-1)).toMatchObject({ line: 2, error: 'a quoted field is not closed before the end of the file' });
  });
});

describe('readImportRow', () => {
  const header = (cells: string) => {
    const h = readImportHeader(cells.split(','));
    if (!h.ok) throw new Error(h.message);
    return h.header;
  };

  it('turns a row into demographics and the matcher\'s blocking keys', () => {
    const r = readImportRow(header('mrn,authority,family,given,birth_date,sex,phone,postcode'), ['7', 'MPI', 'Baker', 'Margaret', '1940-09-22', 'f', '(217) 555-0123', '62701'], 2);
    expect(r).toMatchObject({ ok: true, record: { identifier: { value: '7', authority: 'MPI', typeCode: 'MR' }, demographics: { birthDate: '1940-09-22', sex: 'F', phones: [{ number: '2175550123' }] } } });
    expect(r.ok && r.record.matchKeys).toEqual(expect.arrayContaining(['d:19400922', 't:2175550123']));
  });

  it('keeps the last four digits of a full SSN, in ssn_last4 or an ssn column, and never repeats a value in its messages', () => {
    for (const column of ['ssn', 'ssn_last4']) {
      const r = readImportRow(header(`mrn,authority,family,${column}`), ['7', 'MPI', 'Baker', '123-45-6789'], 2);
      expect(r).toMatchObject({ ok: true, record: { demographics: { ssnLast4: '6789' }, ssnReduced: true } });
    }
    const bad = readImportRow(header('mrn,authority,family,ssn_last4'), ['7', 'MPI', 'Baker', '12-345-678'], 9);
    expect(bad).toEqual({ ok: false, line: 9, message: 'ssn_last4 must hold 4 digits (or a full 9-digit SSN, of which only the last four are kept); it has 8' });
  });

  it('refuses unknown, repeated and missing columns', () => {
    expect(readImportHeader(['mrn', 'authority', 'surname'])).toMatchObject({ ok: false, message: expect.stringContaining('unknown column "surname"') });
    expect(readImportHeader(['mrn', 'authority', 'ssn', 'ssn_last4'])).toEqual({ ok: false, message: 'column ssn_last4 appears twice' });
    expect(readImportHeader(['authority', 'family'])).toMatchObject({ ok: false, message: expect.stringContaining('missing column mrn') });
  });
});
