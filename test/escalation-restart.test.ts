import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { activeEpisode, addStaff } from '../src/care/testing.js';
import { EscalationListener, listRecipients, listTimers } from '../src/escalation/index.js';
import { alertChange, MemoryLog, MemorySink } from '../src/escalation/testing.js';
import type { Store } from '../src/store/open.js';
import { eventually } from './support/platform.js';
import { DIALECTS, freshDatabase, type TestDatabase } from './support/stores.js';

const NODE = fileURLToPath(new URL('./support/escalation-node.ts', import.meta.url));
const MIN = 60_000;

interface Node { child: ChildProcess; lines: string[]; exited: Promise<number | null> }

async function startNode(tdb: TestDatabase): Promise<Node> {
  const child = spawn(process.execPath, ['--import', 'tsx', NODE], {
    // An empty DATABASE_URL keeps a SQLite node off the PostgreSQL the test process may have been given.
    env: { ...process.env, CARECOORD_DATA_DIR: tdb.dataDir, DATABASE_URL: tdb.databaseUrl ?? '', CARECOORD_ONCALL_USERS: 'doc1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', (l) => lines.push(l));
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  await eventually(async () => lines.some((l) => l.includes('"escalation ready"')) || undefined, 30_000, `escalation node ready:\n${lines.join('\n')}`);
  return { child, lines, exited };
}

describe.each(DIALECTS)('escalation timers across a real restart on %s', (dialect) => {
  let tdb: TestDatabase | undefined;
  let store: Store | undefined;
  let node: Node | undefined;
  afterEach(async () => {
    node?.child.kill('SIGKILL');
    await node?.exited;
    await store?.close();
    await tdb?.cleanup();
  });

  it('a timer that falls due while the process is down fires once after restart', async () => {
    tdb = await freshDatabase(dialect);
    store = await tdb.open();
    const staff = await addStaff(store.db);
    const patientId = (await activeEpisode(store.db, staff.coord)).patientId;
    node = await startNode(tdb);

    // Raised so that level 0's 15 minutes end 3 s from now; the node is killed at once.
    const dueAt = Date.now() + 3_000;
    const listener = new EscalationListener({ sink: new MemorySink(), log: new MemoryLog(), onCallUsernames: ['doc1'] });
    await store.db.transaction().execute((trx) => listener.alertChanged(trx, alertChange('raised', 501, patientId, dueAt - 15 * MIN)));
    node.child.kill('SIGKILL');
    await node.exited;

    await sleep(Math.max(0, dueAt - Date.now()) + 1_000);
    expect((await listTimers(store.db, 501)).map((t) => t.firedAt)).toEqual([null]);

    node = await startNode(tdb);
    await eventually(async () => (await listTimers(store!.db, 501))[0]?.firedAt !== null || undefined, 20_000, 'timer fired after restart');
    await eventually(async () => node!.lines.some((l) => l.includes('"enqueued"')) || undefined, 5_000, 'deliveries enqueued');
    await sleep(300); // a few more polls: nothing fires twice
    const timers = await listTimers(store.db, 501);
    expect(timers[0]).toMatchObject({ level: 0, attempts: 1 });
    expect(timers[0]!.firedAt!).toBeGreaterThanOrEqual(dueAt);
    const level1 = (await listRecipients(store.db, 501)).filter((r) => r.level === 1);
    expect(level1.map((r) => r.userId).sort()).toEqual([staff.coord2.id, staff.supervisor.id, staff.doctor.id].sort());
    const enqueued = node.lines.filter((l) => l.includes('"enqueued"')).map((l) => JSON.parse(l) as { alertId: number; userId: number; level: number });
    expect(enqueued.map((j) => [j.alertId, j.level, j.userId]).sort()).toEqual(level1.map((r) => [501, 1, r.userId]).sort());
    // the next level's timer is pending in the database, for whichever node polls next
    expect(timers.slice(1).map((t) => [t.level, t.firedAt])).toEqual([[1, null]]);

    node.child.kill('SIGTERM');
    expect(await node.exited).toBe(0);
    node = undefined;
  });
});
