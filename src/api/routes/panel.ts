import type { FastifyInstance } from 'fastify';
import { iso, withAccess, type RouteDeps } from './context.js';
import { errorReplies, nullableString, nullableTime, time } from './schemas.js';

const panelEntry = {
  type: 'object',
  properties: {
    patient: {
      type: 'object',
      properties: { id: { type: 'integer' }, status: { type: 'string' }, familyName: nullableString, givenName: nullableString, birthDate: nullableString, sex: nullableString },
    },
    episode: { type: 'object', properties: { id: { type: 'integer' }, type: { type: 'string' }, status: { type: 'string' }, startAt: time } },
    myRole: { type: 'string' },
    openTasks: { type: 'integer' },
    lastDischargeAt: nullableTime,
  },
} as const;

/** GET /api/panel: my patients (current care teams of active or on-hold episodes). */
export function panelRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/api/panel', {
    onRequest: app.requireUser,
    config: { scope: 'caller' },
    schema: {
      summary: 'My patients: those on my current care teams, with open task counts, active episode and last discharge',
      response: { 200: { type: 'object', properties: { patients: { type: 'array', items: panelEntry } } }, ...errorReplies },
    },
  }, async (request) => {
    const entries = await withAccess(deps, request, (a) => a.panel());
    return {
      patients: entries.map((e) => ({ ...e, episode: { ...e.episode, startAt: iso(e.episode.startAt) }, lastDischargeAt: iso(e.lastDischargeAt) })),
    };
  });
}
