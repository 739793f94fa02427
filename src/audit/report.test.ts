import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { appendAudit } from './append.js';
import { auditCsvHeader, auditCsvRow } from './csv.js';
import { auditReport, auditReportPages } from './report.js';
import { sampleEntry } from './testing.js';

const T0 = Date.UTC(2026, 10, 1);
const HOUR = 3_600_000;

describe.each(DIALECTS)('the audit report on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  const db = () => ctx.store.db;

  async function seed() {
    await appendAudit(db(), sampleEntry(1, { actor: 'alice', userId: 10, patientId: 7, at: T0 }));
    await appendAudit(db(), sampleEntry(2, { actor: 'bob', userId: 11, patientId: 7, action: 'update', at: T0 + HOUR }));
    await appendAudit(db(), sampleEntry(3, { actor: 'alice', userId: 10, patientId: 8, action: 'export', at: T0 + 2 * HOUR, detail: { note: 'Doe, "Jane"\nsecond line' } }));
    await appendAudit(db(), sampleEntry(4, { actor: 'cli:ops', patientId: null, action: 'login', outcome: 'failed', at: T0 + 3 * HOUR }));
  }
  const ids = async (f: Parameters<typeof auditReport>[1]) => (await auditReport(db(), f)).map((r) => r.id);

  it('selects by user (name or user id), patient, date range, action and outcome, combined with AND', async () => {
    await seed();
    expect(await ids({})).toEqual([1, 2, 3, 4]);
    expect(await ids({ user: 'alice' })).toEqual([1, 3]);
    expect(await ids({ user: '11' })).toEqual([2]);
    expect(await ids({ patientId: 7 })).toEqual([1, 2]);
    expect(await ids({ since: T0 + HOUR, until: T0 + 3 * HOUR })).toEqual([2, 3]);
    expect(await ids({ action: 'export' })).toEqual([3]);
    expect(await ids({ outcome: 'failed' })).toEqual([4]);
    expect(await ids({ user: 'alice', patientId: 7 })).toEqual([1]);
  });

  it('pages by id, and refuses a malformed filter with a code', async () => {
    await seed();
    expect(await ids({ limit: 3 })).toEqual([1, 2, 3]);
    expect(await ids({ limit: 3, afterId: 3 })).toEqual([4]);
    const pages: number[][] = [];
    for await (const page of auditReportPages(db(), { limit: 3 })) pages.push(page.map((r) => r.id));
    expect(pages).toEqual([[1, 2, 3], [4]]);
    await expect(auditReport(db(), { limit: 0 })).rejects.toMatchObject({ code: 'audit.invalid_filter' });
    await expect(auditReport(db(), { action: 'peek' as never })).rejects.toMatchObject({ code: 'audit.invalid_filter' });
  });

  it('exports stored entries as RFC 4180 CSV, quoting what needs it', async () => {
    await seed();
    const [row] = await auditReport(db(), { action: 'export' });
    const csv = auditCsvHeader() + auditCsvRow(row!);
    expect(csv).toBe(
      'id,at,actor,user_id,patient_id,action,entity_type,entity_id,source,outcome,detail,hash\r\n' +
      `3,2026-11-01T02:00:00.000Z,alice,10,8,export,patient,3,127.0.0.1,success,"{""note"":""Doe, \\""Jane\\""\\nsecond line""}",${row!.hash}\r\n`,
    );
  });
});
