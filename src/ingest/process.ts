import type { Kysely } from 'kysely';
import { readHl7 } from '../hl7/index.js';
import type { Database } from '../store/schema.js';
import { getEntry } from '../store/message-log.js';
import { markDone } from '../store/inbox.js';
import type { HandlerRegistry } from './handlers.js';
import { IngestError, ProcessErrorCode } from './retry.js';

export type ProcessOutcome = { status: 'processed' | 'unhandled'; handler?: string } | { status: 'skipped' };

/**
 * Process one accepted log entry exactly once: parse the stored bytes, route by MSH-9, and in ONE
 * transaction apply the handler's effects and mark the entry done. A crash before the commit leaves
 * neither (the entry runs again after restart); a second runner finds the mark already set and rolls
 * back ('skipped'). Throws IngestError when the attempt fails (nothing was applied).
 */
export async function processEntry(db: Kysely<Database>, registry: HandlerRegistry, entryId: number, now: () => number): Promise<ProcessOutcome> {
  const entry = await getEntry(db, entryId);
  if (!entry) throw new IngestError(ProcessErrorCode.Unparseable, `log entry ${entryId} is missing`);
  const parsed = readHl7(entry.raw);
  if (!parsed.ok) throw new IngestError(ProcessErrorCode.Unparseable, `stored message no longer parses: ${parsed.error.message}`);
  const { code, trigger } = parsed.message.messageType;
  const handler = registry.resolve(code, trigger);
  const status = handler ? 'processed' : 'unhandled';
  const done = await db.transaction().execute(async (trx) => {
    if (handler) await handler.handle(trx, { entryId, receivedAt: Number(entry.received_at), message: parsed.message, raw: entry.raw });
    const marked = await markDone(trx, entryId, status, now());
    // Already marked by someone else: throw to roll the effects back.
    if (!marked) throw new AlreadyDone();
    return true;
  }).catch((err: unknown) => {
    if (err instanceof AlreadyDone) return false;
    throw err;
  });
  if (!done) return { status: 'skipped' };
  return handler ? { status, handler: handler.name } : { status };
}

class AlreadyDone extends Error {}
