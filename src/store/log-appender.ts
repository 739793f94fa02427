import { SQLITE_LOG_FILE, type Store } from './open.js';
import { appendEntries, sealDraft, type AppendOutcome, type LogDraft } from './message-log.js';
import { startThreadedAppender } from './log-writer-thread.js';
import { KEYRING_REFRESH_MS, refreshKeyring } from './data-keys.js';

/** Appends one batch of drafts in one transaction (one commit, one fsync) and reports each outcome. */
export type LogAppender = (drafts: readonly LogDraft[]) => Promise<AppendOutcome[]>;

const COLUMNS = [
  'received_at', 'listener', 'peer', 'raw', 'truncated', 'byte_length', 'charset', 'sender_key', 'control_id',
  'content_hash', 'message_type', 'patient_key', 'merge_key', 'accept_code', 'error_code', 'error_text', 'ack',
] as const;

/** The SQLite statements of the append path (same semantics as appendEntries). */
export const SQLITE_APPEND_SQL = {
  insertSql: `INSERT INTO hl7log.message_log (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})
    ON CONFLICT (sender_key, control_id, content_hash) DO NOTHING RETURNING id`,
  earlierSql: 'SELECT id, ack, accept_code FROM hl7log.message_log WHERE sender_key = ? AND control_id = ? AND content_hash = ?',
};

/**
 * The appender the intake commits through, with its lifecycle. On SQLite the commits run on a
 * writer thread with prepared statements (the hot path of every ACK), which takes batches as they
 * come and commits everything that queued up during its previous commit in one transaction; on
 * PostgreSQL the Kysely repository runs one transaction per batch, one at a time.
 */
export function createLogAppender(store: Store): { append: LogAppender; pipelined: boolean; close(): Promise<void> } {
  if (store.sqliteLogPath) {
    const threaded = startThreadedAppender(store.sqliteLogPath, SQLITE_APPEND_SQL, store.keyring.master.sqliteKey(SQLITE_LOG_FILE));
    const fresh = keyringFreshener(store);
    return {
      ...threaded,
      // Sealed here, synchronously, so batches are still posted in call order (the thread commits in that order).
      append: (drafts) => {
        fresh();
        return threaded.append(drafts.map((d) => sealDraft(store.keyring, d)));
      },
    };
  }
  return {
    // One transaction at a time: concurrent PostgreSQL transactions could make a later id visible
    // before an earlier one, and the workers take entries in by id.
    pipelined: false,
    append: (drafts) => store.db.transaction().execute((trx) => appendEntries(trx, drafts)),
    close: async () => undefined,
  };
}

/**
 * The SQLite append path must not wait for a query before posting (order): the keys are re-read in
 * the background every KEYRING_REFRESH_MS, so a `keys rotate` by another process takes over new writes.
 */
function keyringFreshener(store: Store): () => void {
  let running = false;
  return () => {
    if (running || Date.now() - store.keyring.loadedAt < KEYRING_REFRESH_MS) return;
    running = true;
    refreshKeyring(store.db, store.keyring, Date.now()).catch(() => undefined).finally(() => (running = false));
  };
}
