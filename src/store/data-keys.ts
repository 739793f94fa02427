import { randomBytes } from 'node:crypto';
import type { Kysely, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { KeyError, KeyErrorCode, Keyring, wrapDataKey, type WrappedDataKey } from '../keys/index.js';
import type { Database } from './schema.js';

/**
 * Carries a store's keyring on its Kysely handle: openStore installs it, transactions inherit it,
 * so repositories that seal or unseal (message bodies, TOTP secrets) keep the plain `db` first
 * signature and read the keyring with keyringOf(db). It changes no query and no result.
 */
export class KeyringPlugin implements KyselyPlugin {
  constructor(readonly keyring: Keyring) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** The keyring of the store this handle (or transaction) belongs to; fails closed without one. */
export function keyringOf(db: Kysely<any>): Keyring {
  const plugin = db.getExecutor().plugins.find((p): p is KeyringPlugin => p instanceof KeyringPlugin);
  if (!plugin) throw new KeyError(KeyErrorCode.NoKeyring, 'this database handle has no keyring: open the store with openStore');
  return plugin.keyring;
}

/** Writers re-read the keys this often, so a rotation by another process takes over new writes. */
export const KEYRING_REFRESH_MS = 30_000;

export async function listDataKeys(db: Kysely<Database>): Promise<WrappedDataKey[]> {
  const rows = await db.selectFrom('data_key').select(['id', 'wrapped', 'created_at', 'retired_at']).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({ id: Number(r.id), wrapped: r.wrapped, created_at: Number(r.created_at), retired_at: r.retired_at === null ? null : Number(r.retired_at) }));
}

/** Read the data keys into the keyring; creates the first data key of a new store. */
export async function loadKeyring(db: Kysely<Database>, keyring: Keyring, now: number): Promise<void> {
  let rows = await listDataKeys(db);
  if (rows.length === 0) {
    await addDataKey(db, keyring, now);
    rows = await listDataKeys(db);
  }
  keyring.load(rows, now);
}

/** Re-read the keys when they are older than KEYRING_REFRESH_MS, or when values name unknown keys. */
export async function refreshKeyring(db: Kysely<Database>, keyring: Keyring, now: number, unknownIds: readonly number[] = []): Promise<void> {
  if (unknownIds.length === 0 && now - keyring.loadedAt < KEYRING_REFRESH_MS) return;
  keyring.load(await listDataKeys(db), now);
}

/** Re-read the keys now (after a rotation). */
export async function reloadKeyring(db: Kysely<Database>, keyring: Keyring, now: number): Promise<void> {
  keyring.load(await listDataKeys(db), now);
}

/** A new data key (random 32 bytes, random non-zero uint32 id), wrapped under the master key; returns its id. */
export async function addDataKey(db: Kysely<Database>, keyring: Keyring, now: number): Promise<number> {
  for (;;) {
    const id = randomBytes(4).readUInt32BE(0);
    if (id === 0) continue;
    const wrapped = wrapDataKey(keyring.master.wrapKey, id, randomBytes(32));
    const r = await db.insertInto('data_key').values({ id, wrapped, master_fp: keyring.master.fingerprint, created_at: now, retired_at: null })
      .onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 1) === 1) return id;
  }
}

/** Retire every key but `currentId`: they stop sealing new values and keep opening old ones. */
export async function retireOtherKeys(db: Kysely<Database>, currentId: number, now: number): Promise<void> {
  await db.updateTable('data_key').set({ retired_at: now }).where('id', '<>', currentId).where('retired_at', 'is', null).execute();
}
