/**
 * MLLP sender for `carecoord send`, tests and benchmarks (HL7 MLLP Release 2
 * framing: each message is sent as one block; the next block received is its reply).
 */
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import { MllpError, MllpErrorCode } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES, MllpFramer, encodeFrame } from './framer.js';

export interface MllpClientTlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Verify the server certificate. Default true. */
  rejectUnauthorized?: boolean;
  /** SNI and certificate host name; default the host when it is a name (not an IP). */
  servername?: string;
}

export interface MllpClientOptions {
  host: string;
  port: number;
  tls?: MllpClientTlsOptions;
  /** Time allowed for TCP connect plus TLS handshake. Default 10 s. */
  connectTimeoutMs?: number;
  /** Largest reply payload accepted. Default 10 MiB. */
  maxFrameBytes?: number;
}

export interface MllpSendOptions {
  /** Time from send() to its reply, including waiting behind earlier sends. Default 30 s. */
  timeoutMs?: number;
}

export const MLLP_CLIENT_DEFAULTS = { connectTimeoutMs: 10_000, timeoutMs: 30_000, closeTimeoutMs: 5_000 } as const;

interface Waiter {
  resolve: (reply: Buffer) => void;
  reject: (err: MllpError) => void;
  timer: NodeJS.Timeout;
}

/**
 * One MLLP connection. Guarantees: sends are written in call order and may be
 * pipelined; replies are matched to sends in order (the n-th reply block
 * resolves the n-th outstanding send). After a reply timeout the pairing can
 * no longer be trusted, so the connection is destroyed and every other
 * outstanding send rejects with MLLP_CONNECTION_CLOSED.
 */
export class MllpClient {
  private readonly framer: MllpFramer;
  private readonly waiters: Waiter[] = [];
  private closed = false;
  private closing: Promise<void> | undefined;
  private lastError: unknown;

  private constructor(private readonly socket: Socket, maxFrameBytes: number) {
    this.framer = new MllpFramer({ maxFrameBytes, headBytes: 0 });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => { this.lastError = err; });
    socket.on('close', () => {
      this.closed = true;
      this.failAll(new MllpError(MllpErrorCode.ConnectionClosed, 'connection closed before the reply arrived', { cause: this.lastError }));
    });
  }

  /**
   * Opens a connection (TLS when `tls` is given). Rejects with
   * MLLP_CONNECTION_REFUSED, MLLP_CONNECT_TIMEOUT or MLLP_CONNECT_FAILED.
   */
  static connect(options: MllpClientOptions): Promise<MllpClient> {
    const timeoutMs = options.connectTimeoutMs ?? MLLP_CLIENT_DEFAULTS.connectTimeoutMs;
    const t = options.tls;
    return new Promise((resolve, reject) => {
      const socket: Socket = t
        ? tls.connect({
            host: options.host,
            port: options.port,
            ...(t.ca === undefined ? {} : { ca: t.ca }),
            ...(t.cert === undefined ? {} : { cert: t.cert }),
            ...(t.key === undefined ? {} : { key: t.key }),
            rejectUnauthorized: t.rejectUnauthorized ?? true,
            ...((t.servername ?? (net.isIP(options.host) ? undefined : options.host)) === undefined
              ? {}
              : { servername: t.servername ?? options.host }),
          })
        : net.connect({ host: options.host, port: options.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new MllpError(MllpErrorCode.ConnectTimeout, `no connection to ${options.host}:${options.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (err: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        socket.destroy();
        const code = err.code === 'ECONNREFUSED' ? MllpErrorCode.ConnectionRefused : MllpErrorCode.ConnectFailed;
        reject(new MllpError(code, `cannot connect to ${options.host}:${options.port}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.once(t ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new MllpClient(socket, options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES));
      });
    });
  }

  /** Sends not yet answered. */
  get pending(): number {
    return this.waiters.length;
  }

  /**
   * Writes one frame and resolves with the payload of the reply frame paired with
   * it. Rejects with MLLP_REPLY_TIMEOUT, MLLP_CONNECTION_CLOSED, MLLP_REPLY_TOO_LARGE,
   * or MLLP_INVALID_OPTION when the payload contains an MLLP block byte.
   */
  send(payload: Buffer | string, options: MllpSendOptions = {}): Promise<Buffer> {
    const frame = this.frameFor(payload);
    if (frame instanceof Error) return Promise.reject(frame);
    const timeoutMs = options.timeoutMs ?? MLLP_CLIENT_DEFAULTS.timeoutMs;
    return new Promise<Buffer>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => this.onTimeout(waiter, timeoutMs), timeoutMs),
      };
      this.waiters.push(waiter);
      this.socket.write(frame);
    });
  }

  /**
   * Writes one frame for which no reply is expected (the message's MSH-15 is NE), resolving once
   * it is handed to the socket. Replies to earlier send() calls still pair with those calls.
   */
  post(payload: Buffer | string): Promise<void> {
    const frame = this.frameFor(payload);
    if (frame instanceof Error) return Promise.reject(frame);
    return new Promise<void>((resolve, reject) => {
      this.socket.write(frame, (err) => (err ? reject(new MllpError(MllpErrorCode.ConnectionClosed, err.message)) : resolve()));
    });
  }

  /** The framed payload, or the error to reject with (closed client, block byte in the payload). */
  private frameFor(payload: Buffer | string): Buffer | Error {
    if (this.closed || this.closing) return new MllpError(MllpErrorCode.ConnectionClosed, 'client is closed');
    try {
      return encodeFrame(payload);
    } catch (err) {
      return err as Error;
    }
  }

  /**
   * Half-closes the connection; outstanding sends still get replies the server
   * writes before it closes. Resolves once the socket is closed (destroyed after
   * 5 s at the latest). Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.closed) {
        resolve();
        return;
      }
      const timer = setTimeout(() => this.socket.destroy(), MLLP_CLIENT_DEFAULTS.closeTimeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end();
    });
    return this.closing;
  }

  private onData(chunk: Buffer): void {
    for (const event of this.framer.push(chunk)) {
      if (event.type === 'frame') {
        const waiter = this.waiters.shift();
        if (!waiter) continue; // unsolicited block: nobody to give it to
        clearTimeout(waiter.timer);
        waiter.resolve(event.payload);
      } else if (event.type === 'oversize') {
        this.failAll(new MllpError(MllpErrorCode.ReplyTooLarge, `reply larger than ${this.framer.maxFrameBytes} bytes`));
        this.socket.destroy();
        return;
      }
    }
  }

  private onTimeout(waiter: Waiter, timeoutMs: number): void {
    const i = this.waiters.indexOf(waiter);
    if (i === -1) return;
    this.waiters.splice(i, 1);
    waiter.reject(new MllpError(MllpErrorCode.ReplyTimeout, `no reply within ${timeoutMs} ms`));
    this.failAll(new MllpError(MllpErrorCode.ConnectionClosed, 'connection closed after an earlier reply timed out'));
    this.socket.destroy();
  }

  private failAll(err: MllpError): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }
}
