/**
 * Failures of key management and sealing: a closed set of codes. Messages name files, key ids and
 * fingerprints, never key material or sealed content. The CLI prints `message (code)` without a stack.
 */
export const KeyErrorCode = {
  /** The key file lies inside the data directory: a copy of the data would carry its own key. */
  KeyFileInDataDir: 'keys.key_file_in_data_dir',
  /** The key file cannot be read (missing, permissions). */
  KeyFileUnreadable: 'keys.key_file_unreadable',
  /** The key is not 32 bytes of base64 or hex. */
  KeyInvalid: 'keys.key_invalid',
  /** Both CARECOORD_KEY_FILE and CARECOORD_MASTER_KEY are set. */
  KeyAmbiguous: 'keys.key_ambiguous',
  /** The data directory already holds encrypted databases but no key is configured or at the default path. */
  KeyMissing: 'keys.key_missing',
  /** The configured master key does not open this store (another key was used to create it). */
  KeyMismatch: 'keys.key_mismatch',
  /** The SQLite files were written before encryption at rest (plaintext): encrypt them first. */
  DataUnencrypted: 'keys.data_unencrypted',
  /** A sealed value failed authentication: altered, moved to another row, or a wrong key. */
  SealTampered: 'keys.seal_tampered',
  /** A sealed value names a data key this store does not have. */
  SealUnknownKey: 'keys.seal_unknown_key',
  /** Not a sealed value of a known format/version. */
  SealMalformed: 'keys.seal_malformed',
  /** The database handle carries no keyring (not opened through openStore). */
  NoKeyring: 'keys.no_keyring',
} as const;
export type KeyErrorCode = (typeof KeyErrorCode)[keyof typeof KeyErrorCode];

export class KeyError extends Error {
  override readonly name = 'KeyError';

  constructor(readonly code: KeyErrorCode, message: string) {
    super(message);
  }
}
