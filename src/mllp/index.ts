/** Public surface of the MLLP transport (bytes only; knows nothing of HL7 content). */
export { MllpClient, MLLP_CLIENT_DEFAULTS } from './client.js';
export type { MllpClientOptions, MllpClientTlsOptions, MllpSendOptions } from './client.js';
export { MllpError, MllpErrorCode } from './errors.js';
export { CR, DEFAULT_HEAD_BYTES, DEFAULT_MAX_FRAME_BYTES, FS, MllpFramer, VT, encodeFrame } from './framer.js';
export type { FramerEvent, MllpFramerOptions } from './framer.js';
export { MLLP_LISTENER_DEFAULTS, MllpListener } from './listener.js';
export type { MllpListenerOptions, MllpListenerStats, MllpListenerTlsOptions } from './listener.js';
export { silentLogger } from './logger.js';
export type { MllpLogger } from './logger.js';
export type { MllpConnectionInfo, MllpHandler } from './types.js';
