import type { FastifyInstance } from 'fastify';
import { BREAK_GLASS_REASON_MAX, BREAK_GLASS_REASON_MIN, type BreakGlassGrant } from '../../access/index.js';
import { iso, withAccess, type RouteDeps } from './context.js';
import { errorReplies, idParams, nullableString, nullableTime, time } from './schemas.js';

const grant = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, userId: { type: 'integer' }, username: { type: 'string' }, patientId: { type: 'integer' }, reason: { type: 'string' },
    grantedAt: time, expiresAt: time, source: { type: 'string' }, reviewedAt: nullableTime, reviewedBy: nullableString,
  },
} as const;

const grantView = (g: BreakGlassGrant) => ({ ...g, grantedAt: iso(g.grantedAt), expiresAt: iso(g.expiresAt), reviewedAt: iso(g.reviewedAt) });

/**
 * POST /api/patients/:id/break-glass {reason}: emergency access for a clinician, for a limited time,
 * audited and listed for the privacy officer. GET /api/break-glass: that list (privacy-officer role).
 */
export function breakGlassRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post<{ Params: { id: number }; Body: { reason: string } }>('/api/patients/:id/break-glass', {
    onRequest: app.requireUser,
    config: { scope: 'break-glass' },
    schema: {
      summary: 'Emergency access ("break the glass") to a patient outside my care teams, for a limited time; reviewed by the privacy officer',
      params: idParams,
      body: {
        type: 'object', required: ['reason'], additionalProperties: false,
        properties: { reason: { type: 'string', minLength: BREAK_GLASS_REASON_MIN, maxLength: BREAK_GLASS_REASON_MAX, description: 'why: read by the privacy officer' } },
      },
      response: { 201: { type: 'object', properties: { grant } }, ...errorReplies },
    },
  }, async (request, reply) => {
    const g = await withAccess(deps, request, (a) => a.breakGlass(request.params.id, request.body.reason));
    return reply.code(201).send({ grant: grantView(g) });
  });

  app.get<{ Querystring: { limit: number; before?: number; active?: boolean } }>('/api/break-glass', {
    onRequest: app.requireUser,
    config: { scope: 'role' },
    schema: {
      summary: 'Break-the-glass grants, newest first (privacy officer)',
      querystring: {
        type: 'object',
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          before: { type: 'integer', minimum: 1, description: 'only grants with a smaller id (the next page)' },
          active: { type: 'boolean', description: 'only grants still running' },
        },
        additionalProperties: false,
      },
      response: { 200: { type: 'object', properties: { grants: { type: 'array', items: grant } } }, ...errorReplies },
    },
  }, async (request) => {
    const q = request.query;
    const grants = await withAccess(deps, request, (a) => a.breakGlassGrants({ limit: q.limit, before: q.before, activeOnly: q.active }));
    return { grants: grants.map(grantView) };
  });
}
