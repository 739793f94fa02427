import { readFileSync } from 'node:fs';
import { readHl7, readLenientHeader, splitBatch } from '../hl7/index.js';
import { MllpClient, MllpError, MllpErrorCode, type MllpClientOptions } from '../mllp/index.js';
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
  const connectOptions: MllpClientOptions = {
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
  };
  let client = await MllpClient.connect(connectOptions);
  let failures = 0;
  try {
    for (const m of messages) {
      const outcome = await sendOne(client, m, Number(values.timeout));
      if (outcome.reconnect) {
        await client.close();
        client = await MllpClient.connect(connectOptions);
      }
      const summary = outcome.summary;
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

/** How long to wait for an ACK that MSH-15 says is sent only on error (ER) or only on success (SU). */
const CONDITIONAL_ACK_WAIT_MS = 3000;

/**
 * Send one message, honouring its MSH-15 accept-acknowledgment type: NE expects no reply; ER and SU
 * may or may not bring one, so a missing reply after a short wait is the expected outcome, and the
 * connection is renewed (a late reply could otherwise pair with the next message).
 */
async function sendOne(client: MllpClient, m: OutgoingMessage, timeoutMs: number): Promise<{ summary: AckSummary; reconnect: boolean }> {
  const ackType = readLenientHeader(m.bytes.toString('latin1')).acceptAckType.toUpperCase();
  if (ackType === 'NE') {
    await client.post(m.bytes);
    return { summary: { accepted: true, code: 'none', controlId: '', errors: [], raw: '', note: 'MSH-15 NE: no acknowledgment requested' }, reconnect: false };
  }
  const conditional = ackType === 'ER' || ackType === 'SU';
  try {
    const reply = await client.send(m.bytes, { timeoutMs: conditional ? Math.min(timeoutMs, CONDITIONAL_ACK_WAIT_MS) : timeoutMs });
    return { summary: summarizeAck(reply), reconnect: false };
  } catch (err) {
    if (!conditional || !(err instanceof MllpError) || err.code !== MllpErrorCode.ReplyTimeout) throw err;
    const note = `MSH-15 ${ackType}: no acknowledgment within ${CONDITIONAL_ACK_WAIT_MS} ms`;
    return { summary: { accepted: ackType === 'ER', code: 'none', controlId: '', errors: [], raw: '', note }, reconnect: true };
  }
}

interface AckSummary {
  note?: string;
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
  if (s.note) {
    process.stdout.write(`${file} #${index}: sent (${s.note})\n`);
    return;
  }
  process.stdout.write(`${file} #${index}: ${s.code} (MSA-2 ${s.controlId || '-'})\n`);
  for (const e of s.errors) process.stdout.write(`  error: ${e}\n`);
  for (const seg of s.raw.split(/\r\n|\r|\n/).filter(Boolean)) process.stdout.write(`  ${seg}\n`);
}
