import type { FastifyInstance } from 'fastify';
import { Permission } from '../../access/index.js';
import { closedObject, memberOut, memberSchema, pageOf, pageQuerystring, teamRole, writeReplies } from './care-schemas.js';
import { iso, withAccess, type RouteDeps } from './context.js';
import { roleRoute } from './role.js';
import { errorReplies, idParams, nullableString, time } from './schemas.js';

type Id = { Params: { id: number } };

const assignablePatient = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, status: { type: 'string' }, familyName: nullableString, givenName: nullableString, birthDate: nullableString,
    mrns: { type: 'array', items: { type: 'object', properties: { authority: { type: 'string' }, value: { type: 'string' } } } },
    episodes: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, type: { type: 'string' }, status: { type: 'string' }, startAt: time } } },
  },
} as const;

/**
 * Care teams: list, add a member, end a membership (the patient's care team, or a care-team
 * administrator without clinical data; changes not under break-the-glass), and the administrator's
 * patient finder for assignments (GET /api/admin/patients: identifier, or family name + birth date).
 */
export function careTeamRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get<Id & { Querystring: { limit: number; cursor?: string; includeEnded?: boolean } }>('/api/episodes/:id/team', {
    onRequest: app.requireUser,
    config: { scope: 'episode', assignment: true },
    schema: {
      summary: "An episode's care team by member id: current members, or every membership period with includeEnded",
      params: idParams,
      querystring: pageQuerystring({ includeEnded: { type: 'boolean', default: false } }),
      response: { 200: pageOf(memberSchema), ...errorReplies },
    },
  }, async (request) => {
    const page = await withAccess(deps, request, (a) => a.teams.team(request.params.id, request.query));
    return { items: page.items.map(memberOut), nextCursor: page.nextCursor };
  });

  app.post<Id & { Body: { userId: number; role: string; primary?: boolean } }>('/api/episodes/:id/team', {
    onRequest: app.requireUser,
    config: { scope: 'episode', assignment: true },
    schema: {
      summary: 'Put a user on the care team in a team role; primary makes a care coordinator the primary one (the former primary stays, not primary)',
      params: idParams,
      body: closedObject({ userId: { type: 'integer', minimum: 1 }, role: teamRole, primary: { type: 'boolean', default: false } }, ['userId', 'role']),
      response: { 201: { type: 'object', properties: { members: { type: 'array', items: memberSchema, description: 'the membership periods started, the new member last' } } }, ...writeReplies },
    },
  }, async (request, reply) => {
    const started = await withAccess(deps, request, (a) => a.teams.addMember(request.params.id, request.body));
    return reply.code(201).send({ members: started.map(memberOut) });
  });

  app.post<Id>('/api/team-members/:id/end', {
    onRequest: app.requireUser,
    config: { scope: 'team-member', assignment: true },
    schema: {
      summary: "End a membership on a care team (it stays as history); not the primary coordinator's of an active or on-hold episode",
      params: idParams,
      response: { 200: { type: 'object', properties: { member: memberSchema } }, ...writeReplies },
    },
  }, async (request) => ({ member: memberOut(await withAccess(deps, request, (a) => a.teams.endMember(request.params.id))) }));

  app.get<{ Querystring: { identifier?: string; authority?: string; familyName?: string; birthDate?: string; limit: number; cursor?: string } }>('/api/admin/patients', {
    ...roleRoute(app, deps, Permission.ManageCareTeams),
    schema: {
      summary: 'Find a patient to assign a care team to: by identifier (MRN), or family name with birth date; names, birth date, MRNs and open episodes only',
      querystring: pageQuerystring({
        identifier: { type: 'string', minLength: 1, maxLength: 64 }, authority: { type: 'string', minLength: 1, maxLength: 64 },
        familyName: { type: 'string', minLength: 1, maxLength: 100 }, birthDate: { type: 'string', format: 'date' },
      }),
      response: { 200: pageOf(assignablePatient), ...errorReplies },
    },
  }, async (request) => {
    const { limit, cursor, ...search } = request.query;
    const page = await withAccess(deps, request, (a) => a.findAssignablePatients(search, { limit, cursor }));
    return { items: page.items.map((p) => ({ ...p, episodes: p.episodes.map((e) => ({ ...e, startAt: iso(e.startAt) })) })), nextCursor: page.nextCursor };
  });
}
