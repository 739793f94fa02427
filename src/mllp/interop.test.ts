import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from './framer.js';
import { MllpListener } from './listener.js';
import { silentLogger } from './logger.js';
import { RecordingHandler } from './testing.js';

const MLLP_SEND = '/usr/bin/mllp_send'; // Debian package python3-hl7 (installed by CI)

describe('interoperability with python-hl7 mllp_send', () => {
  it.runIf(existsSync(MLLP_SEND))('receives the exact bytes mllp_send sends from a file and mllp_send prints our replies', async () => {
    // mllp_send splits its input on FS and strips VT/CR from both ends of each
    // message, so the messages here do not end with a segment CR.
    const messages = [
      'MSH|^~\\&|LAB|NORTH|CARECOORD|HUB|20240101120000||ORU^R01|MSG00001|P|2.5\rPID|1||12345^^^NORTH^MR',
      'MSH|^~\\&|LAB|NORTH|CARECOORD|HUB|20240101120001||ORU^R01|MSG00002|P|2.5\rPID|1||67890^^^NORTH^MR',
    ];
    const handler = new RecordingHandler();
    handler.reply = async (p) => Buffer.from(`MSH|^~\\&|CARECOORD|HUB|LAB|NORTH|20240101120002||ACK|A${p.toString('latin1').split('|')[9]}|P|2.5\rMSA|AA|${p.toString('latin1').split('|')[9]}\r`);
    const listener = new MllpListener({ name: 'interop', host: '127.0.0.1', port: 0 }, handler, silentLogger);
    const { port } = await listener.start();
    const dir = mkdtempSync(join(tmpdir(), 'carecoord-mllp-interop-'));
    try {
      const file = join(dir, 'messages.hl7');
      writeFileSync(file, Buffer.concat(messages.map((m) => encodeFrame(m))));
      const { stdout } = await promisify(execFile)(MLLP_SEND, ['--port', String(port), '--file', file, '127.0.0.1'], {
        encoding: 'latin1',
        timeout: 30_000,
      });
      expect(handler.frames).toEqual(messages);
      expect(stdout).toContain('MSA|AA|MSG00001');
      expect(stdout).toContain('MSA|AA|MSG00002');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await listener.stop();
    }
  });
});
