/** Clocks, pacing, percentiles and SSE frame reading shared by the latency benchmarks (realtime, alerts). */
import type { IncomingMessage } from 'node:http';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across the process's callbacks. */
export const now = (): number => performance.timeOrigin + performance.now();

/** p50 and p99 (nearest rank) of a sample; NaN when empty. */
export function percentiles(xs: number[]): { p50: number; p99: number; n: number } {
  const s = Float64Array.from(xs).sort();
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN);
  return { p50: at(0.5), p99: at(0.99), n: s.length };
}

/** Start `send(i)` for i < count at `rate` per second on schedule (not waiting for earlier sends), then wait for all. */
export async function pace(count: number, rate: number, send: (i: number) => Promise<void>): Promise<void> {
  const start = now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(send(i));
  }
  await Promise.all(inflight);
}

/**
 * Read an SSE response: `onReady` once at carecoord's `ready` event (replay done, live from here), then
 * `onFrame(block, arrivedAt)` for every later event block, stamped when its chunk arrived.
 */
export function readSseFrames(res: IncomingMessage, onReady: () => void, onFrame: (block: string, arrivedAt: number) => void): void {
  res.setEncoding('utf8');
  let buf = '';
  let ready = false;
  res.on('data', (chunk: string) => {
    const t = now();
    buf += chunk;
    let at: number;
    while ((at = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, at);
      buf = buf.slice(at + 2);
      if (!ready && block.includes('event: ready')) {
        ready = true;
        onReady();
      } else if (ready) onFrame(block, t);
    }
  });
  res.on('error', () => {});
}
