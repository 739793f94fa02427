import { createDecipheriv, createECDH, createPublicKey, hkdfSync, verify } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { SMTPServer } from 'smtp-server';

/** Local stand-ins for the providers (tests only): an SMTP server, a webhook receiver, a push service. */

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
}

/** A real SMTP server on port 0 with STARTTLS (a self-signed certificate); collects what arrives. */
export async function startSmtp(): Promise<{ port: number; mails: ReceivedMail[]; close(): Promise<void> }> {
  const pems = await selfSigned();
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true, key: pems.private, cert: pems.cert, logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), secure: session.secure,
        });
        callback(null, 'OK: queued as TEST123');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  body: string;
  url: string;
}

/** How the receiver answers the next request: a status (with a JSON body) or never ('hang'). */
export type Answer = number | 'hang';

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Answers for the next requests, in order; then `fallback` (200). */
  answers: Answer[];
  close(): Promise<void>;
}

async function startReceiver(make: (h: (req: IncomingMessage, res: ServerResponse) => void) => Server, scheme: string): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const answers: Answer[] = [];
  const hanging: ServerResponse[] = [];
  const server = make((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('latin1'), url: req.url ?? '' });
      const answer = answers.shift() ?? 201;
      if (answer === 'hang') return void hanging.push(res);
      res.writeHead(answer, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `msg-${requests.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${scheme}://127.0.0.1:${port}`, requests, answers,
    close: () => new Promise<void>((resolve) => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A plain HTTP receiver (the SMS/voice provider's webhook endpoint). */
export function startHttpReceiver(): Promise<Receiver> {
  return startReceiver((h) => createHttpServer(h), 'http');
}

/** An HTTPS receiver with a fresh self-signed certificate (a push service; web-push speaks HTTPS only). */
export async function startHttpsReceiver(): Promise<Receiver & { cert: string }> {
  const pems = await selfSigned();
  const r = await startReceiver((h) => createHttpsServer({ key: pems.private, cert: pems.cert }, h), 'https');
  return { ...r, cert: pems.cert };
}

async function selfSigned() {
  return generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7 as const, ip: '127.0.0.1' }] }],
  });
}

/** A browser's side of a push subscription: a P-256 key pair and the auth secret (RFC 8291). */
export function browserSubscription(endpoint: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = Buffer.from('0123456789abcdef');
  return { ecdh, auth, keys: { endpoint, p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
}

/** Decrypt an aes128gcm Web Push body (RFC 8188 framing, RFC 8291 keys) with the subscription's private key. */
export function decryptPush(body: Buffer, ecdh: ReturnType<typeof createECDH>, auth: Buffer): string {
  const salt = body.subarray(0, 16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const secret = ecdh.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', secret, auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02, then zero padding.
  let end = padded.length;
  while (end > 0 && padded[end - 1] === 0) end--;
  return padded.subarray(0, end - 1).toString('utf8');
}

/** Check a VAPID Authorization header (`vapid t=JWT, k=KEY`, RFC 8292): the ES256 signature and the audience. */
export function verifyVapid(header: string | undefined, publicKey: string, audience: string): { sub: string; exp: number } | undefined {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!m || m[2] !== publicKey) return undefined;
  const [h, p, s] = m[1]!.split('.');
  const point = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') }, format: 'jwk' });
  if (!verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s!, 'base64url'))) return undefined;
  const claims = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as { aud: string; sub: string; exp: number };
  return claims.aud === audience ? claims : undefined;
}
