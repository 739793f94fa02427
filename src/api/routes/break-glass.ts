import type { FastifyInstance } from 'fastify';
import { BREAK_GLASS_NOTE_MAX, BREAK_GLASS_OUTCOMES, BREAK_GLASS_REASON_MAX, BREAK_GLASS_REASON_MIN, type BreakGlassGrant, type BreakGlassOutcome } from '../../access/index.js';
import { iso, withAccess, type RouteDeps } from './context.js';
import { errorReplies, errorReply, idParams, nullableString, nullableTime, time } from './schemas.js';

const grant = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, userId: { type: 'integer' }, username: { type: 'string' }, patientId: { type: 'integer' }, reason: { type: 'string' },
    grantedAt: time, expiresAt: time, source: { type: 'string' }, reviewedAt: nullableTime, reviewedBy: nullableString,
    reviewOutcome: { type: ['string', 'null'], enum: [...BREAK_GLASS_OUTCOMES, null] }, reviewNote: nullableString,
  },
} as const;

const grantView = (g: BreakGlassGrant) => ({ ...g, grantedAt: iso(g.grantedAt), expiresAt: iso(g.expiresAt), reviewedAt: iso(g.reviewedAt) });

/**
 * POST /api/patients/:id/break-glass {reason}: emergency access for a clinician, for a limited time,
 * audited and raised to the privacy officers' streams. GET /api/break-glass: the list, and
 * POST /api/break-glass/:id/review: the review (privacy-officer role).
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

  app.get<{ Querystring: { limit: number; before?: number; active?: boolean; unreviewed?: boolean } }>('/api/break-glass', {
    onRequest: app.requireUser,
    config: { scope: 'role' },
    schema: {
      summary: 'Break-the-glass grants, newest first, paginated by nextBefore (privacy officer)',
      querystring: {
        type: 'object',
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          before: { type: 'integer', minimum: 1, description: 'nextBefore of the previous page: only grants with a smaller id' },
          active: { type: 'boolean', description: 'only grants still running' },
          unreviewed: { type: 'boolean', description: 'only grants not reviewed yet' },
        },
        additionalProperties: false,
      },
      response: {
        200: { type: 'object', properties: { grants: { type: 'array', items: grant }, nextBefore: { type: ['integer', 'null'], description: 'before= of the next page; null on the last' } } },
        ...errorReplies,
      },
    },
  }, async (request) => {
    const q = request.query;
    const grants = await withAccess(deps, request, (a) => a.breakGlassGrants({ limit: q.limit, before: q.before, activeOnly: q.active, unreviewed: q.unreviewed }));
    return { grants: grants.map(grantView), nextBefore: grants.length === q.limit ? grants[grants.length - 1]!.id : null };
  });

  app.post<{ Params: { id: number }; Body: { outcome: BreakGlassOutcome; note?: string } }>('/api/break-glass/:id/review', {
    onRequest: app.requireUser,
    config: { scope: 'role' },
    schema: {
      summary: 'Review a break-the-glass grant: appropriate or inappropriate, with a note (privacy officer; once per grant, not one\'s own)',
      params: idParams,
      body: {
        type: 'object', required: ['outcome'], additionalProperties: false,
        properties: {
          outcome: { type: 'string', enum: BREAK_GLASS_OUTCOMES },
          note: { type: 'string', maxLength: BREAK_GLASS_NOTE_MAX, description: 'the finding, for the record' },
        },
      },
      response: { 200: { type: 'object', properties: { grant } }, 409: { ...errorReply, description: 'already reviewed' }, ...errorReplies },
    },
  }, async (request) => {
    const g = await withAccess(deps, request, (a) => a.reviewBreakGlass(request.params.id, request.body.outcome, request.body.note ?? null));
    return { grant: grantView(g) };
  });
}
