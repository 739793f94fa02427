import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ProcessingThreadData } from './processing-thread.js';
import type { WorkerStats } from './worker-pool.js';

/** What the platform needs of the workers, wherever they run. */
export interface Processing {
  readonly stats: Readonly<WorkerStats>;
  /** New entries were committed: look soon. */
  notify(): void;
  /** Stop starting entries, wait for those in flight. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The ordered workers on a thread of their own (see processing-thread.ts), so that processing never
 * delays an ACK. Started from the built JavaScript as is; from the TypeScript sources (tests, tsx)
 * the thread loads them through tsx's loader (a dev dependency).
 */
export class ProcessingThread implements Processing {
  stats: WorkerStats = { processed: 0, unhandled: 0, failedAttempts: 0, parked: 0, inFlight: 0 };
  #worker: Worker | undefined;
  #stopped: Promise<void> | undefined;

  constructor(private readonly data: ProcessingThreadData, private readonly logger: Logger) {}

  #restarts = 0;

  /** Resolves once the thread has opened the store and started its workers. */
  async start(): Promise<void> {
    const worker = spawnThread(this.data);
    this.#worker = worker;
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (msg: unknown) => {
        if (msg === 'ready') resolve();
        else if (isObject(msg) && 'stats' in msg) this.stats = msg.stats as WorkerStats;
        else if (isObject(msg) && 'fatal' in msg) {
          const f = msg.fatal as { code?: string; message?: string };
          this.logger.error({ code: f.code }, 'processing thread failed');
          reject(Object.assign(new Error(`processing thread failed: ${f.message}`), { code: f.code ?? 'processing_failed' }));
        }
      });
      worker.once('error', (err) => {
        this.logger.error({ name: err.name }, 'processing thread crashed');
        reject(err);
      });
      worker.once('exit', (code) => reject(new Error(`processing thread exited with ${code} before it was ready`)));
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    worker.once('exit', (code) => this.#restartLater(code));
  }

  /**
   * A processing thread that dies is started again (with backoff): committed messages wait in the
   * log meanwhile and nothing is lost, since all processing state is in the database.
   */
  #restartLater(code: number): void {
    if (this.#stopped) return;
    const delay = Math.min(30_000, 1000 * 2 ** Math.min(this.#restarts++, 5));
    this.logger.error({ code, restartInMs: delay }, 'processing thread exited unexpectedly; restarting it');
    setTimeout(() => {
      if (this.#stopped) return;
      this.start().then(
        () => this.logger.info('processing thread restarted'),
        () => this.#restartLater(-1),
      );
    }, delay).unref();
  }

  #notifyPending = false;

  /**
   * At most one message to the thread per 5 ms: its pool runs one pass per 25 ms anyway, and a
   * postMessage per commit cost the ACK thread a measurable share of its time.
   */
  notify(): void {
    if (this.#notifyPending) return;
    this.#notifyPending = true;
    setTimeout(() => {
      this.#notifyPending = false;
      this.#worker?.postMessage('notify');
    }, 5).unref();
  }

  stop(): Promise<void> {
    this.#stopped ??= new Promise<void>((resolve) => {
      const worker = this.#worker;
      if (!worker) return resolve();
      const timer = setTimeout(() => void worker.terminate(), 30_000);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.on('message', (msg: unknown) => {
        if (msg === 'stopped') void worker.terminate();
      });
      worker.postMessage('stop');
    });
    return this.#stopped;
  }
}

function spawnThread(data: ProcessingThreadData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./processing-thread.js', import.meta.url), { workerData: data });
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  const entry = new URL('./processing-thread.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: data });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
