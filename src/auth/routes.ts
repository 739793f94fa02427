import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mfaRequired, sessionAccess, SessionAccess } from './access.js';
import { AuthError, AuthErrorCode } from './errors.js';
import { authenticate, clearSessionCookie, issuedAuth, sendAuthError, sessionView, setSessionCookie, type AuthHttp, type Authenticated } from './http.js';
import { login } from './login.js';
import { UnknownUserLockouts } from './lockout.js';
import { beginTotpEnrolment, confirmTotpEnrolment } from './mfa.js';
import { changeOwnPassword } from './password-service.js';
import { FixedWindowLimiter } from './rate-limit.js';
import { confirmBody, enrolReply, errorReplies, loginBody, logoutAllReply, passwordBody, sessionReply } from './schemas.js';
import { logout, logoutAll, rotateSession } from './session-service.js';
import { getCredentials } from '../store/auth.js';

const ANY = Object.values(SessionAccess);
const client = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });

/**
 * /api/auth/*: sign-in, sign-out, the session, TOTP enrolment, password change. Registered in its
 * own scope: its error handler answers `{ error: { code, message } }` (a schema failure: 400
 * auth.invalid_request with Fastify's readable message) and never a stack trace; every reply
 * carries Cache-Control: no-store (ASVS 8.2.1).
 */
export function authRoutes(h: AuthHttp) {
  const ipLimiter = new FixedWindowLimiter(h.config.loginRatePerIp);
  const userLimiter = new FixedWindowLimiter(h.config.loginRatePerUser);
  const unknownUsers = new UnknownUserLockouts(h.config);
  const auth = (request: FastifyRequest, reply: FastifyReply, allow: readonly SessionAccess[], slide = true) => authenticate(h, request, reply, { slide, allow });
  const view = (a: Authenticated) => sessionView(h, a, mfaRequired(a.user, h.config.mfaRequiredRoles));
  const who = (request: FastifyRequest, a: Authenticated) => ({ userId: a.user.userId, sessionId: a.session.id, ip: request.ip, emit: h.emit });

  return async function routes(app: FastifyInstance): Promise<void> {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (err instanceof AuthError) return sendAuthError(reply, err);
      if (err.validation || (err.statusCode !== undefined && err.statusCode < 500)) {
        return reply.code(err.statusCode ?? 400).send({ error: { code: AuthErrorCode.InvalidRequest, message: err.message } });
      }
      request.log.error({ err: { name: err.name, code: err.code, message: err.message } }, 'auth route failed');
      return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
    });
    app.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });

    app.post<{ Body: { username: string; password: string; totp?: string } }>('/api/auth/login', {
      schema: { body: loginBody, response: { 200: sessionReply, ...errorReplies } },
    }, async (request, reply) => {
      const now = h.now();
      const byIp = ipLimiter.take(request.ip, now);
      const byUser = userLimiter.take(request.body.username.trim().toLowerCase(), now);
      if (!byIp.allowed || !byUser.allowed) {
        throw new AuthError(AuthErrorCode.RateLimited, 'too many sign-in attempts: wait a minute', Math.max(byIp.retryAfterSeconds, byUser.retryAfterSeconds));
      }
      const ok = await login({ db: h.db, config: h.config, unknownUsers, emit: h.emit }, request.body, client(request), now);
      setSessionCookie(reply, h.config, ok.token);
      return sessionView(h, issuedAuth(ok, ok.user, ok.access), ok.mfaRequired);
    });

    app.post('/api/auth/logout', { schema: { response: { 204: { type: 'null' }, ...errorReplies } } }, async (request, reply) => {
      const a = await auth(request, reply, ANY, false);
      await logout(h.db, a.session, a.user, request.ip, h.emit, h.now());
      clearSessionCookie(reply, h.config);
      return reply.code(204).send();
    });

    app.post('/api/auth/logout-all', { schema: { response: { 200: logoutAllReply, ...errorReplies } } }, async (request, reply) => {
      const a = await auth(request, reply, ANY, false);
      const sessionsEnded = await logoutAll(h.db, a.user, { ip: request.ip, emit: h.emit }, h.now());
      clearSessionCookie(reply, h.config);
      return { sessionsEnded };
    });

    // GET only reads (the dashboard polls it for the idle deadline without extending it); POST is
    // "stay signed in": it slides the idle deadline like any other API request.
    app.get('/api/auth/session', { schema: { response: { 200: sessionReply, ...errorReplies } } }, async (request, reply) => view(await auth(request, reply, ANY, false)));
    app.post('/api/auth/session', { schema: { response: { 200: sessionReply, ...errorReplies } } }, async (request, reply) => view(await auth(request, reply, ANY)));

    app.post('/api/auth/mfa/enroll', { schema: { response: { 200: enrolReply, ...errorReplies } } }, async (request, reply) => {
      const a = await auth(request, reply, [SessionAccess.Full, SessionAccess.MfaEnrolment]);
      return beginTotpEnrolment(h.db, who(request, a), h.now());
    });

    app.post<{ Body: { code: string } }>('/api/auth/mfa/confirm', {
      schema: { body: confirmBody, response: { 200: sessionReply, ...errorReplies } },
    }, async (request, reply) => {
      const a = await auth(request, reply, [SessionAccess.Full, SessionAccess.MfaEnrolment]);
      const now = h.now();
      await confirmTotpEnrolment(h.db, who(request, a), request.body.code, now);
      return reissue(reply, a, now);
    });

    app.post<{ Body: { currentPassword: string; newPassword: string } }>('/api/auth/password', {
      schema: { body: passwordBody, response: { 200: sessionReply, ...errorReplies } },
    }, async (request, reply) => {
      const a = await auth(request, reply, [SessionAccess.Full, SessionAccess.PasswordChange]);
      const now = h.now();
      await changeOwnPassword(h.db, a.session, { current: request.body.currentPassword, next: request.body.newPassword }, { ip: request.ip, emit: h.emit }, now);
      return reissue(reply, a, now);
    });
  };

  /** After a privilege change: a new token for the session (ASVS 3.2.1) and the session reply with its new CSRF token. */
  async function reissue(reply: FastifyReply, a: Authenticated, now: number) {
    const issued = await rotateSession(h.db, a.session, now);
    const user = (await getCredentials(h.db, a.user.userId))!;
    setSessionCookie(reply, h.config, issued.token);
    return view(issuedAuth(issued, user, sessionAccess(user, h.config.mfaRequiredRoles)));
  }
}
