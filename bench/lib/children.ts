/**
 * The two servers of bench/ingest.ts as child processes: carecoord serve (the built CLI on its own
 * data dir, default configuration) and the @medplum/hl7 baseline. Same readiness approach as
 * test/support/child.ts: read JSON lines from stdout until the "ready" line names the port.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const BASELINE_SCRIPT = fileURLToPath(new URL('./medplum-server.ts', import.meta.url));

export interface ServerChild {
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
  /** Last lines the process printed (stdout and stderr), for error messages. */
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();

/** Process ids below `pid` (Linux /proc; empty elsewhere): the server under a wrapper such as strace. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number, depth: number): void => {
    if (depth > 4) return;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const t of tasks) {
      let kids: number[] = [];
      try {
        kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        continue;
      }
      for (const k of kids) {
        out.push(k);
        walk(k, depth + 1);
      }
    }
  };
  walk(pid, 0);
  return out;
}

function signal(child: ChildProcess, sig: NodeJS.Signals, wrapped: boolean): void {
  // Under a wrapper the server is the wrapper's child: signal it (strace would only detach on SIGTERM).
  const pids = wrapped && child.pid ? descendants(child.pid) : [];
  for (const p of pids) {
    try {
      process.kill(p, sig);
    } catch {
      // already gone
    }
  }
  if (!wrapped || pids.length === 0 || sig === 'SIGKILL') {
    try {
      child.kill(sig);
    } catch {
      // already gone
    }
  }
}

const wrappedChildren = new WeakSet<ChildProcess>();

/** Kill every child still running, and what runs under a wrapper (synchronous: safe in 'exit' handlers). */
export function killAllChildren(): void {
  for (const c of live) signal(c, 'SIGKILL', wrappedChildren.has(c));
  live.clear();
}

const MAX_LINES = 200;

async function startChild(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  readyMsg: string,
  portOf: (entry: Record<string, unknown>) => number | undefined,
  wrapper: readonly string[] = [],
  startTimeoutMs = 30_000,
): Promise<ServerChild> {
  const wrapped = wrapper.length > 0;
  const child = wrapped
    ? spawn(wrapper[0]!, [...wrapper.slice(1), command, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  if (wrapped) wrappedChildren.add(child);
  const lines: string[] = [];
  const keep = (l: string): void => {
    lines.push(l);
    if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
  };
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => {
    live.delete(child);
    resolve(code ?? (signal ? 128 : null));
  }));
  child.once('error', (err) => keep(`spawn error: ${err.message}`));
  createInterface({ input: child.stderr! }).on('line', keep);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${startTimeoutMs} ms:\n${lines.join('\n')}`)), startTimeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(line);
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.msg === readyMsg) {
          const p = portOf(entry);
          clearTimeout(timer);
          if (typeof p === 'number' && p > 0) resolve(p);
          else reject(new Error(`${name} ready line has no port: ${line}`));
        }
      } catch {
        // not JSON: kept for the failure message
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${lines.join('\n')}`));
    });
  }).catch((err: unknown) => {
    signal(child, 'SIGKILL', wrapped);
    throw err;
  });
  let stopping: Promise<void> | undefined;
  return {
    name,
    child,
    port,
    lines,
    exited,
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        signal(child, 'SIGTERM', wrapped);
        const timer = setTimeout(() => signal(child, 'SIGKILL', wrapped), graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/**
 * `carecoord serve` from dist/ on a fresh data dir, MLLP and HTTP on free loopback ports, otherwise
 * the default configuration (no test-only poll interval). `nodeArgs` go before the script
 * (e.g. --cpu-prof for a profile of the run); `wrapper` is a command line the server runs under
 * (e.g. strace), signals then go to the server itself.
 */
/** The master key the benchmarked server encrypts its temporary data dir with. */
export const BENCH_MASTER_KEY = randomBytes(32).toString('base64');

export function startCarecoord(dataDir: string, nodeArgs: string[] = [], wrapper: readonly string[] = []): Promise<ServerChild> {
  return startChild(
    'carecoord serve',
    process.execPath,
    [...nodeArgs, CLI, 'serve', '--data-dir', dataDir, '--mllp-host', '127.0.0.1', '--mllp-port', '0', '--http-host', '127.0.0.1', '--http-port', '0'],
    serveEnv(),
    'carecoord ready',
    (e) => (e.mllpPorts as Record<string, number> | undefined)?.default,
    wrapper,
  );
}

/**
 * The environment for serve: the caller's, minus what would change what is measured
 * (DATABASE_URL would switch the store to PostgreSQL; CARECOORD_* would override the defaults).
 */
function serveEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'DATABASE_URL' || k.startsWith('CARECOORD_')) continue;
    env[k] = v;
  }
  // A throw-away master key of the benchmark's own (the data dir is temporary too); StoreProbe opens with it.
  env.CARECOORD_MASTER_KEY = BENCH_MASTER_KEY;
  return env;
}

/** The @medplum/hl7 baseline (bench/lib/medplum-server.ts through tsx). */
export function startBaseline(): Promise<ServerChild> {
  return startChild(
    'baseline (@medplum/hl7)',
    process.execPath,
    ['--import', 'tsx', BASELINE_SCRIPT],
    { ...process.env },
    'baseline ready',
    (e) => e.port as number | undefined,
  );
}
