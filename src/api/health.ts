import type { FastifyInstance } from 'fastify';

/**
 * What readiness asks of a running carecoord. /readyz answers 200 only when all of them hold;
 * /healthz stays a liveness check (the process answers).
 */
export interface ReadinessProbe {
  /** Resolves once the store answered a query; rejects (or never resolves) when it cannot. */
  store(): Promise<void>;
  /** The processing thread (or in-thread pool) is running. */
  processingAlive(): boolean;
  /** Per MLLP listener name: is it listening. */
  listeners(): Readonly<Record<string, boolean>>;
}

/** A store that has not answered within this long is not ready (a hung PostgreSQL pool, a locked file). */
export const STORE_PROBE_TIMEOUT_MS = 2000;

/** The parts not ready, by name: `store`, `processing`, `mllp:<listener>`. Empty = ready. */
export async function notReady(probe: ReadinessProbe, timeoutMs = STORE_PROBE_TIMEOUT_MS): Promise<string[]> {
  const parts: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('store probe timed out')), timeoutMs);
  });
  try {
    await Promise.race([probe.store(), timeout]);
  } catch {
    parts.push('store');
  } finally {
    clearTimeout(timer);
  }
  if (!probe.processingAlive()) parts.push('processing');
  for (const [name, listening] of Object.entries(probe.listeners())) if (!listening) parts.push(`mllp:${name}`);
  return parts;
}

const readySchema = {
  type: 'object',
  properties: { status: { type: 'string' }, notReady: { type: 'array', items: { type: 'string' } } },
  required: ['status', 'notReady'],
} as const;

/** GET /readyz: 200 {status: 'ready', notReady: []}, or 503 {status: 'not ready', notReady: [...]}. */
export function readinessRoute(app: FastifyInstance, probe: ReadinessProbe): void {
  app.get('/readyz', { schema: { response: { 200: readySchema, 503: readySchema } } }, async (_req, reply) => {
    const parts = await notReady(probe);
    return reply.code(parts.length === 0 ? 200 : 503).send({ status: parts.length === 0 ? 'ready' : 'not ready', notReady: parts });
  });
}

/**
 * Liveness of a thread that reports by replacing an object (the processing thread posts its stats
 * every 500 ms, and each message is a new object): alive while the object changed within `staleMs`.
 * Sampled every `sampleMs` so a change long before a probe is not taken as a sign of life.
 */
export class Heartbeat {
  #last: unknown;
  #changedAt = Date.now();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly read: () => unknown, private readonly staleMs = 2000, private readonly sampleMs = 250) {
    this.#last = read();
  }

  start(): void {
    this.#timer ??= setInterval(() => this.#sample(), this.sampleMs).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  alive(now = Date.now()): boolean {
    this.#sample(now);
    return this.#timer !== undefined && now - this.#changedAt < this.staleMs;
  }

  #sample(now = Date.now()): void {
    const current = this.read();
    if (current !== this.#last) {
      this.#last = current;
      this.#changedAt = now;
    }
  }
}
