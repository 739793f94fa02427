import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { AuthConfig } from '../config.js';
import type { Database } from '../store/schema.js';
import { SessionAccess } from './access.js';
import { AuthError } from './errors.js';
import { auditAuthEvent } from './audit.js';
import type { OnAuthEvent } from './events.js';
import { authenticate, sendAuthError, type AuthHttp, type SessionUser } from './http.js';
import { authRoutes } from './routes.js';
import { sweepExpiredSessions } from './session-service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, set by requireUser; null on routes without it. */
    user: SessionUser | null;
  }
  interface FastifyInstance {
    /**
     * Put on every /api route (`{ onRequest: app.requireUser }`, or `preHandler`; onRequest runs
     * before the body is read): answers 401/403 `{ error: { code, message } }` unless the request
     * carries an open session with full access and, on POST/PUT/PATCH/DELETE, its X-CSRF-Token;
     * then slides the idle deadline and sets request.user.
     */
    requireUser(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

export interface AuthPluginOptions {
  db: Kysely<Database>;
  config: AuthConfig;
  /**
   * Receives one event per sign-in, failed sign-in, sign-out, session timeout and TOTP change,
   * inside the transaction of the change (events.ts). A throw fails the request (500) and rolls the
   * change back. Default: auditAuthEvent, one audit_log entry each (src/audit appendAudit).
   */
  onAuthEvent?: OnAuthEvent;
  /** The clock (epoch ms); Date.now by default. */
  now?: () => number;
}

/**
 * Authentication and server-side sessions: registers @fastify/cookie, `request.user`,
 * `app.requireUser` (for the whole app: this plugin is not encapsulated) and the /api/auth routes
 * (in their own scope), and sweeps timed-out sessions every minute so their end is recorded.
 */
async function authPlugin(app: FastifyInstance, options: AuthPluginOptions): Promise<void> {
  const { db, config } = options;
  const log = app.log.child({ component: 'auth' });
  if (config.insecureCookies) log.warn('CARECOORD_INSECURE_COOKIES is set: session cookies are sent without Secure; for development over plain HTTP only');
  const hook: OnAuthEvent = options.onAuthEvent ?? auditAuthEvent;
  const h: AuthHttp = { db, config, now: options.now ?? Date.now, emit: async (event, trx) => hook(event, trx) };

  await app.register(cookie);
  app.decorateRequest('user', null);
  app.decorate('requireUser', async function requireUser(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    try {
      await authenticate(h, request, reply, { slide: true, allow: [SessionAccess.Full] });
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      // Answered here, so it does not depend on the route's error handler. Awaiting the reply waits
      // until it is written (even past async onSend hooks): Fastify then sees it sent and never
      // runs the route's handler (test/auth-session.test.ts checks this).
      await sendAuthError(reply, err);
    }
  });
  await app.register(authRoutes(h));

  let sweep: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    sweep = setInterval(() => {
      sweepExpiredSessions(db, config, h.emit, h.now()).catch((err: Error) => log.error({ err: { name: err.name, message: err.message } }, 'session sweep failed'));
    }, Math.min(60_000, Math.max(1_000, config.sessionIdleMs)));
    sweep.unref();
  });
  app.addHook('onClose', async () => clearInterval(sweep));
}

// Not encapsulated (what fastify-plugin does): the cookie parser, request.user and requireUser
// are visible to the routes registered beside it.
(authPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export { authPlugin };
export type { SessionUser } from './http.js';
