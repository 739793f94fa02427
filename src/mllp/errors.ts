/**
 * Closed set of error codes raised by the MLLP transport. Callers branch on
 * `err.code`, never on the message text.
 */
export const MllpErrorCode = {
  /** The TCP connection was refused by the peer (ECONNREFUSED). */
  ConnectionRefused: 'MLLP_CONNECTION_REFUSED',
  /** The TCP (and TLS) connection was not established within connectTimeoutMs. */
  ConnectTimeout: 'MLLP_CONNECT_TIMEOUT',
  /** Connecting failed for another reason (DNS, TLS handshake, certificate...). */
  ConnectFailed: 'MLLP_CONNECT_FAILED',
  /** The connection closed (or was closed) before the reply frame arrived. */
  ConnectionClosed: 'MLLP_CONNECTION_CLOSED',
  /** No reply frame arrived within the send timeout. */
  ReplyTimeout: 'MLLP_REPLY_TIMEOUT',
  /** The peer sent a reply frame larger than maxFrameBytes. */
  ReplyTooLarge: 'MLLP_REPLY_TOO_LARGE',
  /** The listener could not bind its address. */
  ListenFailed: 'MLLP_LISTEN_FAILED',
  /** A lifecycle method was called in the wrong state (e.g. start() twice). */
  InvalidState: 'MLLP_INVALID_STATE',
  /** An option value is out of range. */
  InvalidOption: 'MLLP_INVALID_OPTION',
} as const;

export type MllpErrorCode = (typeof MllpErrorCode)[keyof typeof MllpErrorCode];

/** Error raised by src/mllp. Its message never contains message payload bytes. */
export class MllpError extends Error {
  readonly code: MllpErrorCode;

  constructor(code: MllpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MllpError';
    this.code = code;
  }
}
