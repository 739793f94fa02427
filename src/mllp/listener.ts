/**
 * MLLP listener over TCP or TLS (HL7 MLLP Release 2 framing; TLS per the
 * deployment's security policy, TLS 1.3 only).
 */
import net, { type AddressInfo, type Server, type Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import { MllpConnection, type ConnectionLimits } from './connection.js';
import { MllpError, MllpErrorCode } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES } from './framer.js';
import { errorFields, type MllpLogger } from './logger.js';
import type { MllpConnectionInfo, MllpCounters, MllpHandler } from './types.js';

export interface MllpListenerTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  /** CA bundle used to verify client certificates. */
  ca?: string | Buffer;
  /** Require a client certificate trusted by `ca`; others are refused at handshake. */
  requestClientCert?: boolean;
}

export interface MllpListenerOptions {
  /** Name used in logs and connection ids. */
  name: string;
  /** Bind address. Default '0.0.0.0'. */
  host?: string;
  /** TCP port; 0 picks an ephemeral port (see start()'s result). */
  port: number;
  /** Largest frame payload accepted. Default 10 MiB. */
  maxFrameBytes?: number;
  /** Concurrent connections; more are accepted and closed at once (server.maxConnections). Default 200. */
  maxConnections?: number;
  /** A connection with no traffic either way for this long is closed. Default 10 min; 0 disables. */
  idleTimeoutMs?: number;
  /** A started frame not ended within this is dropped and its connection closed. Default 60 s; 0 disables. */
  frameTimeoutMs?: number;
  /** Reading from a connection pauses while this many of its frames await the handler or their reply. Default 32. */
  maxPendingFrames?: number;
  /** How long a closing connection (and stop()) waits for in-flight replies before destroying sockets. Default 10 s. */
  closeGraceMs?: number;
  tls?: MllpListenerTlsOptions;
  /** Clock for frame timeouts (milliseconds). Default Date.now. */
  now?: () => number;
}

/** Option defaults applied by MllpListener. */
export const MLLP_LISTENER_DEFAULTS = {
  host: '0.0.0.0',
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxConnections: 200,
  idleTimeoutMs: 10 * 60_000,
  frameTimeoutMs: 60_000,
  maxPendingFrames: 32,
  closeGraceMs: 10_000,
} as const;

export interface MllpListenerStats {
  /** Open MLLP connections (TLS: after handshake). */
  connections: number;
  framesReceived: number;
  junkBytes: number;
  oversize: number;
  /** Connections closed at once because maxConnections was reached. */
  rejectedConnections: number;
  frameTimeouts: number;
  handlerErrors: number;
  /** Handler calls not yet settled, all connections together. */
  inFlight: number;
  /** Frames awaiting the handler or the writing of their reply, all connections together. */
  pendingFrames: number;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * Accepts MLLP connections and hands each frame to the handler. Guarantees:
 * replies are written framed, in frame order per connection, and only replies
 * produced by the handler are ever written; memory per connection is bounded
 * by maxFrameBytes plus maxPendingFrames frames plus one read chunk; payloads
 * are never logged. start() once; stop() is idempotent.
 */
export class MllpListener {
  private readonly limits: ConnectionLimits;
  private readonly counters: MllpCounters = { framesReceived: 0, junkBytes: 0, oversize: 0, frameTimeouts: 0, handlerErrors: 0, inFlight: 0 };
  private readonly connections = new Set<MllpConnection>();
  private readonly rawSockets = new Set<Socket>();
  private server: Server | undefined;
  private state: State = 'new';
  private rejected = 0;
  private sequence = 0;
  private stopping: Promise<void> | undefined;
  private binding: Promise<void> | undefined;

  constructor(
    private readonly options: MllpListenerOptions,
    private readonly handler: MllpHandler,
    private readonly logger: MllpLogger,
  ) {
    const d = MLLP_LISTENER_DEFAULTS;
    this.limits = {
      maxFrameBytes: options.maxFrameBytes ?? d.maxFrameBytes,
      maxPendingFrames: options.maxPendingFrames ?? d.maxPendingFrames,
      idleTimeoutMs: options.idleTimeoutMs ?? d.idleTimeoutMs,
      frameTimeoutMs: options.frameTimeoutMs ?? d.frameTimeoutMs,
      closeGraceMs: options.closeGraceMs ?? d.closeGraceMs,
      now: options.now ?? Date.now,
    };
    const { now: _now, ...numbers } = this.limits;
    for (const [key, value] of Object.entries({ ...numbers, maxConnections: options.maxConnections ?? d.maxConnections })) {
      if (!Number.isSafeInteger(value) || value < 0) throw new MllpError(MllpErrorCode.InvalidOption, `${key} must be a non-negative integer`);
    }
    if (this.limits.maxPendingFrames < 1 || this.limits.maxFrameBytes < 1) {
      throw new MllpError(MllpErrorCode.InvalidOption, 'maxPendingFrames and maxFrameBytes must be at least 1');
    }
  }

  /** Binds and starts accepting. Rejects with MLLP_LISTEN_FAILED, or MLLP_INVALID_STATE if called twice. */
  async start(): Promise<{ host: string; port: number }> {
    if (this.state !== 'new') throw new MllpError(MllpErrorCode.InvalidState, `listener ${this.options.name} already started`);
    this.state = 'starting';
    const server = this.createServer();
    this.server = server;
    this.binding = new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.options.host ?? MLLP_LISTENER_DEFAULTS.host, port: this.options.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    try {
      await this.binding;
    } catch (err) {
      this.state = 'stopped';
      throw new MllpError(MllpErrorCode.ListenFailed, `listener ${this.options.name} could not listen`, { cause: err });
    }
    server.on('error', (err) => this.logger.error({ listener: this.options.name, ...errorFields(err) }, 'mllp server error'));
    const address = server.address() as AddressInfo;
    if (this.state !== 'starting') throw new MllpError(MllpErrorCode.InvalidState, `listener ${this.options.name} was stopped while starting`);
    this.state = 'running';
    this.logger.info({ listener: this.options.name, host: address.address, port: address.port, tls: !!this.options.tls }, 'mllp listener started');
    return { host: address.address, port: address.port };
  }

  /**
   * Stops accepting, lets in-flight handler calls finish and their replies be
   * written (each connection bounded by closeGraceMs), then destroys what remains.
   * Idempotent: every call returns the same promise.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  stats(): MllpListenerStats {
    let pendingFrames = 0;
    for (const c of this.connections) pendingFrames += c.pendingFrames;
    return { connections: this.connections.size, rejectedConnections: this.rejected, pendingFrames, ...this.counters };
  }

  private async doStop(): Promise<void> {
    const server = this.server;
    this.state = 'stopping';
    await this.binding?.catch(() => undefined); // stop() during start(): let the bind finish first
    if (server?.listening) {
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      const open = [...this.connections];
      for (const c of open) c.close('listener-stopping');
      await Promise.all(open.map((c) => c.closed));
      for (const raw of this.rawSockets) raw.destroy(); // e.g. TLS handshakes in progress
      await serverClosed;
    }
    this.state = 'stopped';
    this.logger.info({ listener: this.options.name }, 'mllp listener stopped');
  }

  private createServer(): Server {
    const t = this.options.tls;
    // allowHalfOpen: a sender that half-closes after its last frame still gets its replies.
    const server: Server = t
      ? tls.createServer({
          key: t.key,
          cert: t.cert,
          ...(t.ca === undefined ? {} : { ca: t.ca }),
          minVersion: 'TLSv1.3',
          requestCert: !!t.requestClientCert,
          rejectUnauthorized: !!t.requestClientCert,
          allowHalfOpen: true,
        })
      : net.createServer({ allowHalfOpen: true });
    // Node accepts and closes at once connections beyond maxConnections, emitting 'drop'.
    server.maxConnections = this.options.maxConnections ?? MLLP_LISTENER_DEFAULTS.maxConnections;
    server.on('drop', (data) => {
      this.rejected += 1;
      this.logger.warn({ listener: this.options.name, remoteAddress: data?.remoteAddress, remotePort: data?.remotePort }, 'mllp connection refused: maxConnections reached');
    });
    server.on('connection', (raw: Socket) => {
      this.rawSockets.add(raw);
      raw.once('close', () => this.rawSockets.delete(raw));
      if (!t) this.accept(raw, false);
    });
    if (t) {
      server.on('secureConnection', (s: TLSSocket) => this.accept(s, true));
      server.on('tlsClientError', (err, s: TLSSocket) => {
        this.logger.info({ listener: this.options.name, remoteAddress: s.remoteAddress, remotePort: s.remotePort, ...errorFields(err) }, 'mllp TLS handshake refused');
      });
    }
    return server;
  }

  private accept(socket: Socket, isTls: boolean): void {
    if (this.state !== 'running') {
      socket.destroy();
      return;
    }
    this.sequence += 1;
    const info: MllpConnectionInfo = {
      connectionId: `${this.options.name}-${this.sequence}`,
      listener: this.options.name,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      tls: isTls,
    };
    if (isTls) {
      const cert = (socket as TLSSocket).getPeerCertificate();
      if (cert && cert.subject) {
        info.peerCertificateSubject = Object.entries(cert.subject)
          .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
          .join(', ');
        info.peerCertificateFingerprint256 = cert.fingerprint256;
      }
    }
    const conn = new MllpConnection(socket, info, this.handler, this.limits, this.counters, this.logger);
    this.connections.add(conn);
    void conn.closed.then(() => this.connections.delete(conn));
  }
}
