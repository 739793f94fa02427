import type { FastifyInstance } from 'fastify';
import { closedObject, ms, pageOf, pageQuerystring, taskDetailSchema, taskOut, taskPriority, teamRole, writeReplies } from './care-schemas.js';
import { withAccess, type RouteDeps } from './context.js';
import { errorReplies, idParams } from './schemas.js';

type Id = { Params: { id: number } };
const taskReply = { 200: { type: 'object', properties: { task: taskDetailSchema } }, ...writeReplies } as const;
const assignee = { assigneeUserId: { type: ['integer', 'null'], minimum: 1 }, assigneeRole: { anyOf: [teamRole, { type: 'null' }] } } as const;

/**
 * Tasks: create for a patient, read, start, cancel, reassign (complete: tasks.ts), for the patient's
 * care team or a running break-the-glass grant; GET /api/tasks is my worklist, overdue first.
 */
export function careTaskRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post<Id & { Body: { title: string; description?: string | null; episodeId?: number | null; assigneeUserId?: number | null; assigneeRole?: string | null; dueAt?: string | null; priority?: string } }>('/api/patients/:id/tasks', {
    onRequest: app.requireUser,
    config: { scope: 'patient' },
    schema: {
      summary: 'Create a task for a patient, for a care-team member or a team role (exactly one)',
      params: idParams,
      body: closedObject({
        title: { type: 'string', minLength: 1, maxLength: 200 }, description: { type: ['string', 'null'], maxLength: 4000 },
        episodeId: { type: ['integer', 'null'], minimum: 1 }, ...assignee, dueAt: { type: ['string', 'null'], format: 'date-time' }, priority: taskPriority,
      }, ['title']),
      response: { 201: { type: 'object', properties: { task: taskDetailSchema } }, ...writeReplies },
    },
  }, async (request, reply) => {
    const b = request.body;
    const task = await withAccess(deps, request, (a) => a.tasks.create(request.params.id, { ...b, dueAt: ms(b.dueAt) }));
    return reply.code(201).send({ task: taskOut(task) });
  });

  app.get<{ Querystring: { limit: number; cursor?: string } }>('/api/tasks', {
    onRequest: app.requireUser,
    config: { scope: 'caller' },
    schema: {
      summary: 'My worklist: open and in-progress tasks assigned to me or to my team role on my patients, overdue first, then by priority and due time',
      querystring: pageQuerystring(),
      response: { 200: pageOf(taskDetailSchema), ...errorReplies },
    },
  }, async (request) => {
    const page = await withAccess(deps, request, (a) => a.tasks.worklist(request.query));
    return { items: page.items.map(taskOut), nextCursor: page.nextCursor };
  });

  app.get<Id>('/api/tasks/:id', {
    onRequest: app.requireUser,
    config: { scope: 'task' },
    schema: { summary: 'A task', params: idParams, response: { 200: { type: 'object', properties: { task: taskDetailSchema } }, ...errorReplies } },
  }, async (request) => ({ task: taskOut(await withAccess(deps, request, (a) => a.tasks.task(request.params.id))) }));

  app.post<Id>('/api/tasks/:id/start', {
    onRequest: app.requireUser,
    config: { scope: 'task' },
    schema: { summary: 'Start an open task (in progress)', params: idParams, response: taskReply },
  }, async (request) => ({ task: taskOut(await withAccess(deps, request, (a) => a.tasks.start(request.params.id))) }));

  app.post<Id & { Body: { reason: string } }>('/api/tasks/:id/cancel', {
    onRequest: app.requireUser,
    config: { scope: 'task' },
    schema: {
      summary: 'Cancel a task still to do; the reason is kept as its note',
      params: idParams,
      body: closedObject({ reason: { type: 'string', minLength: 1, maxLength: 4000 } }, ['reason']),
      response: taskReply,
    },
  }, async (request) => ({ task: taskOut(await withAccess(deps, request, (a) => a.tasks.cancel(request.params.id, request.body.reason))) }));

  app.post<Id & { Body: { userId?: number | null; role?: string | null } }>('/api/tasks/:id/reassign', {
    onRequest: app.requireUser,
    config: { scope: 'task' },
    schema: {
      summary: 'Give a task still to do to a care-team member or a team role (exactly one); an in-progress task goes back to open',
      params: idParams,
      body: { ...closedObject({ userId: { type: ['integer', 'null'], minimum: 1 }, role: { anyOf: [teamRole, { type: 'null' }] } }), minProperties: 1 },
      response: taskReply,
    },
  }, async (request) => ({ task: taskOut(await withAccess(deps, request, (a) => a.tasks.reassign(request.params.id, request.body))) }));
}
