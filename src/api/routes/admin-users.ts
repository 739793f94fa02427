import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Permission } from '../../access/index.js';
import {
  createUser, disableAccount, listUserPage, logoutUserEverywhere, openSessionsOf, resetUserMfa, resetUserPassword, setUserRoles, userAccount,
  type AdminCaller, type UserAccount,
} from '../../auth/user-admin.js';
import { USER_ROLES, UserStatus, type User } from '../../care/user.js';
import { iso, type RouteDeps } from './context.js';
import { nextCursor, pageQuery, roleRoute } from './role.js';
import { errorReplies, idParams, nullableString, nullableTime, time } from './schemas.js';

const role = { type: 'string', enum: USER_ROLES } as const;
const userProps = {
  id: { type: 'integer' }, username: { type: 'string' }, displayName: { type: 'string' }, email: nullableString, phone: nullableString,
  roles: { type: 'array', items: { type: 'string' } }, status: { type: 'string' }, createdAt: time, updatedAt: time,
} as const;
const userView = { type: 'object', properties: userProps } as const;
const accountView = {
  type: 'object',
  properties: { ...userProps, hasPassword: { type: 'boolean' }, mustChangePassword: { type: 'boolean' }, mfaEnrolled: { type: 'boolean' }, lockedUntil: nullableTime },
} as const;
const sessionsEnded = { type: 'object', properties: { userId: { type: 'integer' }, sessionsEnded: { type: 'integer' } } } as const;
const conflictReply = { ...errorReplies[400], description: 'the change would leave no active administrator, or disable yourself; or a conflict (username taken)' };
const replies = { ...errorReplies, 409: conflictReply } as const;

const userOut = (u: User) => ({ ...u, createdAt: iso(u.createdAt), updatedAt: iso(u.updatedAt) });
const accountOut = (u: UserAccount) => ({ ...userOut(u), lockedUntil: iso(u.lockedUntil) });

const adminOf = (request: FastifyRequest): AdminCaller => ({ userId: request.user!.id, username: request.user!.username, source: request.ip });

/**
 * /api/admin/users: the administrator's user management (Permission.Administration), the API of
 * `carecoord user`: list, add, show, disable, roles, reset-password, mfa-reset, sessions, logout-all.
 * Changes are audited with the administrator, their address and the user changed; no reply carries a
 * password hash or TOTP secret (reset-password returns the one-time password once, not stored).
 */
export function adminUserRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const base = () => roleRoute(app, deps, Permission.Administration);

  app.get<{ Querystring: { status?: UserStatus; role?: string; cursor?: number; limit: number } }>('/api/admin/users', {
    ...base(),
    schema: {
      summary: 'Users in id order, by status and role (administrator)',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { status: { type: 'string', enum: Object.values(UserStatus) }, role, ...pageQuery },
      },
      response: { 200: { type: 'object', properties: { users: { type: 'array', items: userView }, nextCursor } }, ...errorReplies },
    },
  }, async (request) => {
    const p = await listUserPage(deps.db, request.query);
    return { users: p.items.map(userOut), nextCursor: p.nextCursor };
  });

  app.post<{ Body: { username: string; displayName: string; email?: string; phone?: string; roles: string[]; password?: string } }>('/api/admin/users', {
    ...base(),
    schema: {
      summary: 'Add a user; with password (policy checked) it must be changed at first sign-in, without one use reset-password to hand out a one-time password',
      body: {
        type: 'object', required: ['username', 'displayName', 'roles'], additionalProperties: false,
        properties: {
          username: { type: 'string', minLength: 2, maxLength: 64 }, displayName: { type: 'string', minLength: 1, maxLength: 200 },
          email: { type: 'string', maxLength: 254 }, phone: { type: 'string', maxLength: 32 },
          roles: { type: 'array', minItems: 1, maxItems: USER_ROLES.length, items: role },
          password: { type: 'string', minLength: 1, maxLength: 1024, description: 'initial password: never stored in clear, never returned' },
        },
      },
      response: { 201: { type: 'object', properties: { user: accountView } }, ...replies },
    },
  }, async (request, reply) => {
    const user = await createUser(deps.db, request.body, deps.now(), adminOf(request));
    return reply.code(201).send({ user: accountOut(user) });
  });

  app.get<{ Params: { id: number } }>('/api/admin/users/:id', {
    ...base(),
    schema: { summary: 'A user and their sign-in state (administrator)', params: idParams, response: { 200: { type: 'object', properties: { user: accountView } }, ...errorReplies } },
  }, async (request) => ({ user: accountOut(await userAccount(deps.db, request.params.id)) }));

  app.post<{ Params: { id: number } }>('/api/admin/users/:id/disable', {
    ...base(),
    schema: {
      summary: 'Disable a user: sessions and team memberships end (not yourself, not the last active administrator)',
      params: idParams,
      response: { 200: { type: 'object', properties: { user: userView, endedMemberships: { type: 'integer' }, pendingTasks: { type: 'integer' } } }, ...replies },
    },
  }, async (request) => {
    const r = await disableAccount(deps.db, request.params.id, deps.now(), adminOf(request));
    return { user: userOut(r.user), endedMemberships: r.endedMemberships.length, pendingTasks: r.pendingTasks };
  });

  app.post<{ Params: { id: number }; Body: { roles: string[] } }>('/api/admin/users/:id/roles', {
    ...base(),
    schema: {
      summary: 'Replace the roles of a user (audited as a permission change; not leaving no active administrator)',
      params: idParams,
      body: { type: 'object', required: ['roles'], additionalProperties: false, properties: { roles: { type: 'array', minItems: 1, maxItems: USER_ROLES.length, items: role } } },
      response: { 200: { type: 'object', properties: { user: accountView } }, ...replies },
    },
  }, async (request) => ({ user: accountOut(await setUserRoles(deps.db, request.params.id, request.body.roles, deps.now(), adminOf(request))) }));

  app.post<{ Params: { id: number } }>('/api/admin/users/:id/reset-password', {
    ...base(),
    schema: {
      summary: 'A one-time password, shown once, to hand over out of band: the user must change it at sign-in; their sessions end',
      params: idParams,
      response: { 200: { type: 'object', properties: { userId: { type: 'integer' }, oneTimePassword: { type: 'string' }, sessionsEnded: { type: 'integer' } } }, ...errorReplies },
    },
  }, async (request, reply) => {
    const r = await resetUserPassword(deps.db, request.params.id, deps.now(), adminOf(request));
    reply.header('cache-control', 'no-store');
    return { userId: request.params.id, ...r };
  });

  app.post<{ Params: { id: number } }>('/api/admin/users/:id/mfa-reset', {
    ...base(),
    schema: { summary: 'Remove the TOTP enrolment (a lost authenticator) and end the user\'s sessions', params: idParams, response: { 200: sessionsEnded, ...errorReplies } },
  }, async (request) => ({ userId: request.params.id, sessionsEnded: await resetUserMfa(deps.db, request.params.id, deps.now(), adminOf(request)) }));

  app.get<{ Params: { id: number } }>('/api/admin/users/:id/sessions', {
    ...base(),
    schema: {
      summary: 'The user\'s open sessions, newest first (some may have timed out and not been swept yet)',
      params: idParams,
      response: {
        200: {
          type: 'object',
          properties: {
            sessions: {
              type: 'array',
              items: { type: 'object', properties: { id: { type: 'integer' }, createdAt: time, lastSeenAt: time, expiresAt: time, ip: nullableString, userAgent: nullableString } },
            },
          },
        },
        ...errorReplies,
      },
    },
  }, async (request) => {
    const sessions = await openSessionsOf(deps.db, request.params.id);
    return { sessions: sessions.map((s) => ({ id: s.id, createdAt: iso(s.createdAt), lastSeenAt: iso(s.lastSeenAt), expiresAt: iso(s.expiresAt), ip: s.ip, userAgent: s.userAgent })) };
  });

  app.post<{ Params: { id: number } }>('/api/admin/users/:id/logout-all', {
    ...base(),
    schema: { summary: 'End every session of the user', params: idParams, response: { 200: sessionsEnded, ...errorReplies } },
  }, async (request) => ({ userId: request.params.id, sessionsEnded: await logoutUserEverywhere(deps.db, request.params.id, deps.now(), adminOf(request)) }));
}
