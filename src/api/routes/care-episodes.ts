import type { FastifyInstance } from 'fastify';
import { GOAL_STATUSES } from '../../access/index.js';
import {
  closedObject, episodeOut, episodeSchema, episodeStatus, episodeType, goalOut, goalSchema, interventionOut, interventionSchema, ms, nullableDate,
  scheduleOut, scheduleSchema, writeReplies,
} from './care-schemas.js';
import { withAccess, type RouteDeps } from './context.js';
import { errorReplies, idParams, time } from './schemas.js';

type Id = { Params: { id: number } };
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const nullableText = (max: number) => ({ type: ['string', 'null'], maxLength: max }) as const;

/**
 * Episodes and their care plan: open one (care team, or a care-team administrator), read it, move it
 * along its state machine, add and change goals and interventions, read the plan. Visit schedules
 * and visits: care-schedules.ts; the team: care-team.ts.
 */
export function episodeRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post<Id & { Body: { type: string; goal?: string | null; status?: string; startAt?: string; endAt?: string | null; coordinatorUserId?: number | null } }>('/api/patients/:id/episodes', {
    onRequest: app.requireUser,
    config: { scope: 'patient', assignment: true },
    schema: {
      summary: 'Open an episode for a patient: planned, or active with its primary care coordinator (care team, or a care-team administrator)',
      params: idParams,
      body: closedObject({
        type: episodeType, goal: nullableText(1000), status: { type: 'string', enum: ['planned', 'active'], default: 'planned' },
        startAt: { ...time, description: 'default: now' }, endAt: { type: ['string', 'null'], format: 'date-time' },
        coordinatorUserId: { type: ['integer', 'null'], minimum: 1, description: 'the primary care coordinator (needed for an active episode)' },
      }, ['type']),
      response: { 201: { type: 'object', properties: { episode: episodeSchema } }, ...writeReplies },
    },
  }, async (request, reply) => {
    const b = request.body;
    const episode = await withAccess(deps, request, (a) => a.teams.createEpisode(request.params.id, {
      type: b.type, goal: b.goal, status: b.status, startAt: ms(b.startAt) ?? deps.now(), endAt: ms(b.endAt), coordinatorUserId: b.coordinatorUserId,
    }));
    return reply.code(201).send({ episode: episodeOut(episode) });
  });

  app.get<Id>('/api/episodes/:id', {
    onRequest: app.requireUser,
    config: { scope: 'episode' },
    schema: { summary: 'An episode of care', params: idParams, response: { 200: { type: 'object', properties: { episode: episodeSchema } }, ...errorReplies } },
  }, async (request) => ({ episode: episodeOut(await withAccess(deps, request, (a) => a.episodes.episode(request.params.id))) }));

  app.post<Id & { Body: { status: string; reason?: string | null; endAt?: string | null } }>('/api/episodes/:id/status', {
    onRequest: app.requireUser,
    config: { scope: 'episode' },
    schema: {
      summary: 'Change an episode\'s status: planned -> active | cancelled; active -> on-hold | finished | cancelled; on-hold -> active | finished | cancelled',
      params: idParams,
      body: closedObject({ status: episodeStatus, reason: nullableText(500), endAt: { type: ['string', 'null'], format: 'date-time', description: 'finished or cancelled only; default now' } }, ['status']),
      response: { 200: { type: 'object', properties: { episode: episodeSchema } }, ...writeReplies },
    },
  }, async (request) => {
    const b = request.body;
    return { episode: episodeOut(await withAccess(deps, request, (a) => a.episodes.setStatus(request.params.id, { status: b.status, reason: b.reason, endAt: ms(b.endAt) }))) };
  });

  app.get<Id>('/api/episodes/:id/plan', {
    onRequest: app.requireUser,
    config: { scope: 'episode' },
    schema: {
      summary: 'The care plan of an episode: goals, interventions, visit schedules (visits: GET /api/episodes/{id}/visits)',
      params: idParams,
      response: {
        200: {
          type: 'object',
          properties: { episode: episodeSchema, goals: { type: 'array', items: goalSchema }, interventions: { type: 'array', items: interventionSchema }, schedules: { type: 'array', items: scheduleSchema } },
        },
        ...errorReplies,
      },
    },
  }, async (request) => {
    const p = await withAccess(deps, request, (a) => a.episodes.plan(request.params.id));
    return { episode: episodeOut(p.episode), goals: p.goals.map(goalOut), interventions: p.interventions.map(interventionOut), schedules: p.schedules.map(scheduleOut) };
  });

  app.post<Id & { Body: { description: string; targetDate?: string | null; status?: string } }>('/api/episodes/:id/goals', {
    onRequest: app.requireUser,
    config: { scope: 'episode' },
    schema: {
      summary: 'Add a goal to the care plan (proposed unless status says active)',
      params: idParams,
      body: closedObject({ description: text(1000), targetDate: nullableDate, status: { type: 'string', enum: ['proposed', 'active'] } }, ['description']),
      response: { 201: { type: 'object', properties: { goal: goalSchema } }, ...writeReplies },
    },
  }, async (request, reply) => reply.code(201).send({ goal: goalOut(await withAccess(deps, request, (a) => a.episodes.addGoal(request.params.id, request.body))) }));

  app.patch<Id & { Body: { status?: string; targetDate?: string | null; description?: string } }>('/api/goals/:id', {
    onRequest: app.requireUser,
    config: { scope: 'goal' },
    schema: {
      summary: 'Change a goal: status (proposed -> active | cancelled; active -> achieved | not-achieved | cancelled; not-achieved -> active | cancelled), target date, description',
      params: idParams,
      body: { ...closedObject({ status: { type: 'string', enum: GOAL_STATUSES }, targetDate: nullableDate, description: text(1000) }), minProperties: 1 },
      response: { 200: { type: 'object', properties: { goal: goalSchema } }, ...writeReplies },
    },
  }, async (request) => ({ goal: goalOut(await withAccess(deps, request, (a) => a.episodes.updateGoal(request.params.id, request.body))) }));

  app.post<Id & { Body: { description: string; discipline?: string | null } }>('/api/episodes/:id/interventions', {
    onRequest: app.requireUser,
    config: { scope: 'episode' },
    schema: {
      summary: 'Add an intervention (active) to the care plan',
      params: idParams,
      body: closedObject({ description: text(1000), discipline: nullableText(64) }, ['description']),
      response: { 201: { type: 'object', properties: { intervention: interventionSchema } }, ...writeReplies },
    },
  }, async (request, reply) => reply.code(201).send({ intervention: interventionOut(await withAccess(deps, request, (a) => a.episodes.addIntervention(request.params.id, request.body))) }));

  app.post<Id & { Body: { status: string } }>('/api/interventions/:id/status', {
    onRequest: app.requireUser,
    config: { scope: 'intervention' },
    schema: {
      summary: 'Complete or cancel an active intervention',
      params: idParams,
      body: closedObject({ status: { type: 'string', enum: ['completed', 'cancelled'] } }, ['status']),
      response: { 200: { type: 'object', properties: { intervention: interventionSchema } }, ...writeReplies },
    },
  }, async (request) => ({ intervention: interventionOut(await withAccess(deps, request, (a) => a.episodes.setInterventionStatus(request.params.id, request.body.status))) }));
}
