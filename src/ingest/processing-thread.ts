/**
 * Entry of the processing thread: the ordered workers run here, on their own connection, so that
 * processing (parsing, matching, rules, their SQL) never delays an MLLP ACK on the main thread.
 * Messages from the parent: 'notify' (new entries committed), 'stop'. To the parent: 'ready',
 * { stats }, 'stopped', { fatal }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { openStore } from '../store/open.js';
import { HandlerRegistry } from './handlers.js';
import { WorkerPool, type WorkerPoolOptions } from './worker-pool.js';

export interface ProcessingThreadData {
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: string;
  /** URL of a module exporting registerHandlers(registry). */
  handlersModule: string;
  pool: Omit<WorkerPoolOptions, 'now'>;
  /** The on-call pool for the alert engine's escalation listener (Config.onCallUsers). */
  onCallUsers?: readonly string[];
}

async function main(): Promise<void> {
  const port = parentPort!;
  const data = workerData as ProcessingThreadData;
  const logger = pino({ level: data.logLevel, base: { service: 'carecoord', component: 'workers' } });
  const store = await openStore({ dataDir: data.dataDir, databaseUrl: data.databaseUrl, migrate: false, poolSize: 4 });
  const registry = new HandlerRegistry();
  const mod = (await import(data.handlersModule)) as { registerHandlers(r: HandlerRegistry, context?: object): void };
  mod.registerHandlers(registry, { onCallUsers: data.onCallUsers ?? [], log: logger.child({ component: 'alerts' }) });
  const pool = new WorkerPool(store.db, registry, logger, data.pool);
  pool.start();
  const statsTimer = setInterval(() => port.postMessage({ stats: pool.stats }), 500);
  port.on('message', (msg: unknown) => {
    if (msg === 'notify') pool.notify();
    else if (msg === 'stop') {
      clearInterval(statsTimer);
      void pool
        .stop()
        .then(() => store.close())
        .finally(() => {
          port.postMessage({ stats: pool.stats });
          port.postMessage('stopped');
          port.close();
        });
    }
  });
  port.postMessage('ready');
}

main().catch((err: unknown) => {
  parentPort?.postMessage({ fatal: { name: (err as Error)?.name, code: (err as { code?: string })?.code, message: (err as Error)?.message } });
});
