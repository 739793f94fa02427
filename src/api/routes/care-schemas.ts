import {
  EPISODE_STATUSES, EPISODE_TYPES, TASK_PRIORITIES, TEAM_ROLES,
  type EpisodeDetail, type GoalRecord, type InterventionRecord, type MemberRecord, type ScheduleRecord, type TaskDetail, type VisitRecord,
} from '../../access/index.js';
import { iso } from './context.js';
import { errorReply, errorReplies, nullableInteger, nullableString, nullableTime, taskView, time } from './schemas.js';

/**
 * Schemas and views of the care routes (episodes, teams, plans, tasks). Bodies are closed: a field
 * the schema does not name is refused with a 400 naming it (Fastify's Ajv would silently strip it
 * under `additionalProperties: false`), so no request can set what the route does not offer.
 */
export function closedObject<P extends Record<string, unknown>, R extends readonly (keyof P & string)[] = []>(properties: P, required?: R) {
  return { type: 'object', properties, ...(required && required.length ? { required } : {}), additionalProperties: { not: {} }, description: 'unknown fields are refused' } as const;
}

export const nullableDate = { type: ['string', 'null'], format: 'date' } as const;
export const conflictReply = { 409: { ...errorReply, description: 'the change is not allowed from the current state (care.invalid_transition), or contradicts it (care.conflict)' } } as const;
export const writeReplies = { ...errorReplies, ...conflictReply } as const;

/** limit + cursor of every list route; the reply's nextCursor is null on the last page. */
export const pageQuerystring = (extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: { type: 'string', minLength: 1, maxLength: 200, description: 'nextCursor of the previous page' },
    ...extra,
  },
  additionalProperties: false,
}) as const;
export const pageOf = (items: Record<string, unknown>) => ({
  type: 'object', properties: { items: { type: 'array', items }, nextCursor: { type: ['string', 'null'] } },
}) as const;

export const teamRole = { type: 'string', enum: TEAM_ROLES } as const;
export const episodeType = { type: 'string', enum: EPISODE_TYPES } as const;
export const episodeStatus = { type: 'string', enum: EPISODE_STATUSES } as const;
export const taskPriority = { type: 'string', enum: TASK_PRIORITIES } as const;

export const episodeSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, patientId: { type: 'integer' }, type: { type: 'string' }, goal: nullableString, status: { type: 'string' },
    startAt: time, endAt: nullableTime, createdBy: nullableString, createdAt: time, updatedAt: time,
  },
} as const;
export const memberSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, episodeId: { type: 'integer' }, userId: { type: 'integer' }, username: { type: 'string' }, displayName: { type: 'string' },
    role: { type: 'string' }, isPrimary: { type: 'boolean' }, activeFrom: time, activeTo: nullableTime,
  },
} as const;
export const goalSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, episodeId: { type: 'integer' }, description: { type: 'string' }, targetDate: nullableString, status: { type: 'string' },
    achievedAt: nullableTime, createdAt: time, updatedAt: time,
  },
} as const;
export const interventionSchema = {
  type: 'object',
  properties: { id: { type: 'integer' }, episodeId: { type: 'integer' }, description: { type: 'string' }, discipline: nullableString, status: { type: 'string' }, createdAt: time, updatedAt: time },
} as const;
export const scheduleSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, episodeId: { type: 'integer' }, visitType: { type: 'string' }, discipline: nullableString, assigneeUserId: nullableInteger,
    assigneeRole: nullableString, everyDays: { type: 'integer' }, startDate: { type: 'string' }, endDate: nullableString, status: { type: 'string' },
    holdReason: nullableString, heldAt: nullableTime, createdAt: time, updatedAt: time,
  },
} as const;
export const visitSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, episodeId: { type: 'integer' }, scheduleId: nullableInteger, dueDate: nullableString, status: { type: 'string' },
    visitedAt: nullableTime, userId: nullableInteger, note: nullableString, createdAt: time,
  },
} as const;
export const taskDetailSchema = {
  type: 'object',
  properties: { ...taskView.properties, description: nullableString, createdBy: nullableString, updatedAt: time },
} as const;

export const episodeOut = (e: EpisodeDetail) => ({ ...e, startAt: iso(e.startAt), endAt: iso(e.endAt), createdAt: iso(e.createdAt), updatedAt: iso(e.updatedAt) });
export const memberOut = (m: MemberRecord) => ({ ...m, activeFrom: iso(m.activeFrom), activeTo: iso(m.activeTo) });
export const goalOut = (g: GoalRecord) => ({ ...g, achievedAt: iso(g.achievedAt), createdAt: iso(g.createdAt), updatedAt: iso(g.updatedAt) });
export const interventionOut = (i: InterventionRecord) => ({ ...i, createdAt: iso(i.createdAt), updatedAt: iso(i.updatedAt) });
export const scheduleOut = (s: ScheduleRecord) => ({ ...s, heldAt: iso(s.heldAt), createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt) });
export const visitOut = (v: VisitRecord) => ({ ...v, visitedAt: iso(v.visitedAt), createdAt: iso(v.createdAt) });
export const taskOut = (t: TaskDetail) => ({
  ...t, dueAt: iso(t.dueAt), createdAt: iso(t.createdAt), completedAt: iso(t.completedAt), updatedAt: iso(t.updatedAt),
});

/** An ISO 8601 date-time from a body as epoch ms (undefined and null pass through). */
export const ms = (text: string | null | undefined): number | null | undefined => (text === undefined || text === null ? text : Date.parse(text));
