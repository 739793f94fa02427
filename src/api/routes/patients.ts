import type { FastifyInstance } from 'fastify';
import { AccessError, AccessErrorCode } from '../../access/index.js';
import { iso, withAccess, type RouteDeps } from './context.js';
import { errorReplies, idParams, nullableString, nullableTime, time } from './schemas.js';

const patientReply = {
  type: 'object',
  properties: {
    patient: {
      type: 'object',
      properties: {
        id: { type: 'integer' }, status: { type: 'string' }, familyName: nullableString, givenName: nullableString, middleName: nullableString,
        birthDate: nullableString, sex: nullableString, language: nullableString, addressLine: nullableString, city: nullableString,
        state: nullableString, postcode: nullableString, phone: nullableString, deceasedAt: nullableTime,
      },
    },
    identifiers: {
      type: 'array',
      items: { type: 'object', properties: { authority: { type: 'string' }, value: { type: 'string' }, typeCode: nullableString, facility: nullableString } },
    },
    episodes: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'integer' }, type: { type: 'string' }, status: { type: 'string' }, goal: nullableString, startAt: time, endAt: nullableTime } },
    },
    careTeam: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          episodeId: { type: 'integer' }, userId: { type: 'integer' }, username: { type: 'string' }, displayName: { type: 'string' }, role: { type: 'string' },
          isPrimary: { type: 'boolean' }, activeFrom: time,
        },
      },
    },
    carePlan: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          episodeId: { type: 'integer' },
          goals: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, description: { type: 'string' }, targetDate: nullableString, status: { type: 'string' } } } },
          interventions: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, description: { type: 'string' }, discipline: nullableString, status: { type: 'string' } } } },
        },
      },
    },
    access: { type: 'string', description: 'how the caller sees this patient: care-team or break-glass' },
  },
} as const;

/** GET /api/patients/:id: demographics, identifiers, episodes, current care team and care plan. */
export function patientRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get<{ Params: { id: number } }>('/api/patients/:id', {
    onRequest: app.requireUser,
    config: { scope: 'patient' },
    schema: { summary: 'A patient: demographics, identifiers, episodes, care team, care plan', params: idParams, response: { 200: patientReply, ...errorReplies } },
  }, async (request) => withAccess(deps, request, async (a) => {
    const scope = await a.patient(request.params.id);
    const patient = await scope.summary();
    // Visible a moment ago: only a change committed in between gets here.
    if (!patient) throw new AccessError(AccessErrorCode.NotFound, `patient ${request.params.id} was not found`);
    return {
      patient: { ...patient, deceasedAt: iso(patient.deceasedAt) },
      identifiers: await scope.identifiers(),
      episodes: (await scope.episodes()).map((e) => ({ ...e, startAt: iso(e.startAt), endAt: iso(e.endAt) })),
      careTeam: (await scope.careTeam()).map((m) => ({ ...m, activeFrom: iso(m.activeFrom) })),
      carePlan: await scope.carePlan(),
      access: scope.path,
    };
  }));
}
