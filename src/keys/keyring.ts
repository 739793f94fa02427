import { KeyError, KeyErrorCode } from './errors.js';
import { unwrapDataKey, type MasterKey } from './master.js';
import {
  bytesToSealedText, isSealed, isSealedText, seal, sealedKeyId, sealedTextToBytes, unseal, type DataKey,
} from './seal.js';

/** A data key as stored: wrapped under the master key's wrapping subkey. */
export interface WrappedDataKey {
  id: number;
  wrapped: Buffer;
  created_at: number;
  retired_at: number | null;
}

/**
 * The data keys of one store, unwrapped in memory. New values are sealed under the current key (the
 * newest not retired one); any known key opens values. Values without the seal header are legacy
 * plaintext (written before encryption at rest) and are returned as they are: `keys status` counts
 * them and `keys reseal` seals them.
 */
export class Keyring {
  readonly #keys = new Map<number, DataKey>();
  #current: DataKey | undefined;
  /** When the keys were last read from the database (epoch ms): writers refresh now and then. */
  loadedAt = 0;

  constructor(readonly master: MasterKey) {}

  /** Replace the known keys with these rows; throws keys.key_mismatch if the master key cannot unwrap them. */
  load(rows: readonly WrappedDataKey[], now: number): void {
    let current: { key: DataKey; created: number } | undefined;
    for (const row of rows) {
      const id = Number(row.id);
      let key = this.#keys.get(id);
      if (!key) {
        const raw = unwrapDataKey(this.master.wrapKey, id, Buffer.from(row.wrapped));
        if (!raw) {
          throw new KeyError(KeyErrorCode.KeyMismatch,
            `the configured master key (fingerprint ${this.master.fingerprint}) cannot unwrap data key ${id}: this store was created with another master key`);
        }
        key = { id, key: raw };
        this.#keys.set(id, key);
      }
      const created = Number(row.created_at);
      if (row.retired_at === null && (!current || created > current.created || (created === current.created && id > current.key.id))) current = { key, created };
    }
    this.#current = current?.key;
    this.loadedAt = now;
  }

  get currentId(): number | undefined {
    return this.#current?.id;
  }

  has(id: number): boolean {
    return this.#keys.has(id);
  }

  /** Ids named by these sealed values that this keyring does not hold (a key added by another process). */
  unknownIds(values: Iterable<Uint8Array | string | null | undefined>): number[] {
    const out = new Set<number>();
    for (const v of values) {
      if (v === null || v === undefined) continue;
      const bytes = typeof v === 'string' ? (isSealedText(v) ? sealedTextToBytes(v) : undefined) : isSealed(v) ? v : undefined;
      if (!bytes) continue;
      const id = sealedKeyId(bytes);
      if (!this.#keys.has(id)) out.add(id);
    }
    return [...out];
  }

  seal(plaintext: Uint8Array, context: string): Buffer {
    if (!this.#current) throw new KeyError(KeyErrorCode.SealUnknownKey, 'no current data key: the keyring was not loaded');
    return seal(this.#current, plaintext, context);
  }

  /** Open a sealed value (legacy plaintext is returned unchanged). */
  unseal(value: Uint8Array, context: string): Buffer {
    const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (!isSealed(buf)) return buf;
    const id = sealedKeyId(buf);
    const key = this.#keys.get(id);
    if (!key) throw new KeyError(KeyErrorCode.SealUnknownKey, `sealed value names data key ${id}, which this store does not have`);
    return unseal(key, buf, context);
  }

  sealText(plaintext: string, context: string): string {
    return bytesToSealedText(this.seal(Buffer.from(plaintext, 'utf8'), context));
  }

  unsealText(value: string, context: string): string {
    return isSealedText(value) ? this.unseal(sealedTextToBytes(value), context).toString('utf8') : value;
  }
}
