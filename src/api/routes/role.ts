import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requirePermission, type Permission } from '../../access/index.js';
import { callerOf, type RouteDeps } from './context.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** For scope 'role': the permission a caller's roles must grant (shown as x-permission in the OpenAPI document). */
    permission?: Permission;
  }
}

/**
 * The options every role-scoped route starts from: signed in (requireUser), then, before the request
 * is even validated, the caller's roles must grant `permission`, else 403 access.forbidden (audited
 * as denied). The services behind the route check it again (src/access withRole).
 */
export function roleRoute(app: FastifyInstance, deps: RouteDeps, permission: Permission) {
  return {
    onRequest: app.requireUser,
    preValidation: async (request: FastifyRequest) => {
      await requirePermission(deps.db, callerOf(request), permission, deps.now(), {
        action: request.method === 'GET' ? 'read' : 'update', target: `${request.method} ${request.routeOptions.url ?? ''}`,
      });
    },
    config: { scope: 'role' as const, permission },
  };
}

/** Keyset paging query members: `cursor` is a page's nextCursor. */
export const pageQuery = {
  cursor: { type: 'integer', minimum: 0, maximum: 9007199254740991, description: 'nextCursor of the previous page (absent: the first page)' },
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
} as const;

export const nextCursor = { type: ['integer', 'null'], description: 'pass as cursor for the next page; null on the last page' } as const;

/** 'YYYY-MM-DD' (UTC midnight; as an upper bound, the end of that day) or an ISO 8601 date-time, as epoch ms. */
export function timeParam(text: string | undefined, endOfDay: boolean): number | undefined {
  if (text === undefined) return undefined;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = Date.parse(dateOnly ? `${text}T00:00:00Z` : text);
  return dateOnly && endOfDay ? ms + 86_400_000 : ms;
}

export const timeQuery = { type: 'string', anyOf: [{ format: 'date' }, { format: 'date-time' }] } as const;
