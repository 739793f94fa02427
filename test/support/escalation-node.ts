/**
 * A small escalation node for the restart test (until `carecoord serve` runs the TimerScheduler):
 * opens the store (CARECOORD_DATA_DIR, DATABASE_URL), starts the scheduler with the real escalation
 * handler, prints one JSON line per delivery enqueued and `{"msg":"escalation ready"}` once polling;
 * SIGTERM stops it cleanly. Run with `node --import tsx test/support/escalation-node.ts`.
 */
import { escalationTimerHandler, TimerScheduler, type DeliverySink, type EscalationLog } from '../../src/escalation/index.js';
import { openStore } from '../../src/store/open.js';

const line = (obj: object) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const log: EscalationLog = {
  info: (obj, msg) => line({ level: 'info', ...obj, msg }),
  warn: (obj, msg) => line({ level: 'warn', ...obj, msg }),
  error: (obj, msg) => line({ level: 'error', ...obj, msg }),
};
// Stands in for src/delivery's sink: the test reads these lines.
const sink: DeliverySink = { enqueue: async (_trx, job) => void line({ msg: 'enqueued', ...job }) };

const store = await openStore({ dataDir: process.env.CARECOORD_DATA_DIR!, databaseUrl: process.env.DATABASE_URL || undefined });
const deps = { sink, log, onCallUsernames: (process.env.CARECOORD_ONCALL_USERS ?? '').split(',').filter(Boolean) };
const scheduler = new TimerScheduler(store.db, store.dialect, escalationTimerHandler(deps), log, { pollMs: 50 });
scheduler.start();
line({ msg: 'escalation ready', nodeId: scheduler.nodeId });
process.on('SIGTERM', () => {
  void scheduler.stop().then(() => store.close()).then(() => process.exit(0));
});
setInterval(() => undefined, 1 << 30); // keep running: the scheduler's timer is unref'd
