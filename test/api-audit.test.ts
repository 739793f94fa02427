import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_T0, seedWorld, startApiServer, type ApiServer, type ApiWorld } from '../src/access/testing.js';
import { appendAudit, appendAudits, auditReport, AUDIT_CSV_COLUMNS, verifyAuditChain } from '../src/audit/index.js';
import { AuditRetentionJob } from '../src/audit/retention-job.js';
import { sampleEntry } from '../src/audit/testing.js';
import { rawRequest, signInEveryRole, type RoleClients } from './support/api-roles.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

const DAY = 86_400_000;

describe.each(DIALECTS)('the audit API on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  let server: ApiServer;
  let world: ApiWorld;
  let clients: RoleClients;
  beforeEach(async () => {
    world = await seedWorld(ctx.store.db);
    server = await startApiServer(ctx.store.db);
    clients = await signInEveryRole(ctx.store.db, server);
    // Some history: the coordinator opens the patient (one read entry), 30 entries of a clinic user about the other patient.
    expect((await clients.coordinator!.get(`/api/patients/${world.patientId}`)).status).toBe(200);
    for (let n = 0; n < 30; n++) {
      await appendAudit(ctx.store.db, { at: API_T0 + n * 1000, actor: 'clinic7', source: '10.0.0.7', action: 'read', entityType: 'patient', entityId: world.otherPatientId, patientId: world.otherPatientId, detail: { n, note: n === 3 ? '=HYPERLINK("x"), "quoted"' : 'plain' } });
    }
  });
  afterEach(() => server.close());

  const auditor = () => clients.auditor!;

  it('reports by user, patient, date range and action, page by page with every entry once; the report is audited', async () => {
    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const r = await auditor().get(`/api/audit?user=clinic7&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.entries.map((e: { id: number }) => e.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);

    const byPatient = await clients['privacy-officer']!.get(`/api/audit?patient=${world.patientId}&action=read`);
    expect(byPatient.body.entries.map((e: { actor: string }) => e.actor)).toEqual(['coord1']);
    expect(byPatient.body.entries[0]).toMatchObject({ patientId: world.patientId, source: '127.0.0.1', outcome: 'success', detail: { via: 'care-team' }, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const range = await auditor().get(`/api/audit?user=clinic7&from=${new Date(API_T0 + 10_000).toISOString()}&to=${new Date(API_T0 + 20_000).toISOString()}`);
    expect(range.body.entries.map((e: { detail: { n: number } }) => e.detail.n)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect((await auditor().get('/api/audit?user=clinic7&to=2026-11-30')).body.entries).toEqual([]);
    expect((await auditor().get('/api/audit?user=clinic7&from=2026-12-01&to=2026-12-01')).body.entries).toHaveLength(30);
    expect((await auditor().get('/api/audit?action=peek')).status).toBe(400);

    const reads = await auditReport(ctx.store.db, { user: 'auditor1', entityType: 'audit-log', limit: 100 });
    expect(reads.length).toBeGreaterThanOrEqual(5);
    expect(reads[0]).toMatchObject({ action: 'read', userId: world.users.auditor, source: '127.0.0.1' });
    expect(JSON.parse(reads[0]!.detail)).toMatchObject({ filter: { user: 'clinic7' }, format: 'json', returned: 7 });
    const [officer] = await auditReport(ctx.store.db, { user: 'privacy1', entityType: 'audit-log', limit: 100 });
    expect(officer!.patientId).toBe(world.patientId);
  });

  it('exports CSV (content type, attachment, RFC 4180, quoted), every selected entry, and audits the export', async () => {
    const r = await rawRequest(server, auditor(), 'GET', '/api/audit.csv?user=clinic7');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="carecoord-audit-\d{8}T\d{6}Z\.csv"$/);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const lines = r.text.split('\r\n');
    expect(lines[0]).toBe(AUDIT_CSV_COLUMNS.join(','));
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(1 + 30 + 1);
    const entries = await auditReport(ctx.store.db, { user: 'clinic7', limit: 100 });
    expect(lines[1]!.startsWith(`${entries[0]!.id},${new Date(API_T0).toISOString()},clinic7,,${world.otherPatientId},read,patient,`)).toBe(true);
    expect(lines[1]!.endsWith(`,${entries[0]!.hash}`)).toBe(true);
    // Detail with quotes and a leading '=' inside JSON: quoted, inner quotes doubled.
    expect(lines[4]).toContain('"{""n"":3,""note"":""=HYPERLINK(\\""x\\""), \\""quoted\\""""}"');

    const [exported] = await auditReport(ctx.store.db, { user: 'auditor1', action: 'export', limit: 10 });
    expect(exported).toMatchObject({ entityType: 'audit-log', userId: world.users.auditor, source: '127.0.0.1', outcome: 'success' });
    expect(JSON.parse(exported!.detail)).toEqual({ filter: { user: 'clinic7' }, format: 'csv' });

    // A larger export streams page by page (1,000 rows a page): all rows arrive.
    for (let n = 0; n < 2100; n += 300) await appendAudits(ctx.store.db, Array.from({ length: 300 }, (_, i) => sampleEntry(n + i + 1, { actor: 'bulk' })));
    const big = await rawRequest(server, auditor(), 'GET', '/api/audit.csv?user=bulk');
    expect(big.text.split('\r\n')).toHaveLength(1 + 2100 + 1);
  });

  it('verifies the chain', async () => {
    const r = await auditor().get('/api/audit/verify');
    expect(r.status).toBe(200);
    const v = await verifyAuditChain(ctx.store.db);
    expect(r.body).toEqual({ intact: true, checked: v.checked, head: v.head, anchor: v.anchor });
    expect(r.body.checked).toBeGreaterThan(30);
  });

  it('is refused to roles without audit data, and the refusal is audited', async () => {
    for (const role of ['admin', 'interface-analyst', 'coordinator', 'physician', 'supervisor', 'field-clinician']) {
      for (const path of ['/api/audit', '/api/audit.csv', '/api/audit/verify']) {
        const r = await rawRequest(server, clients[role]!, 'GET', path);
        expect([r.status, JSON.parse(r.text).error.code], `${role} ${path}`).toEqual([403, 'access.forbidden']);
      }
    }
    expect(await auditReport(ctx.store.db, { action: 'export', limit: 10 })).toEqual([]);
    expect((await auditReport(ctx.store.db, { user: 'root', outcome: 'denied', limit: 10 })).map((e) => e.entityId)).toEqual(['GET /api/audit', 'GET /api/audit.csv', 'GET /api/audit/verify']);
  });
});

describe.each(DIALECTS)('audit retention in serve on %s', (dialect) => {
  const ctx = useFreshStore(dialect);

  it('prunes entries past the retention at start and then on its interval, on the injected clock; stop ends it', async () => {
    const now = Date.now();
    for (const n of [1, 2, 3]) await appendAudit(ctx.store.db, sampleEntry(n, { at: now - 2600 * DAY + n }));
    await appendAudit(ctx.store.db, sampleEntry(4, { at: now - 10 * DAY }));
    const logged: object[] = [];
    const clock = { now };
    const job = new AuditRetentionJob(ctx.store.db, { info: (o) => logged.push(o), error: (o) => logged.push({ error: o }) }, { intervalMs: 40, now: () => clock.now });
    job.start();
    job.start();
    await expect.poll(() => job.runs, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    await job.stop();
    await job.stop();
    const runs = job.runs;
    expect(logged[0]).toEqual({ removed: 3, anchorId: 3, retentionDays: 2192 });
    expect(logged).toHaveLength(1);
    const left = await auditReport(ctx.store.db);
    expect(left.map((r) => [r.id, r.action])).toEqual([[4, 'read'], [5, 'delete']]);
    expect(left[1]).toMatchObject({ at: now, actor: 'system', source: 'system', entityId: '1..3' });
    expect(await verifyAuditChain(ctx.store.db)).toMatchObject({ intact: true, anchor: { id: 3 } });
    await new Promise((r) => setTimeout(r, 120));
    expect(job.runs).toBe(runs);

    // Below the database's floor: the run fails, is logged, and nothing is removed.
    const short = new AuditRetentionJob(ctx.store.db, { info: (o) => logged.push(o), error: (o) => logged.push({ error: o }) }, { retentionDays: 30, now: () => clock.now });
    expect(await short.runOnce()).toBeUndefined();
    expect(logged.at(-1)).toEqual({ error: { name: 'AuditError', code: 'audit.retention_too_short' } });
  });
});
