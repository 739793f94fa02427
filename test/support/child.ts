import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  mllpPort: number;
  httpPort: number;
  /** Every log line the process printed (JSON from pino). */
  lines: string[];
  exited: Promise<number | null>;
}

/** Start `carecoord serve` from the built CLI as a real child process; resolves once it says it is ready. */
export async function startServe(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--mllp-port', '0', '--http-port', '0', ...args], {
    // Plain HTTP unless a test is about HTTPS (it passes CARECOORD_HTTP_TLS: 'on').
    env: { ...process.env, CARECOORD_POLL_MS: '50', CARECOORD_HTTP_TLS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', (l) => lines.push(l));
  const ready = await new Promise<{ mllpPorts: Record<string, number>; httpPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a server that did not start running after the test
      reject(new Error(`carecoord serve did not start:\n${lines.join('\n')}`));
    }, 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; mllpPorts?: Record<string, number>; httpPort?: number };
        if (entry.msg === 'carecoord ready') {
          clearTimeout(timer);
          resolve({ mllpPorts: entry.mllpPorts!, httpPort: entry.httpPort! });
        }
      } catch {
        // not JSON: keep it for the failure message
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`carecoord serve exited with ${code}:\n${lines.join('\n')}`));
    });
  });
  return { child, mllpPort: ready.mllpPorts.default!, httpPort: ready.httpPort, lines, exited };
}
