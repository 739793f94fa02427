/** Public types shared by the MLLP listener and its connections. */

/** Who is on the other end of a connection. Never contains message content. */
export interface MllpConnectionInfo {
  /** Unique per listener instance: `${listener}-${sequence}`. */
  connectionId: string;
  /** The listener's configured name. */
  listener: string;
  remoteAddress: string;
  remotePort: number;
  tls: boolean;
  /** Subject of the verified client certificate, as `CN=..., O=...` (TLS with client certs only). */
  peerCertificateSubject?: string;
  /** SHA-256 fingerprint of the client certificate, colon-separated hex (TLS with client certs only). */
  peerCertificateFingerprint256?: string;
}

/** Supplied by the ingest layer: turns received frames into reply (ACK) bytes. */
export interface MllpHandler {
  /**
   * Called once per received frame, in order per connection; returns the reply
   * payload (ACK bytes, without framing) or null for no reply. It may be called
   * for the next frames of the same connection before earlier promises resolve
   * (pipelining): the listener writes replies strictly in frame order. A rejection
   * closes the connection without any reply for that frame or later ones.
   */
  onFrame(payload: Buffer, ctx: MllpConnectionInfo): Promise<Buffer | null>;
  /**
   * A frame exceeded maxFrameBytes: returns the reply (an AR NAK) to write before
   * the listener closes the connection. `head` is the frame's first bytes, `bytes`
   * the frame bytes seen when the limit was detected (more than maxFrameBytes).
   */
  onOversize(head: Buffer, bytes: number, ctx: MllpConnectionInfo): Promise<Buffer | null>;
}

/** Counters shared by a listener and its connections (mutated in place). */
export interface MllpCounters {
  framesReceived: number;
  junkBytes: number;
  oversize: number;
  frameTimeouts: number;
  handlerErrors: number;
  /** Handler calls whose promise has not settled yet. */
  inFlight: number;
}
