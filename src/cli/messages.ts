import { loadConfig } from '../config.js';
import { decodeHl7 } from '../hl7/index.js';
import { getEntry } from '../store/message-log.js';
import { getInboxRow } from '../store/inbox.js';
import { MessageAdminError, MessageAdminErrorCode, reprocessEntry } from '../ingest/message-admin.js';
import { listMessages, MESSAGE_STATUSES, msaCode, type MessageSummary } from '../store/message-query.js';
import { openStore } from '../store/open.js';
import { CliError, parse } from './args.js';
import { auditMessage, inAuditedTransaction } from './audit-calls.js';

/**
 * `carecoord messages`: list log entries with their processing status; `messages show ID` prints one
 * entry; `messages reprocess ID` puts a failed or unhandled entry back in the queue (a running server
 * picks it up at its next poll). Works beside a running server on the same --data-dir / DATABASE_URL.
 */
export async function runMessages(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    'data-dir': { type: 'string' },
    config: { type: 'string' },
    'control-id': { type: 'string' },
    status: { type: 'string' },
    type: { type: 'string' },
    limit: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
    raw: { type: 'boolean', default: false },
  }, true);
  const [sub, idText] = positionals;
  if (values.status && !(MESSAGE_STATUSES as readonly string[]).includes(values.status)) {
    throw new CliError(`--status must be one of ${MESSAGE_STATUSES.join(', ')}`);
  }
  const config = loadConfig(process.env, { 'data-dir': values['data-dir'], config: values.config });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    if (!sub) return await list(store.db, values);
    const id = Number(idText);
    if (!Number.isInteger(id) || id <= 0) throw new CliError(`messages ${sub} needs an entry id`);
    if (sub === 'reprocess') return await inAuditedTransaction(store.db, (trx) => reprocess(trx, id));
    if (sub === 'show') return await show(store.db, id, values.raw ?? false, values.json ?? false);
    throw new CliError(`unknown messages sub-command "${sub}" (show, reprocess)`);
  } finally {
    await store.close();
  }
}

type Db = Awaited<ReturnType<typeof openStore>>['db'];

async function list(db: Db, values: { 'control-id'?: string; status?: string; type?: string; limit?: string; json?: boolean }): Promise<number> {
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new CliError('--limit must be from 1 to 10000');
  const rows = await listMessages(db, { controlId: values['control-id'], status: values.status, messageType: values.type, limit });
  if (values.json) {
    for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
    return 0;
  }
  process.stdout.write(formatTable(rows));
  return 0;
}

function formatTable(rows: MessageSummary[]): string {
  const header = ['ID', 'RECEIVED', 'LISTENER', 'SENDER', 'CONTROL ID', 'TYPE', 'ACK', 'STATUS', 'ERROR'];
  const lines = rows.map((r) => [
    String(r.id),
    new Date(r.receivedAt).toISOString().replace('T', ' ').slice(0, 19),
    r.listener,
    r.senderKey ?? '-',
    r.controlId ?? '-',
    r.messageType ?? '-',
    r.ackSent,
    r.attempts > 0 && r.status !== 'processed' ? `${r.status} (${r.attempts} tries)` : r.status,
    r.errorCode ? `${r.errorCode}: ${(r.errorText ?? '').slice(0, 80)}` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(header), ...lines.map(fmt)].join('\n') + '\n' + (rows.length === 0 ? '(no messages)\n' : '');
}

async function reprocess(db: Db, id: number): Promise<number> {
  let from: string;
  try {
    ({ from } = await reprocessEntry(db, id, Date.now()));
  } catch (err) {
    if (!(err instanceof MessageAdminError)) throw err;
    if (err.code === MessageAdminErrorCode.NotFound || err.message.startsWith('no processed-state')) {
      throw new CliError(`no processed-state for entry ${id} (unknown id, or not yet taken in by a running server)`, { usageHint: false });
    }
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
  await auditMessage(db, 'messages reprocess', id, { action: 'update', detail: { from, to: 'queued' } });
  process.stdout.write(`entry ${id} queued again (was ${from}); a running server processes it at its next poll\n`);
  return 0;
}

async function show(db: Db, id: number, raw: boolean, json: boolean): Promise<number> {
  const entry = await getEntry(db, id);
  if (!entry) throw new CliError(`no log entry ${id}`, { usageHint: false });
  await auditMessage(db, 'messages show', entry, { action: 'message-view', detail: { format: raw ? 'raw' : json ? 'json' : 'text' } });
  if (raw) {
    process.stdout.write(entry.raw);
    return 0;
  }
  const state = await getInboxRow(db, id);
  const text = decodeHl7(entry.raw).text;
  const info = {
    id: Number(entry.id), receivedAt: new Date(Number(entry.received_at)).toISOString(), listener: entry.listener, peer: entry.peer,
    controlId: entry.control_id, messageType: entry.message_type, acceptCode: entry.accept_code, ackSent: msaCode(entry.ack), status: state?.status ?? 'received',
    error: entry.error_code ? `${entry.error_code}: ${entry.error_text}` : state?.last_error_code ? `${state.last_error_code}: ${state.last_error_text}` : null,
    truncated: !!entry.truncated, byteLength: entry.byte_length, ack: entry.ack?.toString('utf8') ?? null,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...info, message: text })}\n`);
    return 0;
  }
  for (const [k, v] of Object.entries(info)) if (k !== 'ack') process.stdout.write(`${k.padEnd(12)} ${v ?? '-'}\n`);
  process.stdout.write(`\nmessage:\n${text.split(/\r\n|\r|\n/).filter(Boolean).map((s) => `  ${s}`).join('\n')}\n`);
  if (info.ack) process.stdout.write(`\nacknowledgment:\n${info.ack.split(/\r/).filter(Boolean).map((s) => `  ${s}`).join('\n')}\n`);
  return 0;
}
