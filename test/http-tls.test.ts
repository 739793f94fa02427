import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from '../src/api/tls.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { startServe, type ServeProcess } from './support/child.js';
import { stopServe } from './support/cli.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { freshDatabase, type TestDatabase } from './support/stores.js';

const TLS_ON = { CARECOORD_HTTP_TLS: 'on' };

/** GET over HTTPS trusting only `ca` (the server's own certificate when self-signed). */
function httpsGet(port: number, path: string, ca: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, servername: 'localhost', agent: false }, (res) => {
      const protocol = (res.socket as TLSSocket).getProtocol();
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, protocol }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A bare TLS handshake limited to `maxVersion`: resolves with the protocol agreed, or the error. */
function handshake(port: number, ca: Buffer, maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<{ protocol: string | null } | { error: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost', maxVersion, minVersion: 'TLSv1.2' });
    socket.once('secureConnect', () => {
      const protocol = socket.getProtocol();
      socket.destroy();
      resolve({ protocol });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

describe('HTTPS of carecoord (in process, SQLite)', () => {
  let tp: TestPlatform | undefined;
  let tdb: TestDatabase | undefined;

  afterEach(async () => {
    await tp?.stop();
    tp = undefined;
    await tdb?.cleanup();
    tdb = undefined;
  });

  it('generates a self-signed certificate on first start (key 0600), serves /healthz over TLS 1.3 with HSTS and the helmet headers', async () => {
    tp = await startTestPlatform('sqlite', TLS_ON);
    tdb = tp.tdb;
    const certFile = join(tdb.dataDir, SELF_SIGNED_CERT);
    const keyFile = join(tdb.dataDir, SELF_SIGNED_KEY);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const cert = readFileSync(certFile);
    const x509 = new X509Certificate(cert);
    expect(x509.subjectAltName).toContain('DNS:localhost');
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');

    const res = await httpsGet(tp.platform.httpPort, '/healthz', cert);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'ok' });
    expect(res.protocol).toBe('TLSv1.3');
    const hsts = String(res.headers['strict-transport-security']);
    expect(hsts).toContain('includeSubDomains');
    expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31_536_000);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    // The JSON 404 of unknown routes gets them too.
    const missing = await httpsGet(tp.platform.httpPort, '/nowhere', cert);
    expect(missing.status).toBe(404);
    expect(missing.headers['strict-transport-security']).toBe(hsts);
  });

  it('refuses TLS 1.2 and plain HTTP; accepts TLS 1.3', async () => {
    tp = await startTestPlatform('sqlite', TLS_ON);
    tdb = tp.tdb;
    const cert = readFileSync(join(tdb.dataDir, SELF_SIGNED_CERT));
    const port = tp.platform.httpPort;
    expect(await handshake(port, cert, 'TLSv1.3')).toEqual({ protocol: 'TLSv1.3' });
    const old = await handshake(port, cert, 'TLSv1.2');
    expect(old).toHaveProperty('error');
    expect((old as { error: string }).error).toMatch(/ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION|ECONNRESET|ERR_SSL/);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('reuses the generated certificate on the next start instead of making a new one', async () => {
    tp = await startTestPlatform('sqlite', TLS_ON);
    tdb = tp.tdb;
    const certFile = join(tdb.dataDir, SELF_SIGNED_CERT);
    const first = readFileSync(certFile);
    const firstKey = readFileSync(join(tdb.dataDir, SELF_SIGNED_KEY));
    await tp.stop();
    tp = await startTestPlatform('sqlite', TLS_ON, {}, tdb);
    expect(readFileSync(certFile)).toEqual(first);
    expect(readFileSync(join(tdb.dataDir, SELF_SIGNED_KEY))).toEqual(firstKey);
    const res = await httpsGet(tp.platform.httpPort, '/healthz', first);
    expect(res.status).toBe(200);
  });

  it('serves a configured certificate (CARECOORD_HTTP_TLS_KEY/_CERT) and generates none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carecoord-http-tls-'));
    try {
      const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', algorithm: 'sha256' });
      writeFileSync(join(dir, 'key.pem'), pems.private, { mode: 0o600 });
      writeFileSync(join(dir, 'cert.pem'), pems.cert);
      tp = await startTestPlatform('sqlite', { ...TLS_ON, CARECOORD_HTTP_TLS_KEY: join(dir, 'key.pem'), CARECOORD_HTTP_TLS_CERT: join(dir, 'cert.pem') });
      tdb = tp.tdb;
      const res = await httpsGet(tp.platform.httpPort, '/healthz', Buffer.from(pems.cert));
      expect(res.status).toBe(200);
      expect(() => statSync(join(tdb!.dataDir, SELF_SIGNED_CERT))).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('HTTPS configuration', () => {
  it('is on by default, off only when asked, and the key and certificate come together', () => {
    expect(loadConfig({}).http.tls).toEqual({ mode: 'self-signed' });
    expect(loadConfig({ CARECOORD_HTTP_TLS: 'off' }).http.tls).toEqual({ mode: 'off' });
    expect(loadConfig({ CARECOORD_HTTP_TLS_KEY: '/k', CARECOORD_HTTP_TLS_CERT: '/c' }).http.tls).toEqual({ mode: 'files', keyFile: '/k', certFile: '/c' });
    expect(() => loadConfig({ CARECOORD_HTTP_TLS_KEY: '/k' })).toThrow(ConfigError);
    expect(() => loadConfig({ CARECOORD_HTTP_TLS_KEY: '/k' })).toThrow(/CARECOORD_HTTP_TLS_KEY and CARECOORD_HTTP_TLS_CERT/);
    expect(() => loadConfig({ CARECOORD_HTTP_TLS: 'maybe' })).toThrow(/CARECOORD_HTTP_TLS must be on or off/);
    expect(() => loadConfig({ CARECOORD_HTTP_TLS: 'off', CARECOORD_HTTP_TLS_KEY: '/k', CARECOORD_HTTP_TLS_CERT: '/c' })).toThrow(ConfigError);
  });
});

describe('carecoord serve over HTTPS (child process)', () => {
  let tdb: TestDatabase | undefined;
  let serve: ServeProcess | undefined;

  afterEach(async () => {
    await stopServe(serve);
    serve = undefined;
    await tdb?.cleanup();
    tdb = undefined;
  });

  it('says a self-signed certificate is in use and where, without key material; CARECOORD_HTTP_TLS=off is a warning', async () => {
    tdb = await freshDatabase('sqlite');
    serve = await startServe(['--data-dir', tdb.dataDir], { DATABASE_URL: '', ...TLS_ON });
    const entries = serve.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const notice = entries.find((e) => String(e.msg).startsWith('HTTPS with a self-signed certificate'));
    expect(notice).toMatchObject({ level: 40, certFile: join(tdb.dataDir, SELF_SIGNED_CERT), generated: true });
    expect(serve.lines.join('\n')).not.toMatch(/PRIVATE KEY|BEGIN/);
    const cert = readFileSync(join(tdb.dataDir, SELF_SIGNED_CERT));
    expect((await httpsGet(serve.httpPort, '/healthz', cert)).status).toBe(200);
    await stopServe(serve);

    serve = await startServe(['--data-dir', tdb.dataDir], { DATABASE_URL: '', CARECOORD_HTTP_TLS: 'off' });
    const plain = serve.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(plain.find((e) => String(e.msg).startsWith('HTTP TLS is off'))).toMatchObject({ level: 40 });
    expect((await fetch(`http://127.0.0.1:${serve.httpPort}/healthz`)).status).toBe(200);
  });
});
