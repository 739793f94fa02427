import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIALECTS, useFreshStore } from '../../test/support/stores.js';
import { appendAudit } from './append.js';
import { ChainProblemKind } from './chain.js';
import { auditReport } from './report.js';
import { pruneAuditLog } from './retention.js';
import { dropAuditGuards, rawRow, sampleEntry } from './testing.js';
import { verifyAuditChain } from './verify.js';

const DAY = 86_400_000;

describe.each(DIALECTS)('audit retention on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  const db = () => ctx.store.db;
  const now = Date.now();

  /** Entries 1-3 seven years old, 4-5 recent, 6 seven years old again (behind a young one). */
  async function history() {
    for (const n of [1, 2, 3]) await appendAudit(db(), sampleEntry(n, { at: now - 2600 * DAY + n }));
    for (const n of [4, 5]) await appendAudit(db(), sampleEntry(n, { at: now - 30 * DAY }));
    await appendAudit(db(), sampleEntry(6, { at: now - 2600 * DAY }));
  }

  it('removes only the oldest entries past six years, and the chain still verifies from the anchor', async () => {
    await history();
    const third = await rawRow(db(), 3);
    expect(await pruneAuditLog(db(), { now, batchSize: 2 })).toEqual({ removed: 3, anchorId: 3 });
    const left = await auditReport(db());
    expect(left.map((r) => r.id)).toEqual([4, 5, 6, 7, 8]);
    // Each batch recorded its removal in the chain.
    expect(left.slice(3).map((r) => [r.action, r.entityType, r.entityId, JSON.parse(r.detail).removed])).toEqual([
      ['delete', 'audit-log', '1..2', 2], ['delete', 'audit-log', '3..3', 1],
    ]);
    expect(JSON.parse(left[4]!.detail).throughHash).toBe(third.hash);
    expect(await verifyAuditChain(db())).toMatchObject({ intact: true, checked: 5, anchor: { id: 3, hash: third.hash } });
    expect(await pruneAuditLog(db(), { now })).toEqual({ removed: 0, anchorId: 3 });
  });

  it('refuses a retention shorter than the floor', async () => {
    await history();
    await expect(pruneAuditLog(db(), { now, retentionDays: 365 })).rejects.toMatchObject({ code: 'audit.retention_too_short' });
    expect((await auditReport(db())).length).toBe(6);
  });

  it('still names tampering after retention: a removed first entry, an entry put back before the anchor', async () => {
    await history();
    await pruneAuditLog(db(), { now });
    const removed = await rawRow(db(), 6);
    await dropAuditGuards(ctx.store);
    await db().deleteFrom('audit_log').where('id', '=', 4).execute();
    expect((await verifyAuditChain(db())).problem).toMatchObject({ id: 4, kind: ChainProblemKind.Removed });
    await db().insertInto('audit_log').values({ ...removed, id: 2 }).execute();
    expect((await verifyAuditChain(db())).problem).toMatchObject({ id: 2, kind: ChainProblemKind.Inserted });
  });

  it('keeps the raised floor: the database refuses deletes younger than it', async () => {
    await history();
    await sql`UPDATE audit_chain SET min_retention_days = 4000`.execute(db());
    await expect(pruneAuditLog(db(), { now })).rejects.toMatchObject({ code: 'audit.retention_too_short' });
    await expect(pruneAuditLog(db(), { now, retentionDays: 4000 })).resolves.toEqual({ removed: 0, anchorId: 0 });
  });
});
