import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { authPlugin, type AuthPluginOptions } from '../auth/plugin.js';
import { installErrorHandling } from './errors.js';
import { OpenApiCollector } from './openapi.js';
import { apiRoutes, type ApiOptions } from './routes/index.js';

export interface HealthSource {
  /** True once every MLLP listener accepts connections and the store is open. */
  accepting(): boolean;
  details(): Record<string, unknown>;
}

/**
 * The HTTP app (no listen): health endpoints now; the API issue adds its routes as plugins.
 * Every route has a schema. With `auth`: sign-in, sessions and `app.requireUser` (src/auth).
 */
export function buildHttpApp(logger: Logger, health: HealthSource, auth?: AuthPluginOptions, api: Pick<ApiOptions, 'now' | 'breakGlassMs'> = {}): FastifyInstance {
  // Request logging off: URLs of later API routes name patients; errors are still logged.
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
  });
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
  if (auth) app.register(authPlugin, auth);
  // The API needs request.user: only with auth. Patient data through src/access only.
  if (auth) app.register(apiRoutes, { ...api, db: auth.db, openapi });
  return app;
}
