import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MllpClient } from '../src/mllp/index.js';
import { readHl7 } from '../src/hl7/index.js';
import { getInboxRow } from '../src/store/inbox.js';
import { startServe, type ServeProcess } from './support/child.js';
import { dbEnv, killStrayCli, parseJsonLines, runCli, stopServe, type CliResult, type ListedMessage } from './support/cli.js';
import { adt, eventually } from './support/platform.js';
import { DIALECTS, freshDatabase, type TestDatabase } from './support/stores.js';

/** Three valid ADT^A17 (a type carecoord has no handler for, so they end unhandled; one with UTF-8 text) and one frame without an MSH, as an EMR would send them. */
const VALID = [
  { controlId: 'CLI-1', text: adt('CLI-1', 'MRN-CLI-1', { trigger: 'A17' }) },
  { controlId: 'CLI-2', text: adt('CLI-2', 'MRN-CLI-2', { trigger: 'A17' }) },
  { controlId: 'CLI-3', text: adt('CLI-3', 'MRN-CLI-3', { trigger: 'A17', extra: 'NTE|1||Zoë Müller prefers mornings' }) },
];
const NO_MSH = 'PID|1||MRN-CLI-X^^^GENHOSP^MR||DOE^JOHN||19800101|M\rPV1|1|I|ICU^101^A\r';

const HEADER = /^ID +RECEIVED +LISTENER +SENDER +CONTROL ID +TYPE +ACK +STATUS +ERROR$/;

describe.each(DIALECTS)('carecoord messages beside a running carecoord serve on %s', (dialect) => {
  let tdb: TestDatabase | undefined;
  let serve: ServeProcess | undefined;
  let env: Record<string, string> = {};
  /** Log entry id per control id ('bad' for the frame without an MSH). */
  let ids: Record<string, number> = {};

  const messages = (...args: string[]): Promise<CliResult> => runCli(['messages', ...args, '--data-dir', tdb!.dataDir], env);

  async function listJson(...filter: string[]): Promise<ListedMessage[]> {
    const r = await messages('--json', ...filter);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return parseJsonLines<ListedMessage>(r.stdout);
  }

  beforeEach(async () => {
    ids = {};
    tdb = await freshDatabase(dialect);
    env = dbEnv(tdb);
    serve = await startServe(['--data-dir', tdb.dataDir], env);
    const client = await MllpClient.connect({ host: '127.0.0.1', port: serve.mllpPort });
    try {
      for (const m of [...VALID.map((v) => v.text), NO_MSH]) {
        const reply = readHl7(await client.send(m, { timeoutMs: 10_000 }));
        expect(reply.ok).toBe(true);
        if (reply.ok) expect(reply.message.get('MSA-1')).toBe(m === NO_MSH ? 'AR' : 'AA');
      }
    } finally {
      await client.close();
    }
    // The running server takes every entry in: the valid ones end unhandled (serve registers no
    // handler), the refused one rejected.
    const rows = await eventually(async () => {
      const all = await listJson();
      return all.length === 4 && all.every((r) => r.status === (r.acceptCode === 'AA' ? 'unhandled' : 'rejected')) ? all : undefined;
    }, 20_000, 'all four entries taken in by the server');
    for (const r of rows) ids[r.controlId ?? 'bad'] = r.id;
  });

  afterEach(async () => {
    killStrayCli();
    await stopServe(serve);
    serve = undefined;
    await tdb?.cleanup();
    tdb = undefined;
  });

  it('lists the log as a table: a header line, then one row per message, newest first', async () => {
    const r = await messages();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(HEADER);
    expect(lines).toHaveLength(5);
    const rowIds = lines.slice(1).map((l) => Number(l.split(/ +/)[0]));
    expect(rowIds).toEqual([ids.bad, ids['CLI-3'], ids['CLI-2'], ids['CLI-1']]);
    const row = (id: number) => lines.find((l) => l.startsWith(`${id} `))!;
    for (const v of VALID) {
      expect(row(ids[v.controlId]!)).toMatch(new RegExp(` default +EPIC\\|GENHOSP +${v.controlId} +ADT\\^A17 +AA +unhandled$`));
    }
    expect(row(ids.bad!)).toMatch(/ default +- +- +- +AR +rejected +MISSING_MSH: .*no MSH/);
  });

  it('--control-id filters to that message', async () => {
    const r = await messages('--control-id', 'CLI-2');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(HEADER);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${ids['CLI-2']} .* CLI-2 `));
    expect((await listJson('--control-id', 'CLI-2')).map((m) => m.id)).toEqual([ids['CLI-2']]);

    const none = await messages('--control-id', 'NO-SUCH-ID');
    expect(none.code).toBe(0);
    expect(none.stdout.trimEnd().split('\n').slice(1)).toEqual(['(no messages)']);
  });

  it('--status rejected and --status error list the refused message; --status unhandled and --type the others', async () => {
    for (const status of ['rejected', 'error']) {
      const r = await messages('--status', status);
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(new RegExp(`^${ids.bad} .* AR +rejected +MISSING_MSH`));
    }
    expect((await listJson('--status', 'unhandled')).map((m) => m.controlId).sort()).toEqual(['CLI-1', 'CLI-2', 'CLI-3']);
    expect((await listJson('--type', 'ADT^A17')).map((m) => m.controlId).sort()).toEqual(['CLI-1', 'CLI-2', 'CLI-3']);
    expect(await listJson('--status', 'failed')).toEqual([]);
  });

  it('--json prints one parseable object per entry', async () => {
    const rows = await listJson();
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((r) => r.id)).size).toBe(4);
    expect(rows.find((r) => r.controlId === 'CLI-1')).toMatchObject({ messageType: 'ADT^A17', acceptCode: 'AA', status: 'unhandled', attempts: 0, errorCode: null });
    expect(rows.find((r) => r.id === ids.bad)).toMatchObject({ controlId: null, acceptCode: 'AR', status: 'rejected', errorCode: 'MISSING_MSH' });
  });

  it('messages show ID prints the entry, its segments and the ACK that was sent', async () => {
    const r = await messages('show', String(ids['CLI-3']));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^id +${ids['CLI-3']}$`, 'm'));
    expect(r.stdout).toMatch(/^controlId +CLI-3$/m);
    expect(r.stdout).toMatch(/^status +unhandled$/m);
    const segments = VALID[2]!.text.split('\r').filter(Boolean);
    expect(r.stdout).toContain(`\nmessage:\n${segments.map((s) => `  ${s}`).join('\n')}\n`);
    expect(r.stdout).toMatch(/\nacknowledgment:\n {2}MSH\|\^~\\&\|CARECOORD\|CARECOORD\|EPIC\|GENHOSP\|[^\n]*\n {2}MSA\|AA\|CLI-3\n/);

    const bad = await messages('show', String(ids.bad));
    expect(bad.code).toBe(0);
    expect(bad.stdout).toMatch(/^status +rejected$/m);
    expect(bad.stdout).toMatch(/^error +MISSING_MSH: .*no MSH/m);
    expect(bad.stdout).toContain('  PID|1||MRN-CLI-X^^^GENHOSP^MR||DOE^JOHN||19800101|M\n  PV1|1|I|ICU^101^A\n');
    expect(bad.stdout).toMatch(/^ {2}MSA\|AR$/m);
    expect(bad.stdout).toMatch(/^ {2}ERR\|\|PID\^1\|100\^/m);
  });

  it('messages show ID --raw prints exactly the bytes that were sent', async () => {
    for (const v of VALID) {
      const r = await messages('show', String(ids[v.controlId]), '--raw');
      expect(r.code).toBe(0);
      expect(r.stdoutBytes.equals(Buffer.from(v.text, 'utf8'))).toBe(true);
    }
    const bad = await messages('show', String(ids.bad), '--raw');
    expect(bad.code).toBe(0);
    expect(bad.stdoutBytes.equals(Buffer.from(NO_MSH, 'utf8'))).toBe(true);
  });

  it('messages reprocess ID queues an unhandled entry again and the running server processes it again', async () => {
    const id = ids['CLI-1']!;
    const store = await tdb!.open();
    try {
      const before = await getInboxRow(store.db, id);
      expect(before?.status).toBe('unhandled');
      const firstDone = Number(before!.processed_at);
      const otherBefore = await getInboxRow(store.db, ids['CLI-2']!);

      const r = await messages('reprocess', String(id));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`entry ${id} queued again (was unhandled); a running server processes it at its next poll\n`);

      // Only the server's workers move a queued row to unhandled and set processed_at again.
      const after = await eventually(async () => {
        const row = await getInboxRow(store.db, id);
        return row?.status === 'unhandled' && Number(row.processed_at) > firstDone ? row : undefined;
      }, 20_000, 'the server to process the requeued entry');
      expect(after.attempts).toBe(0);
      // The other entries were not touched.
      const otherAfter = await getInboxRow(store.db, ids['CLI-2']!);
      expect(otherAfter).toEqual(otherBefore);
    } finally {
      await store.close();
    }
    expect((await listJson('--control-id', 'CLI-1'))[0]).toMatchObject({ id, status: 'unhandled' });
  });

  it('messages reprocess ID on a rejected entry exits 1 and explains why, leaving it rejected', async () => {
    const r = await messages('reprocess', String(ids.bad));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`entry ${ids.bad} is rejected: only failed or unhandled entries can be reprocessed\n`);
    expect((await listJson('--status', 'rejected')).map((m) => m.id)).toEqual([ids.bad]);
  });

  it('exits 2 with a one-line usage error for a bogus --status, an unknown id or sub-command, and a bad --limit', async () => {
    const cases: [string[], RegExp][] = [
      [['--status', 'bogus'], /^carecoord: --status must be one of received, error, .*rejected\n\(carecoord help shows the usage\)\n$/],
      [['show', '999999'], /^carecoord: no log entry 999999\n$/],
      [['reprocess', '999999'], /^carecoord: no processed-state for entry 999999 /],
      [['show'], /^carecoord: messages show needs an entry id\n/],
      [['frob', '1'], /^carecoord: unknown messages sub-command "frob"/],
      [['--limit', '0'], /^carecoord: --limit must be from 1 to 10000\n/],
    ];
    for (const [args, stderr] of cases) {
      const r = await messages(...args);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(r.stderr).toMatch(stderr);
    }
  });
});
