import { readFileSync } from 'node:fs';
import { readHl7, splitBatch } from '../hl7/index.js';
import { MllpClient } from '../mllp/index.js';
import { CliError, parse } from './args.js';

/**
 * `carecoord send FILE...`: send HL7 files over MLLP, one message per frame (a file may hold one
 * message, several, or an FHS/BHS batch), waiting for each ACK as an EMR interface does, and print it.
 * Exit code 0 when every message got AA/CA, 1 otherwise.
 */
export async function runSend(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: process.env.CARECOORD_MLLP_PORT ?? '2575' },
    tls: { type: 'boolean', default: false },
    ca: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    'insecure': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '30000' },
    json: { type: 'boolean', default: false },
  }, true);
  if (positionals.length === 0) throw new CliError('send needs at least one HL7 file');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new CliError(`--port must be a TCP port, got "${values.port}"`);
  const messages = positionals.flatMap((file) => messagesOf(file));
  const client = await MllpClient.connect({
    host: values.host,
    port,
    ...(values.tls
      ? {
          tls: {
            ...(values.ca ? { ca: readFileSync(values.ca) } : {}),
            ...(values.cert ? { cert: readFileSync(values.cert) } : {}),
            ...(values.key ? { key: readFileSync(values.key) } : {}),
            rejectUnauthorized: !values.insecure,
          },
        }
      : {}),
  });
  let failures = 0;
  try {
    for (const m of messages) {
      const reply = await client.send(m.bytes, { timeoutMs: Number(values.timeout) });
      const summary = summarizeAck(reply);
      if (!summary.accepted) failures++;
      if (values.json) process.stdout.write(`${JSON.stringify({ file: m.file, index: m.index, ...summary })}\n`);
      else printAck(m.file, m.index, summary);
    }
  } finally {
    await client.close();
  }
  return failures === 0 ? 0 : 1;
}

interface OutgoingMessage {
  file: string;
  index: number;
  bytes: Buffer;
}

function messagesOf(file: string): OutgoingMessage[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const split = splitBatch(bytes);
  // A file that cannot be split is still sent whole: the receiver's NAK says what is wrong.
  const parts = split.kind === 'invalid' ? [bytes] : split.messages;
  return parts.map((p, i) => ({ file, index: i + 1, bytes: Buffer.from(p.buffer, p.byteOffset, p.byteLength) }));
}

interface AckSummary {
  accepted: boolean;
  code: string;
  controlId: string;
  errors: string[];
  raw: string;
}

function summarizeAck(reply: Buffer): AckSummary {
  const raw = reply.toString('utf8');
  const parsed = readHl7(reply);
  if (!parsed.ok) return { accepted: false, code: '??', controlId: '', errors: [`unreadable reply: ${parsed.error.message}`], raw };
  const m = parsed.message;
  const code = m.get('MSA-1');
  const errors = m.segmentsNamed('ERR').map((s) => [s.get(3, 1, 1), s.get(3, 1, 2), s.get(8)].filter(Boolean).join(' ') || s.get(1, 1, 4, 2));
  return { accepted: code === 'AA' || code === 'CA', code, controlId: m.get('MSA-2'), errors, raw };
}

function printAck(file: string, index: number, s: AckSummary): void {
  process.stdout.write(`${file} #${index}: ${s.code} (MSA-2 ${s.controlId || '-'})\n`);
  for (const e of s.errors) process.stdout.write(`  error: ${e}\n`);
  for (const seg of s.raw.split(/\r\n|\r|\n/).filter(Boolean)) process.stdout.write(`  ${seg}\n`);
}
