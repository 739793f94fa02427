import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from './support/child.js';
import { controlIdOf, killStrayCli, parseJsonLines, runCli, sample, stopServe, type ListedMessage } from './support/cli.js';
import { freshDatabase, type TestDatabase } from './support/stores.js';

/** Enhanced mode (MSH-15 AL): answered CA. */
const ENHANCED = sample('authored/adt_a01_utf8_names.hl7');
/** Original mode (no MSH-15): answered AA. */
const ORIGINAL = sample('authored/adt_a03_discharge_expired.hl7');
const SQLITE = { DATABASE_URL: '' };

/**
 * Test PKI made with the openssl CLI (as src/mllp/tls.test.ts does): a CA, a server certificate for
 * localhost / 127.0.0.1 and a client certificate it signs, plus a client certificate from another CA.
 */
let pkiDir = '';
const pem = (name: string) => join(pkiDir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: pkiDir, stdio: 'pipe' });
}

function makeCa(name: string, cn: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}

function makeLeaf(name: string, ca: string, subject: string, ext: string): void {
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  writeFileSync(pem(`${name}.ext`), ext);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
}

beforeAll(() => {
  pkiDir = mkdtempSync(join(tmpdir(), 'carecoord-tls-serve-'));
  makeCa('ca', 'carecoord test CA');
  makeCa('rogue', 'rogue CA');
  makeLeaf('server', 'ca', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  makeLeaf('client', 'ca', '/O=Carecoord Test/CN=home-health-emr', 'extendedKeyUsage=clientAuth\n');
  makeLeaf('rogue-client', 'rogue', '/CN=intruder', 'extendedKeyUsage=clientAuth\n');
});

afterAll(() => {
  if (pkiDir) rmSync(pkiDir, { recursive: true, force: true });
});

describe('carecoord serve with TLS on the MLLP listener (SQLite)', () => {
  let tdb: TestDatabase | undefined;
  let serve: ServeProcess | undefined;

  beforeEach(async () => {
    tdb = await freshDatabase('sqlite');
  });

  afterEach(async () => {
    killStrayCli();
    await stopServe(serve);
    serve = undefined;
    await tdb?.cleanup();
    tdb = undefined;
  });

  const serverTls = () => ({ ...SQLITE, CARECOORD_MLLP_TLS_KEY: pem('server.key'), CARECOORD_MLLP_TLS_CERT: pem('server.pem') });

  async function logged(): Promise<ListedMessage[]> {
    const r = await runCli(['messages', '--data-dir', tdb!.dataDir, '--json'], SQLITE);
    expect(r.code).toBe(0);
    return parseJsonLines<ListedMessage>(r.stdout);
  }

  it('accepts `send --tls --ca` (server certificate verified) and logs the messages; plain TCP gets no ACK', async () => {
    serve = await startServe(['--data-dir', tdb!.dataDir], serverTls());
    const accepting = serve.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; tls?: boolean }).filter((e) => e.msg === 'MLLP listener accepting');
    expect(accepting).toMatchObject([{ tls: true }]);
    const port = String(serve.mllpPort);

    const r = await runCli(['send', '--tls', '--ca', pem('ca.pem'), ENHANCED, ORIGINAL, '--port', port], SQLITE);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${ENHANCED} #1: CA (MSA-2 ${controlIdOf(ENHANCED)})`);
    expect(r.stdout).toContain(`${ORIGINAL} #1: AA (MSA-2 ${controlIdOf(ORIGINAL)})`);
    expect((await logged()).map((m) => m.controlId).sort()).toEqual([controlIdOf(ENHANCED), controlIdOf(ORIGINAL)].sort());

    // The server certificate must chain to a CA the sender trusts: without --ca the system store does not know it.
    const untrusted = await runCli(['send', '--tls', ENHANCED, '--port', port], SQLITE);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stdout).toBe('');
    // The cause names the certificate problem, so the analyst knows it is TLS trust, not the network.
    expect(untrusted.stderr).toMatch(/^carecoord: cannot connect to 127\.0\.0\.1:\d+ \(MLLP_CONNECT_FAILED\)\n  cause: .*certificate/);

    // A plaintext MLLP sender on the TLS port gets no acknowledgment.
    const plain = await runCli(['send', ENHANCED, '--port', port, '--timeout', '5000'], SQLITE);
    expect(plain.code).not.toBe(0);
    expect(plain.stdout).not.toMatch(/MSA\|(AA|CA)/);
    expect(await logged()).toHaveLength(2);
  });

  it('requires a client certificate from the configured CA when CARECOORD_MLLP_REQUIRE_CLIENT_CERT=true', async () => {
    serve = await startServe(['--data-dir', tdb!.dataDir], {
      ...serverTls(),
      CARECOORD_MLLP_TLS_CA: pem('ca.pem'),
      CARECOORD_MLLP_REQUIRE_CLIENT_CERT: 'true',
    });
    const port = String(serve.mllpPort);
    const send = (...extra: string[]) => runCli(['send', '--tls', '--ca', pem('ca.pem'), ...extra, ORIGINAL, '--port', port], SQLITE);

    const anonymous = await send();
    expect(anonymous.code).toBe(1);
    expect(anonymous.stdout).not.toMatch(/MSA\|/);
    expect(anonymous.stderr).toMatch(/^carecoord: .*\((MLLP_CONNECT_FAILED|MLLP_CONNECTION_CLOSED)\)\n/);

    const rogue = await send('--cert', pem('rogue-client.pem'), '--key', pem('rogue-client.key'));
    expect(rogue.code).toBe(1);
    expect(rogue.stdout).not.toMatch(/MSA\|/);
    expect(rogue.stderr).toMatch(/^carecoord: .*\((MLLP_CONNECT_FAILED|MLLP_CONNECTION_CLOSED)\)\n/);
    expect(await logged()).toEqual([]);

    const trusted = await send('--cert', pem('client.pem'), '--key', pem('client.key'));
    expect(trusted.stderr).toBe('');
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toContain(`${ORIGINAL} #1: AA (MSA-2 ${controlIdOf(ORIGINAL)})`);
    expect((await logged()).map((m) => m.controlId)).toEqual([controlIdOf(ORIGINAL)]);

    const health = await fetch(`http://127.0.0.1:${serve.httpPort}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
  });

  it('refuses to start when only one of CARECOORD_MLLP_TLS_KEY / _TLS_CERT is set', async () => {
    const r = await runCli(['serve', '--data-dir', tdb!.dataDir, '--mllp-port', '0', '--http-port', '0'], {
      ...SQLITE,
      CARECOORD_MLLP_TLS_KEY: pem('server.key'),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('carecoord: CARECOORD_MLLP_TLS_KEY and CARECOORD_MLLP_TLS_CERT must be set together\n');
  });
});
