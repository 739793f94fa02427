import type { FastifyInstance } from 'fastify';
import { iso, withAccess, type RouteDeps } from './context.js';
import { errorReplies, idParams, nullableString, time } from './schemas.js';

const observation = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, code: nullableString, codeSystem: nullableString, codeText: nullableString, value: nullableString,
    valueNum: { type: ['number', 'null'] }, valueComparator: nullableString, units: nullableString, referenceRange: nullableString,
    interpretation: nullableString, resultStatus: nullableString, observedAt: time,
  },
} as const;

/** GET /api/patients/:id/observations?code=: one code's results in effect over time (a lab trend), oldest first. */
export function observationRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get<{ Params: { id: number }; Querystring: { code: string; codeSystem?: string; since?: string; limit: number } }>('/api/patients/:id/observations', {
    onRequest: app.requireUser,
    config: { scope: 'patient' },
    schema: {
      summary: "A lab trend: the patient's results in effect for one code, oldest first (the latest `limit`)",
      params: idParams,
      querystring: {
        type: 'object',
        required: ['code'],
        properties: {
          code: { type: 'string', minLength: 1, maxLength: 64, description: 'OBX-3.1, e.g. a LOINC code' },
          codeSystem: { type: 'string', minLength: 1, maxLength: 64, description: 'OBX-3.3 when the code alone is ambiguous' },
          since: { type: 'string', format: 'date-time' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
        },
        additionalProperties: false,
      },
      response: { 200: { type: 'object', properties: { code: { type: 'string' }, observations: { type: 'array', items: observation } } }, ...errorReplies },
    },
  }, async (request) => withAccess(deps, request, async (a) => {
    const q = request.query;
    const rows = await (await a.patient(request.params.id)).observationTrend(q.code, {
      codeSystem: q.codeSystem, since: q.since === undefined ? undefined : Date.parse(q.since), limit: q.limit,
    });
    return { code: q.code, observations: rows.map((o) => ({ ...o, observedAt: iso(o.observedAt) })) };
  }));
}
