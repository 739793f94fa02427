/**
 * Test support for the MLLP transport: a raw TCP peer that records reply frames,
 * a recording handler and a capturing logger. Used by src/mllp tests only.
 */
import net from 'node:net';
import { MllpFramer } from './framer.js';
import type { MllpLogger } from './logger.js';
import type { MllpConnectionInfo, MllpHandler } from './types.js';

/** A raw TCP connection that collects every frame the listener writes back. */
export interface RawPeer {
  socket: net.Socket;
  replies: string[];
  /** Resolves when the listener closes the connection (either half). */
  ended: Promise<void>;
}

export async function rawPeer(port: number): Promise<RawPeer> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const framer = new MllpFramer();
  const replies: string[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const e of framer.push(chunk)) if (e.type === 'frame') replies.push(e.payload.toString('latin1'));
  });
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => {
    socket.once('end', resolve);
    socket.once('close', resolve);
  });
  return { socket, replies, ended };
}

/** A handler replying `ACK:<payload>`; records calls. Override `reply` to change behaviour. */
export class RecordingHandler implements MllpHandler {
  readonly frames: string[] = [];
  readonly contexts: MllpConnectionInfo[] = [];
  readonly oversize: Array<{ head: Buffer; bytes: number }> = [];
  inFlight = 0;
  maxInFlight = 0;
  reply: (payload: Buffer) => Promise<Buffer | null> = async (p) => Buffer.concat([Buffer.from('ACK:'), p]);

  async onFrame(payload: Buffer, ctx: MllpConnectionInfo): Promise<Buffer | null> {
    this.frames.push(payload.toString('latin1'));
    this.contexts.push(ctx);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await this.reply(payload);
    } finally {
      this.inFlight -= 1;
    }
  }

  async onOversize(head: Buffer, bytes: number): Promise<Buffer | null> {
    this.oversize.push({ head, bytes });
    return Buffer.from(`NAK:oversize:${bytes}`);
  }
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A logger that keeps every entry, to check what was (not) logged. */
export function capturingLogger(): MllpLogger & { entries: Array<{ level: string; obj: Record<string, unknown>; msg: string }> } {
  const entries: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => {
    entries.push({ level, obj, msg });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
