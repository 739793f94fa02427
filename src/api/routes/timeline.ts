import type { FastifyInstance } from 'fastify';
import { iso, withAccess, type RouteDeps } from './context.js';
import { errorReplies, idParams, nullableInteger, nullableString, taskView as taskSchema, time } from './schemas.js';
import { taskView } from './views.js';

const item = {
  type: 'object',
  required: ['kind', 'at'],
  properties: {
    kind: { type: 'string', enum: ['event', 'task'] },
    at: time,
    event: {
      type: 'object',
      properties: {
        id: { type: 'integer' }, type: { type: 'string' }, occurredAt: time, encounterId: nullableInteger, facility: nullableString,
        payload: { type: 'object', additionalProperties: true },
      },
    },
    task: taskSchema,
  },
} as const;

/** GET /api/patients/:id/timeline: clinical events and tasks, newest first, `limit` per page, opaque `cursor`. */
export function timelineRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get<{ Params: { id: number }; Querystring: { limit: number; cursor?: string } }>('/api/patients/:id/timeline', {
    onRequest: app.requireUser,
    config: { scope: 'patient' },
    schema: {
      summary: "A patient's timeline: clinical events and tasks, newest first, paginated",
      params: idParams,
      querystring: {
        type: 'object',
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          cursor: { type: 'string', minLength: 1, maxLength: 200, description: 'nextCursor of the previous page' },
        },
        additionalProperties: false,
      },
      response: {
        200: { type: 'object', properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } } },
        ...errorReplies,
      },
    },
  }, async (request) => withAccess(deps, request, async (a) => {
    const page = await (await a.patient(request.params.id)).timeline({ limit: request.query.limit, cursor: request.query.cursor });
    return {
      items: page.items.map((i) => (i.kind === 'event'
        ? { kind: i.kind, at: iso(i.at), event: { ...i.event, occurredAt: iso(i.event.occurredAt) } }
        : { kind: i.kind, at: iso(i.at), task: taskView(i.task) })),
      nextCursor: page.nextCursor,
    };
  }));
}
