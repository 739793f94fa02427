import { afterEach, describe, expect, it, vi } from 'vitest';
import { MllpClient } from './client.js';
import { MllpError, MllpErrorCode } from './errors.js';
import { CR, FS, VT, encodeFrame } from './framer.js';
import { MllpListener, type MllpListenerOptions } from './listener.js';
import { silentLogger, type MllpLogger } from './logger.js';
import { RecordingHandler, capturingLogger, deferred, rawPeer, type RawPeer } from './testing.js';

const listeners: MllpListener[] = [];
const clients: MllpClient[] = [];
const peers: RawPeer[] = [];

afterEach(async () => {
  for (const p of peers.splice(0)) p.socket.destroy();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(listeners.splice(0).map((l) => l.stop()));
});

async function startListener(
  options: Partial<MllpListenerOptions> = {},
  handler = new RecordingHandler(),
  logger: MllpLogger = silentLogger,
): Promise<{ listener: MllpListener; handler: RecordingHandler; port: number }> {
  const listener = new MllpListener({ name: 'test', host: '127.0.0.1', port: 0, closeGraceMs: 2_000, ...options }, handler, logger);
  listeners.push(listener);
  const { port } = await listener.start();
  return { listener, handler, port };
}

async function client(port: number): Promise<MllpClient> {
  const c = await MllpClient.connect({ host: '127.0.0.1', port });
  clients.push(c);
  return c;
}

async function peer(port: number): Promise<RawPeer> {
  const p = await rawPeer(port);
  peers.push(p);
  return p;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('MllpListener over TCP', () => {
  it('replies to one frame with the handler reply and describes the connection', async () => {
    const { handler, port } = await startListener();
    const reply = await (await client(port)).send('MSH|^~\\&|ONE\r');
    expect(reply.toString()).toBe('ACK:MSH|^~\\&|ONE\r');
    expect(handler.frames).toEqual(['MSH|^~\\&|ONE\r']);
    expect(handler.contexts[0]).toMatchObject({ listener: 'test', remoteAddress: '127.0.0.1', tls: false, connectionId: 'test-1' });
  });

  it('handles many frames written in one write, replying in order', async () => {
    const { port } = await startListener();
    const p = await peer(port);
    const msgs = Array.from({ length: 50 }, (_, i) => `MSH|${i}`);
    p.socket.write(Buffer.concat(msgs.map((m) => encodeFrame(m))));
    await vi.waitFor(() => expect(p.replies).toHaveLength(50));
    expect(p.replies).toEqual(msgs.map((m) => `ACK:${m}`));
  });

  it('reassembles a frame written one byte at a time', async () => {
    const { handler, port } = await startListener();
    const p = await peer(port);
    p.socket.setNoDelay(true);
    for (const byte of encodeFrame('MSH|^~\\&|SLOW\rPID|1\r')) {
      await new Promise((resolve) => p.socket.write(Buffer.of(byte), resolve));
      await sleep(1);
    }
    await vi.waitFor(() => expect(p.replies).toEqual(['ACK:MSH|^~\\&|SLOW\rPID|1\r']));
    expect(handler.frames).toEqual(['MSH|^~\\&|SLOW\rPID|1\r']);
  });

  it('discards and counts junk between frames', async () => {
    const { listener, handler, port } = await startListener();
    const p = await peer(port);
    p.socket.write(Buffer.concat([Buffer.from('garbage'), encodeFrame('A'), Buffer.from('\r\n'), encodeFrame('B')]));
    await vi.waitFor(() => expect(p.replies).toEqual(['ACK:A', 'ACK:B']));
    expect(handler.frames).toEqual(['A', 'B']);
    expect(listener.stats()).toMatchObject({ framesReceived: 2, junkBytes: 9 });
  });

  it('writes pipelined replies in frame order even when the handler resolves out of order', async () => {
    const handler = new RecordingHandler();
    const gates = new Map<string, ReturnType<typeof deferred<Buffer>>>();
    handler.reply = (payload) => {
      const d = deferred<Buffer>();
      gates.set(payload.toString(), d);
      return d.promise;
    };
    const { port } = await startListener({}, handler);
    const c = await client(port);
    const sends = ['1', '2', '3', '4'].map((m) => c.send(m));
    await vi.waitFor(() => expect(gates.size).toBe(4));
    for (const m of ['4', '2', '3', '1']) gates.get(m)!.resolve(Buffer.from(`ACK${m}`));
    expect((await Promise.all(sends)).map(String)).toEqual(['ACK1', 'ACK2', 'ACK3', 'ACK4']);
  });

  it('answers an oversize frame with the handler reply, closes that connection and keeps serving others', async () => {
    const { listener, handler, port } = await startListener({ maxFrameBytes: 1_000 });
    const p = await peer(port);
    p.socket.write(Buffer.concat([encodeFrame('small'), Buffer.of(VT), Buffer.alloc(5_000, 0x41), Buffer.of(FS, CR), encodeFrame('after')]));
    await p.ended;
    expect(p.replies).toHaveLength(2);
    expect(p.replies[0]).toBe('ACK:small');
    expect(p.replies[1]).toMatch(/^NAK:oversize:\d+$/);
    expect(Number(p.replies[1]?.split(':')[2])).toBeGreaterThan(1_000);
    expect(handler.frames).toEqual(['small']);
    expect(handler.oversize[0]?.head.equals(Buffer.alloc(1_000, 0x41))).toBe(true);
    expect(listener.stats().oversize).toBe(1);
    expect(String(await (await client(port)).send('next'))).toBe('ACK:next');
  });

  it('drops a frame trickled forever after frameTimeoutMs while another connection keeps flowing', async () => {
    const { listener, port } = await startListener({ frameTimeoutMs: 400 });
    const slow = await peer(port);
    let slowEnded = false;
    void slow.ended.then(() => { slowEnded = true; });
    slow.socket.write(Buffer.concat([Buffer.of(VT), Buffer.from('MSH|')]));
    const trickle = setInterval(() => slow.socket.writable && slow.socket.write('x'), 50);
    const c = await client(port);
    let sent = 0;
    try {
      while (!slowEnded) {
        expect(String(await c.send(`MSH|${sent}`))).toBe(`ACK:MSH|${sent}`);
        sent += 1;
        await sleep(20);
      }
    } finally {
      clearInterval(trickle);
    }
    expect(sent).toBeGreaterThan(0);
    expect(listener.stats().frameTimeouts).toBe(1);
    expect(String(await c.send('still-open'))).toBe('ACK:still-open');
  });

  it('closes a connection idle for idleTimeoutMs', async () => {
    const { listener, port } = await startListener({ idleTimeoutMs: 200 });
    const p = await peer(port);
    p.socket.write(encodeFrame('one'));
    await p.ended;
    expect(p.replies).toEqual(['ACK:one']);
    await vi.waitFor(() => expect(listener.stats().connections).toBe(0));
  });

  it('accepts and closes at once a connection beyond maxConnections', async () => {
    const { listener, port } = await startListener({ maxConnections: 2 });
    const [a, b] = [await client(port), await client(port)];
    await Promise.all([a.send('a'), b.send('b')]);
    const third = await peer(port);
    await third.ended;
    expect(listener.stats()).toMatchObject({ rejectedConnections: 1, connections: 2 });
    expect(String(await a.send('a2'))).toBe('ACK:a2');
  });

  it('closes only the connection whose handler call rejects, without replying to it', async () => {
    const handler = new RecordingHandler();
    handler.reply = async (p) => {
      if (p.toString() === 'bad') throw new Error('store unavailable');
      return Buffer.concat([Buffer.from('ACK:'), p]);
    };
    const { listener, port } = await startListener({}, handler);
    const other = await client(port);
    const p = await peer(port);
    p.socket.write(Buffer.concat(['good1', 'bad', 'good2'].map((m) => encodeFrame(m))));
    await p.ended;
    expect(p.replies).toEqual(['ACK:good1']);
    expect(listener.stats().handlerErrors).toBe(1);
    expect(String(await other.send('fine'))).toBe('ACK:fine');
  });

  it('replies to every frame of a sender that half-closes after writing them', async () => {
    const { port } = await startListener({ maxPendingFrames: 2 });
    const p = await peer(port);
    p.socket.end(Buffer.concat(['a', 'b', 'c', 'd', 'e'].map((m) => encodeFrame(m))));
    await p.ended;
    await new Promise((resolve) => p.socket.once('close', resolve));
    expect(p.replies).toEqual(['ACK:a', 'ACK:b', 'ACK:c', 'ACK:d', 'ACK:e']);
  });

  it('stop() waits for in-flight replies to be written, then refuses connections', async () => {
    const handler = new RecordingHandler();
    const gate = deferred<void>();
    handler.reply = async (p) => {
      await gate.promise;
      return Buffer.concat([Buffer.from('ACK:'), p]);
    };
    const { listener, port } = await startListener({}, handler);
    const c = await client(port);
    const reply = c.send('inflight');
    await vi.waitFor(() => expect(handler.frames).toHaveLength(1));
    const stopped = listener.stop();
    expect(listener.stop()).toBe(stopped);
    gate.resolve();
    expect(String(await reply)).toBe('ACK:inflight');
    await stopped;
    expect(listener.stats().connections).toBe(0);
    await expect(MllpClient.connect({ host: '127.0.0.1', port })).rejects.toMatchObject({ code: MllpErrorCode.ConnectionRefused });
  });

  it('keeps at most maxPendingFrames frames at the handler while a sender floods a stuck handler', async () => {
    const handler = new RecordingHandler();
    const gate = deferred<void>();
    handler.reply = async (p) => {
      await gate.promise;
      return Buffer.concat([Buffer.from('ACK:'), p.subarray(0, 12)]);
    };
    const { listener, port } = await startListener({ maxPendingFrames: 8 }, handler);
    const c = await client(port);
    const total = 3_000;
    const filler = 'x'.repeat(200);
    const sends = Array.from({ length: total }, (_, i) => c.send(`MSH|${String(i).padStart(8, '0')}${filler}`));
    await vi.waitFor(() => expect(handler.frames).toHaveLength(8));
    await sleep(300); // room for the listener to (wrongly) read and dispatch more
    expect(handler.frames).toHaveLength(8);
    expect(listener.stats()).toMatchObject({ inFlight: 8, pendingFrames: 8 });
    expect(listener.stats().framesReceived).toBeLessThan(total);
    gate.resolve();
    const replies = await Promise.all(sends);
    expect(replies.map(String)).toEqual(Array.from({ length: total }, (_, i) => `ACK:MSH|${String(i).padStart(8, '0')}`));
    expect(handler.maxInFlight).toBe(8);
  });

  it('never logs payload bytes', async () => {
    const logger = capturingLogger();
    const { port } = await startListener({ maxFrameBytes: 100 }, new RecordingHandler(), logger);
    const p = await peer(port);
    p.socket.write(Buffer.concat([Buffer.from('SECRETJUNK'), encodeFrame('PID|SECRETNAME'), encodeFrame(`SECRETBIG${'y'.repeat(200)}`)]));
    await p.ended;
    const logged = JSON.stringify(logger.entries);
    expect(logger.entries.some((e) => e.level === 'warn')).toBe(true);
    expect(logged).not.toContain('SECRET');
  });

  it('stop() called during start() makes start() reject and leaves the listener stopped', async () => {
    const listener = new MllpListener({ name: 'early', host: '127.0.0.1', port: 0 }, new RecordingHandler(), silentLogger);
    const starting = listener.start();
    await listener.stop();
    await expect(starting).rejects.toMatchObject({ code: MllpErrorCode.InvalidState });
    expect(listener.stats().connections).toBe(0);
  });

  it('refuses a second start() and reports a port already in use', async () => {
    const { listener, port } = await startListener();
    await expect(listener.start()).rejects.toMatchObject({ code: MllpErrorCode.InvalidState });
    const clash = new MllpListener({ name: 'clash', host: '127.0.0.1', port }, new RecordingHandler(), silentLogger);
    const err = await clash.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MllpError);
    expect(err).toMatchObject({ code: MllpErrorCode.ListenFailed });
    await clash.stop();
  });
});
