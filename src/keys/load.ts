import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, realpathSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { KeyError, KeyErrorCode } from './errors.js';
import { isInside, masterKeyFrom, newMasterKeyText, parseMasterKeyText, type MasterKey } from './master.js';

/**
 * Where the master key comes from (parsed once with the configuration): CARECOORD_KEY_FILE, or
 * CARECOORD_MASTER_KEY (base64), or else the default key file, generated on first start.
 */
export interface KeySource {
  keyFile?: string | undefined;
  masterKey?: string | undefined;
  /** $XDG_CONFIG_HOME/carecoord/master.key, else ~/.config/carecoord/master.key. */
  defaultKeyFile: string;
}

export function keySourceFromEnv(env: NodeJS.ProcessEnv): KeySource {
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return {
    keyFile: env.CARECOORD_KEY_FILE || undefined,
    masterKey: env.CARECOORD_MASTER_KEY || undefined,
    defaultKeyFile: join(resolve(config), 'carecoord', 'master.key'),
  };
}

export interface ResolvedMasterKey {
  key: MasterKey;
  /** file: CARECOORD_KEY_FILE; env: CARECOORD_MASTER_KEY; default: the default file; generated: just written there. */
  origin: 'file' | 'env' | 'default' | 'generated';
  /** The key file, when the key came from one. */
  path?: string;
  /** Things the administrator should fix (a key file readable by others). */
  warnings: string[];
}

export interface ResolveOptions {
  /** Data directory; the key file may not lie inside it. */
  dataDir: string;
  /** Database files that, when present, mean data exists and a new key must not be generated. */
  existingDataFiles: readonly string[];
  /** False: never generate (a verb that needs an existing key). Default true. */
  generate?: boolean;
}

/**
 * Find the master key. Refuses a key file inside the data directory, and refuses to generate a new
 * key when encrypted data already exists (a lost key must be an error, not a new empty store).
 */
export function resolveMasterKey(source: KeySource, options: ResolveOptions): ResolvedMasterKey {
  if (source.keyFile && source.masterKey) throw new KeyError(KeyErrorCode.KeyAmbiguous, 'set either CARECOORD_KEY_FILE or CARECOORD_MASTER_KEY, not both');
  if (source.masterKey) return { key: masterKeyFrom(parseMasterKeyText(source.masterKey, 'CARECOORD_MASTER_KEY')), origin: 'env', warnings: [] };
  const explicit = source.keyFile !== undefined;
  const path = resolve(source.keyFile ?? source.defaultKeyFile);
  if (isInside(realpathOfMaybe(options.dataDir), realpathOfMaybe(path))) {
    throw new KeyError(KeyErrorCode.KeyFileInDataDir,
      `the master key file ${path} is inside the data directory ${resolve(options.dataDir)}: keep it elsewhere (a backup of the data must not carry its key)`);
  }
  if (explicit || existsSync(path)) {
    const { text, warnings } = readKeyFile(path);
    return { key: masterKeyFrom(parseMasterKeyText(text, `key file ${path}`)), origin: explicit ? 'file' : 'default', path, warnings };
  }
  const present = options.existingDataFiles.filter((f) => existsSync(f));
  if (options.generate === false) {
    throw new KeyError(KeyErrorCode.KeyMissing, `no master key is configured and ${path} does not exist: set CARECOORD_KEY_FILE or CARECOORD_MASTER_KEY`);
  }
  if (present.length > 0) {
    throw new KeyError(KeyErrorCode.KeyMissing,
      `${present.map((f) => basename(f)).join(' and ')} exist in ${resolve(options.dataDir)} but no master key is configured and ${path} does not exist: ` +
      'set CARECOORD_KEY_FILE to the key this data was created with (restore it from its backup)');
  }
  const text = writeNewKeyFile(path);
  return { key: masterKeyFrom(parseMasterKeyText(text, `key file ${path}`)), origin: 'generated', path, warnings: [] };
}

function readKeyFile(path: string): { text: string; warnings: string[] } {
  try {
    const warnings: string[] = [];
    if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) warnings.push(`the master key file ${path} is readable by other users: chmod 600 it`);
    return { text: readFileSync(path, 'utf8'), warnings };
  } catch (err) {
    throw new KeyError(KeyErrorCode.KeyFileUnreadable, `cannot read the master key file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * Write a fresh key with mode 0600 (directory 0700), durably, without ever replacing an existing
 * file: written beside, fsynced, then hard-linked into place (fails if another process won the race:
 * its key is then used).
 */
function writeNewKeyFile(path: string): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const text = newMasterKeyText();
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readKeyFile(path).text;
  } finally {
    unlinkSync(tmp);
  }
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  return text;
}

/** realpath of the longest existing prefix, plus the rest (the data directory may not exist yet). */
function realpathOfMaybe(p: string): string {
  const abs = resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return join(realpathSync(cur), ...rest.reverse());
    } catch {
      const parent = dirname(cur);
      if (parent === cur) return abs;
      rest.push(basename(cur));
      cur = parent;
    }
  }
}
