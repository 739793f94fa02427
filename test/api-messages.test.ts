import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Database } from '../src/store/schema.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorld, startApiServer, type ApiServer } from '../src/access/testing.js';
import { auditReport } from '../src/audit/index.js';
import { readHl7 } from '../src/hl7/index.js';
import { findByIdentifier } from '../src/store/patients.js';
import { messageListQuery } from '../src/store/message-query.js';
import { eventually, startTestPlatform, type TestPlatform } from './support/platform.js';
import { rawRequest, signInEveryRole, type RoleClients } from './support/api-roles.js';
import { DIALECTS } from './support/stores.js';

/**
 * The interface analyst's HTTP API over a real carecoord: messages go in over MLLP and through the
 * processing thread (default ADT handlers), then /api/messages and /api/identity/reviews read them.
 */
const JANE = 'DOE^JANE^Q||19500101|F|||12 MAIN ST^^SPRINGFIELD^IL^62701||(217)555-0100';
function msg(controlId: string, pid: string, opts: { trigger?: string; app?: string } = {}): string {
  const trigger = opts.trigger ?? 'A04';
  return [
    `MSH|^~\\&|${opts.app ?? 'EPIC'}|GENHOSP|CARECOORD|CC|20261125101500-0500||ADT^${trigger}^ADT_A01|${controlId}|P|2.5.1`,
    `EVN|${trigger}|20261125101500-0500`,
    `PID|1||${pid}`,
    'PV1|1|O|CLINIC^1^A',
  ].join('\r') + '\r';
}
const SENT = {
  jane: msg('API-C1', `API-1^^^GENHOSP^MR||${JANE}`),
  twin: msg('API-C2', `API-2^^^GENHOSP^MR||${JANE}`),
  a17: msg('API-C3', `API-1^^^GENHOSP^MR||${JANE}`, { trigger: 'A17' }),
  other: msg('API-C4', 'API-10^^^GENHOSP^MR||ROE^RICHARD||19700202|M', { app: 'CERNER' }),
  third: msg('API-C5', `API-3^^^GENHOSP^MR||${JANE}`),
  bad: 'PID|1||API-X^^^GENHOSP^MR||DOE^JOHN||19800101|M\r',
};
type Name = keyof typeof SENT;

describe.each(DIALECTS)('the interface analyst API on %s', (dialect) => {
  let tp: TestPlatform;
  let server: ApiServer;
  let clients: RoleClients;
  const ids = {} as Record<Name, number>;
  const db = () => tp.platform.store.db;
  const analyst = () => clients['interface-analyst']!;

  beforeAll(async () => {
    tp = await startTestPlatform(dialect);
    await seedWorld(db());
    server = await startApiServer(db());
    clients = await signInEveryRole(db(), server);
    const client = await tp.connect();
    try {
      for (const name of Object.keys(SENT) as Name[]) {
        const reply = readHl7(await client.send(SENT[name], { timeoutMs: 10_000 }));
        expect(reply.ok && reply.message.get('MSA-1')).toBe(name === 'bad' ? 'AR' : 'AA');
      }
    } finally {
      await client.close();
    }
    const all = await eventually(async () => {
      const r = await analyst().get('/api/messages?limit=500');
      return r.body.messages.length === 6 && r.body.messages.every((m: { status: string }) => !['received', 'queued'].includes(m.status)) ? r.body.messages : undefined;
    }, 30_000, 'every message processed');
    const byControl = new Map(all.map((m: { controlId: string | null; id: number }) => [m.controlId, m.id]));
    (Object.keys(SENT) as Name[]).forEach((name, i) => (ids[name] = (byControl.get(`API-C${i + 1}`) ?? byControl.get(null)) as number));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await tp?.stop();
    await tp?.tdb.cleanup();
  });

  const controlIds = (r: { body: { messages: { controlId: string | null }[] } }) => r.body.messages.map((m) => m.controlId);

  it('searches the log newest first, metadata only, by control id, MRN, type, status, sender and date; the search is audited', async () => {
    const all = await analyst().get('/api/messages');
    expect(controlIds(all)).toEqual([null, 'API-C5', 'API-C4', 'API-C3', 'API-C2', 'API-C1']);
    expect(all.body.nextCursor).toBeNull();
    expect(Object.keys(all.body.messages[1]).sort()).toEqual(['acceptCode', 'ackSent', 'attempts', 'byteLength', 'controlId', 'errorCode', 'errorText', 'id', 'listener', 'messageType', 'patientKey', 'peer', 'receivedAt', 'senderKey', 'status'].sort());
    expect(JSON.stringify(all.body)).not.toContain('SPRINGFIELD');
    expect(controlIds(await analyst().get('/api/messages?controlId=API-C2'))).toEqual(['API-C2']);
    // A bare MRN under any authority, never a longer MRN that starts with it; MRN^AUTHORITY exactly.
    expect(controlIds(await analyst().get('/api/messages?mrn=API-1'))).toEqual(['API-C3', 'API-C1']);
    expect(controlIds(await analyst().get(`/api/messages?mrn=${encodeURIComponent('API-1^GENHOSP')}`))).toEqual(['API-C3', 'API-C1']);
    expect(controlIds(await analyst().get(`/api/messages?mrn=${encodeURIComponent('API-1^OTHER')}`))).toEqual([]);
    expect(controlIds(await analyst().get('/api/messages?mrn=API'))).toEqual([]);
    expect(controlIds(await analyst().get(`/api/messages?type=${encodeURIComponent('ADT^A17')}`))).toEqual(['API-C3']);
    expect(controlIds(await analyst().get('/api/messages?status=unhandled'))).toEqual(['API-C3']);
    expect(controlIds(await analyst().get('/api/messages?status=rejected'))).toEqual([null]);
    expect(controlIds(await analyst().get('/api/messages?sender=CERNER'))).toEqual(['API-C4']);
    expect(controlIds(await analyst().get(`/api/messages?sender=${encodeURIComponent('EPIC|GENHOSP')}&status=processed`))).toEqual(['API-C5', 'API-C2', 'API-C1']);
    expect(controlIds(await analyst().get('/api/messages?to=2000-01-01'))).toEqual([]);
    expect((await analyst().get('/api/messages?from=2000-01-01')).body.messages).toHaveLength(6);
    expect((await analyst().get('/api/messages?status=bogus')).status).toBe(400);
    const searches = await auditReport(db(), { user: 'analyst1', action: 'search', limit: 100 });
    expect(searches.map((e) => JSON.parse(e.detail).filter)).toContainEqual({ mrn: 'API-1' });
    expect(searches[0]).toMatchObject({ entityType: 'hl7-message', source: '127.0.0.1', userId: expect.any(Number) });
  });

  it('walks every entry once, page by page', async () => {
    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const r = await analyst().get(`/api/messages?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...r.body.messages.map((m: { id: number }) => m.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(Object.values(ids).sort((a, b) => b - a));
  });

  it('finds by MRN through the key index, not a scan of the log', async () => {
    const explain = async (d: Kysely<Database>) => {
      const q = messageListQuery(d, { mrn: 'API-1', limit: 10 }).compile();
      return JSON.stringify((await d.executeQuery(CompiledQuery.raw(`${dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN'} ${q.sql}`, [...q.parameters]))).rows);
    };
    // PostgreSQL: a handful of rows would be read sequentially anyway; forbid that to see which index the planner can use.
    const plan = dialect === 'sqlite' ? await explain(db()) : await db().transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      return explain(trx);
    });
    expect(plan).toContain('message_log_patient_key');
    expect(plan).toContain('message_log_merge_key');
  });

  it('shows one entry with its outcome, ACK and patient; audited as a read of that patient', async () => {
    const patient = await findByIdentifier(db(), 'GENHOSP', 'API-1');
    const r = await analyst().get(`/api/messages/${ids.jane}`);
    expect(r.body.message).toMatchObject({
      id: ids.jane, controlId: 'API-C1', messageType: 'ADT^A04', patientKey: 'API-1^GENHOSP', patientId: patient!.id, status: 'processed',
      acceptCode: 'AA', ackSent: 'AA', error: null, truncated: false, senderKey: 'EPIC|GENHOSP',
    });
    expect(r.body.message.ack).toMatch(/^MSH\|.*\rMSA\|AA\|API-C1/s);
    expect(r.body.message.processedAt).toMatch(/Z$/);
    const bad = (await analyst().get(`/api/messages/${ids.bad}`)).body.message;
    expect(bad).toMatchObject({ status: 'rejected', acceptCode: 'AR', patientId: null, error: { code: expect.any(String) } });
    const [read] = (await auditReport(db(), { user: 'analyst1', action: 'read', limit: 100 })).filter((e) => e.entityId === String(ids.jane));
    expect(read).toMatchObject({ patientId: patient!.id, entityType: 'hl7-message', outcome: 'success' });
    expect((await analyst().get('/api/messages/987654')).body.error.code).toBe('messages.not_found');
  });

  it('shows the raw message and its fields; every raw view is audited as a message-view of its patient', async () => {
    const patient = await findByIdentifier(db(), 'GENHOSP', 'API-1');
    const r = await clients.admin!.get(`/api/messages/${ids.jane}/raw`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body.text).toBe(SENT.jane);
    expect(r.body.patientId).toBe(patient!.id);
    const [msh, evn, pid] = r.body.segments;
    expect(msh.segment).toBe('MSH');
    expect(msh.fields.slice(0, 3)).toEqual(['|', '^~\\&', 'EPIC']);
    expect(msh.fields[8]).toBe('ADT^A04^ADT_A01');
    expect(msh.fields[9]).toBe('API-C1');
    expect(evn).toEqual({ segment: 'EVN', fields: ['A04', '20261125101500-0500'] });
    expect(pid.fields[2]).toBe('API-1^^^GENHOSP^MR');
    expect(pid.fields[4]).toBe('DOE^JANE^Q');
    const views = (await auditReport(db(), { action: 'message-view', limit: 100 })).filter((e) => e.entityId === String(ids.jane));
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ actor: 'root', patientId: patient!.id, source: '127.0.0.1', outcome: 'success' });
    const bad = await analyst().get(`/api/messages/${ids.bad}/raw`);
    expect(bad.body).toMatchObject({ text: SENT.bad, patientId: null });
    expect(bad.body.segments[0].segment).toBe('PID');
  });

  it('reprocesses an unhandled entry (the running server takes it again); refuses a processed one; audited', async () => {
    const r = await analyst().post(`/api/messages/${ids.a17}/reprocess`);
    expect(r.body).toEqual({ id: ids.a17, from: 'unhandled', status: 'queued' });
    await eventually(async () => (await analyst().get(`/api/messages/${ids.a17}`)).body.message.status === 'unhandled', 20_000, 'processed again');
    const refused = await analyst().post(`/api/messages/${ids.jane}/reprocess`);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'messages.not_reprocessable']);
    expect((await analyst().post('/api/messages/987654/reprocess')).status).toBe(404);
    const [update] = (await auditReport(db(), { user: 'analyst1', action: 'update', limit: 100 })).filter((e) => e.entityId === String(ids.a17));
    expect(JSON.parse(update!.detail)).toMatchObject({ from: 'unhandled', to: 'queued' });
  });

  it('works the match review queue: pending list, side by side with weights, link and keep-separate; audited per patient', async () => {
    const first = await findByIdentifier(db(), 'GENHOSP', 'API-1');
    const list = await analyst().get('/api/identity/reviews?limit=1');
    expect(list.body.reviews).toHaveLength(1);
    const page2 = await analyst().get(`/api/identity/reviews?limit=1&cursor=${list.body.nextCursor}`);
    expect(page2.body.nextCursor).toBeNull();
    const [twinReview, thirdReview] = [list.body.reviews[0], page2.body.reviews[0]];
    expect(twinReview).toMatchObject({ status: 'open', sourceEntryId: ids.twin, best: { patientId: first!.id }, candidateCount: expect.any(Number) });

    const view = (await analyst().get(`/api/identity/reviews/${twinReview.id}`)).body.review;
    expect(view.incoming).toMatchObject({ reason: 'identifier-clash', person: { family: expect.any(String) } });
    const candidate = view.candidates.find((c: { patientId: number }) => c.patientId === first!.id);
    expect(candidate).toMatchObject({ grade: expect.any(String), weight: expect.any(Number), probability: expect.any(Number) });
    const birth = candidate.rows.find((row: { field: string }) => row.field === 'birthDate');
    expect(birth).toMatchObject({ incoming: '1950-01-01', candidate: '1950-01-01', level: expect.any(String), weight: expect.any(Number) });
    expect(view.decisions.map((d: { action: string }) => d.action)).toEqual(['review-opened']);
    const reads = (await auditReport(db(), { user: 'analyst1', action: 'read', entityType: 'match-review', limit: 100 })).map((e) => e.patientId);
    expect(reads).toEqual(expect.arrayContaining([twinReview.patientId, first!.id]));

    const notCandidate = await analyst().post(`/api/identity/reviews/${twinReview.id}/link`, { patientId: 987654 });
    expect([notCandidate.status, notCandidate.body.error.code]).toEqual([400, 'identity.not_a_candidate']);
    const linked = await analyst().post(`/api/identity/reviews/${twinReview.id}/link`, { patientId: first!.id, note: 'same person, second MRN' });
    expect(linked.body).toEqual({ mergeId: expect.any(Number), survivorId: first!.id });
    const twice = await analyst().post(`/api/identity/reviews/${twinReview.id}/keep-separate`, {});
    expect([twice.status, twice.body.error.code]).toEqual([409, 'identity.invalid_review_state']);
    expect((await analyst().post(`/api/identity/reviews/${thirdReview.id}/keep-separate`, { note: 'a sister' })).body).toEqual({ patientId: thirdReview.patientId });
    expect((await analyst().get('/api/identity/reviews')).body.reviews).toEqual([]);

    const decisions = (await auditReport(db(), { user: 'analyst1', action: 'update', entityType: 'match-review', limit: 100 })).map((e) => [e.entityId, e.patientId, JSON.parse(e.detail).decision]);
    expect(decisions).toEqual(expect.arrayContaining([
      [String(twinReview.id), twinReview.patientId, 'link'], [String(twinReview.id), first!.id, 'link'], [String(thirdReview.id), thirdReview.patientId, 'separate'],
    ]));
    expect((await analyst().get('/api/identity/reviews/987654')).body.error.code).toBe('identity.not_found');
  });

  it('refuses the analyst routes to roles without Interfaces, and audits the refusal', async () => {
    const r = await rawRequest(server, clients.auditor!, 'GET', `/api/messages/${ids.jane}/raw`);
    expect(r.status).toBe(403);
    const denied = await auditReport(db(), { user: 'auditor1', outcome: 'denied', limit: 100 });
    expect(denied.map((e) => e.entityId)).toContain('GET /api/messages/:id/raw');
    expect((await auditReport(db(), { action: 'message-view', user: 'auditor1', limit: 100 }))).toEqual([]);
  });
});
