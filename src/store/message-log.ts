import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Keyring } from '../keys/index.js';
import type { Database, MessageLogTable } from './schema.js';
import { keyringOf, refreshKeyring } from './data-keys.js';

export type LogDraft = Omit<Insertable<MessageLogTable>, 'id'>;
export type LogEntry = Selectable<MessageLogTable>;

/** Outcome of appending one draft: a new entry, or the earlier entry it retransmits. */
export type AppendOutcome =
  | { kind: 'appended'; id: number }
  | { kind: 'duplicate'; id: number; ack: Buffer | null; acceptCode: LogEntry['accept_code'] };

/**
 * The AAD context of a sealed message body: its column and the SHA-256 of its plaintext (unique with
 * the sender and control id, known before the row id), so a body moved to another entry fails to open.
 */
export function rawContext(contentHash: string): string {
  return `hl7log.message_log.raw:${contentHash}`;
}

/** The draft with its raw body sealed under the current data key (AES-256-GCM). */
export function sealDraft(keyring: Keyring, draft: LogDraft): LogDraft {
  return { ...draft, raw: keyring.seal(draft.raw, rawContext(draft.content_hash)) };
}

/** Entries as read, with `raw` opened (legacy plaintext bodies come back as they are). */
async function unsealEntries(db: Kysely<Database>, rows: LogEntry[]): Promise<LogEntry[]> {
  if (rows.length === 0) return rows;
  const keyring = keyringOf(db);
  await refreshKeyring(db, keyring, Date.now(), keyring.unknownIds(rows.map((r) => r.raw)));
  return rows.map((r) => ({ ...r, raw: keyring.unseal(r.raw, rawContext(r.content_hash)) }));
}

/**
 * Append drafts in order, inside the caller's transaction; the raw bodies are sealed here. A draft whose (sender_key, control_id,
 * content_hash) is already logged (earlier, or earlier in this same batch) is not inserted: its outcome names the
 * earlier entry and carries the ACK that entry was given, so a retransmission is answered the same.
 */
export async function appendEntries(trx: Kysely<Database>, drafts: readonly LogDraft[]): Promise<AppendOutcome[]> {
  const keyring = keyringOf(trx);
  await refreshKeyring(trx, keyring, Date.now());
  const outcomes: AppendOutcome[] = [];
  for (const draft of drafts) outcomes.push(await appendOne(trx, sealDraft(keyring, draft)));
  return outcomes;
}

async function appendOne(trx: Kysely<Database>, draft: LogDraft): Promise<AppendOutcome> {
  const inserted = await trx
    .insertInto('hl7log.message_log')
    .values(draft)
    .onConflict((oc) => oc.columns(['sender_key', 'control_id', 'content_hash']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { kind: 'appended', id: Number(inserted.id) };
  const earlier = await trx
    .selectFrom('hl7log.message_log')
    .select(['id', 'ack', 'accept_code'])
    .where('sender_key', '=', draft.sender_key ?? null)
    .where('control_id', '=', draft.control_id ?? null)
    .where('content_hash', '=', draft.content_hash)
    .executeTakeFirstOrThrow();
  return { kind: 'duplicate', id: Number(earlier.id), ack: earlier.ack, acceptCode: earlier.accept_code };
}

/** The routing columns of entries after `afterId`, oldest first (what the inbox needs, not the bytes). */
export async function readEntryHeadsAfter(db: Kysely<Database>, afterId: number, limit: number) {
  return db
    .selectFrom('hl7log.message_log')
    .select(['id', 'received_at', 'message_type', 'patient_key', 'merge_key', 'accept_code', 'error_code', 'error_text'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** One entry, its body opened. */
export async function getEntry(db: Kysely<Database>, id: number): Promise<LogEntry | undefined> {
  const row = await db.selectFrom('hl7log.message_log').selectAll().where('id', '=', id).executeTakeFirst();
  return row && (await unsealEntries(db, [row]))[0];
}

/**
 * Retention: delete up to `limit` entries received before `cutoff` (epoch ms). The only delete
 * in the code base; the database refuses it for entries younger than the retention floor.
 */
export async function deleteEntriesBefore(db: Kysely<Database>, cutoff: number, limit: number): Promise<number> {
  const ids = await db
    .selectFrom('hl7log.message_log')
    .select('id')
    .where('received_at', '<', cutoff)
    .orderBy('id')
    .limit(limit)
    .execute();
  if (ids.length === 0) return 0;
  const result = await db
    .deleteFrom('hl7log.message_log')
    .where('id', 'in', ids.map((r) => r.id))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Several entries by id (in any order), for a worker batch. */
export async function getEntries(db: Kysely<Database>, ids: readonly number[]): Promise<LogEntry[]> {
  if (ids.length === 0) return [];
  return unsealEntries(db, await db.selectFrom('hl7log.message_log').selectAll().where('id', 'in', [...ids]).execute());
}
