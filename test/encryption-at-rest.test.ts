import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient } from '../src/mllp/index.js';
import { readHl7 } from '../src/hl7/index.js';
import { listMessages } from '../src/store/message-query.js';
import { startServe, type ServeProcess } from './support/child.js';
import { dbEnv, stopServe } from './support/cli.js';
import { eventually } from './support/platform.js';
import { DIALECTS, freshDatabase, type TestDatabase } from './support/stores.js';

/** Distinctive names (one with non-ASCII letters) that appear nowhere but in the messages sent. */
const NAMES = ['QUILLFEATHERSTONE', 'ZYMURGOWICZ', 'BRÜNNHILDÆ'];

function admit(i: number): string {
  const family = NAMES[i % NAMES.length]!;
  return [
    `MSH|^~\\&|EPIC|GENHOSP|CARECOORD|CC|20261125101500||ADT^A01^ADT_A01|EAR${i}|P|2.5.1|||||||UNICODE UTF-8`,
    'EVN|A01|20261125101500',
    `PID|1||EAR${i}^^^GENHOSP^MR||${family}^OLIVANDER^Q||19500101|F|||12 ${family} LANE^^SPRINGFIELD^IL^62701||555-0100`,
    `PV1|1|I|4W^401^A|||||||||||||||V${i}`,
  ].join('\r') + '\r';
}

/** Each name as it could appear in a file: UTF-8 and UTF-16 (LE/BE), as sent and lower-cased. */
function needles(): { name: string; bytes: Buffer }[] {
  return NAMES.flatMap((n) => [n, n.toLowerCase()].flatMap((v) => [
    { name: `${v} (utf8)`, bytes: Buffer.from(v, 'utf8') },
    { name: `${v} (utf16le)`, bytes: Buffer.from(v, 'utf16le') },
    { name: `${v} (utf16be)`, bytes: Buffer.from(v, 'utf16le').swap16() },
  ]));
}

/** Every regular file under dir (recursively), with the needles found in its bytes. */
function scan(dir: string): { files: string[]; found: string[] } {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() || statSync(p).isFile()) files.push(p);
    }
  };
  walk(dir);
  const found: string[] = [];
  for (const f of files) {
    const bytes = readFileSync(f);
    for (const n of needles()) if (bytes.includes(n.bytes)) found.push(`${f.slice(dir.length + 1)}: ${n.name}`);
  }
  return { files: files.map((f) => f.slice(dir.length + 1)), found };
}

describe.each(DIALECTS)('encryption at rest, end to end (carecoord serve on %s)', (dialect) => {
  let tdb: TestDatabase | undefined;
  let serve: ServeProcess | undefined;
  afterEach(async () => {
    await stopServe(serve);
    serve = undefined;
    await tdb?.cleanup();
  });

  it('no patient name of an ingested message appears in any file of the data dir (and the scan does find a plaintext one)', async () => {
    tdb = await freshDatabase(dialect);
    // HTTPS on, so the generated TLS files are in the data dir and scanned too.
    serve = await startServe(['--data-dir', tdb.dataDir], { ...dbEnv(tdb), CARECOORD_HTTP_TLS: 'on' });
    const client = await MllpClient.connect({ host: '127.0.0.1', port: serve.mllpPort });
    try {
      for (let i = 0; i < 30; i++) {
        const ack = readHl7(await client.send(admit(i), { timeoutMs: 10_000 }));
        expect(ack.ok && ack.message.get('MSA-1')).toBe('AA');
      }
    } finally {
      client.close();
    }
    const store = await tdb.open();
    try {
      await eventually(async () => {
        const rows = await listMessages(store.db, { limit: 100 });
        return rows.length === 30 && rows.every((r) => r.status === 'processed');
      }, 60_000, 'all 30 messages processed');
      if (dialect === 'postgres') {
        // The names are in the patient tables by design (the matcher queries them); the bodies are sealed.
        const raws = await sql<{ raw: Buffer }>`SELECT raw FROM hl7log.message_log`.execute(store.db);
        expect(raws.rows).toHaveLength(30);
        for (const { raw } of raws.rows) {
          expect(raw.subarray(0, 4).toString('hex')).toBe('00434301');
          for (const n of needles()) expect(Buffer.from(raw).includes(n.bytes), n.name).toBe(false);
        }
      }
    } finally {
      await store.close();
    }
    expect((await stopServe(serve)).killed).toBe(false);

    const result = scan(tdb.dataDir);
    if (dialect === 'sqlite') expect(result.files).toEqual(expect.arrayContaining(['carecoord.db', 'hl7-log.db', join('tls', 'http-key.pem')]));
    expect(result.found).toEqual([]);

    // Controls: the same scan finds a name written in plaintext, and in an unencrypted SQLite file.
    writeFileSync(join(tdb.dataDir, 'control.txt'), `PID|1||X^^^H^MR||${NAMES[2]}^A\r`, 'utf8');
    const plain = new SqliteDatabase(join(tdb.dataDir, 'control.db'));
    plain.exec(`CREATE TABLE t (name text); INSERT INTO t VALUES ('${NAMES[0]!.toLowerCase()}')`);
    plain.close();
    expect(scan(tdb.dataDir).found.sort()).toEqual([`control.db: ${NAMES[0]!.toLowerCase()} (utf8)`, `control.txt: ${NAMES[2]} (utf8)`]);
    rmSync(join(tdb.dataDir, 'control.txt'));
  });
});
