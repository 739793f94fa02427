import helmet from '@fastify/helmet';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { TrustProxy } from '../config.js';
import { authPlugin, type AuthPluginOptions } from '../auth/plugin.js';
import { installErrorHandling } from './errors.js';
import { readinessRoute, type ReadinessProbe } from './health.js';
import { OpenApiCollector } from './openapi.js';
import { apiRoutes, type ApiOptions } from './routes/index.js';
import { streamRoutes, type StreamRouteOptions } from './routes/stream.js';

export interface HealthSource {
  /** True once every MLLP listener accepts connections and the store is open. */
  accepting(): boolean;
  details(): Record<string, unknown>;
  /** For /readyz (store, processing, listeners); without it /readyz follows accepting(). */
  readiness?: ReadinessProbe;
}

/** How the app is served: `https` (key, cert, minVersion) makes Fastify create an HTTPS server and send HSTS. */
export interface HttpServeOptions {
  https?: { key: Buffer; cert: Buffer; minVersion: 'TLSv1.3' } | undefined;
  /** Proxies whose X-Forwarded-For sets request.ip (config.ts TrustProxy); off when absent. */
  trustProxy?: TrustProxy | undefined;
}

/** HSTS: one year (RFC 6797; the preload lists ask at least this), subdomains included. */
export const HSTS_MAX_AGE_S = 31_536_000;

/**
 * The HTTP app (no listen): health endpoints now; the API issue adds its routes as plugins.
 * Every route has a schema. With `auth`: sign-in, sessions and `app.requireUser` (src/auth).
 */
export function buildHttpApp(
  logger: Logger,
  health: HealthSource,
  auth?: AuthPluginOptions,
  api: Pick<ApiOptions, 'now' | 'breakGlassMs' | 'alerts'> & { realtime?: Pick<StreamRouteOptions, 'hub' | 'stream'> } = {},
  serve: HttpServeOptions = {},
): FastifyInstance {
  // Request logging off: URLs of later API routes name patients; errors are still logged.
  // (With `https` Fastify's type is FastifyInstance<https.Server>; callers only need the common surface.)
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    // Unknown fields are refused, never silently dropped: `additionalProperties: false` answers 400 naming
    // the field (Fastify's default Ajv options remove them instead, hiding a client's mistake).
    ajv: { customOptions: { removeAdditional: false } },
    ...(serve.https ? { https: serve.https } : {}),
    // request.ip is the audited "from where": the client's, when it came through a trusted proxy.
    trustProxy: serve.trustProxy ? [...serve.trustProxy] : false,
  }) as unknown as FastifyInstance;
  // Secure headers on every reply; HSTS only when this server itself speaks TLS (behind a proxy, the proxy sends it).
  app.register(helmet, { hsts: serve.https ? { maxAge: HSTS_MAX_AGE_S, includeSubDomains: true } : false });
  // Before any route: the OpenAPI document lists every route registered after this.
  const openapi = new OpenApiCollector(app);
  installErrorHandling(app);
  app.get('/healthz', {
    schema: {
      response: {
        200: { type: 'object', properties: { status: { type: 'string' } }, additionalProperties: true },
        503: { type: 'object', properties: { status: { type: 'string' } }, additionalProperties: true },
      },
    },
  }, async (_req, reply) => {
    const ok = health.accepting();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'starting', ...health.details() });
  });
  readinessRoute(app, health.readiness ?? { store: async () => {}, processingAlive: () => true, listeners: () => ({ all: health.accepting() }) });
  if (auth) app.register(authPlugin, auth);
  // The API needs request.user: only with auth. Patient data through src/access only.
  if (auth) app.register(apiRoutes, { ...api, db: auth.db, openapi });
  if (auth) app.register(streamRoutes, { db: auth.db, session: auth.config, clock: auth.now ?? Date.now, now: api.now ?? Date.now, ...api.realtime });
  return app;
}
