import { Gauge, Registry } from 'prom-client';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** Queue depth and lag as read from the store; cheap: index range counts and two one-row reads. */
export interface QueueReading {
  /** Entries per state: `new` (logged, not yet taken into the inbox), `queued` (incl. waiting for a retry), `failed` (parked). */
  depth: { new: number; queued: number; failed: number };
  /** received_at (ms) of the oldest entry still to be processed (new or queued), or null. */
  oldestReceivedAt: number | null;
}

/**
 * Read the processing queue. Counts only open states (the index on inbox (status, entry_id) keeps this a
 * range scan, however many processed rows there are) and the log entries past the inbox cursor (a
 * primary-key range). Parked (failed) entries are in the depth but not in the lag: they wait for an operator.
 */
export async function readQueue(db: Kysely<Database>): Promise<QueueReading> {
  const cursor = await db.selectFrom('inbox').select((eb) => eb.fn.max('entry_id').as('max')).executeTakeFirst();
  const after = Number(cursor?.max ?? 0);
  const open = await db
    .selectFrom('inbox')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', 'in', ['queued', 'failed'])
    .groupBy('status')
    .execute();
  const fresh = await db.selectFrom('hl7log.message_log').select((eb) => eb.fn.countAll<number>().as('n')).where('id', '>', after).executeTakeFirst();
  const firstQueued = await db.selectFrom('inbox').select('received_at').where('status', '=', 'queued').orderBy('entry_id').limit(1).executeTakeFirst();
  const firstNew = await db.selectFrom('hl7log.message_log').select('received_at').where('id', '>', after).orderBy('id').limit(1).executeTakeFirst();
  const count = (status: string) => Number(open.find((r) => r.status === status)?.n ?? 0);
  const times = [firstQueued?.received_at, firstNew?.received_at].filter((t): t is number => t !== undefined && t !== null).map(Number);
  return {
    depth: { new: Number(fresh?.n ?? 0), queued: count('queued'), failed: count('failed') },
    oldestReceivedAt: times.length ? Math.min(...times) : null,
  };
}

/** Alerts still to handle (open, acknowledged, snoozed), counted by status and severity (index alert_snoozed: status first). */
export async function readAlertCounts(db: Kysely<Database>): Promise<{ status: string; severity: string; n: number }[]> {
  const rows = await db
    .selectFrom('alert')
    .select(['status', 'severity', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', 'in', ['open', 'acknowledged', 'snoozed'])
    .groupBy(['status', 'severity'])
    .execute();
  return rows.map((r) => ({ status: r.status, severity: r.severity, n: Number(r.n) }));
}

/**
 * Gauges read from the store at each scrape, in a registry of their own (one per open store, merged
 * with the process's registry by the metrics server). A store that cannot answer leaves them empty.
 */
export function storeMetrics(db: Kysely<Database>, now: () => number = Date.now): Registry {
  const registry = new Registry();
  let reading: Promise<QueueReading | undefined> | undefined;
  // One read per scrape, shared by both gauges (their collects run together).
  const read = () => {
    reading ??= readQueue(db).catch(() => undefined).finally(() => setImmediate(() => (reading = undefined)));
    return reading;
  };
  new Gauge({
    name: 'carecoord_queue_depth',
    help: 'Log entries waiting for processing, by state: new (not yet taken into the inbox), queued (incl. retries), failed (parked)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      const r = await read();
      if (r) for (const [status, n] of Object.entries(r.depth)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'carecoord_processing_lag_seconds',
    help: 'Age of the oldest log entry not yet processed (new or queued; parked entries excluded); 0 when none',
    registers: [registry],
    async collect() {
      this.reset();
      const r = await read();
      if (r) this.set(r.oldestReceivedAt === null ? 0 : Math.max(0, (now() - r.oldestReceivedAt) / 1000));
    },
  });
  new Gauge({
    name: 'carecoord_alerts',
    help: 'Alerts still to handle, by status (open, acknowledged, snoozed) and severity',
    labelNames: ['status', 'severity'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await readAlertCounts(db).catch(() => []);
      for (const r of rows) this.set({ status: r.status, severity: r.severity }, r.n);
    },
  });
  return registry;
}
