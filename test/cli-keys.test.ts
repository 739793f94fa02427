import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dbEnv, runCli } from './support/cli.js';
import { DIALECTS, freshDatabase, type TestDatabase } from './support/stores.js';

describe.each(DIALECTS)('carecoord keys on %s', (dialect) => {
  let tdb: TestDatabase | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await tdb?.cleanup();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('status lists the data keys; rotate makes a new one current and re-seals under it', async () => {
    tdb = await freshDatabase(dialect);
    const env = dbEnv(tdb);
    const status = async () => JSON.parse((await runCli(['keys', 'status', '--json', '--data-dir', tdb!.dataDir], env)).stdout) as {
      master: { fingerprint: string; source: string }; dataKeys: { id: number; current: boolean; retiredAt: string | null }[];
    };
    const before = await status();
    expect(before.master).toMatchObject({ fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/), source: 'env' });
    expect(before.dataKeys).toHaveLength(1);
    const rotated = await runCli(['keys', 'rotate', '--data-dir', tdb.dataDir], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/is now current/);
    const after = await status();
    expect(after.dataKeys).toHaveLength(2);
    expect(after.dataKeys.filter((k) => k.current)).toHaveLength(1);
    expect(after.dataKeys.find((k) => k.id === before.dataKeys[0]!.id)!.retiredAt).not.toBeNull();
  });
});

describe('carecoord serve refuses to start without a usable key', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'carecoord-keycli-'));
    dirs.push(d);
    return d;
  };
  const noKeyEnv = (home: string) => ({ DATABASE_URL: '', CARECOORD_MASTER_KEY: '', CARECOORD_KEY_FILE: '', XDG_CONFIG_HOME: join(home, 'config'), CARECOORD_HTTP_TLS: 'off' });

  it('a key file inside the data dir: a coded one-line error, no stack, nothing created', async () => {
    const root = tmp();
    const data = join(root, 'data');
    mkdirSync(data);
    writeFileSync(join(data, 'master.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
    const r = await runCli(['serve', '--data-dir', data, '--mllp-port', '0', '--http-port', '0'], { ...noKeyEnv(root), CARECOORD_KEY_FILE: join(data, 'master.key') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/inside the data directory.*\(keys\.key_file_in_data_dir\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(() => statSync(join(data, 'carecoord.db'))).toThrow();
  });

  it('generates the default key on first use (0600, outside the data dir), reuses it, and refuses when data exists but the key is gone', async () => {
    const root = tmp();
    const data = join(root, 'data');
    const first = await runCli(['keys', 'status', '--json', '--data-dir', data], noKeyEnv(root));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/generated a new master key .*config\/carecoord\/master\.key.*back it up/);
    const keyFile = join(root, 'config', 'carecoord', 'master.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const again = await runCli(['keys', 'status', '--json', '--data-dir', data], noKeyEnv(root));
    expect(again.stderr).toBe('');
    expect(JSON.parse(again.stdout).master).toMatchObject({ fingerprint: JSON.parse(first.stdout).master.fingerprint, source: 'default', file: keyFile });
    rmSync(keyFile);
    const lost = await runCli(['serve', '--data-dir', data, '--mllp-port', '0', '--http-port', '0'], noKeyEnv(root));
    expect(lost.code).toBe(1);
    expect(lost.stderr).toMatch(/carecoord\.db and hl7-log\.db exist .* no master key .*\(keys\.key_missing\)/);
    // Another key is refused with its own code, and no new empty store replaces the data.
    const other = await runCli(['serve', '--data-dir', data, '--mllp-port', '0', '--http-port', '0'], { ...noKeyEnv(root), CARECOORD_MASTER_KEY: randomBytes(32).toString('base64') });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/does not open .*carecoord\.db.*\(keys\.key_mismatch\)/);
  });
});
