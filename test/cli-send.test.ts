import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from './support/child.js';
import { controlIdOf, dbEnv, killStrayCli, parseJsonLines, runCli, sample, stopServe, type ListedMessage } from './support/cli.js';
import { eventually } from './support/platform.js';
import { DIALECTS, freshDatabase, type TestDatabase } from './support/stores.js';

/** Enhanced mode (MSH-15 AL): answered CA. */
const ENHANCED = sample('authored/adt_a01_utf8_names.hl7');
/** Original mode (no MSH-15): answered AA. */
const ORIGINAL = sample('authored/adt_a03_discharge_expired.hl7');
/** NEGATIVE sample: PID/PV1 without an MSH. */
const NO_MSH = sample('rethinkhealth-hl7v2/invalid_missing_msh.hl7');
/** FHS + two BHS batches, three ADT^A04 with MSH-15 NE; the third repeats the first byte for byte. */
const BATCH = sample('python-hl7/file_fhs_two_batches_fts.hl7');

const STACK_FRAME = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

/** A loopback port nothing listens on: bind port 0, note it, close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each(DIALECTS)('carecoord send to a running carecoord serve on %s', (dialect) => {
  let tdb: TestDatabase | undefined;
  let serve: ServeProcess | undefined;
  let env: Record<string, string> = {};

  beforeEach(async () => {
    tdb = await freshDatabase(dialect);
    env = dbEnv(tdb);
    serve = await startServe(['--data-dir', tdb.dataDir], env);
  });

  afterEach(async () => {
    killStrayCli();
    await stopServe(serve);
    serve = undefined;
    await tdb?.cleanup();
    tdb = undefined;
  });

  /** `carecoord messages --json` on the test database, beside the running server. */
  async function logged(...filter: string[]): Promise<ListedMessage[]> {
    const r = await runCli(['messages', '--data-dir', tdb!.dataDir, '--json', '--limit', '1000', ...filter], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return parseJsonLines<ListedMessage>(r.stdout);
  }

  it('prints the ACK of each valid message (CA in enhanced mode, AA in original mode) and exits 0', async () => {
    const enhancedId = controlIdOf(ENHANCED);
    const originalId = controlIdOf(ORIGINAL);
    const r = await runCli(['send', ENHANCED, ORIGINAL, '--port', String(serve!.mllpPort)], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${ENHANCED} #1: CA (MSA-2 ${enhancedId})`);
    expect(r.stdout).toContain(`  MSA|CA|${enhancedId}`);
    expect(r.stdout).toContain(`${ORIGINAL} #1: AA (MSA-2 ${originalId})`);
    expect(r.stdout).toContain(`  MSA|AA|${originalId}`);
    // The ACK is a real HL7 ACK from carecoord: its MSH names carecoord as the sender.
    expect(r.stdout).toMatch(/^ {2}MSH\|\^~\\&\|CARECOORD\|CARECOORD\|HCHB\|HH01\|.*\|ACK\^A01\^ACK\|/m);
    // Acknowledged means logged: both are in the log before the ACK went out.
    const rows = await logged();
    expect(rows.map((m) => m.controlId).sort()).toEqual([enhancedId, originalId].sort());
    expect(rows.every((m) => m.acceptCode === 'AA')).toBe(true);
    // The log lists the acknowledgment code the EMR actually received.
    expect(Object.fromEntries(rows.map((m) => [m.controlId, m.ackSent]))).toEqual({ [enhancedId]: 'CA', [originalId]: 'AA' });
  });

  it('prints AR with the ERR reason for a message without an MSH and exits 1', async () => {
    const r = await runCli(['send', NO_MSH, '--port', String(serve!.mllpPort)], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${NO_MSH} #1: AR (MSA-2 -)`);
    // ERR-3 from HL7 table 0357 (100 segment sequence error) and the readable reason (ERR-8).
    expect(r.stdout).toMatch(/^ {2}error: 100 Segment sequence error .*no MSH/m);
    expect(r.stdout).toMatch(/^ {2}MSA\|AR$/m);
    expect(r.stdout).toMatch(/^ {2}ERR\|\|PID\^1\|100\^Segment sequence error\^HL70357\|E\|/m);
    // Refused, but still stored raw.
    const rows = await logged();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ acceptCode: 'AR', controlId: null, errorCode: expect.stringMatching(/MSH/) });
  });

  it('sends each message of an FHS/BHS batch file with MSH-15 NE without waiting for an ACK, and all are logged', async () => {
    const r = await runCli(['send', BATCH, '--port', String(serve!.mllpPort)], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toEqual([1, 2, 3].map((i) => `${BATCH} #${i}: sent (MSH-15 NE: no acknowledgment requested)`));
    // Three messages, two distinct: the third repeats the first byte for byte (same sender, same MSH-10),
    // a retransmission that is stored once.
    const rows = await eventually(async () => {
      const all = await logged();
      return all.length >= 2 ? all : undefined;
    }, 20_000, 'the batch messages in the log');
    expect(rows.map((m) => m.controlId).sort()).toEqual(['12334456778890', '12334456778891']);
    expect(rows.every((m) => m.acceptCode === 'AA' && m.messageType?.startsWith('ADT^A04'))).toBe(true);
    expect(await logged('--control-id', '12334456778890')).toHaveLength(1);
  });

  it('--json prints one JSON object per message, in order', async () => {
    const r = await runCli(['send', '--json', ENHANCED, NO_MSH, BATCH, '--port', String(serve!.mllpPort)], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1); // one AR among them
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    const objects = lines.map((l) => JSON.parse(l) as { file: string; index: number; accepted: boolean; code: string; controlId: string; errors: string[]; raw: string; note?: string });
    expect(objects.map((o) => [o.file, o.index, o.code, o.accepted])).toEqual([
      [ENHANCED, 1, 'CA', true],
      [NO_MSH, 1, 'AR', false],
      [BATCH, 1, 'none', true],
      [BATCH, 2, 'none', true],
      [BATCH, 3, 'none', true],
    ]);
    expect(objects[0]).toMatchObject({ controlId: controlIdOf(ENHANCED), errors: [] });
    expect(objects[0]!.raw).toMatch(/^MSH\|.*\rMSA\|CA\|HCHB-000918273\r$/s);
    expect(objects[1]!.errors).toHaveLength(1);
    expect(objects[1]!.errors[0]).toMatch(/^100 Segment sequence error .*no MSH/);
    expect(objects[2]!.note).toMatch(/MSH-15 NE/);
  });

  it('serves GET /healthz with 200 and status ok while MLLP accepts messages', async () => {
    const res = await fetch(`http://127.0.0.1:${serve!.httpPort}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; listeners?: Record<string, number> };
    expect(body.status).toBe('ok');
    expect(body.listeners).toEqual({ default: serve!.mllpPort });
  });

  it('stops cleanly on SIGTERM with exit code 0', async () => {
    const r = await runCli(['send', ORIGINAL, '--port', String(serve!.mllpPort)], env);
    expect(r.code).toBe(0);
    const stopped = await stopServe(serve);
    expect(stopped).toEqual({ code: 0, killed: false });
    expect(serve!.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
  });
});

describe('carecoord send: usage and connection errors', () => {
  afterEach(() => killStrayCli());

  it('reports a refused connection in one line with MLLP_CONNECTION_REFUSED, no stack trace, and exits 1', async () => {
    const port = await closedPort();
    const r = await runCli(['send', ENHANCED, '--port', String(port)], { DATABASE_URL: '' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^carecoord: cannot connect to 127\\.0\\.0\\.1:${port} \\(MLLP_CONNECTION_REFUSED\\)\\n  cause: .*ECONNREFUSED`));
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('exits 2 with a usage error when no file is given', async () => {
    const r = await runCli(['send', '--port', '2575'], { DATABASE_URL: '' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^carecoord: send needs at least one HL7 file\n/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('exits 2 for an unreadable file, a bad --port and an unknown option, before connecting', async () => {
    const port = await closedPort();
    const missing = await runCli(['send', sample('no/such/file.hl7'), '--port', String(port)], { DATABASE_URL: '' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^carecoord: cannot read .*no\/such\/file\.hl7: ENOENT/);
    const badPort = await runCli(['send', ENHANCED, '--port', 'seventy'], { DATABASE_URL: '' });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toBe('carecoord: --port must be a TCP port, got "seventy"\n(carecoord help shows the usage)\n');
    const unknown = await runCli(['send', ENHANCED, '--prot', '2575'], { DATABASE_URL: '' });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^carecoord: .*--prot/);
    for (const r of [missing, badPort, unknown]) expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});
