/**
 * Benchmark traffic: realistic ADT^A01 and ORU^R01 messages built from the authored samples in the
 * shared corpus (../shared/hl7-samples/authored beside the repo). Message i is a pure function of i
 * and the run's seed, so both servers receive the same byte stream; every message has its own
 * MSH-10 (carecoord answers a repeated sender + MSH-10 as a retransmission, without storing it)
 * and its patient is one of MRN_POOL identifiers. MSH-15/16 are emptied (original acknowledgment
 * mode, answered AA by both servers).
 */
import { readFileSync } from 'node:fs';

export interface BenchMessage {
  bytes: Buffer;
  controlId: string;
}

/** Distinct patients the traffic is spread over. */
export const MRN_POOL = 5000;

const SAMPLES = [
  // Every third message is an admission, the others are lab results (an ORU-heavy mix, as on a real interface).
  { file: 'adt_a01_utf8_names.hl7', weight: 1 },
  { file: 'oru_r01_critical_potassium_hh.hl7', weight: 2 },
] as const;

const FAMILY = ['GARCIA', 'OKAFOR', 'NGUYEN', 'MÜLLER', 'SMITH', 'JOHANSSON', 'PATEL', 'ŁUKASZEWICZ', 'KIM', 'DUBOIS', 'ROSSI', 'IVANOVA'];
const GIVEN = ['ANA', 'CHIDI', 'LINH', 'ZOË', 'JOHN', 'INGRID', 'PRIYA', 'JOSÉ', 'MIN', 'CLAIRE', 'LUCA', 'OLGA'];

type Piece = string | ((i: number) => string);

interface Template {
  name: string;
  pieces: Piece[];
}

/**
 * The sample split at the fields that vary per message: MSH-7 (time), MSH-10 (control id),
 * PID-3.1 (MRN, first repetition) and PID-5 (name), so building message i is string concatenation.
 */
function template(text: string, name: string, seed: RunSeed): Template {
  const segments = text.split(/\r\n|\r|\n/).filter((s) => s.length > 0);
  const pieces: Piece[] = [];
  let lit = '';
  const push = (p: Piece): void => {
    if (typeof p === 'string') {
      lit += p;
      return;
    }
    pieces.push(lit, p);
    lit = '';
  };
  for (const seg of segments) {
    const fs = seg.charAt(3);
    const fields = seg.split(fs);
    if (fields[0] === 'MSH') {
      // fields[n - 1] is MSH-n (MSH-1 is the separator itself).
      fields.forEach((f, k) => {
        if (k > 0) push(fs);
        if (k === 6) push((i) => seed.timestamp(i));
        else if (k === 9) push((i) => seed.controlId(i));
        // MSH-15/16 emptied: original acknowledgment mode, the one answer both servers give (AA).
        // The samples say AL/NE (enhanced mode), where carecoord rightly answers CA while the
        // baseline's buildAck() always says AA: the two would not be doing the same protocol.
        else if (k === 14 || k === 15) push('');
        else push(f);
      });
    } else if (fields[0] === 'PID') {
      fields.forEach((f, k) => {
        if (k > 0) push(fs);
        if (k === 3) {
          const reps = f.split('~');
          const first = reps[0]!.split('^');
          push((i) => seed.mrn(i));
          const rest = first.slice(1);
          push(`${rest.length > 0 ? `^${rest.join('^')}` : ''}${reps.length > 1 ? `~${reps.slice(1).join('~')}` : ''}`);
        } else if (k === 5) {
          push((i) => seed.name(i));
        } else push(f);
      });
    } else push(seg);
    push('\r');
  }
  pieces.push(lit);
  return { name, pieces };
}

class RunSeed {
  /** 4 base-36 characters naming the run, so ids of different runs differ too. */
  readonly tag: string;
  readonly #base: number;

  constructor(now = Date.now()) {
    this.tag = Math.floor(now / 1000).toString(36).toUpperCase().slice(-4);
    this.#base = now;
  }

  /** 'BN' + run tag + 8 base-36 digits: 14 characters, within MSH-10's 20. */
  controlId(i: number): string {
    return `BN${this.tag}${i.toString(36).toUpperCase().padStart(8, '0')}`;
  }

  /** Spread over the pool with a multiplicative step so neighbours are different patients. */
  mrn(i: number): string {
    return `BM${String((i * 7919) % MRN_POOL).padStart(6, '0')}`;
  }

  name(i: number): string {
    const p = (i * 7919) % MRN_POOL;
    return `${FAMILY[p % FAMILY.length]}^${GIVEN[(p >> 2) % GIVEN.length]}^Q`;
  }

  /** HL7 DTM, one second per 100 messages from the run's start (deterministic in i). */
  timestamp(i: number): string {
    const d = new Date(this.#base + Math.floor(i / 100) * 1000);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+0000`;
  }
}

export interface MessageSource {
  /** Message i of the stream (pure in i). */
  message(i: number): BenchMessage;
  readonly describe: string;
  readonly averageBytes: number;
}

/** Build the message source from the shared corpus folder (a file: URL ending in '/'). */
export function messageSource(corpus: URL): MessageSource {
  const seed = new RunSeed();
  const templates: Template[] = [];
  for (const s of SAMPLES) {
    const text = readFileSync(new URL(`authored/${s.file}`, corpus), 'utf8');
    const t = template(text, s.file, seed);
    for (let w = 0; w < s.weight; w++) templates.push(t);
  }
  const message = (i: number): BenchMessage => {
    const t = templates[i % templates.length]!;
    let text = '';
    for (const p of t.pieces) text += typeof p === 'string' ? p : p(i);
    return { bytes: Buffer.from(text, 'utf8'), controlId: seed.controlId(i) };
  };
  let total = 0;
  for (let i = 0; i < templates.length; i++) total += message(i).bytes.length;
  return {
    message,
    averageBytes: Math.round(total / templates.length),
    describe: `${SAMPLES.map((s) => `${s.weight}x ${s.file}`).join(' + ')} (UTF-8, original ACK mode), unique MSH-10 per message (run tag ${seed.tag}), ${MRN_POOL} MRNs`,
  };
}
