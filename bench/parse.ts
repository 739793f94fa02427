/**
 * Parse throughput over the shared sample corpus (../shared/hl7-samples beside the repo):
 * carecoord's codec against @medplum/core's Hl7Message.parse. Run: npm run bench:parse
 *
 * Input: every corpus file that carecoord parses, split into messages (splitBatch), each message
 * kept as bytes. Three operations are timed, interleaved round by round, for both parsers:
 *   A "parse+fields":     decode bytes to text, parse, then read every field of every segment
 *                         (carecoord: the raw field text; medplum: the field object it built).
 *   B "parse+components": decode, parse, then read every component of every repetition of every field.
 *   C "parse only":       decode and parse; nothing read afterwards (carecoord splits lazily, so this
 *                         is NOT the same work for both: shown for information only).
 * Decoding: carecoord uses decodeHl7 (MSH-18 sniffing, UTF-8 validation); medplum gets TextDecoder UTF-8.
 */
import { readFileSync } from 'node:fs';
import { decodeHl7, parseHl7, splitBatch } from '../src/hl7/index.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= class {};
const { Hl7Message: MedplumMessage } = await import('@medplum/core');

const CORPUS = new URL('../../shared/hl7-samples/', import.meta.url);

function loadCorpus(): Uint8Array[] {
  const files = readFileSync(new URL('INDEX.tsv', CORPUS), 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '').map((l) => l.split('\t')[0] as string);
  const out: Uint8Array[] = [];
  for (const f of files) {
    const split = splitBatch(new Uint8Array(readFileSync(new URL(f, CORPUS))));
    if (split.kind === 'invalid') continue;
    for (const m of split.messages) {
      try {
        parseHl7(decodeHl7(m).text);
        out.push(m);
      } catch {
        // only messages carecoord accepts are measured
      }
    }
  }
  return out;
}

const utf8 = new TextDecoder('utf-8');
let sink = 0;

type Op = (bytes: Uint8Array) => void;

const ours: Record<string, Op> = {
  fields(bytes) {
    const m = parseHl7(decodeHl7(bytes).text);
    for (const s of m.segments) {
      const n = s.fieldCount;
      for (let i = 1; i <= n; i++) sink += s.fieldRaw(i).length;
    }
  },
  components(bytes) {
    const m = parseHl7(decodeHl7(bytes).text);
    for (const s of m.segments) {
      const n = s.fieldCount;
      for (let i = 1; i <= n; i++) {
        for (const r of s.field(i).repetitions) for (const c of r.components) sink += c.length;
      }
    }
  },
  parse(bytes) {
    sink += parseHl7(decodeHl7(bytes).text).segments.length;
  },
};

const theirs: Record<string, Op> = {
  fields(bytes) {
    const m = MedplumMessage.parse(utf8.decode(bytes));
    for (const s of m.segments) for (const f of s.fields) sink += f.components.length;
  },
  components(bytes) {
    const m = MedplumMessage.parse(utf8.decode(bytes));
    for (const s of m.segments) for (const f of s.fields) for (const r of f.components) for (const c of r) sink += c.length;
  },
  parse(bytes) {
    sink += MedplumMessage.parse(utf8.decode(bytes)).segments.length;
  },
};

function runFor(op: Op, corpus: Uint8Array[], ms: number): { bytes: number; ms: number } {
  let bytes = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (const m of corpus) {
      op(m);
      bytes += m.length;
    }
    now = performance.now();
  }
  return { bytes, ms: now - start };
}

const ROUNDS = 5;
const SLICE_MS = 600;
const corpus = loadCorpus();
const size = corpus.reduce((n, m) => n + m.length, 0);
console.log(`corpus: ${corpus.length} messages, ${(size / 1024).toFixed(1)} KiB (node ${process.version})`);
console.log('both sides start from the same bytes: carecoord decodeHl7 (MSH-18 + UTF-8 check), medplum TextDecoder UTF-8');
console.log('A: carecoord reads each field\'s raw text (splitting fields on first access); medplum reads each field object it built');
console.log('B: both read every component string of every repetition of every field (carecoord splits them on access)');
console.log(`${ROUNDS} interleaved rounds of ${SLICE_MS} ms per parser and operation, after warm-up`);

const ops = [
  ['fields', 'A parse + read every field of every segment'],
  ['components', 'B parse + read every component of every repetition of every field'],
  ['parse', 'C parse only (NOT equal work: carecoord defers field splitting; information only)'],
] as const;

for (const [key] of ops) {
  runFor(ours[key]!, corpus, 300);
  runFor(theirs[key]!, corpus, 300);
}

for (const [key, label] of ops) {
  const total = { ours: { bytes: 0, ms: 0 }, theirs: { bytes: 0, ms: 0 } };
  for (let r = 0; r < ROUNDS; r++) {
    const first = r % 2 === 0;
    const a = first ? runFor(ours[key]!, corpus, SLICE_MS) : runFor(theirs[key]!, corpus, SLICE_MS);
    const b = first ? runFor(theirs[key]!, corpus, SLICE_MS) : runFor(ours[key]!, corpus, SLICE_MS);
    const [o, t] = first ? [a, b] : [b, a];
    total.ours.bytes += o.bytes; total.ours.ms += o.ms;
    total.theirs.bytes += t.bytes; total.theirs.ms += t.ms;
  }
  const mbps = (x: { bytes: number; ms: number }): number => x.bytes / 1e6 / (x.ms / 1000);
  const o = mbps(total.ours);
  const t = mbps(total.theirs);
  console.log(`\n${label}`);
  console.log(`  carecoord ${o.toFixed(1).padStart(8)} MB/s`);
  console.log(`  medplum   ${t.toFixed(1).padStart(8)} MB/s`);
  console.log(`  ratio carecoord/medplum: ${(o / t).toFixed(2)}x`);
}
if (sink === 42) console.log('');
