import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { AppendOutcome, LogDraft } from './message-log.js';
import type { LogAppender } from './log-appender.js';
import { sqlcipherRawKey } from '../keys/index.js';

/**
 * The log writer thread's code. It is plain JavaScript run with `eval` so the same code serves the
 * built CLI and the TypeScript sources under test. It opens its own keyed connection to the log file
 * (WAL, synchronous=FULL), and for each batch runs one transaction of prepared INSERT ... ON CONFLICT
 * DO NOTHING statements: the same semantics as appendEntries.
 */
const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const conn = new Database(':memory:');
// Keyed like every other connection (see keySqlite in open.ts): SQLCipher v4 scheme, raw key.
conn.pragma("cipher = 'sqlcipher'");
conn.pragma('legacy = 4');
conn.prepare('ATTACH DATABASE ? AS hl7log KEY ?').run(workerData.logPath, Buffer.from(workerData.logKey));
conn.pragma('hl7log.journal_mode = WAL');
conn.pragma('hl7log.synchronous = FULL');
conn.pragma('busy_timeout = 10000');
const insert = conn.prepare(workerData.insertSql);
const earlier = conn.prepare(workerData.earlierSql);
// A batch arrives packed (see pack()): the fields as JSON, all bytes in one transferred buffer.
function unpack(msg) {
  const blob = Buffer.from(msg.blob);
  let at = 0;
  const take = (n) => { if (n < 0) return null; const b = blob.subarray(at, at + n); at += n; return b; };
  return JSON.parse(msg.meta).map((f) => {
    const raw = take(f[3]);
    const ack = take(f[16]);
    return { received_at: f[0], listener: f[1], peer: f[2], raw, truncated: f[4], byte_length: f[5], charset: f[6],
      sender_key: f[7], control_id: f[8], content_hash: f[9], message_type: f[10], patient_key: f[11], merge_key: f[12],
      accept_code: f[13], error_code: f[14], error_text: f[15], ack };
  });
}
const run = conn.transaction((drafts) => drafts.map((d) => {
  const row = insert.get(d);
  if (row) return { kind: 'appended', id: row.id };
  const e = earlier.get(d.sender_key, d.control_id, d.content_hash);
  return { kind: 'duplicate', id: e.id, ack: e.ack, acceptCode: e.accept_code };
}));
// Group commit across batches: every batch that arrived while the previous commit ran goes into
// the next transaction; each batch still gets its own answer, in order.
let queue = [];
let scheduled = false;
function flush() {
  scheduled = false;
  const batches = queue;
  queue = [];
  if (batches.length === 0) return;
  try {
    const all = run(batches.flatMap((b) => b.drafts));
    let i = 0;
    for (const b of batches) {
      parentPort.postMessage({ id: b.id, outcomes: all.slice(i, i + b.drafts.length) });
      i += b.drafts.length;
    }
  } catch (err) {
    for (const b of batches) parentPort.postMessage({ id: b.id, error: { code: err.code || 'LOG_WRITE_FAILED', message: err.message } });
  }
}
parentPort.on('message', (msg) => {
  if (msg.close) { flush(); conn.close(); parentPort.postMessage({ closed: true }); return; }
  queue.push({ id: msg.id, drafts: unpack(msg) });
  if (!scheduled) { scheduled = true; setImmediate(flush); }
});
`;

export interface ThreadedAppender {
  append: LogAppender;
  /** Batches may be posted before earlier ones are answered: the thread commits them in order. */
  pipelined: true;
  close(): Promise<void>;
}

/** Error from the writer thread: the batch was not committed (no ACK may be sent). */
export class LogWriteError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/**
 * An appender whose commits (and their fsync) run on a thread of their own, so the thread that reads
 * MLLP frames, decides and writes ACKs keeps working while the disk syncs. Batches are answered in
 * the order they were posted.
 */
export function startThreadedAppender(logPath: string, sql: { insertSql: string; earlierSql: string }, logKey: Buffer): ThreadedAppender {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3-multiple-ciphers');
  // The key as the SQLCipher raw-key text x'..' (bytes), so the thread's code needs nothing of ours.
  const worker = new Worker(THREAD_CODE, { eval: true, workerData: { driver, logPath, logKey: sqlcipherRawKey(logKey), ...sql } });
  worker.unref();
  const pending = new Map<number, { resolve: (o: AppendOutcome[]) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let closed: Promise<void> | undefined;
  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('error', (err) => failAll(new LogWriteError('LOG_WRITER_DIED', err.message)));
  worker.on('exit', () => failAll(new LogWriteError('LOG_WRITER_EXITED', 'log writer thread exited')));
  worker.on('message', (msg: { id?: number; outcomes?: AppendOutcome[]; error?: { code: string; message: string } }) => {
    const p = msg.id === undefined ? undefined : pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id!);
    if (msg.error) p.reject(new LogWriteError(msg.error.code, msg.error.message));
    else p.resolve(msg.outcomes!.map((o) => (o.kind === 'duplicate' && o.ack ? { ...o, ack: Buffer.from(o.ack) } : o)));
  });
  return {
    pipelined: true,
    append(drafts: readonly LogDraft[]) {
      if (closed) return Promise.reject(new LogWriteError('LOG_WRITER_CLOSED', 'log writer is closed'));
      const id = nextId++;
      return new Promise<AppendOutcome[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const { meta, blob } = pack(drafts);
        worker.postMessage({ id, meta, blob }, [blob]);
      });
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.on('message', (m: { closed?: boolean }) => void (m.closed && worker.terminate()));
        worker.postMessage({ close: true });
      });
      return closed;
    },
  };
}

/**
 * A batch for the writer thread: the fields as one JSON string and every byte (raw message, ACK)
 * in one fresh buffer that is transferred, not copied. Structured-cloning the draft objects cost
 * the main thread more than parsing the messages did.
 */
function pack(drafts: readonly LogDraft[]): { meta: string; blob: ArrayBuffer } {
  let size = 0;
  for (const d of drafts) size += d.raw.length + (d.ack?.length ?? 0);
  const bytes = new Uint8Array(size);
  let at = 0;
  const meta = drafts.map((d) => {
    bytes.set(d.raw, at);
    at += d.raw.length;
    if (d.ack) {
      bytes.set(d.ack, at);
      at += d.ack.length;
    }
    return [d.received_at, d.listener, d.peer, d.raw.length, d.truncated ?? 0, d.byte_length, d.charset, d.sender_key ?? null,
      d.control_id ?? null, d.content_hash, d.message_type ?? null, d.patient_key ?? null, d.merge_key ?? null, d.accept_code,
      d.error_code ?? null, d.error_text ?? null, d.ack ? d.ack.length : -1];
  });
  return { meta: JSON.stringify(meta), blob: bytes.buffer };
}
