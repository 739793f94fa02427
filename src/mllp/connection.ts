/**
 * One accepted MLLP connection: deframes input, calls the handler, writes replies
 * in frame order, applies back-pressure and the idle / frame timeouts.
 * Internal to the listener (not exported from index.ts).
 */
import type { Socket } from 'node:net';
import { MllpFramer, encodeFrame } from './framer.js';
import { errorFields, type MllpLogger } from './logger.js';
import type { MllpConnectionInfo, MllpCounters, MllpHandler } from './types.js';

export interface ConnectionLimits {
  maxFrameBytes: number;
  maxPendingFrames: number;
  idleTimeoutMs: number;
  frameTimeoutMs: number;
  closeGraceMs: number;
  now: () => number;
}

type Item = { kind: 'frame'; payload: Buffer } | { kind: 'oversize'; head: Buffer; bytes: number };

/** A handler call, in frame order, until its reply has been written. */
interface Slot {
  settled: boolean;
  failed: boolean;
  reply: Buffer | null;
  closeAfter: boolean;
}

export type CloseReason = 'oversize' | 'handler-error' | 'frame-timeout' | 'idle' | 'listener-stopping';

export class MllpConnection {
  /** Resolves once the socket has fully closed. */
  readonly closed: Promise<void>;
  private readonly framer: MllpFramer;
  private readonly queue: Slot[] = [];
  private backlog: Item[] = [];
  private paused = false;
  private writeBlocked = false;
  private discardInput = false;
  private peerEnded = false;
  private closing = false;
  private endCalled = false;
  private gone = false;
  private frameTimer: NodeJS.Timeout | undefined;
  private frameTimerFor: number | null = null;
  private clockFrom = 0;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    readonly info: MllpConnectionInfo,
    private readonly handler: MllpHandler,
    private readonly limits: ConnectionLimits,
    private readonly counters: MllpCounters,
    private readonly logger: MllpLogger,
  ) {
    this.framer = new MllpFramer({ maxFrameBytes: limits.maxFrameBytes });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onPeerEnd());
    socket.on('error', (err) => this.logger.debug({ ...this.ids(), ...errorFields(err) }, 'mllp socket error'));
    socket.on('close', () => this.onClose());
    if (limits.idleTimeoutMs > 0) {
      socket.setTimeout(limits.idleTimeoutMs);
      socket.on('timeout', () => this.close('idle'));
    }
    this.logger.debug(this.ids(), 'mllp connection opened');
  }

  /** Frames of this connection awaiting the handler or the writing of their reply. */
  get pendingFrames(): number {
    return this.queue.length;
  }

  /**
   * Graceful close: stop reading frames (later input is discarded), let in-flight
   * handler calls finish and their replies be written, then end the socket.
   * The socket is destroyed if that takes longer than closeGraceMs. Idempotent.
   */
  close(reason: CloseReason): void {
    if (this.closing || this.gone) return;
    this.closing = true;
    this.discardInput = true;
    this.backlog = [];
    this.clearFrameTimer();
    const log = reason === 'listener-stopping' || reason === 'idle' ? 'debug' : 'info';
    this.logger[log]({ ...this.ids(), reason, pendingFrames: this.queue.length }, 'mllp connection closing');
    this.graceTimer = setTimeout(() => this.destroy(), this.limits.closeGraceMs);
    this.updateFlow();
    this.maybeEnd();
  }

  /** Destroys the socket at once; replies not yet written are lost. */
  destroy(): void {
    this.socket.destroy();
  }

  private ids(): Record<string, unknown> {
    const { connectionId, listener, remoteAddress, remotePort } = this.info;
    return { connectionId, listener, remoteAddress, remotePort };
  }

  private onData(chunk: Buffer): void {
    if (this.discardInput) return;
    for (const event of this.framer.push(chunk, this.limits.now())) {
      if (event.type === 'junk') {
        this.counters.junkBytes += event.bytes;
        this.logger.debug({ ...this.ids(), bytes: event.bytes }, 'mllp junk bytes discarded');
      } else if (event.type === 'frame') {
        this.counters.framesReceived += 1;
        this.backlog.push({ kind: 'frame', payload: event.payload });
      } else {
        this.counters.oversize += 1;
        this.logger.warn({ ...this.ids(), bytes: event.bytes, maxFrameBytes: this.limits.maxFrameBytes }, 'mllp frame too large');
        this.backlog.push({ kind: 'oversize', head: event.head, bytes: event.bytes });
        this.discardInput = true; // the rest of the stream is not trusted
        break;
      }
    }
    this.pump();
    this.updateFlow();
    this.armFrameTimer();
  }

  private onPeerEnd(): void {
    // Half-close from the sender: no more input, but frames already received are
    // still handled and replied to before we end our side.
    this.peerEnded = true;
    this.clearFrameTimer();
    this.maybeEnd();
  }

  private onClose(): void {
    this.gone = true;
    this.clearFrameTimer();
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.queue.length = 0;
    this.backlog = [];
    this.logger.debug(this.ids(), 'mllp connection closed');
  }

  /** Hands queued frames to the handler while fewer than maxPendingFrames are pending. */
  private pump(): void {
    while (!this.closing && !this.gone && this.backlog.length > 0 && this.queue.length < this.limits.maxPendingFrames) {
      this.dispatch(this.backlog.shift()!);
    }
  }

  private dispatch(item: Item): void {
    const slot: Slot = { settled: false, failed: false, reply: null, closeAfter: item.kind === 'oversize' };
    this.queue.push(slot);
    this.counters.inFlight += 1;
    let call: Promise<Buffer | null>;
    try {
      call = item.kind === 'frame'
        ? this.handler.onFrame(item.payload, this.info)
        : this.handler.onOversize(item.head, item.bytes, this.info);
    } catch (err) {
      call = Promise.reject(err);
    }
    Promise.resolve(call).then(
      (reply) => { slot.reply = reply; },
      (err: unknown) => {
        slot.failed = true;
        this.counters.handlerErrors += 1;
        this.logger.error({ ...this.ids(), ...errorFields(err) }, 'mllp handler failed; closing connection without reply');
      },
    ).finally(() => {
      slot.settled = true;
      this.counters.inFlight -= 1;
      this.flush();
    });
  }

  /** Writes settled replies strictly in frame order; stops at the first unsettled one. */
  private flush(): void {
    while (!this.gone && !this.writeBlocked && this.queue[0]?.settled) {
      const slot = this.queue.shift()!;
      if (slot.failed) {
        this.queue.length = 0; // later replies are never written: the sender retransmits
        this.close('handler-error');
        return;
      }
      if (slot.reply !== null && this.socket.writable) {
        let framed: Buffer;
        try {
          framed = encodeFrame(slot.reply);
        } catch (err) {
          this.counters.handlerErrors += 1;
          this.logger.error({ ...this.ids(), ...errorFields(err) }, 'mllp handler reply not encodable; closing connection');
          this.queue.length = 0;
          this.close('handler-error');
          return;
        }
        if (!this.socket.write(framed)) {
          this.writeBlocked = true;
          this.socket.once('drain', () => {
            this.writeBlocked = false;
            this.flush();
          });
        }
      }
      if (slot.closeAfter) {
        this.queue.length = 0;
        this.close('oversize');
        return;
      }
    }
    this.pump();
    this.updateFlow();
    this.maybeEnd();
  }

  /** Back-pressure: stop reading while maxPendingFrames frames wait or frames are held back. */
  private updateFlow(): void {
    if (this.gone) return;
    const full = this.queue.length >= this.limits.maxPendingFrames || this.backlog.length > 0;
    const shouldPause = !this.discardInput && full;
    if (shouldPause && !this.paused) {
      this.paused = true;
      this.socket.pause();
      this.clearFrameTimer(); // our own pause must not count against the sender
    } else if (!shouldPause && this.paused) {
      this.paused = false;
      this.clockFrom = this.limits.now();
      this.socket.resume();
      this.armFrameTimer();
    }
  }

  private maybeEnd(): void {
    if (this.endCalled || this.gone) return;
    if (!(this.closing || this.peerEnded)) return;
    if (this.queue.length > 0 || (!this.closing && this.backlog.length > 0)) return;
    this.endCalled = true;
    this.socket.end();
  }

  /** A started frame must end within frameTimeoutMs of its VT (or of our last resume). */
  private armFrameTimer(): void {
    const started = this.framer.frameStartedAt;
    if (started === null || this.paused || this.discardInput || this.peerEnded || this.limits.frameTimeoutMs <= 0) {
      this.clearFrameTimer();
      return;
    }
    if (this.frameTimer && this.frameTimerFor === started) return;
    this.clearFrameTimer();
    this.frameTimerFor = started;
    const elapsed = this.limits.now() - Math.max(started, this.clockFrom);
    this.frameTimer = setTimeout(() => {
      this.frameTimer = undefined;
      this.counters.frameTimeouts += 1;
      this.logger.warn({ ...this.ids(), bytes: this.framer.frameBytesSoFar }, 'mllp frame not completed in time');
      this.close('frame-timeout');
    }, Math.max(0, this.limits.frameTimeoutMs - elapsed));
  }

  private clearFrameTimer(): void {
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.frameTimer = undefined;
    this.frameTimerFor = null;
  }
}
