import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config, ListenerConfig } from './config.js';
import { buildHttpApp } from './api/server.js';
import { Heartbeat } from './api/health.js';
import { httpsOptions, loadHttpTls } from './api/tls.js';
import { HandlerRegistry } from './ingest/handlers.js';
import { RetentionJob } from './ingest/retention.js';
import { AuditRetentionJob } from './audit/retention-job.js';
import { startDelivery } from './delivery/start.js';
import type { AlertLifecycle } from './alerts/lifecycle.js';
import { alertServices, overdueTaskLogger } from './app-alerts.js';
import { TimerScheduler } from './escalation/timer-scheduler.js';
import { TaskReminderJob } from './transitions/reminders.js';
import { IngestService } from './ingest/service.js';
import { WorkerPool } from './ingest/worker-pool.js';
import { ProcessingThread, type Processing } from './ingest/processing.js';
import { metrics } from './metrics/index.js';
import { MetricsServer } from './metrics/server.js';
import { storeMetrics } from './metrics/store.js';
import { MllpListener } from './mllp/index.js';
import { createLogAppender } from './store/log-appender.js';
import { openStore, type Store } from './store/open.js';

/** A started carecoord: the bound ports and the parts tests and metrics look at. */
export interface RunningPlatform {
  readonly store: Store;
  readonly ingest: IngestService;
  readonly workers: Processing;
  readonly http: FastifyInstance;
  /** Bound MLLP port per listener name (useful with port 0). */
  readonly mllpPorts: Readonly<Record<string, number>>;
  readonly httpPort: number;
  /** Bound port of the metrics listener (CARECOORD_METRICS_PORT), when on. */
  readonly metricsPort: number | undefined;
  /** Acknowledge, snooze, resolve: every change reaches escalation and delivery (app-alerts.ts). */
  readonly alerts: AlertLifecycle;
  /** Stops everything in reverse order of start; idempotent. */
  stop(): Promise<void>;
}

export interface PlatformOptions {
  /**
   * Run the workers on this thread with these handlers (embedding, tests with handlers built in
   * the test). Without it, the workers run on the processing thread with the handlers of
   * `handlersModule` (default: ingest/default-handlers).
   */
  registerHandlers?: (registry: HandlerRegistry) => void;
  /** URL of a module exporting registerHandlers(registry), loaded by the processing thread. */
  handlersModule?: string;
}

/** The ordered workers: on a processing thread (serve), or in this thread when handlers are given as a function. */
async function startProcessing(config: Config, store: Store, logger: Logger, options: PlatformOptions): Promise<Processing> {
  const pool = {
    // SQLite has one writer connection: parallel batches would only queue behind each other.
    concurrency: store.dialect === 'sqlite' ? 1 : config.workers.concurrency,
    pollIntervalMs: config.workers.pollIntervalMs,
    retry: { maxAttempts: config.workers.maxAttempts, baseDelayMs: config.workers.retryBaseMs, maxDelayMs: 300_000 },
  };
  if (options.registerHandlers) {
    const registry = new HandlerRegistry();
    options.registerHandlers(registry);
    const workers = new WorkerPool(store.db, registry, logger.child({ component: 'workers' }), pool);
    workers.start();
    return workers;
  }
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const thread = new ProcessingThread({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    logLevel: config.logLevel,
    handlersModule: options.handlersModule ?? new URL(`./ingest/default-handlers.${ext}`, import.meta.url).href,
    pool,
    onCallUsers: config.onCallUsers,
  }, logger.child({ component: 'workers' }));
  try {
    await thread.start();
  } catch (err) {
    await thread.stop();
    throw err;
  }
  return thread;
}

/**
 * Start carecoord in order: store (migrated) -> workers -> intake -> MLLP listeners -> HTTP.
 * If any step fails, what was started is stopped again before the error is rethrown.
 */
export async function startPlatform(config: Config, logger: Logger, options: PlatformOptions = {}): Promise<RunningPlatform> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        logger.error({ name: (err as Error).name }, 'error while stopping');
      }
    }
  };
  try {
    const store = await openStore({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      onKeyGenerated: (path, fingerprint) =>
        logger.warn({ keyFile: path, fingerprint }, 'generated a new master key: back it up separately from the data directory (without it the data cannot be read)'),
    });
    stops.push(() => store.close());
    logger.info({ dialect: store.dialect, location: store.location }, 'store open');
    const keyOrigin = store.masterKeyOrigin;
    logger.info({ keySource: keyOrigin?.origin, keyFile: keyOrigin?.path, fingerprint: store.keyring.master.fingerprint, dataKey: store.keyring.currentId }, 'encryption at rest: master key loaded');
    for (const warning of keyOrigin?.warnings ?? []) logger.warn({ keyFile: keyOrigin?.path }, warning);

    const workers = await startProcessing(config, store, logger, options);
    stops.push(() => workers.stop());
    // Readiness of the workers: the processing thread posts a new stats object every 500 ms; an in-thread pool runs until stopped.
    const heartbeat = options.registerHandlers ? undefined : new Heartbeat(() => workers.stats);
    heartbeat?.start();
    let workersStopped = false;
    stops.push(async () => {
      workersStopped = true;
      heartbeat?.stop();
    });

    const retention = new RetentionJob(store.db, logger.child({ component: 'retention' }), config.retentionDays);
    retention.start();
    stops.push(() => retention.stop());
    const auditRetention = new AuditRetentionJob(store.db, logger.child({ component: 'audit-retention' }), { retentionDays: config.auditRetentionDays });
    auditRetention.start();
    stops.push(() => auditRetention.stop());
    // Alert delivery: the outbox worker and its channels (src/delivery).
    const delivery = await startDelivery(store, config.delivery, logger.child({ component: 'delivery' }), { count: (c, o) => metrics.countDelivery(c, o) });
    stops.push(() => delivery.stop());
    // Escalation timers (they enqueue deliveries: stopped before delivery) and overdue-task reminders.
    const alertLog = logger.child({ component: 'alerts' });
    const alerts = alertServices({ onCallUsernames: config.onCallUsers, log: alertLog });
    const escalation = new TimerScheduler(store.db, store.dialect, alerts.timerHandler, alertLog);
    escalation.start();
    stops.push(() => escalation.stop());
    const reminders = new TaskReminderJob(store.db, overdueTaskLogger(alertLog), logger.child({ component: 'reminders' }));
    reminders.start();
    stops.push(() => reminders.stop());

    const appender = createLogAppender(store);
    stops.push(() => appender.close());
    const ingest = new IngestService(appender, logger.child({ component: 'intake' }), config, () => workers.notify());
    stops.push(() => ingest.intake.drained());

    const mllpPorts: Record<string, number> = {};
    const listenerUp: Record<string, boolean> = Object.fromEntries(config.listeners.map((lc) => [lc.name, false]));
    let listening = 0;
    for (const lc of config.listeners) {
      const listener = new MllpListener(listenerOptions(lc), ingest.handlerFor(lc), logger.child({ component: 'mllp' }));
      const bound = await listener.start();
      listenerUp[lc.name] = true;
      stops.push(() => ((listenerUp[lc.name] = false), listener.stop()));
      mllpPorts[lc.name] = bound.port;
      listening++;
      logger.info({ listener: lc.name, host: bound.host, port: bound.port, tls: !!lc.tls }, 'MLLP listener accepting');
    }

    const tls = await loadHttpTls(config.http.tls, config.dataDir, config.http.host, logger.child({ component: 'http' }));
    const http = buildHttpApp(logger.child({ component: 'http' }), {
      accepting: () => listening === config.listeners.length,
      details: () => ({ listeners: mllpPorts, inbox: { inFlight: workers.stats.inFlight } }),
      readiness: {
        store: async () => void (await sql`select 1`.execute(store.db)),
        processingAlive: () => !workersStopped && (heartbeat?.alive() ?? true),
        listeners: () => listenerUp,
      },
    }, { db: store.db, config: config.auth }, { breakGlassMs: config.breakGlassMs, alerts: alerts.lifecycle }, { https: tls && httpsOptions(tls), trustProxy: config.http.trustProxy });
    await http.listen({ host: config.http.host, port: config.http.port });
    stops.push(() => http.close());
    const address = http.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : config.http.port;
    logger.info({ host: config.http.host, port: httpPort, tls: !!tls }, tls ? 'HTTPS listening (TLS 1.3 only)' : 'HTTP listening');

    let metricsPort: number | undefined;
    if (config.metrics) {
      const server = new MetricsServer(Registry.merge([metrics.registry, storeMetrics(store.db)]), config.metrics);
      const bound = await server.start();
      stops.push(() => server.stop());
      metricsPort = bound.port;
      const loopback = /^(127\.|::1$|localhost$)/.test(config.metrics.host);
      logger[loopback ? 'info' : 'warn']({ host: bound.host, port: bound.port }, loopback ? 'metrics listening' : 'metrics listening beyond loopback: keep this port off the internet');
    }

    let stopped: Promise<void> | undefined;
    return {
      store, ingest, workers, http, mllpPorts, httpPort, metricsPort, alerts: alerts.lifecycle,
      stop: () => (stopped ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function listenerOptions(lc: ListenerConfig) {
  return {
    name: lc.name,
    host: lc.host,
    port: lc.port,
    maxFrameBytes: lc.maxMessageBytes,
    maxConnections: lc.maxConnections,
    idleTimeoutMs: lc.idleTimeoutMs,
    frameTimeoutMs: lc.frameTimeoutMs,
    ...(lc.tls
      ? {
          tls: {
            key: readFileSync(lc.tls.keyFile),
            cert: readFileSync(lc.tls.certFile),
            ...(lc.tls.caFile ? { ca: readFileSync(lc.tls.caFile) } : {}),
            requestClientCert: lc.tls.requireClientCert,
          },
        }
      : {}),
  };
}
