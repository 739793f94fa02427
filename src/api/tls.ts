import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { generate } from 'selfsigned';
import type { HttpTlsConfig } from '../config.js';

/** Key and certificate (PEM) for the HTTPS server, and where they came from (for the log, never the key). */
export interface HttpTlsMaterial {
  key: Buffer;
  cert: Buffer;
  source: 'files' | 'self-signed';
  certFile: string;
  /** SHA-256 fingerprint of the certificate: what a client pins or compares. */
  fingerprint256: string;
  validTo: string;
}

/** Where the generated certificate lives, relative to the data directory. */
export const SELF_SIGNED_KEY = join('tls', 'http-key.pem');
export const SELF_SIGNED_CERT = join('tls', 'http-cert.pem');

/** Node's TLS options for the HTTP server: TLS 1.3 only, as on the MLLP listener. */
export function httpsOptions(material: HttpTlsMaterial): { key: Buffer; cert: Buffer; minVersion: 'TLSv1.3' } {
  return { key: material.key, cert: material.cert, minVersion: 'TLSv1.3' };
}

/**
 * The HTTPS key and certificate of `serve`, or undefined when TLS is off (logged as a warning).
 * Without configured files, a self-signed certificate is generated once into DATA_DIR/tls/ (key
 * mode 0600) and reused on later starts; it is generated again only once it has expired.
 */
export async function loadHttpTls(tls: HttpTlsConfig, dataDir: string, host: string, logger: Logger): Promise<HttpTlsMaterial | undefined> {
  if (tls.mode === 'off') {
    logger.warn('HTTP TLS is off (CARECOORD_HTTP_TLS=off): plain HTTP, only for development or behind a TLS-terminating proxy');
    return undefined;
  }
  if (tls.mode === 'files') {
    const material = describe(readFileSync(tls.keyFile), readFileSync(tls.certFile), 'files', tls.certFile);
    logger.info({ certFile: tls.certFile, fingerprint256: material.fingerprint256, validTo: material.validTo }, 'HTTPS with the configured certificate');
    return material;
  }
  const keyFile = join(dataDir, SELF_SIGNED_KEY);
  const certFile = join(dataDir, SELF_SIGNED_CERT);
  let material = existsSync(certFile) && existsSync(keyFile)
    ? describe(readFileSync(keyFile), readFileSync(certFile), 'self-signed', certFile)
    : undefined;
  let generated = false;
  if (!material || Date.parse(material.validTo) <= Date.now()) {
    material = await generateSelfSigned(keyFile, certFile, host);
    generated = true;
  }
  logger.warn(
    { certFile, keyFile, generated, fingerprint256: material.fingerprint256, validTo: material.validTo },
    'HTTPS with a self-signed certificate: browsers will warn; set CARECOORD_HTTP_TLS_KEY and CARECOORD_HTTP_TLS_CERT to use a real certificate',
  );
  return material;
}

/** Check the pair (the key must belong to the certificate) and read what the log shows. */
function describe(key: Buffer, cert: Buffer, source: HttpTlsMaterial['source'], certFile: string): HttpTlsMaterial {
  const x509 = new X509Certificate(cert);
  if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error(`the HTTPS key does not belong to the certificate ${certFile}`);
  return { key, cert, source, certFile, fingerprint256: x509.fingerprint256, validTo: new Date(x509.validTo).toISOString() };
}

async function generateSelfSigned(keyFile: string, certFile: string, host: string): Promise<HttpTlsMaterial> {
  const names = new Set(['localhost', hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  if (host && host !== '0.0.0.0' && host !== '::') (isIP(host) ? ips : names).add(host);
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: hostname() || 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 825 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...[...names].map((value) => ({ type: 2 as const, value })), ...[...ips].map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  const dir = join(keyFile, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Written beside and renamed: a crash never leaves half a key, and the key is never readable by others.
  writeFileSync(`${keyFile}.tmp`, pems.private, { mode: 0o600 });
  chmodSync(`${keyFile}.tmp`, 0o600);
  writeFileSync(`${certFile}.tmp`, pems.cert, { mode: 0o644 });
  renameSync(`${keyFile}.tmp`, keyFile);
  renameSync(`${certFile}.tmp`, certFile);
  return describe(Buffer.from(pems.private), Buffer.from(pems.cert), 'self-signed', certFile);
}
