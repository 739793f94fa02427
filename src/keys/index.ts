export { KeyError, KeyErrorCode } from './errors.js';
export { Keyring, type WrappedDataKey } from './keyring.js';
export { isInside, masterKeyFrom, newMasterKeyText, parseMasterKeyText, sqlcipherRawKey, unwrapDataKey, wrapDataKey, type MasterKey } from './master.js';
export { keySourceFromEnv, resolveMasterKey, type KeySource, type ResolvedMasterKey } from './load.js';
export { isSealed, isSealedText, seal, sealedKeyId, sealedTextToBytes, unseal, SEAL_OVERHEAD, type DataKey } from './seal.js';
