import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MllpClient, type MllpClientTlsOptions } from './client.js';
import { MllpError, MllpErrorCode } from './errors.js';
import { MllpListener, type MllpListenerTlsOptions } from './listener.js';
import { RecordingHandler, capturingLogger } from './testing.js';

/** Test PKI made with the openssl CLI: a CA, a server and a client cert it signs, and a rogue CA's client cert. */
interface Pki {
  ca: Buffer;
  server: { key: Buffer; cert: Buffer };
  client: { key: Buffer; cert: Buffer };
  rogueClient: { key: Buffer; cert: Buffer };
}

let dir = '';
let pki: Pki;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(name: string, cn: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}

function makeLeaf(name: string, ca: string, subject: string, ext: string): { key: Buffer; cert: Buffer } {
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`);
  return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.crt`)) };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'carecoord-mllp-tls-'));
  makeCa('ca', 'carecoord test CA');
  makeCa('rogue', 'rogue CA');
  pki = {
    ca: readFileSync(join(dir, 'ca.crt')),
    server: makeLeaf('server', 'ca', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'),
    client: makeLeaf('client', 'ca', '/O=Carecoord Test/CN=lab-analyzer-01', 'extendedKeyUsage=clientAuth\n'),
    rogueClient: makeLeaf('rogue-client', 'rogue', '/CN=intruder', 'extendedKeyUsage=clientAuth\n'),
  };
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const listeners: MllpListener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.stop()));
});

async function startTls(extra: Partial<MllpListenerTlsOptions> = {}) {
  const handler = new RecordingHandler();
  const logger = capturingLogger();
  const listener = new MllpListener(
    { name: 'tls', host: '127.0.0.1', port: 0, closeGraceMs: 2_000, tls: { ...pki.server, ...extra } },
    handler,
    logger,
  );
  listeners.push(listener);
  const { port } = await listener.start();
  return { listener, handler, logger, port };
}

/** Connects, sends one message and closes; resolves with the reply text. */
async function roundTrip(port: number, tlsOptions: MllpClientTlsOptions): Promise<string> {
  const client = await MllpClient.connect({ host: '127.0.0.1', port, tls: tlsOptions });
  try {
    return String(await client.send('MSH|^~\\&|TLS\r', { timeoutMs: 5_000 }));
  } finally {
    await client.close();
  }
}

describe('MllpListener over TLS', () => {
  it('completes a TLS 1.3 round trip with a server certificate the client verifies', async () => {
    const { handler, port } = await startTls();
    expect(await roundTrip(port, { ca: pki.ca })).toBe('ACK:MSH|^~\\&|TLS\r');
    expect(handler.contexts[0]).toMatchObject({ tls: true, listener: 'tls' });
    expect(handler.contexts[0]?.peerCertificateSubject).toBeUndefined();
  });

  it('negotiates TLS 1.3 and refuses a client limited to TLS 1.2', async () => {
    const { logger, port } = await startTls();
    const modern = tls.connect({ host: '127.0.0.1', port, ca: pki.ca });
    await new Promise<void>((resolve, reject) => modern.once('secureConnect', resolve).once('error', reject));
    expect(modern.getProtocol()).toBe('TLSv1.3');
    modern.destroy();

    const legacy = tls.connect({ host: '127.0.0.1', port, ca: pki.ca, maxVersion: 'TLSv1.2' });
    const outcome = await new Promise<string>((resolve) => {
      legacy.once('secureConnect', () => resolve('connected'));
      legacy.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    legacy.destroy();
    expect(outcome).not.toBe('connected');
    await vi.waitFor(() => expect(logger.entries.some((e) => e.msg === 'mllp TLS handshake refused')).toBe(true));
  });

  it('refuses clients without a certificate, or with one from another CA, when client certs are required', async () => {
    const { handler, logger, port } = await startTls({ ca: pki.ca, requestClientCert: true });
    for (const creds of [{}, pki.rogueClient]) {
      const err = await roundTrip(port, { ca: pki.ca, ...creds }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MllpError);
      expect([MllpErrorCode.ConnectFailed, MllpErrorCode.ConnectionClosed]).toContain((err as MllpError).code);
    }
    expect(handler.frames).toEqual([]);
    expect(logger.entries.filter((e) => e.msg === 'mllp TLS handshake refused')).toHaveLength(2);
  });

  it('accepts a client certificate signed by the CA and exposes its subject and fingerprint', async () => {
    const { handler, port } = await startTls({ ca: pki.ca, requestClientCert: true });
    expect(await roundTrip(port, { ca: pki.ca, ...pki.client })).toBe('ACK:MSH|^~\\&|TLS\r');
    const ctx = handler.contexts[0];
    expect(ctx?.peerCertificateSubject).toBe('O=Carecoord Test, CN=lab-analyzer-01');
    expect(ctx?.peerCertificateFingerprint256).toBe(new X509Certificate(pki.client.cert).fingerprint256);
  });
});
