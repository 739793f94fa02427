import type { FastifyInstance } from 'fastify';
import { withAccess, type RouteDeps } from './context.js';
import { errorReplies, errorReply, idParams, taskView as taskSchema } from './schemas.js';
import { taskView } from './views.js';

/** POST /api/tasks/:id/complete {note}: complete a task of a patient the caller sees. */
export function taskRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post<{ Params: { id: number }; Body: { note?: string | null } }>('/api/tasks/:id/complete', {
    onRequest: app.requireUser,
    config: { scope: 'task' },
    schema: {
      summary: 'Complete a task (open or in progress), with an optional note',
      params: idParams,
      body: { type: 'object', properties: { note: { type: ['string', 'null'], maxLength: 4000 } }, additionalProperties: false },
      response: { 200: { type: 'object', properties: { task: taskSchema } }, ...errorReplies, 409: { ...errorReply, description: 'the task is already completed or cancelled' } },
    },
  }, async (request) => {
    const task = await withAccess(deps, request, (a) => a.completeTask(request.params.id, request.body.note ?? null));
    return { task: taskView(task) };
  });
}
