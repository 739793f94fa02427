import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';

/** The accept outcomes of an ACK (sent as CA/CE/CR in enhanced mode). */
export type AckCode = 'AA' | 'AE' | 'AR';

/** prom-client's bound child of a labelled counter: inc() without hashing labels again. */
type BoundCounter = ReturnType<Counter<string>['labels']>;

/** process/nodejs basics kept from prom-client's defaults; the rest (GC, handles, versions...) is left out. */
const BASICS = new Set([
  'process_cpu_user_seconds_total',
  'process_cpu_system_seconds_total',
  'process_cpu_seconds_total',
  'process_start_time_seconds',
  'process_resident_memory_bytes',
  'process_open_fds',
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_p99_seconds',
]);

/**
 * carecoord's process-wide metrics: counters updated where things happen (the MLLP intake, SSE).
 * Only metrics with real values; the store-read gauges are per store (metrics/store.ts).
 */
export function createMetrics() {
  const registry = new Registry();
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  // getMetricsAsArray() returns the metric instances themselves (typed as their plain shape).
  for (const metric of defaults.getMetricsAsArray()) {
    if (BASICS.has(metric.name)) registry.registerMetric(metric as unknown as Metric);
  }
  const received = new Counter({
    name: 'carecoord_mllp_messages_received_total',
    help: 'HL7 messages received over MLLP (each message of a batch frame counts), per listener',
    labelNames: ['listener'],
    registers: [registry],
  });
  const acknowledged = new Counter({
    name: 'carecoord_mllp_messages_acknowledged_total',
    help: 'HL7 messages answered after their log commit, per listener and accept code (AA, AE, AR; CA/CE/CR in enhanced mode)',
    labelNames: ['listener', 'code'],
    registers: [registry],
  });
  const sseConnections = new Gauge({ name: 'carecoord_sse_connections', help: 'Open server-sent event connections', registers: [registry] });
  const alertDeliveries = new Counter({
    name: 'carecoord_alert_deliveries_total',
    help: 'Alert delivery attempts ended, per channel and outcome (delivered, failed, rejected, skipped)',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });

  const byListener = new Map<string, { received: BoundCounter; ack: Record<string, BoundCounter> }>();
  const bound = (listener: string) => {
    let b = byListener.get(listener);
    if (!b) {
      const ack = { AA: acknowledged.labels(listener, 'AA'), AE: acknowledged.labels(listener, 'AE'), AR: acknowledged.labels(listener, 'AR') };
      b = { received: received.labels(listener), ack };
      byListener.set(listener, b);
    }
    return b;
  };

  return {
    registry,
    /** Gauge of open SSE connections: `metrics.sseConnections.inc()` on open, `.dec()` on close. */
    sseConnections,
    /** The received counter of one listener, bound once (the ACK path then only increments). */
    receivedCounter: (listener: string): BoundCounter => bound(listener).received,
    /** Count one ended alert delivery attempt (src/delivery). */
    countDelivery(channel: string, outcome: string): void {
      alertDeliveries.labels(channel, outcome).inc();
    },
    /** Count one message answered with `code` on `listener`. */
    countAcknowledged(listener: string, code: string): void {
      bound(listener).ack[code]?.inc();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The process's metrics (one registry per process, as Prometheus scrapes a process). */
export const metrics: Metrics = createMetrics();
