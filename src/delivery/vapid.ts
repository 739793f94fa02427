import type { Kysely } from 'kysely';
import webpush from 'web-push';
import { keyringOf } from '../store/data-keys.js';
import type { Database } from '../store/schema.js';

const NAME = 'vapid';
const CONTEXT = 'delivery_key.private_sealed:vapid';

/**
 * The VAPID key pair of this installation: from CARECOORD_VAPID_PUBLIC / _PRIVATE when given (the
 * caller passes them), else generated once and kept in `delivery_key`, the private key sealed with
 * the store's data key (never in the data directory in clear; every node of a PostgreSQL cluster
 * reads the same pair). Browsers subscribe with the public key, so it must not change: two nodes
 * starting at once both insert-or-ignore and read back the row that won.
 */
export async function loadVapidKeys(db: Kysely<Database>, now: number, given?: { publicKey: string; privateKey: string }): Promise<{ publicKey: string; privateKey: string }> {
  if (given) return given;
  const keyring = keyringOf(db);
  const read = () => db.selectFrom('delivery_key').selectAll().where('name', '=', NAME).executeTakeFirst();
  let row = await read();
  if (!row) {
    const fresh = webpush.generateVAPIDKeys();
    await db.insertInto('delivery_key')
      .values({ name: NAME, public_value: fresh.publicKey, private_sealed: keyring.sealText(fresh.privateKey, CONTEXT), created_at: now })
      .onConflict((oc) => oc.column('name').doNothing()).execute();
    row = (await read())!;
  }
  return { publicKey: row.public_value, privateKey: keyring.unsealText(row.private_sealed, CONTEXT) };
}
