/**
 * Load generator of bench/ingest.ts: C connections, each sending synchronously as an EMR interface
 * does (send, wait for the ACK, send the next). A phase is warm-up then a measurement window; an ACK
 * counts when it arrives inside the window, and its latency (send to ACK, hrtime) is recorded.
 * Every ACK, warm-up included, is checked: MSA-1 must be AA and MSA-2 the message's MSH-10.
 */
import { MllpClient } from '../../src/mllp/index.js';
import type { BenchMessage } from './messages.js';

export interface PhaseOptions {
  host: string;
  port: number;
  connections: number;
  warmupMs: number;
  measureMs: number;
  /** Next message of the shared stream (all connections draw from it in turn). */
  next: () => BenchMessage;
  /** Per-ACK timeout; a timed-out connection stops (counted as an error). */
  replyTimeoutMs: number;
}

export interface PhaseResult {
  /** Good ACKs received inside the window. */
  acks: number;
  /** Good ACKs over the whole phase (warm-up and the tail included): what the server should have stored. */
  acksTotal: number;
  /** Messages sent over the whole phase. */
  sent: number;
  windowSeconds: number;
  /** Latencies of the window's good ACKs, ms, sorted ascending. */
  latenciesMs: Float64Array;
  /** Bad outcomes by kind (any time in the phase). */
  errors: Map<string, number>;
  /** A few examples of bad outcomes (ACK text or error message). */
  errorSamples: string[];
}

export function perSecond(r: PhaseResult): number {
  return r.acks / r.windowSeconds;
}

/** Nearest-rank percentile of sorted values (p in 0..1). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** MSA-1 and MSA-2 of an ACK payload, or why they cannot be read. */
export function readMsa(ack: Buffer): { code: string; controlId: string } | { problem: string } {
  const text = ack.toString('latin1');
  if (!text.startsWith('MSH') || text.length < 8) return { problem: 'reply is not an HL7 message' };
  const fs = text.charAt(3);
  for (const seg of text.split(/\r\n|\r|\n/)) {
    if (seg.startsWith(`MSA${fs}`)) {
      const f = seg.split(fs);
      return { code: f[1] ?? '', controlId: f[2] ?? '' };
    }
  }
  return { problem: 'reply has no MSA segment' };
}

const MAX_SAMPLES = 5;

export async function runPhase(o: PhaseOptions): Promise<PhaseResult> {
  const clients = await Promise.all(Array.from({ length: o.connections }, () => MllpClient.connect({ host: o.host, port: o.port })));
  const errors = new Map<string, number>();
  const errorSamples: string[] = [];
  const bad = (kind: string, sample: string): void => {
    errors.set(kind, (errors.get(kind) ?? 0) + 1);
    if (errorSamples.length < MAX_SAMPLES) errorSamples.push(`${kind}: ${sample.replace(/\r/g, '\\r').slice(0, 400)}`);
  };
  const start = process.hrtime.bigint();
  const windowStart = start + BigInt(Math.round(o.warmupMs * 1e6));
  const windowEnd = windowStart + BigInt(Math.round(o.measureMs * 1e6));
  // Latencies in a growable typed array (no per-ACK allocation).
  let lat = new Float64Array(1 << 16);
  let nLat = 0;
  let acks = 0;
  let acksTotal = 0;
  let sent = 0;

  const loop = async (client: MllpClient): Promise<void> => {
    // Bounded: each turn either gets an ACK (time advances towards windowEnd) or ends the loop.
    for (;;) {
      const m = o.next();
      const t0 = process.hrtime.bigint();
      if (t0 >= windowEnd) return;
      let reply: Buffer;
      sent++;
      try {
        reply = await client.send(m.bytes, { timeoutMs: o.replyTimeoutMs });
      } catch (err) {
        const e = err as { code?: string; message?: string };
        bad(`transport ${e.code ?? 'error'}`, e.message ?? String(err));
        return; // the connection cannot be trusted any more
      }
      const t1 = process.hrtime.bigint();
      const msa = readMsa(reply);
      if ('problem' in msa) {
        bad(msa.problem, reply.toString('utf8'));
        continue;
      }
      if (msa.code !== 'AA') {
        bad(`MSA-1 ${msa.code || '(empty)'}`, reply.toString('utf8'));
        continue;
      }
      if (msa.controlId !== m.controlId) {
        bad('MSA-2 does not echo MSH-10', `sent ${m.controlId}, got ${msa.controlId}`);
        continue;
      }
      acksTotal++;
      if (t1 >= windowStart && t1 < windowEnd) {
        acks++;
        if (nLat === lat.length) {
          const grown = new Float64Array(lat.length * 2);
          grown.set(lat);
          lat = grown;
        }
        lat[nLat++] = Number(t1 - t0) / 1e6;
      }
    }
  };

  try {
    await Promise.all(clients.map((c) => loop(c)));
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  const latenciesMs = lat.slice(0, nLat).sort();
  return { acks, acksTotal, sent, windowSeconds: o.measureMs / 1000, latenciesMs, errors, errorSamples };
}
