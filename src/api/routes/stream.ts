import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { SessionPolicy } from '../../auth/session.js';
import { metrics } from '../../metrics/index.js';
import { DEFAULT_STREAM_OPTIONS, isPostgres, RealtimeHub, sessionState, SseStream, type HubOptions, type StreamOptions } from '../../realtime/index.js';
import type { Database } from '../../store/schema.js';
import { callerOf } from './context.js';
import { errorReplies } from './schemas.js';

export interface StreamRouteOptions {
  db: Kysely<Database>;
  /** The session timeouts (the stream ends when its session does). */
  session: SessionPolicy;
  /** The session clock; Date.now by default. */
  clock?: () => number;
  /** The access clock (break-the-glass expiry); Date.now by default. */
  now?: () => number;
  /** Poll interval and the like (tests shorten them). */
  hub?: Pick<HubOptions, 'pollMs' | 'maxHoleWaitMs' | 'retentionMs'>;
  stream?: Partial<StreamOptions>;
}

/**
 * GET /api/stream: Server-Sent Events about the patients the caller sees now (src/realtime). The
 * plugin owns the process's RealtimeHub: started when the app is ready, stopped (and every stream
 * ended) before the server closes.
 */
export async function streamRoutes(app: FastifyInstance, options: StreamRouteOptions): Promise<void> {
  const clock = options.clock ?? Date.now;
  const now = options.now ?? Date.now;
  const streamOptions = { ...DEFAULT_STREAM_OPTIONS, ...options.stream };
  const hub = new RealtimeHub(options.db, {
    ...options.hub, now, postgres: isPostgres(options.db), onError: (err) => app.log.error({ err }, 'realtime poll failed'),
  });
  const open = new Set<SseStream>();
  app.addHook('onReady', () => hub.start());
  app.addHook('preClose', async () => {
    hub.stop();
    for (const s of [...open]) s.end('server-closing', true);
  });

  app.get('/api/stream', {
    onRequest: app.requireUser,
    config: { scope: 'caller' },
    schema: {
      summary: 'Server-Sent Events (text/event-stream) about the patients I see now: clinical-event, task; ready, reset, end; resumes after Last-Event-ID',
      headers: { type: 'object', properties: { 'last-event-id': { type: 'string', pattern: '^[0-9]{1,15}$' } } },
      response: { 200: { description: 'text/event-stream', type: 'string' }, ...errorReplies },
    },
  }, async (request, reply) => {
    const caller = callerOf(request);
    const sessionId = request.user!.sessionId;
    const checkSession = () => sessionState(options.db, sessionId, options.session, clock());
    const state = await checkSession();
    if (!state.open) return reply.code(401).send({ error: { code: 'auth.session_expired', message: 'the session ended: sign in again' } });
    const header = request.headers['last-event-id'];
    const lastEventId = typeof header === 'string' ? Number(header) : undefined;
    reply.hijack();
    const stream = new SseStream(reply.raw, { db: options.db, hub, caller, checkSession, clock, accessNow: now, onEnd: () => (open.delete(stream), metrics.sseConnections.dec()) }, streamOptions, state);
    open.add(stream);
    metrics.sseConnections.inc();
    try {
      await stream.open(lastEventId);
    } catch (err) {
      request.log.error({ err }, 'stream replay failed');
    }
  });
}
