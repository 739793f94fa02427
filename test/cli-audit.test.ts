import { userInfo } from 'node:os';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../src/audit/index.js';
import { dropAuditGuards } from '../src/audit/testing.js';
import { resolvePatient } from '../src/identity/resolve.js';
import { incoming, MARGARET, mrn } from '../src/identity/store-testing.js';
import { insertInboxRows } from '../src/store/inbox.js';
import { appendEntries } from '../src/store/message-log.js';
import { adt } from './support/platform.js';
import { dbEnv, killStrayCli, parseJsonLines, runCli, type CliResult } from './support/cli.js';
import { DIALECTS, freshDatabase, type TestDatabase } from './support/stores.js';

const ME = `cli:${userInfo().username}`;

/**
 * The audit trail through the built binary: the verbs that read or change PHI leave entries, and the
 * privacy officer's `audit verify|report` read them. Seeded with Margaret Baker (MRN-1 at GENHOSP), a
 * record parked for review against her, and two log entries about her (one failed, for reprocess).
 */
describe.each(DIALECTS)('carecoord audit on %s', (dialect) => {
  let tdb: TestDatabase | undefined;
  let env: Record<string, string> = {};
  let ids: { margaret: number; staging: number; reviewId: number; robert: number; entry: number; failed: number };

  const cli = (...args: string[]): Promise<CliResult> => runCli([...args, '--data-dir', tdb!.dataDir], env);
  async function ok(...args: string[]): Promise<string> {
    const r = await cli(...args);
    expect({ args, stderr: r.stderr, code: r.code }).toEqual({ args, stderr: '', code: 0 });
    return r.stdout;
  }
  const report = async (...filter: string[]) => parseJsonLines<AuditRecord>(await ok('audit', 'report', '--json', ...filter)).filter((r) => r.entityType !== 'audit-log');
  const pick = (rs: AuditRecord[]) => rs.map((r) => ({ actor: r.actor, action: r.action, entity: `${r.entityType} ${r.entityId}`, patient: r.patientId, command: JSON.parse(r.detail).command }));

  beforeEach(async () => {
    tdb = await freshDatabase(dialect);
    env = dbEnv(tdb);
    const store = await tdb.open();
    try {
      const o = (at: number) => ({ sourceEntryId: null, at, updateDemographics: true });
      const margaret = await resolvePatient(store.db, incoming(MARGARET, mrn('MRN-1', 'GENHOSP')), o(1_000));
      const parked = await resolvePatient(store.db, incoming({ given: 'Margaret', family: 'Baker', birthDate: '1940-09-23', sex: 'F' }, mrn('B-9', 'NORTHCLINIC')), o(2_000));
      const robert = await resolvePatient(store.db, incoming({ given: 'Robert', family: 'Jones', birthDate: '1955-03-12', sex: 'M' }, mrn('MRN-10', 'GENHOSP')), o(3_000));
      const entries = await store.db.transaction().execute((trx) => appendEntries(trx, ['AUD-1', 'AUD-2'].map((c) => {
        const raw = Buffer.from(adt(c, 'MRN-1', { trigger: 'A08' }));
        return {
          received_at: Date.now(), listener: 'default', peer: '10.0.0.9:4000', raw, byte_length: raw.length, charset: 'UTF-8', sender_key: 'EPIC|GENHOSP',
          control_id: c, content_hash: c, message_type: 'ADT^A08', patient_key: 'MRN-1^GENHOSP', merge_key: null, accept_code: 'AA' as const,
          error_code: null, error_text: null, ack: Buffer.from('MSH|^~\\&|CC|CC|EPIC|GENHOSP|20261201||ACK|1|P|2.5.1\rMSA|AA|' + c + '\r'),
        };
      })));
      await insertInboxRows(store.db, [{ entry_id: entries[1]!.id, received_at: Date.now(), message_type: 'ADT^A08', patient_key: 'MRN-1^GENHOSP', merge_key: null, status: 'failed', attempts: 5, updated_at: Date.now() }]);
      ids = { margaret: margaret.patientId, staging: parked.patientId, reviewId: parked.reviewId!, robert: robert.patientId, entry: entries[0]!.id, failed: entries[1]!.id };
    } finally {
      await store.close();
    }
  });

  afterEach(async () => {
    killStrayCli();
    await tdb?.cleanup();
    tdb = undefined;
  });

  it('messages show leaves a message-view entry naming the patient; reprocess an update', async () => {
    expect(await ok('messages', 'show', String(ids.entry))).toContain('AUD-1');
    await ok('messages', 'show', String(ids.entry), '--raw');
    expect(await ok('messages', 'reprocess', String(ids.failed))).toContain('queued again');
    const rows = await report();
    expect(pick(rows)).toEqual([
      { actor: ME, action: 'message-view', entity: `hl7-message ${ids.entry}`, patient: ids.margaret, command: 'messages show' },
      { actor: ME, action: 'message-view', entity: `hl7-message ${ids.entry}`, patient: ids.margaret, command: 'messages show' },
      { actor: ME, action: 'update', entity: `hl7-message ${ids.failed}`, patient: ids.margaret, command: 'messages reprocess' },
    ]);
    expect(rows.map((r) => [r.source, r.outcome])).toEqual([['cli', 'success'], ['cli', 'success'], ['cli', 'success']]);
    expect(JSON.parse(rows[1]!.detail)).toMatchObject({ format: 'raw', controlId: 'AUD-1', messageType: 'ADT^A08', osUser: userInfo().username });
    // Nothing shown, nothing audited.
    expect((await cli('messages', 'show', '999999')).code).toBe(2);
    expect(await report()).toHaveLength(3);
  });

  it('patient and review verbs leave entries for every patient they read or change', async () => {
    await ok('patient', 'show', String(ids.margaret));
    await ok('patient', 'find', '--mrn', 'MRN-10', '--authority', 'GENHOSP');
    await ok('review', 'show', String(ids.reviewId));
    await ok('review', 'link', String(ids.reviewId), '--to', String(ids.margaret), '--by', 'reviewer1');
    await ok('review', 'undo', String(ids.reviewId), '--by', 'reviewer1');
    await ok('review', 'separate', String(ids.reviewId), '--by', 'reviewer1');
    const merge = /merge (\d+)/.exec(await ok('patient', 'merge', String(ids.margaret), String(ids.robert), '--by', 'admin1'))![1]!;
    await ok('patient', 'unmerge', merge, '--by', 'admin1');
    expect(pick(await report())).toEqual([
      { actor: ME, action: 'read', entity: `patient ${ids.margaret}`, patient: ids.margaret, command: 'patient show' },
      { actor: ME, action: 'search', entity: `patient ${ids.robert}`, patient: ids.robert, command: 'patient find' },
      { actor: ME, action: 'read', entity: `patient ${ids.robert}`, patient: ids.robert, command: 'patient show' },
      { actor: ME, action: 'read', entity: `match-review ${ids.reviewId}`, patient: ids.staging, command: 'review show' },
      { actor: ME, action: 'read', entity: `match-review ${ids.reviewId}`, patient: ids.margaret, command: 'review show' },
      { actor: 'reviewer1', action: 'update', entity: `match-review ${ids.reviewId}`, patient: ids.staging, command: 'review link' },
      { actor: 'reviewer1', action: 'update', entity: `match-review ${ids.reviewId}`, patient: ids.margaret, command: 'review link' },
      { actor: 'reviewer1', action: 'update', entity: `match-review ${ids.reviewId}`, patient: ids.staging, command: 'review undo' },
      { actor: 'reviewer1', action: 'update', entity: `match-review ${ids.reviewId}`, patient: ids.staging, command: 'review separate' },
      { actor: 'admin1', action: 'create', entity: `patient-merge ${merge}`, patient: ids.margaret, command: 'patient merge' },
      { actor: 'admin1', action: 'create', entity: `patient-merge ${merge}`, patient: ids.robert, command: 'patient merge' },
      { actor: 'admin1', action: 'update', entity: `patient-merge ${merge}`, patient: ids.margaret, command: 'patient unmerge' },
      { actor: 'admin1', action: 'update', entity: `patient-merge ${merge}`, patient: ids.robert, command: 'patient unmerge' },
    ]);
    // A refused change rolls its entry back with it.
    expect((await cli('patient', 'merge', String(ids.margaret), String(ids.margaret))).code).not.toBe(0);
    expect(await report()).toHaveLength(13);
  });

  it('care CLI writes leave one entry per command, with the patient', async () => {
    const care = (...args: string[]) => ok(...args, '--actor', 'admin:test', '--json');
    const user = JSON.parse(await care('user', 'add', '--username', 'coord1', '--name', 'Cora Coordinator', '--roles', 'coordinator'));
    const episode = JSON.parse(await care('episode', 'add', '--patient', String(ids.margaret), '--type', 'home-health', '--status', 'active', '--coordinator', 'coord1'));
    await care('plan', 'goal-add', String(episode.id), '--description', 'Walk unaided');
    const task = JSON.parse(await care('task', 'add', '--patient', String(ids.margaret), '--title', 'Call', '--assignee', 'coord1', '--episode', String(episode.id)));
    await care('task', 'complete', String(task.id));
    await care('task', 'list', '--patient', String(ids.margaret));
    expect(pick(await report('--user', 'admin:test'))).toEqual([
      { actor: 'admin:test', action: 'permission-change', entity: `user ${user.id}`, patient: null, command: 'user add' },
      { actor: 'admin:test', action: 'create', entity: `episode ${episode.id}`, patient: ids.margaret, command: 'episode add' },
      { actor: 'admin:test', action: 'create', entity: 'care-plan-goal 1', patient: ids.margaret, command: 'plan goal-add' },
      { actor: 'admin:test', action: 'create', entity: `task ${task.id}`, patient: ids.margaret, command: 'task add' },
      { actor: 'admin:test', action: 'update', entity: `task ${task.id}`, patient: ids.margaret, command: 'task complete' },
    ]);
  });

  it('audit verify exits 0 on an intact chain and 1 naming the first altered entry', async () => {
    for (let i = 0; i < 3; i++) await ok('messages', 'show', String(ids.entry));
    const intact = await ok('audit', 'verify');
    expect(intact).toMatch(/^audit trail intact: 3 entries \(1\.\.3\) verified\nhead: 3:[0-9a-f]{64}\n$/);
    const head = /head: (\S+)/.exec(intact)![1]!;
    expect(await ok('audit', 'verify', '--pin', head)).toContain('intact');
    const store = await tdb!.open();
    try {
      await dropAuditGuards(store);
      await sql`UPDATE audit_log SET actor = 'someone-else' WHERE id = 2`.execute(store.db);
    } finally {
      await store.close();
    }
    const broken = await cli('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^audit trail NOT intact at entry 2 \(altered\): entry 2 does not match its hash/);
    const json = await cli('audit', 'verify', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ intact: false, problem: { id: 2, kind: 'altered' }, checked: 1 });
  });

  it('audit report filters by user, patient, dates and action, exports RFC 4180 CSV, and audits itself', async () => {
    await ok('messages', 'show', String(ids.entry));
    await ok('patient', 'show', String(ids.robert));
    expect(pick(await report('--patient', String(ids.robert)))).toMatchObject([{ action: 'read', patient: ids.robert }]);
    expect(pick(await report('--action', 'message-view', '--user', ME))).toMatchObject([{ action: 'message-view' }]);
    expect(await report('--since', '2000-01-01', '--until', '2000-12-31')).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect(await report('--since', today, '--until', today)).toHaveLength(2);
    const csv = await ok('audit', 'report', '--csv', '--patient', String(ids.margaret));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('id,at,actor,user_id,patient_id,action,entity_type,entity_id,source,outcome,detail,hash');
    expect(lines.at(-1)).toBe('');
    // The export is in the chain (before its rows were read), and so are the JSON reports above.
    expect(lines.slice(1, -1).map((l) => l.split(',').slice(5, 7).join(' '))).toEqual(['message-view hl7-message', 'export audit-log']);
    expect(lines[2]).toMatch(/^\d+,\S+Z,cli:[^,]+,,\d+,export,audit-log,,cli,success,"\{""command"":""audit report"",""filter"":\{""patientId"":\d+\},""format"":""csv"",""osUser"":""[^"]+""\}",[0-9a-f]{64}$/);
    const exports = parseJsonLines<AuditRecord>(await ok('audit', 'report', '--json', '--action', 'export'));
    expect(exports.length).toBeGreaterThanOrEqual(5);
    expect((await cli('audit', 'verify')).code).toBe(0);
  });

  it('refuses bad report input and a retention below six years with exit 2', async () => {
    for (const args of [['--action', 'peek'], ['--since', 'yesterday'], ['--patient', 'x'], ['--csv', '--json']]) {
      const r = await cli('audit', 'report', ...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
    }
    const prune = await cli('audit', 'prune', '--retention-days', '30');
    expect(prune.code).toBe(2);
    expect(prune.stderr).toMatch(/kept at least 2192 days/);
    expect(await ok('audit', 'prune')).toMatch(/^0 audit entries older than 2192 days removed/);
  });

  it('keeps one chain when several processes audit at once', async () => {
    const runs = await Promise.all(Array.from({ length: 6 }, () => cli('messages', 'show', String(ids.entry))));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await report('--action', 'message-view')).toHaveLength(6);
    expect(await ok('audit', 'verify')).toMatch(/intact: \d+ entries/);
  });
});
