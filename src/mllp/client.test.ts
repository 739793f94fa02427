import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient } from './client.js';
import { MllpError, MllpErrorCode } from './errors.js';
import { MllpListener } from './listener.js';
import { silentLogger } from './logger.js';
import { RecordingHandler } from './testing.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(handler = new RecordingHandler()): Promise<number> {
  const listener = new MllpListener({ name: 'client-test', host: '127.0.0.1', port: 0, closeGraceMs: 1_000 }, handler, silentLogger);
  cleanups.push(() => listener.stop());
  return (await listener.start()).port;
}

async function connect(port: number, maxFrameBytes?: number): Promise<MllpClient> {
  const client = await MllpClient.connect({ host: '127.0.0.1', port, ...(maxFrameBytes ? { maxFrameBytes } : {}) });
  cleanups.push(() => client.close());
  return client;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MllpError);
  return (err as MllpError).code;
}

describe('MllpClient', () => {
  it('posts a frame that expects no reply without disturbing the pairing of later sends', async () => {
    const handler = new RecordingHandler();
    handler.reply = async (p) => (p.toString().includes('|NE|') ? null : Buffer.concat([Buffer.from('ACK:'), p]));
    const client = await connect(await listen(handler));
    await client.post('MSH|1|NE|');
    expect((await client.send('MSH|2|AL|')).toString()).toBe('ACK:MSH|2|AL|');
    expect(handler.frames.map((f) => f.toString())).toEqual(['MSH|1|NE|', 'MSH|2|AL|']);
    await client.close();
    expect(await codeOf(client.post('MSH|3'))).toBe(MllpErrorCode.ConnectionClosed);
  });

  it('gives each of many concurrent sends its own reply', async () => {
    const handler = new RecordingHandler();
    handler.reply = async (p) => {
      await new Promise((resolve) => setTimeout(resolve, Number(p.toString().slice(4)) % 7));
      return Buffer.concat([Buffer.from('ACK:'), p]);
    };
    const client = await connect(await listen(handler));
    const msgs = Array.from({ length: 100 }, (_, i) => `MSH|${i}`);
    const replies = await Promise.all(msgs.map((m) => client.send(m)));
    expect(replies.map(String)).toEqual(msgs.map((m) => `ACK:${m}`));
    expect(client.pending).toBe(0);
  });

  it('rejects with MLLP_CONNECTION_REFUSED when nothing listens on the port', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    expect(await codeOf(MllpClient.connect({ host: '127.0.0.1', port }))).toBe(MllpErrorCode.ConnectionRefused);
  });

  it('rejects with MLLP_CONNECT_TIMEOUT when the TLS handshake never completes', async () => {
    const sockets: net.Socket[] = [];
    const mute = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => { for (const s of sockets) s.destroy(); mute.close(resolve); }));
    const { port } = mute.address() as net.AddressInfo;
    const connecting = MllpClient.connect({ host: '127.0.0.1', port, tls: {}, connectTimeoutMs: 200 });
    expect(await codeOf(connecting)).toBe(MllpErrorCode.ConnectTimeout);
  });

  it('rejects a send without a timely reply with MLLP_REPLY_TIMEOUT and the sends behind it with MLLP_CONNECTION_CLOSED', async () => {
    const handler = new RecordingHandler();
    handler.reply = () => new Promise<Buffer>(() => {});
    const client = await connect(await listen(handler));
    const first = client.send('MSH|1', { timeoutMs: 200 });
    const second = client.send('MSH|2', { timeoutMs: 10_000 });
    expect(await codeOf(first)).toBe(MllpErrorCode.ReplyTimeout);
    expect(await codeOf(second)).toBe(MllpErrorCode.ConnectionClosed);
    expect(await codeOf(client.send('MSH|3'))).toBe(MllpErrorCode.ConnectionClosed);
  });

  it('rejects with MLLP_CONNECTION_CLOSED when the server closes before replying', async () => {
    const handler = new RecordingHandler();
    handler.reply = async () => { throw new Error('no'); };
    const client = await connect(await listen(handler));
    expect(await codeOf(client.send('MSH|1'))).toBe(MllpErrorCode.ConnectionClosed);
  });

  it('rejects a reply larger than its maxFrameBytes with MLLP_REPLY_TOO_LARGE', async () => {
    const handler = new RecordingHandler();
    handler.reply = async () => Buffer.alloc(2_000, 0x41);
    const client = await connect(await listen(handler), 100);
    expect(await codeOf(client.send('MSH|1'))).toBe(MllpErrorCode.ReplyTooLarge);
  });

  it('refuses to send a payload containing an MLLP block byte, and refuses sends after close()', async () => {
    const client = await connect(await listen());
    expect(await codeOf(client.send(Buffer.of(0x41, 0x1c, 0x0d)))).toBe(MllpErrorCode.InvalidOption);
    await client.close();
    await client.close();
    expect(await codeOf(client.send('MSH|1'))).toBe(MllpErrorCode.ConnectionClosed);
  });
});
