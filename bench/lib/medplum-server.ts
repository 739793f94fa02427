/**
 * Non-durable MLLP baseline for bench/ingest.ts: @medplum/hl7's Hl7Server answering every message
 * at once with Hl7Message.buildAck() (MSA|AA) and storing nothing. Run as its own child process:
 *   node --import tsx bench/lib/medplum-server.ts
 * Prints one JSON line {"msg":"baseline ready","port":N} once it listens (127.0.0.1, free port);
 * exits on SIGTERM/SIGINT.
 */
import type { AddressInfo } from 'node:net';
import type { Hl7MessageEvent } from '@medplum/hl7';

// @medplum/core expects a WebSocket global at import time; Node 20 has none.
(globalThis as { WebSocket?: unknown }).WebSocket ??= class {};
const { Hl7Server } = await import('@medplum/hl7');

const server = new Hl7Server((connection) => {
  connection.addEventListener('message', ({ message }: Hl7MessageEvent) => connection.send(message.buildAck()));
});

// Hl7Server.start(port) passes its argument straight to net.Server.listen(), which also takes an
// options object: this keeps the baseline on loopback with an OS-chosen port (start(0) would bind
// every interface).
server.start({ port: 0, host: '127.0.0.1' } as unknown as number);
const net = server.server!;
net.once('listening', () => {
  const { port } = net.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: 'baseline ready', port, pid: process.pid })}\n`);
});
net.once('error', (err) => {
  process.stderr.write(`baseline server error: ${err.message}\n`);
  process.exit(1);
});

const shutdown = (): void => {
  server.stop({ forceDrainTimeoutMs: 1000 }).then(
    () => process.exit(0),
    () => process.exit(0),
  );
  setTimeout(() => process.exit(0), 3000).unref();
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
