/**
 * Real-time benchmark: N concurrent SSE clients (GET /api/stream) on one carecoord node, HL7 ADT
 * A08 messages over MLLP at a fixed rate about patients those users see; p50/p99 from the HL7 ACK
 * (message committed to the log) to the event at the clients (processing thread -> clinical_event
 * + realtime_event commit -> hub poll -> visibility query -> fan-out), and memory per idle stream
 * (server RSS delta / N). Baseline in the same run: a bare node:http SSE server that writes each
 * event to the same number of clients with no store, no sessions and no access filtering; the
 * ratios are printed. Run: npm run bench:realtime
 *
 * Environment: BENCH_SSE_CLIENTS (5000), BENCH_PATIENTS (clients / 10: ten viewers per patient),
 * BENCH_RATE (messages per second, 200), BENCH_SECONDS (10), DATABASE_URL (PostgreSQL instead of SQLite).
 * Targets: p99 < 250 ms, < 30 KB per connection. The clients run in a child process (this file
 * with --clients); the server runs here, so its RSS is measured alone.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, request, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { now, pace, percentiles, readSseFrames } from './lib/timing.js';

const N = Number(process.env.BENCH_SSE_CLIENTS ?? 5000);
const PATIENTS = Number(process.env.BENCH_PATIENTS ?? Math.max(1, Math.round(N / 10)));
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

// ---------------------------------------------------------------- clients (child process)
interface ClientJob { url: string; cookies: (string | undefined)[] }

async function runClients(): Promise<void> {
  const job = await new Promise<ClientJob>((r) => process.once('message', (m) => r(m as ClientJob)));
  const received: number[] = [];
  let ready = 0;
  let failed = 0;
  const open = (cookie: string | undefined) => new Promise<void>((resolve) => {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (cookie) headers.cookie = cookie;
    const req = request(job.url, { headers, agent: false }, (res) => {
      if (res.statusCode !== 200) { failed++; res.resume(); return resolve(); }
      readSseFrames(res, () => { ready++; resolve(); }, (block, t) => {
        const m = /"refId":(\d+)/.exec(block);
        if (m) received.push(Number(m[1]), t);
      });
    });
    req.on('error', () => { failed++; resolve(); });
    req.end();
  });
  for (let i = 0; i < job.cookies.length; i += 250) await Promise.all(job.cookies.slice(i, i + 250).map(open));
  process.send!({ type: 'connected', ready, failed });
  await new Promise<void>((r) => process.once('message', () => r()));
  process.send!({ type: 'results', received });
}

function startClients(job: ClientJob): Promise<{ child: ChildProcess; connected: { ready: number; failed: number }; results: () => Promise<number[]> }> {
  const child = fork(new URL(import.meta.url).pathname, ['--clients'], { execArgv: ['--import', 'tsx', '--max-old-space-size=4096'] });
  child.send(job);
  return new Promise((resolve) => {
    child.once('message', (m: any) => resolve({
      child, connected: m,
      results: () => new Promise((r) => { child.once('message', (x: any) => r(x.received)); child.send('done'); }),
    }));
  });
}

// ---------------------------------------------------------------- measurements
async function idleRss(): Promise<number> {
  for (let i = 0; i < 3; i++) { (globalThis as any).gc?.(); await new Promise((r) => setTimeout(r, 300)); }
  return process.memoryUsage().rss;
}


// ---------------------------------------------------------------- carecoord
async function ownDatabase(admin: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `cc_bench_rt_${process.pid}`;
  const run = async (q: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try { await c.query(q); } finally { await c.end(); }
  };
  await run(`CREATE DATABASE ${name}`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function benchCarecoord() {
  const { loadConfig } = await import('../src/config.js');
  const { startPlatform } = await import('../src/app.js');
  const { addUser } = await import('../src/care/user-service.js');
  const { createEpisode } = await import('../src/care/episode-service.js');
  const { addTeamMember } = await import('../src/care/team-service.js');
  const { insertTestPatient } = await import('../src/store/care/test-fixtures.js');
  const { startSession } = await import('../src/auth/session-service.js');
  const { cookieName } = await import('../src/auth/http.js');
  const { MllpClient } = await import('../src/mllp/index.js');

  const dataDir = mkdtempSync(join(tmpdir(), 'carecoord-bench-rt-'));
  // PostgreSQL: a database of its own, created from DATABASE_URL and dropped at the end (never DATABASE_URL's own).
  const pgDb = process.env.DATABASE_URL ? await ownDatabase(process.env.DATABASE_URL) : undefined;
  const config = loadConfig({
    CARECOORD_DATA_DIR: dataDir, ...(pgDb ? { DATABASE_URL: pgDb.url } : {}),
    CARECOORD_MLLP_PORT: '0', CARECOORD_HTTP_PORT: '0', CARECOORD_HTTP_TLS: 'off', CARECOORD_LOG_LEVEL: 'silent',
  });
  const platform = await startPlatform(config, pino({ level: 'silent' }));
  const db = platform.store.db;
  const t0 = Date.now();
  const patientIds: number[] = [];
  const cookies: string[] = [];
  for (let p = 0; p < PATIENTS; p++) patientIds.push(await insertTestPatient(db, { mrn: `RTB${p}` }));
  const episodes: number[] = [];
  for (let u = 0; u < N; u++) {
    const user = await addUser(db, { username: `rt${u}`, displayName: `RT ${u}`, roles: [u < PATIENTS ? 'coordinator' : 'field-clinician'] }, t0, 'bench');
    const p = u % PATIENTS;
    if (episodes[p] === undefined) {
      episodes[p] = (await createEpisode(db, { patientId: patientIds[p]!, type: 'home-health', status: 'active', startAt: t0, coordinatorUserId: user.id }, t0, 'bench')).id;
    } else {
      await addTeamMember(db, episodes[p]!, { userId: user.id, role: 'field-clinician' }, t0, 'bench');
    }
    const s = await startSession(db, user.id, config.auth, { ip: '127.0.0.1', userAgent: 'bench' }, Date.now());
    cookies.push(`${cookieName(config.auth)}=${s.token}`);
  }
  console.log(`carecoord: ${N} users, ${PATIENTS} patients (${N / PATIENTS} viewers each), set up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${process.env.DATABASE_URL ? 'postgres' : 'sqlite'})`);

  const rss0 = await idleRss();
  const clients = await startClients({ url: `http://127.0.0.1:${platform.httpPort}/api/stream`, cookies });
  const rss1 = await idleRss();
  console.log(`carecoord: ${clients.connected.ready} streams ready, ${clients.connected.failed} failed`);

  const ackAt = new Map<string, number>();
  // Each connection sends, waits for its ACK, sends again (as EMR interfaces do); more connect when all are busy.
  const conns: Awaited<ReturnType<typeof MllpClient.connect>>[] = [];
  const free: Awaited<ReturnType<typeof MllpClient.connect>>[] = [];
  const acquire = async () => free.pop() ?? conns[conns.push(await MllpClient.connect({ host: '127.0.0.1', port: platform.mllpPorts.default! })) - 1]!;
  const count = RATE * SECONDS;
  await pace(count, RATE, async (i) => {
    const control = `RTB-${i}`;
    const msg = [
      `MSH|^~\\&|EPIC|GENHOSP|CARECOORD|CC|20261125101500||ADT^A08^ADT_A01|${control}|P|2.5.1`,
      'EVN|A08|20261125101500', `PID|1||RTB${i % PATIENTS}^^^GENHOSP^MR`, 'PV1|1|O',
    ].join('\r') + '\r';
    const conn = await acquire();
    await conn.send(msg);
    ackAt.set(control, now());
    free.push(conn);
  });
  await new Promise((r) => setTimeout(r, 3000));
  const received = await clients.results();
  for (const c of conns) await c.close();
  clients.child.kill();

  const rows = await db.selectFrom('realtime_event as r').innerJoin('clinical_event as e', 'e.id', 'r.ref_id').innerJoin('hl7log.message_log as l', 'l.id', 'e.source_entry_id')
    .select(['r.ref_id', 'l.control_id']).where('r.kind', '=', 'clinical-event').execute();
  const controlOf = new Map(rows.map((r) => [Number(r.ref_id), r.control_id!]));
  const lat: number[] = [];
  for (let i = 0; i < received.length; i += 2) {
    const a = ackAt.get(controlOf.get(received[i]!) ?? '');
    if (a !== undefined) lat.push(received[i + 1]! - a);
  }
  // The part of it that is processing (receipt -> the handler's transaction committed), for the reader of the figures.
  const processed = await db.selectFrom('inbox').select(['received_at', 'processed_at']).where('processed_at', 'is not', null).execute();
  const processing = percentiles(processed.map((r) => Number(r.processed_at) - Number(r.received_at)));
  await platform.stop();
  rmSync(dataDir, { recursive: true, force: true });
  await pgDb?.drop();
  return { ...percentiles(lat), expected: count * (N / PATIENTS), perConn: (rss1 - rss0) / N, processing };
}

// ---------------------------------------------------------------- baseline: bare node:http SSE, no filtering
async function benchBaseline() {
  const groups: ServerResponse[][] = Array.from({ length: PATIENTS }, () => []);
  let next = 0;
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write('event: ready\ndata: {}\n\n');
    groups[next++ % PATIENTS]!.push(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const rss0 = await idleRss();
  const clients = await startClients({ url: `http://127.0.0.1:${port}/`, cookies: Array.from({ length: N }, () => undefined) });
  const rss1 = await idleRss();
  const sentAt: number[] = [];
  const count = RATE * SECONDS;
  await pace(count, RATE, async (i) => {
    sentAt[i] = now();
    const frame = `id: ${i}\nevent: clinical-event\ndata: {"id":${i},"patientId":${i % PATIENTS},"kind":"clinical-event","refId":${i},"type":"visit-update"}\n\n`;
    for (const res of groups[i % PATIENTS]!) res.write(frame);
  });
  await new Promise((r) => setTimeout(r, 1000));
  const received = await clients.results();
  clients.child.kill();
  server.closeAllConnections();
  server.close();
  const lat: number[] = [];
  for (let i = 0; i < received.length; i += 2) lat.push(received[i + 1]! - sentAt[received[i]!]!);
  return { ...percentiles(lat), expected: count * (N / PATIENTS), perConn: (rss1 - rss0) / N };
}

async function main() {
  const cc = await benchCarecoord();
  const base = await benchBaseline();
  const f = (x: number) => x.toFixed(1);
  const met = (ok: boolean) => (ok ? 'MET' : 'MISS');
  console.log(`\n${N} SSE clients, ${RATE} msg/s for ${SECONDS} s, ${N / PATIENTS} viewers per patient`);
  console.log(`carecoord: ACK -> client p50 ${f(cc.p50)} ms, p99 ${f(cc.p99)} ms (${cc.n}/${cc.expected} deliveries); ${f(cc.perConn / 1024)} KB per idle stream`);
  console.log(`  of which receipt -> processed (inbox): p50 ${f(cc.processing.p50)} ms, p99 ${f(cc.processing.p99)} ms`);
  console.log(`baseline : write -> client p50 ${f(base.p50)} ms, p99 ${f(base.p99)} ms (${base.n}/${base.expected}); ${f(base.perConn / 1024)} KB per idle stream`);
  console.log(`ratio carecoord/baseline: p99 x${(cc.p99 / base.p99).toFixed(1)}, memory x${(cc.perConn / base.perConn).toFixed(1)}`);
  console.log(`target p99 < 250 ms: ${met(cc.p99 < 250)}; target < 30 KB per connection: ${met(cc.perConn < 30 * 1024)}; all delivered: ${met(cc.n === cc.expected)}`);
  process.exit(0);
}

if (process.argv.includes('--clients')) void runClients();
else main().catch((err) => { console.error(err); process.exit(1); });
