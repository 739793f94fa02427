import type { MessageSummary } from '../../src/store/message-query.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readHl7 } from '../../src/hl7/index.js';
import { CLI, type ServeProcess } from './child.js';
import type { TestDatabase } from './stores.js';

/** The shared HL7 sample corpus (../shared/hl7-samples beside the repository). */
const SAMPLES = new URL('../../../shared/hl7-samples/', import.meta.url);

/** Absolute path of a sample, e.g. sample('authored/adt_a01_utf8_names.hl7'). */
export function sample(relative: string): string {
  return fileURLToPath(new URL(relative, SAMPLES));
}

/** MSH-10 of the (first) message in an HL7 file. */
export function controlIdOf(file: string): string {
  const r = readHl7(readFileSync(file));
  if (!r.ok) throw new Error(`${file} is not readable HL7: ${r.error.message}`);
  return r.message.get('MSH-10');
}

/**
 * The environment a child needs to use this test database. An empty DATABASE_URL keeps a SQLite child
 * off the PostgreSQL the test process itself may have been given.
 */
export function dbEnv(tdb: TestDatabase): Record<string, string> {
  return { DATABASE_URL: tdb.databaseUrl ?? '' };
}

export interface CliResult {
  /** Exit code; null when the process was killed (see signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

const running = new Set<ChildProcess>();

/**
 * Run `node dist/cli/main.js ARGS...` to completion and collect its output. A process still running
 * after `timeoutMs` is killed (the result then has signal SIGKILL), so a hung CLI fails the test
 * instead of hanging it.
 */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => err.push(c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', (e) => {
      clearTimeout(timer);
      running.delete(child);
      reject(e);
    });
    // 'close' (not 'exit'): every byte of stdout/stderr has been read by then.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Kill any CLI child a failed test left running (for afterEach). */
export function killStrayCli(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/**
 * Stop a `carecoord serve` child: SIGTERM, then SIGKILL if it has not exited within `graceMs`.
 * Resolves with how it ended, so a test can assert a clean shutdown; safe to call twice.
 */
export async function stopServe(serve: ServeProcess | undefined, graceMs = 15_000): Promise<{ code: number | null; killed: boolean }> {
  if (!serve) return { code: null, killed: false };
  const { child } = serve;
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, killed: false };
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), graceMs);
  });
  const first = await Promise.race([serve.exited, timedOut]);
  clearTimeout(timer);
  if (first !== 'timeout') return { code: first, killed: false };
  child.kill('SIGKILL');
  await serve.exited;
  return { code: null, killed: true };
}

/** One line of `carecoord messages --json` output. */
export type ListedMessage = MessageSummary;

export function parseJsonLines<T>(stdout: string): T[] {
  return stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}
