/**
 * Ingest benchmark: carecoord serve (durable SQLite message log, group commit, ACK after fsync)
 * against a non-durable baseline MLLP server (@medplum/hl7's Hl7Server, ACKs at once, stores
 * nothing), under the same load. Run: npm run bench:ingest
 *
 * Load: C connections (default 1, 8, 16, 32), each sending synchronously as EMR interfaces do
 * (send, wait for the ACK, send the next). For each C both servers get a warm-up and then a fixed
 * measurement window, in alternating order so machine noise hits both; ACKs per second and p50/p99
 * ACK latency are reported with the ratio carecoord / baseline. Every ACK must be MSA|AA echoing
 * the message's MSH-10; anything else is counted and printed as an error.
 *
 * Both servers run as child processes; the load generator runs here, on the same machine.
 * Physics: a synchronous sender waits for its own commit, so only group commit across connections
 * (one fsync for every frame that arrived while the previous commit ran) lets the durable server
 * keep up with one that stores nothing.
 *
 * Environment:
 *   BENCH_SECONDS          measurement window per server and C (default 5)
 *   BENCH_WARMUP_SECONDS   warm-up before each window (default 1.5)
 *   BENCH_CONNECTIONS      comma-separated connection counts (default 1,8,16,32)
 *   BENCH_CPU_PROF=DIR     run carecoord serve with --cpu-prof, profile written to DIR on exit
 *   BENCH_STRACE=1         run carecoord serve under `strace --seccomp-bpf -f -y` and count
 *                          fsync/fdatasync per file and phase (adds a little cost to each fsync)
 *   BENCH_KEEP_DATA=1      keep carecoord's temp data dir (path is printed)
 * Exit status: 0 after a complete run (targets missed or not); 1 when something broke
 * (a server failed, or an ACK was not AA for its message).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3-multiple-ciphers';
import { masterKeyFrom } from '../src/keys/index.js';
import { openSqliteFile } from '../src/store/open.js';
import { BENCH_MASTER_KEY, CLI, REPO_ROOT, killAllChildren, startBaseline, startCarecoord, type ServerChild } from './lib/children.js';
import { percentile, perSecond, runPhase, type PhaseResult } from './lib/load.js';
import { messageSource } from './lib/messages.js';

const CORPUS = new URL('../../shared/hl7-samples/', import.meta.url);
const HOST = '127.0.0.1';

const TARGETS: readonly { connections: number; ratio: number }[] = [
  { connections: 1, ratio: 0.5 },
  { connections: 16, ratio: 1.0 },
  { connections: 32, ratio: 1.3 },
];

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return n;
}

function envConnections(): number[] {
  const raw = process.env.BENCH_CONNECTIONS;
  if (!raw) return [1, 8, 16, 32];
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1 || n > 150)) {
    throw new Error(`BENCH_CONNECTIONS must be comma-separated integers from 1 to 150, got "${raw}"`);
  }
  return list;
}

/** Build dist/ when it is missing or older than any source file, so the measured CLI is the current code. */
function ensureBuilt(): void {
  const newest = (dir: string): number => {
    let t = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) t = Math.max(t, newest(p));
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) t = Math.max(t, statSync(p).mtimeMs);
    }
    return t;
  };
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newest(join(REPO_ROOT, 'src'))) return;
  process.stdout.write('dist/ is missing or older than src/: building (tsc -p tsconfig.build.json)...\n');
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed: cannot benchmark the CLI');
}

/** Read-only views of carecoord's SQLite files (WAL readers beside the running server). */
class StoreProbe {
  readonly #log: Database.Database;
  readonly #ops: Database.Database;

  constructor(dataDir: string) {
    const master = masterKeyFrom(Buffer.from(BENCH_MASTER_KEY, 'base64'));
    this.#log = openSqliteFile(join(dataDir, 'hl7-log.db'), master, { readonly: true, fileMustExist: true });
    this.#ops = openSqliteFile(join(dataDir, 'carecoord.db'), master, { readonly: true, fileMustExist: true });
  }

  logCount(): { total: number; byAccept: Record<string, number>; maxId: number } {
    const rows = this.#log.prepare('SELECT accept_code AS code, count(*) AS n FROM message_log GROUP BY accept_code').all() as { code: string; n: number }[];
    const maxId = (this.#log.prepare('SELECT coalesce(max(id), 0) AS m FROM message_log').get() as { m: number }).m;
    const byAccept = Object.fromEntries(rows.map((r) => [r.code, r.n]));
    return { total: rows.reduce((a, r) => a + r.n, 0), byAccept, maxId };
  }

  /** Log entries the workers have not finished: not yet taken into the inbox, or queued there. */
  backlog(): number {
    const logMax = (this.#log.prepare('SELECT coalesce(max(id), 0) AS m FROM message_log').get() as { m: number }).m;
    const inboxMax = (this.#ops.prepare('SELECT coalesce(max(entry_id), 0) AS m FROM inbox').get() as { m: number }).m;
    const queued = (this.#ops.prepare("SELECT count(*) AS n FROM inbox WHERE status = 'queued'").get() as { n: number }).n;
    return Math.max(0, logMax - inboxMax) + queued;
  }

  inboxByStatus(): Record<string, number> {
    const rows = this.#ops.prepare('SELECT status, count(*) AS n FROM inbox GROUP BY status').all() as { status: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  close(): void {
    this.#log.close();
    this.#ops.close();
  }
}

/** fsync/fdatasync counts per file from an `strace -y` output file, read incrementally. */
class SyncCounter {
  #offset = 0;
  #rest = '';

  constructor(readonly file: string) {}

  /** Counts since the previous call, keyed by file name (basename of the fd's path). */
  take(): Map<string, number> {
    const counts = new Map<string, number>();
    if (!existsSync(this.file)) return counts;
    const buf = readFileSync(this.file);
    const text = this.#rest + buf.subarray(this.#offset).toString('utf8');
    this.#offset = buf.length;
    const lines = text.split('\n');
    this.#rest = lines.pop() ?? '';
    for (const l of lines) {
      const m = /\b(?:fsync|fdatasync)\(\d+<([^>]*)>\)/.exec(l);
      if (!m) continue;
      const name = m[1]!.split('/').pop()!;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return counts;
  }
}

interface Row {
  connections: number;
  baseline: PhaseResult;
  carecoord: PhaseResult;
  order: string;
  backlogAtEnd: number;
  drainSeconds: number;
  syncs?: Map<string, number>;
}

const fmt = (n: number, d = 0): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const lat = (r: PhaseResult): string => `${fmt(percentile(r.latenciesMs, 0.5), 2)} / ${fmt(percentile(r.latenciesMs, 0.99), 2)}`;

async function main(): Promise<number> {
  const measureSeconds = envNumber('BENCH_SECONDS', 5, 0.5, 600);
  const warmupSeconds = envNumber('BENCH_WARMUP_SECONDS', 1.5, 0, 600);
  const connectionCounts = envConnections();
  const cpuProfDir = process.env.BENCH_CPU_PROF;
  const useStrace = process.env.BENCH_STRACE === '1';
  const keepData = process.env.BENCH_KEEP_DATA === '1';

  ensureBuilt();
  const source = messageSource(CORPUS);
  const cpus = os.cpus();
  const cores = os.availableParallelism();
  const out = (s = ''): void => void process.stdout.write(`${s}\n`);

  out('carecoord ingest benchmark: durable carecoord serve vs non-durable MLLP baseline');
  out(`machine:   ${cores} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${os.platform()} ${os.release()}, node ${process.version}`);
  out(`           load generator, carecoord and baseline are three processes sharing these ${cores} cores`);
  out('servers:   (a) carecoord serve (dist/cli/main.js): SQLite WAL, synchronous=FULL, group commit, ACK after commit; default config');
  out('           (b) baseline: @medplum/hl7 Hl7Server, ACK (buildAck) sent at once, nothing stored');
  out(`load:      C connections, each synchronous (send, wait for ACK, send next); ${warmupSeconds} s warm-up + ${measureSeconds} s measured per server per C`);
  out(`messages:  ${source.describe}; ~${source.averageBytes} bytes each; same byte stream for both servers`);

  const dataDir = mkdtempSync(join(os.tmpdir(), 'carecoord-bench-'));
  const straceFile = `${dataDir}.strace`;
  if (!keepData) tempPaths.push(dataDir, straceFile);
  let carecoord: ServerChild | undefined;
  let baseline: ServerChild | undefined;
  let probe: StoreProbe | undefined;
  let broken = false;
  try {
    const nodeArgs = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
    const strace = useStrace ? ['strace', '-f', '-qq', '--seccomp-bpf', '-y', '-e', 'trace=fsync,fdatasync', '-o', straceFile] : undefined;
    [carecoord, baseline] = await Promise.all([startCarecoord(dataDir, nodeArgs, strace), startBaseline()]);
    probe = new StoreProbe(dataDir);
    const syncs = useStrace ? new SyncCounter(straceFile) : undefined;
    out(`data dir:  ${dataDir}${keepData ? ' (kept)' : ' (removed at the end)'}`);
    out();

    const rows: Row[] = [];
    let base = 0;
    let carecoordAcks = 0;
    for (const [k, c] of connectionCounts.entries()) {
      // Both servers get messages base, base+1, ... of the same stream for this C.
      const phase = async (server: ServerChild): Promise<{ result: PhaseResult; end: number; cpu: CpuShare }> => {
        let i = base;
        const cpu0 = { gen: process.cpuUsage(), server: processCpuMs(server.child.pid) };
        const result = await runPhase({
          host: HOST,
          port: server.port,
          connections: c,
          warmupMs: warmupSeconds * 1000,
          measureMs: measureSeconds * 1000,
          next: () => source.message(i++),
          replyTimeoutMs: 30_000,
        });
        const gen = process.cpuUsage(cpu0.gen);
        const cpu = { generatorMs: (gen.user + gen.system) / 1000, serverMs: processCpuMs(server.child.pid) - cpu0.server };
        return { result, end: i, cpu };
      };
      const order = k % 2 === 0 ? ['baseline', 'carecoord'] : ['carecoord', 'baseline'];
      const results: Record<string, PhaseResult> = {};
      let end = base;
      let backlogAtEnd = 0;
      let drainSeconds = 0;
      let phaseSyncs: Map<string, number> | undefined;
      for (const which of order) {
        process.stdout.write(`  C=${String(c).padStart(2)} ${which.padEnd(9)} ... `);
        syncs?.take();
        const r = await phase(which === 'baseline' ? baseline : carecoord);
        results[which] = r.result;
        end = Math.max(end, r.end);
        let note = '';
        if (which === 'carecoord') {
          carecoordAcks += r.result.acksTotal;
          phaseSyncs = syncs?.take();
          // Let carecoord's workers finish what this phase logged before the next phase starts,
          // so their catching up does not steal CPU from the other server's window.
          backlogAtEnd = probe.backlog();
          const t0 = Date.now();
          while (probe.backlog() > 0 && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 100));
          drainSeconds = (Date.now() - t0) / 1000;
          if (probe.backlog() > 0) note = ` (worker backlog still ${probe.backlog()} after 120 s)`;
        }
        const errs = [...r.result.errors.values()].reduce((a, b) => a + b, 0);
        const perK = (ms: number) => (r.result.acksTotal ? (ms / r.result.acksTotal) * 1000 : 0).toFixed(0);
        out(`${fmt(perSecond(r.result))} msg/s, p50/p99 ${lat(r.result)} ms${errs ? `, ${errs} ERRORS` : ''}${note}` +
          `; CPU per 1000 msgs: server ${perK(r.cpu.serverMs)} ms, load generator ${perK(r.cpu.generatorMs)} ms`);
      }
      base = end;
      rows.push({
        connections: c,
        baseline: results.baseline!,
        carecoord: results.carecoord!,
        order: order.join(' then '),
        backlogAtEnd,
        drainSeconds,
        ...(phaseSyncs ? { syncs: phaseSyncs } : {}),
      });
    }

    out();
    const header = ['C', 'baseline msg/s', 'carecoord msg/s', 'ratio', 'baseline p50/p99 ms', 'carecoord p50/p99 ms'];
    const table = rows.map((r) => [
      String(r.connections),
      fmt(perSecond(r.baseline)),
      fmt(perSecond(r.carecoord)),
      `${fmt(perSecond(r.carecoord) / perSecond(r.baseline), 2)}x`,
      lat(r.baseline),
      lat(r.carecoord),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
    const line = (cells: string[]): string => cells.map((s, i) => s.padStart(widths[i]!)).join(' | ');
    out(line(header));
    out(widths.map((w) => '-'.repeat(w)).join('-|-'));
    for (const t of table) out(line(t));
    out();

    const verdicts = TARGETS.map((t) => {
      const r = rows.find((x) => x.connections === t.connections);
      if (!r) return `C=${t.connections} >= ${t.ratio.toFixed(1)}x: not run`;
      const ratio = perSecond(r.carecoord) / perSecond(r.baseline);
      return `C=${t.connections} >= ${t.ratio.toFixed(1)}x: ${ratio >= t.ratio ? 'PASS' : 'MISS'} (${fmt(ratio, 2)}x)`;
    });
    out(`targets (carecoord / baseline msg/s): ${verdicts.join('; ')}`);

    // ACK check summary.
    let errorTotal = 0;
    for (const r of rows) {
      for (const [name, res] of [['baseline', r.baseline], ['carecoord', r.carecoord]] as const) {
        for (const [kind, n] of res.errors) {
          errorTotal += n;
          out(`ERROR C=${r.connections} ${name}: ${n} x ${kind}`);
        }
        for (const s of res.errorSamples) out(`  e.g. ${s}`);
      }
    }
    const goodB = rows.reduce((a, r) => a + r.baseline.acksTotal, 0);
    if (errorTotal === 0) out(`ACK check: every ACK was MSA|AA echoing its MSH-10 (${goodB} baseline, ${carecoordAcks} carecoord, warm-up included)`);
    else {
      broken = true;
      out(`ACK check FAILED: ${errorTotal} bad replies (figures above count AA ACKs only)`);
    }

    // Proof of storage: the log holds exactly the messages carecoord acknowledged.
    const log = probe.logCount();
    out(
      `carecoord message_log: ${log.total} entries (${Object.entries(log.byAccept).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}); ` +
        `AA ACKs it sent: ${carecoordAcks}${log.total === carecoordAcks ? ' (match)' : ' (MISMATCH)'}`,
    );
    if (log.total !== carecoordAcks) broken = true;
    out(`carecoord inbox after the run: ${Object.entries(probe.inboxByStatus()).map(([k, v]) => `${k} ${v}`).join(', ') || 'empty'}`);
    out(
      `carecoord worker backlog when each window closed (drained before the next phase): ${rows
        .map((r) => `C=${r.connections}: ${r.backlogAtEnd} (${fmt(r.drainSeconds, 1)} s)`)
        .join(', ')}`,
    );
    if (useStrace) {
      out('fsync/fdatasync per carecoord phase (strace; warm-up + window):');
      for (const r of rows) {
        const s = r.syncs ?? new Map<string, number>();
        const logSyncs = [...s].filter(([f]) => f.startsWith('hl7-log.db')).reduce((a, [, n]) => a + n, 0);
        const all = [...s].map(([f, n]) => `${f} ${n}`).join(', ') || 'none';
        const per = logSyncs > 0 ? `, ${fmt(r.carecoord.acksTotal / logSyncs, 1)} messages per log fsync` : '';
        out(`  C=${r.connections}: ${all}${per}`);
      }
    } else {
      out('commits/fsyncs: not counted (BENCH_STRACE=1 counts them per file with strace)');
    }
  } catch (err) {
    broken = true;
    process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
    for (const s of [carecoord, baseline]) {
      if (s) process.stderr.write(`--- last output of ${s.name}:\n${s.lines.slice(-20).join('\n')}\n`);
    }
  } finally {
    probe?.close();
    await Promise.all([carecoord?.stop(), baseline?.stop()]);
    killAllChildren();
    removeTemp();
    if (cpuProfDir) process.stdout.write(`carecoord CPU profile written to ${cpuProfDir}\n`);
  }
  return broken ? 1 : 0;
}

/** Temp files and dirs to remove at the end, also when interrupted. */
const tempPaths: string[] = [];

function removeTemp(): void {
  for (const p of tempPaths.splice(0)) rmSync(p, { recursive: true, force: true });
}

process.once('exit', () => {
  killAllChildren();
  removeTemp();
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    process.stderr.write(`\n${sig}: stopping the servers\n`);
    process.exit(130); // the 'exit' handler kills the children and removes the temp dir
  });
}

process.exitCode = await main();

interface CpuShare {
  generatorMs: number;
  serverMs: number;
}

/** CPU time (user + system, all threads) a process has used so far, from /proc (0 where unavailable). */
function processCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of /proc/PID/stat (utime, stime) in clock ticks; 100 per second on Linux.
    return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000;
  } catch {
    return 0;
  }
}
