/**
 * Real-time: changes about patients, pushed to the dashboard over Server-Sent Events. Writers call
 * publish() in the transaction of their change (realtime_event); one RealtimeHub per process reads
 * the table and hands each event to the SseStreams of the users who see that patient now.
 */
export { publish, publishClinicalEvent, publishTask, RealtimeKind, type NewRealtimeEvent } from './publish.js';
export { RealtimeHub, DEFAULT_POLL_MS, type HubOptions } from './hub.js';
export { SseStream, DEFAULT_STREAM_OPTIONS, type StreamOptions } from './stream.js';
export { sessionState, type SessionState } from './session.js';
export { isPostgres } from './store.js';
