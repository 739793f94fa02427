import type SqliteDatabase from 'better-sqlite3';
import type { Store } from './open.js';
import { appendEntries, type AppendOutcome, type LogDraft } from './message-log.js';

/** Appends one batch of drafts in one transaction (one commit, one fsync) and reports each outcome. */
export type LogAppender = (drafts: readonly LogDraft[]) => Promise<AppendOutcome[]>;

const COLUMNS = [
  'received_at', 'listener', 'peer', 'raw', 'truncated', 'byte_length', 'charset', 'sender_key', 'control_id',
  'content_hash', 'message_type', 'patient_key', 'merge_key', 'accept_code', 'error_code', 'error_text', 'ack',
] as const;

/**
 * The appender the intake commits through. On SQLite it runs prepared statements on the log's own
 * connection (the hot path of every ACK: no query building, no re-preparing); on PostgreSQL it is
 * the Kysely repository in one transaction. Both have the same semantics as appendEntries.
 */
export function createLogAppender(store: Store): LogAppender {
  if (store.sqliteLog) return sqliteAppender(store.sqliteLog);
  return (drafts) => store.logDb.transaction().execute((trx) => appendEntries(trx, drafts));
}

function sqliteAppender(conn: SqliteDatabase.Database): LogAppender {
  const insert = conn.prepare(
    `INSERT INTO hl7log.message_log (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})
     ON CONFLICT (sender_key, control_id, content_hash) DO NOTHING RETURNING id`,
  );
  const earlier = conn.prepare(
    'SELECT id, ack, accept_code FROM hl7log.message_log WHERE sender_key = ? AND control_id = ? AND content_hash = ?',
  );
  const run = conn.transaction((drafts: readonly LogDraft[]): AppendOutcome[] =>
    drafts.map((d) => {
      const row = insert.get({ truncated: 0, ...d }) as { id: number } | undefined;
      if (row) return { kind: 'appended', id: row.id };
      const e = earlier.get(d.sender_key, d.control_id, d.content_hash) as { id: number; ack: Buffer | null; accept_code: LogDraft['accept_code'] };
      return { kind: 'duplicate', id: e.id, ack: e.ack, acceptCode: e.accept_code };
    }),
  );
  return async (drafts) => run(drafts);
}
