import type { Kysely } from 'kysely';
import { readHl7 } from '../hl7/index.js';
import type { Database } from '../store/schema.js';
import { getEntries, type LogEntry } from '../store/message-log.js';
import { markAttemptFailed, markDone, markManyDone } from '../store/inbox.js';
import type { HandlerRegistry } from './handlers.js';
import { IngestError, ProcessErrorCode } from './retry.js';
import { yieldToIo } from './yield.js';

/** Entries marked per statement; I/O gets a turn between chunks. */
const CHUNK = 200;

export interface BatchItem {
  entry_id: number;
  attempts: number;
  /** MSH-9 code^trigger as read at receipt: routes without parsing when no handler exists. */
  message_type: string | null;
}

export type ItemResult =
  | { entryId: number; status: 'processed' | 'unhandled' | 'skipped' }
  | { entryId: number; status: 'failed'; code: string; attempts: number; parked: boolean };

/** Decides, for a failed attempt, when to retry (epoch ms) or null to park. */
export type FailurePolicy = (attempts: number, code: string, now: number) => number | null;

/**
 * Process a batch of accepted log entries (at most one per patient: the scheduler guarantees it) in
 * ONE transaction, each inside its own savepoint: an entry's handler effects and its processed mark
 * commit together or not at all. A failing entry is rolled back to its savepoint and its failed
 * attempt recorded in the same transaction; the others are unaffected. A crash before the commit
 * leaves every entry of the batch unmarked, so they simply run again (nothing is applied twice).
 * One commit (one fsync) per batch instead of per entry.
 */
export async function processBatch(
  db: Kysely<Database>,
  registry: HandlerRegistry,
  items: readonly BatchItem[],
  now: () => number,
  onFailure: FailurePolicy,
): Promise<ItemResult[]> {
  const handled = items.filter((i) => hasHandler(registry, i.message_type));
  const unhandled = items.filter((i) => !hasHandler(registry, i.message_type));
  const entries = new Map((await getEntries(db, handled.map((i) => i.entry_id))).map((e) => [Number(e.id), e]));
  const trx = await db.startTransaction().execute();
  try {
    const results: ItemResult[] = [];
    // No handler for the type: nothing to apply, one statement marks them all (no parse needed).
    for (let i = 0; i < unhandled.length; i += CHUNK) {
      const chunk = unhandled.slice(i, i + CHUNK);
      const moved = new Set(await markManyDone(trx, chunk.map((c) => c.entry_id), 'unhandled', now()));
      for (const c of chunk) results.push({ entryId: c.entry_id, status: moved.has(c.entry_id) ? 'unhandled' : 'skipped' });
      await yieldToIo();
    }
    for (const [n, item] of handled.entries()) {
      if (n > 0 && n % 16 === 0) await yieldToIo();
      const sp = await trx.savepoint(`e${n}`).execute();
      try {
        const status = await applyOne(sp, registry, item.entry_id, entries.get(item.entry_id), now);
        await sp.releaseSavepoint(`e${n}`).execute();
        results.push({ entryId: item.entry_id, status });
      } catch (err) {
        await sp.rollbackToSavepoint(`e${n}`).execute();
        if (err instanceof AlreadyDone) {
          results.push({ entryId: item.entry_id, status: 'skipped' });
          continue;
        }
        const code = errorCode(err);
        const attempts = item.attempts + 1;
        const t = now();
        const retryAt = onFailure(attempts, code, t);
        // The error text may quote message content: it is kept in the database, never logged.
        await markAttemptFailed(trx, item.entry_id, attempts, retryAt, { code, text: err instanceof Error ? err.message : String(err) }, t);
        results.push({ entryId: item.entry_id, status: 'failed', code, attempts, parked: retryAt === null });
      }
    }
    await trx.commit().execute();
    return results;
  } catch (err) {
    await trx.rollback().execute().catch(() => undefined);
    throw err;
  }
}

/** Parse, route by MSH-9, apply the handler and mark the entry; throws to roll the entry back. */
async function applyOne(trx: Kysely<Database>, registry: HandlerRegistry, entryId: number, entry: LogEntry | undefined, now: () => number) {
  if (!entry) throw new IngestError(ProcessErrorCode.Unparseable, `log entry ${entryId} is missing`);
  const parsed = readHl7(entry.raw);
  if (!parsed.ok) throw new IngestError(ProcessErrorCode.Unparseable, `stored message no longer parses: ${parsed.error.message}`);
  const { code, trigger } = parsed.message.messageType;
  const handler = registry.resolve(code, trigger);
  if (handler) {
    const input = { entryId, receivedAt: Number(entry.received_at), message: parsed.message, raw: entry.raw };
    await handler.handle(trx, input);
    // The alert engine and other observers: inside this savepoint, so they commit with the effects.
    for (const o of registry.observers) await o.afterMessage(trx, input);
  }
  // Only a queued row moves: if another runner marked it first, nothing of this run is kept.
  if (!(await markDone(trx, entryId, handler ? 'processed' : 'unhandled', now()))) throw new AlreadyDone();
  return handler ? ('processed' as const) : ('unhandled' as const);
}

class AlreadyDone extends IngestError {
  constructor() {
    super('already_done', 'entry was already processed');
  }
}

function hasHandler(registry: HandlerRegistry, messageType: string | null): boolean {
  const [code = '', trigger = ''] = (messageType ?? '').split('^');
  return registry.resolve(code, trigger) !== undefined;
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? code : ProcessErrorCode.HandlerError;
}
