/**
 * Pure MLLP framing (no I/O, no clock).
 *
 * HL7 MLLP Release 2, "Block Format": a block is <SB> data <EB><CR>, with
 * <SB> = VT (0x0B), <EB> = FS (0x1C), <CR> = 0x0D. The data may not contain
 * <SB> or <EB> (HL7 v2 ER7 text never does).
 *
 * Decisions for malformed input (see README.md):
 * - Bytes outside a block are discarded and reported as 'junk' (a byte count).
 * - FS not followed by CR does not end the block: the FS is kept as payload data.
 * - VT inside a block (before FS CR) abandons the partial block, which is reported
 *   as 'junk' (its bytes plus its opening VT), and starts a new block: this is what
 *   a sender that crashed mid-message and retransmits looks like.
 * - A block whose data exceeds maxFrameBytes yields exactly one 'oversize' event
 *   with its first headBytes, then the rest of it is counted but not buffered,
 *   up to its FS CR (or the next VT).
 */
import { MllpError, MllpErrorCode } from './errors.js';

/** Start block, HL7 MLLP Release 2 <SB>. */
export const VT = 0x0b;
/** End block, HL7 MLLP Release 2 <EB>. */
export const FS = 0x1c;
/** Carriage return that follows <EB>. */
export const CR = 0x0d;

export const DEFAULT_MAX_FRAME_BYTES = 10 * 1024 * 1024;
export const DEFAULT_HEAD_BYTES = 64 * 1024;

export type FramerEvent =
  | { type: 'frame'; payload: Buffer }
  | { type: 'junk'; bytes: number }
  | { type: 'oversize'; head: Buffer; bytes: number };

export interface MllpFramerOptions {
  /** Largest accepted payload in bytes (framing bytes excluded). Default 10 MiB. */
  maxFrameBytes?: number;
  /** How many leading bytes of an oversize frame are kept for its event. Default 64 KiB. */
  headBytes?: number;
}

type State = 'outside' | 'inFrame' | 'oversize';

/**
 * Incremental MLLP deframer. Guarantees:
 * - events come out in stream order; a frame split over any number of chunks
 *   (even byte by byte, FS and CR in different chunks) is reassembled;
 * - each input byte is examined a constant number of times (linear time);
 * - memory held is at most maxFrameBytes of payload plus the chunk being pushed;
 * - emitted payloads are fresh copies, independent of the pushed chunks.
 */
export class MllpFramer {
  readonly maxFrameBytes: number;
  readonly headBytes: number;
  private state: State = 'outside';
  private chunks: Buffer[] = [];
  private buffered = 0;
  private frameBytes = 0;
  private pendingFs = false;
  private startedAt: number | null = null;

  constructor(options: MllpFramerOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.headBytes = Math.min(options.headBytes ?? DEFAULT_HEAD_BYTES, this.maxFrameBytes);
    if (!Number.isSafeInteger(this.maxFrameBytes) || this.maxFrameBytes < 1) {
      throw new MllpError(MllpErrorCode.InvalidOption, 'maxFrameBytes must be a positive integer');
    }
    if (!Number.isSafeInteger(this.headBytes) || this.headBytes < 0) {
      throw new MllpError(MllpErrorCode.InvalidOption, 'headBytes must be a non-negative integer');
    }
  }

  /** Payload bytes currently held in memory for the open frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** True while a frame has started (VT seen) and not yet ended. */
  get inFrame(): boolean {
    return this.state !== 'outside';
  }

  /** The `now` passed to the push() that saw the open frame's VT; null outside a frame. */
  get frameStartedAt(): number | null {
    return this.startedAt;
  }

  /** Payload bytes of the open frame seen so far, including discarded oversize bytes. */
  get frameBytesSoFar(): number {
    return this.frameBytes;
  }

  /**
   * Feeds the next chunk of the stream. `now` is an opaque timestamp recorded as
   * frameStartedAt when a frame starts in this chunk (the framer never reads a clock).
   */
  push(chunk: Buffer, now = 0): FramerEvent[] {
    const events: FramerEvent[] = [];
    const len = chunk.length;
    if (len === 0) return events;
    let pos = 0;
    // Cached indexOf results: -2 unknown, -1 none left in this chunk. pos only
    // moves forward, so a cached hit stays valid until pos passes it.
    let nextVt = -2;
    let nextFs = -2;

    if (this.pendingFs) {
      // The previous chunk ended with FS inside a frame: this byte decides.
      this.pendingFs = false;
      if (chunk[0] === CR) {
        this.completeFrame(events);
        pos = 1;
      } else {
        this.appendData(Buffer.of(FS), events); // FS without CR is data
      }
    }

    while (pos < len) {
      if (nextVt !== -1 && nextVt < pos) nextVt = chunk.indexOf(VT, pos);
      if (this.state === 'outside') {
        if (nextVt === -1) {
          events.push({ type: 'junk', bytes: len - pos });
          pos = len;
        } else {
          if (nextVt > pos) events.push({ type: 'junk', bytes: nextVt - pos });
          this.startFrame(now);
          pos = nextVt + 1;
        }
        continue;
      }
      if (nextFs !== -1 && nextFs < pos) nextFs = chunk.indexOf(FS, pos);
      if (nextFs !== -1 && (nextVt === -1 || nextFs < nextVt)) {
        const fs = nextFs;
        this.appendData(chunk.subarray(pos, fs), events);
        if (fs + 1 === len) {
          this.pendingFs = true;
          pos = len;
        } else if (chunk[fs + 1] === CR) {
          this.completeFrame(events);
          pos = fs + 2;
        } else {
          this.appendData(chunk.subarray(fs, fs + 1), events);
          pos = fs + 1;
        }
      } else if (nextVt !== -1) {
        this.appendData(chunk.subarray(pos, nextVt), events);
        this.abandonFrame(events);
        this.startFrame(now);
        pos = nextVt + 1;
      } else {
        this.appendData(chunk.subarray(pos), events);
        pos = len;
      }
    }
    return events;
  }

  private startFrame(now: number): void {
    this.state = 'inFrame';
    this.startedAt = now;
    this.chunks = [];
    this.buffered = 0;
    this.frameBytes = 0;
  }

  private appendData(data: Buffer, events: FramerEvent[]): void {
    if (data.length === 0) return;
    this.frameBytes += data.length;
    if (this.state === 'oversize') return; // counted, not buffered
    this.chunks.push(data);
    this.buffered += data.length;
    if (this.frameBytes > this.maxFrameBytes) {
      const head = Buffer.concat(this.chunks, Math.min(this.headBytes, this.buffered));
      events.push({ type: 'oversize', head, bytes: this.frameBytes });
      this.state = 'oversize';
      this.chunks = [];
      this.buffered = 0;
    }
  }

  private completeFrame(events: FramerEvent[]): void {
    if (this.state === 'inFrame') {
      events.push({ type: 'frame', payload: Buffer.concat(this.chunks, this.buffered) });
    }
    this.reset();
  }

  private abandonFrame(events: FramerEvent[]): void {
    // An oversize frame was already reported; only a normal partial frame is junk.
    if (this.state === 'inFrame') events.push({ type: 'junk', bytes: this.frameBytes + 1 });
    this.reset();
  }

  private reset(): void {
    this.state = 'outside';
    this.startedAt = null;
    this.chunks = [];
    this.buffered = 0;
    this.frameBytes = 0;
  }
}

/**
 * Wraps a payload in an MLLP block: VT + payload + FS + CR. A string is encoded
 * as UTF-8 (pass a Buffer for any other character set). Throws
 * MLLP_INVALID_OPTION if the payload contains VT or FS, which MLLP forbids in block data.
 */
export function encodeFrame(payload: Buffer | string): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (data.indexOf(VT) !== -1 || data.indexOf(FS) !== -1) {
    throw new MllpError(MllpErrorCode.InvalidOption, 'payload contains an MLLP start or end block byte');
  }
  const out = Buffer.allocUnsafe(data.length + 3);
  out[0] = VT;
  data.copy(out, 1);
  out[data.length + 1] = FS;
  out[data.length + 2] = CR;
  return out;
}
