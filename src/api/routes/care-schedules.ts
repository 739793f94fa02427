import type { FastifyInstance } from 'fastify';
import { MAX_EVERY_DAYS, VISIT_STATUSES } from '../../access/index.js';
import { closedObject, ms, nullableDate, pageOf, pageQuerystring, scheduleOut, scheduleSchema, teamRole, visitOut, visitSchema, writeReplies } from './care-schemas.js';
import { withAccess, type RouteDeps } from './context.js';
import { errorReplies, idParams } from './schemas.js';

type Id = { Params: { id: number } };
const scheduleReply = { 200: { type: 'object', properties: { schedule: scheduleSchema } }, ...writeReplies } as const;

/**
 * Visit schedules (add, hold, release, end) and recorded visits (record, list newest first), for the
 * patient's care team or a running break-the-glass grant.
 */
export function scheduleRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post<Id & { Body: { visitType: string; discipline?: string | null; assigneeUserId?: number | null; assigneeRole?: string | null; everyDays: number; startDate: string; endDate?: string | null } }>('/api/episodes/:id/schedules', {
    onRequest: app.requireUser,
    config: { scope: 'episode' },
    schema: {
      summary: 'Add a recurring visit schedule (every N days from startDate) for a team member or a team role (exactly one)',
      params: idParams,
      body: closedObject({
        visitType: { type: 'string', minLength: 1, maxLength: 64 }, discipline: { type: ['string', 'null'], maxLength: 64 },
        assigneeUserId: { type: ['integer', 'null'], minimum: 1 }, assigneeRole: { anyOf: [teamRole, { type: 'null' }] },
        everyDays: { type: 'integer', minimum: 1, maximum: MAX_EVERY_DAYS }, startDate: { type: 'string', format: 'date' }, endDate: nullableDate,
      }, ['visitType', 'everyDays', 'startDate']),
      response: { 201: { type: 'object', properties: { schedule: scheduleSchema } }, ...writeReplies },
    },
  }, async (request, reply) => reply.code(201).send({ schedule: scheduleOut(await withAccess(deps, request, (a) => a.schedules.addSchedule(request.params.id, request.body))) }));

  app.post<Id & { Body: { reason: string } }>('/api/schedules/:id/hold', {
    onRequest: app.requireUser,
    config: { scope: 'schedule' },
    schema: {
      summary: 'Put an active visit schedule on hold (no visits fall due until it is released)',
      params: idParams,
      body: closedObject({ reason: { type: 'string', minLength: 1, maxLength: 200 } }, ['reason']),
      response: scheduleReply,
    },
  }, async (request) => ({ schedule: scheduleOut(await withAccess(deps, request, (a) => a.schedules.changeSchedule(request.params.id, { to: 'hold', reason: request.body.reason }))) }));

  for (const to of ['release', 'end'] as const) {
    app.post<Id>(`/api/schedules/:id/${to}`, {
      onRequest: app.requireUser,
      config: { scope: 'schedule' },
      schema: {
        summary: to === 'release' ? 'Release a held schedule (due dates in the hold are recorded as cancelled visits)' : 'End a schedule for good (no visit falls due any more)',
        params: idParams,
        response: scheduleReply,
      },
    }, async (request) => ({ schedule: scheduleOut(await withAccess(deps, request, (a) => a.schedules.changeSchedule(request.params.id, { to }))) }));
  }

  app.post<Id & { Body: { scheduleId?: number | null; dueDate?: string | null; status: string; visitedAt?: string | null; userId?: number | null; note?: string | null } }>('/api/episodes/:id/visits', {
    onRequest: app.requireUser,
    config: { scope: 'episode' },
    schema: {
      summary: 'Record a visit: completed, missed or cancelled; against a schedule it names the due date it answers (once per due date)',
      params: idParams,
      body: closedObject({
        scheduleId: { type: ['integer', 'null'], minimum: 1 }, dueDate: nullableDate, status: { type: 'string', enum: VISIT_STATUSES },
        visitedAt: { type: ['string', 'null'], format: 'date-time', description: 'completed visits: default now' }, userId: { type: ['integer', 'null'], minimum: 1 },
        note: { type: ['string', 'null'], maxLength: 2000 },
      }, ['status']),
      response: { 201: { type: 'object', properties: { visit: visitSchema } }, ...writeReplies },
    },
  }, async (request, reply) => {
    const b = request.body;
    const visit = await withAccess(deps, request, (a) => a.schedules.recordVisit(request.params.id, { ...b, visitedAt: ms(b.visitedAt) }));
    return reply.code(201).send({ visit: visitOut(visit) });
  });

  app.get<Id & { Querystring: { limit: number; cursor?: string } }>('/api/episodes/:id/visits', {
    onRequest: app.requireUser,
    config: { scope: 'episode' },
    schema: { summary: "An episode's recorded visits, newest first, paginated", params: idParams, querystring: pageQuerystring(), response: { 200: pageOf(visitSchema), ...errorReplies } },
  }, async (request) => {
    const page = await withAccess(deps, request, (a) => a.schedules.visits(request.params.id, request.query));
    return { items: page.items.map(visitOut), nextCursor: page.nextCursor };
  });
}
