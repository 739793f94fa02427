import { loadConfig } from '../config.js';
import { resolve } from 'node:path';
import { addDataKey, listDataKeys, reloadKeyring, retireOtherKeys } from '../store/data-keys.js';
import { openStore, type Store } from '../store/open.js';
import { countSealedValues, resealAll } from '../store/reseal.js';
import { encryptDataDir, rotateMasterKey } from '../store/rotate-master.js';
import { CliError, parse, STORE_OPTIONS } from './args.js';

export const KEYS_USAGE = `Keys and encryption at rest (also --data-dir DIR; the master key from CARECOORD_KEY_FILE,
CARECOORD_MASTER_KEY or ~/.config/carecoord/master.key):
  carecoord keys status [--json]                  master key fingerprint, data keys, values sealed under each
  carecoord keys rotate                           new data key for new writes; re-seals every stored value under it
  carecoord keys reseal                           re-seal values still under older keys or in plaintext (resumable)
  carecoord keys rotate-master --new-key-file F   re-wrap the data keys (and re-key the SQLite files) under the key
                                                  in F; server stopped; then point CARECOORD_KEY_FILE at F
  carecoord keys encrypt-data-dir                 encrypt SQLite files written before encryption at rest (server stopped)`;

/** `carecoord keys ...`: status, data key rotation, re-sealing, master key rotation. */
export async function runKeys(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...STORE_OPTIONS, json: { type: 'boolean', default: false }, 'new-key-file': { type: 'string' } }, true);
  const [sub] = positionals;
  const config = loadConfig(process.env, { 'data-dir': values['data-dir'], config: values.config });
  if (sub === 'encrypt-data-dir') {
    const done = encryptDataDir(config.dataDir);
    process.stdout.write(done.length ? `encrypted ${done.join(', ')}; now run carecoord keys reseal\n` : 'nothing to encrypt: the files are encrypted already\n');
    return 0;
  }
  if (sub === 'rotate-master') {
    if (!values['new-key-file']) throw new CliError('keys rotate-master needs --new-key-file FILE (32 random bytes, base64 or hex)');
    const file = resolve(values['new-key-file']);
    const done = await rotateMasterKey({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, newKeyFile: file });
    const next = done.newKey;
    process.stdout.write(`re-wrapped ${done.rewrapped} data key(s)${done.rekeyedFiles.length ? ` and re-keyed ${done.rekeyedFiles.join(', ')}` : ''} under master key ${next.fingerprint}\n`
      + `now set CARECOORD_KEY_FILE=${file} (or move it to the default path) and keep a backup of it apart from the data\n`);
    return 0;
  }
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    if (sub === 'status') return await status(store, values.json ?? false);
    if (sub === 'rotate') {
      const id = await addDataKey(store.db, store.keyring, Date.now());
      await retireOtherKeys(store.db, id, Date.now());
      await reloadKeyring(store.db, store.keyring, Date.now());
      process.stdout.write(`data key ${id} is now current (running servers take it over within 30 s)\n`);
      return await reseal(store);
    }
    if (sub === 'reseal') return await reseal(store);
    throw new CliError(`unknown keys sub-command "${sub ?? ''}" (status, rotate, reseal, rotate-master, encrypt-data-dir)`);
  } finally {
    await store.close();
  }
}

async function reseal(store: Store): Promise<number> {
  const done = await resealAll(store.db);
  for (const p of done) process.stdout.write(`${p.column}: ${p.resealed} value(s) re-sealed under data key ${store.keyring.currentId}\n`);
  return 0;
}

async function status(store: Store, json: boolean): Promise<number> {
  const keys = await listDataKeys(store.db);
  const counts = await countSealedValues(store.db, store.dialect);
  const master = { fingerprint: store.keyring.master.fingerprint, source: store.masterKeyOrigin?.origin, file: store.masterKeyOrigin?.path ?? null };
  const rows = keys.map((k) => ({
    id: k.id, current: k.id === store.keyring.currentId, createdAt: new Date(k.created_at).toISOString(),
    retiredAt: k.retired_at === null ? null : new Date(k.retired_at).toISOString(),
    values: Object.fromEntries(counts.filter((c) => c.keyId === k.id).map((c) => [c.column, c.count])),
  }));
  const plaintext = Object.fromEntries(counts.filter((c) => c.keyId === null).map((c) => [c.column, c.count]));
  if (json) {
    process.stdout.write(`${JSON.stringify({ master, dataKeys: rows, plaintext })}\n`);
    return 0;
  }
  process.stdout.write(`master key  fingerprint ${master.fingerprint} (${master.source ?? 'given'}${master.file ? `: ${master.file}` : ''})\n`);
  process.stdout.write(`store       ${store.dialect} ${store.location}${store.dialect === 'sqlite' ? ' (files encrypted: SQLCipher v4 scheme, AES-256)' : ''}\n\n`);
  process.stdout.write(`${'DATA KEY'.padEnd(12)}${'STATE'.padEnd(10)}${'CREATED'.padEnd(26)}VALUES\n`);
  for (const r of rows) {
    const v = Object.entries(r.values).map(([c, n]) => `${c}=${n}`).join(' ') || '-';
    process.stdout.write(`${String(r.id).padEnd(12)}${(r.current ? 'current' : r.retiredAt ? 'retired' : 'active').padEnd(10)}${r.createdAt.padEnd(26)}${v}\n`);
  }
  const p = Object.entries(plaintext).map(([c, n]) => `${c}=${n}`).join(' ');
  if (p) process.stdout.write(`\nplaintext (written before encryption at rest; run carecoord keys reseal): ${p}\n`);
  return 0;
}
