import type { FastifyInstance } from 'fastify';
import { keepSeparate, linkReviewTo, pendingReviews, Permission, reviewDetail, type ReviewSummary, type ReviewView } from '../../access/index.js';
import { callerOf, iso, type RouteDeps } from './context.js';
import { nextCursor, pageQuery, roleRoute } from './role.js';
import { errorReplies, idParams, nullableInteger, nullableString, nullableTime, time } from './schemas.js';

const person = { type: 'object', additionalProperties: { type: 'string' }, description: 'demographics as compared (given, family, birthDate, sex, address, phone, ssnLast4...)' } as const;
const summaryProps = {
  id: { type: 'integer' }, status: { type: 'string' }, patientId: { type: 'integer', description: 'the staging patient holding the record' }, sourceEntryId: nullableInteger,
  createdAt: time, decidedAt: nullableTime, decidedBy: nullableString, decision: nullableString,
} as const;
const summaryView = {
  type: 'object',
  properties: {
    ...summaryProps, candidateCount: { type: 'integer' },
    best: { type: ['object', 'null'], properties: { patientId: { type: 'integer' }, weight: { type: 'number' }, grade: { type: 'string' } } },
  },
} as const;
const reviewView = {
  type: 'object',
  properties: {
    ...summaryProps, decisionNote: nullableString, mergeId: nullableInteger, patientStatus: { type: 'string' },
    incoming: {
      type: 'object',
      properties: {
        person, identifiers: { type: 'array', items: { type: 'object', additionalProperties: { type: 'string' } } },
        reason: { type: 'string' }, compared: { type: 'integer' }, capped: { type: 'boolean' },
      },
    },
    candidates: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          patientId: { type: 'integer' }, weight: { type: 'number', description: 'total match weight (log2 odds)' }, probability: { type: 'number' }, grade: { type: 'string' },
          statusNow: { type: 'string' }, mergedIntoNow: nullableInteger, person,
          fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, level: { type: 'string' }, weight: { type: 'number' } } } },
          rows: {
            type: 'array',
            description: 'the incoming record beside the candidate, field by field, with the comparison level and its weight',
            items: { type: 'object', properties: { field: { type: 'string' }, incoming: { type: 'string' }, candidate: { type: 'string' }, level: { type: 'string' }, weight: { type: 'number' } } },
          },
        },
      },
    },
    decisions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' }, at: time, by: { type: 'string' }, action: { type: 'string' }, patientId: nullableInteger, otherPatientId: nullableInteger,
          reviewId: nullableInteger, mergeId: nullableInteger, sourceEntryId: nullableInteger, note: nullableString, detail: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
} as const;
const note = { type: 'string', minLength: 1, maxLength: 1000, description: 'why (kept with the decision)' } as const;
const decisionReplies = { ...errorReplies, 409: { ...errorReplies[400], description: 'the review is already decided, or the patient changed since' } } as const;

const summaryOut = (r: ReviewSummary) => ({ ...r, createdAt: iso(r.createdAt), decidedAt: iso(r.decidedAt) });
const viewOut = (v: ReviewView) => ({
  ...v, createdAt: iso(v.createdAt), decidedAt: iso(v.decidedAt), decisions: v.decisions.map((d) => ({ ...d, at: iso(d.at) })),
});

/**
 * /api/identity/reviews: the patient-match review queue (Permission.Interfaces), the API of
 * `carecoord review list|show|link|separate`. Views are audited as reads of the staging patient and
 * of each candidate shown; decisions as updates (undo stays with the CLI).
 */
export function identityReviewRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const base = () => roleRoute(app, deps, Permission.Interfaces);

  app.get<{ Querystring: { cursor?: number; limit: number } }>('/api/identity/reviews', {
    ...base(),
    schema: {
      summary: 'Pending patient-match reviews, oldest first, with the best candidate\'s weight and grade',
      querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery } },
      response: { 200: { type: 'object', properties: { reviews: { type: 'array', items: summaryView }, nextCursor } }, ...errorReplies },
    },
  }, async (request) => {
    const p = await pendingReviews(deps.db, callerOf(request), deps.now(), request.query);
    return { reviews: p.items.map(summaryOut), nextCursor: p.nextCursor };
  });

  app.get<{ Params: { id: number } }>('/api/identity/reviews/:id', {
    ...base(),
    schema: {
      summary: 'A review: the incoming record beside each candidate, field by field, with levels, weights and scores; its decisions',
      params: idParams,
      response: { 200: { type: 'object', properties: { review: reviewView } }, ...errorReplies },
    },
  }, async (request) => ({ review: viewOut(await reviewDetail(deps.db, callerOf(request), deps.now(), request.params.id)) }));

  app.post<{ Params: { id: number }; Body: { patientId: number; note?: string } }>('/api/identity/reviews/:id/link', {
    ...base(),
    schema: {
      summary: 'Same person: merge the review\'s staging patient into candidate patientId (undo: carecoord review undo)',
      params: idParams,
      body: { type: 'object', required: ['patientId'], additionalProperties: false, properties: { patientId: { type: 'integer', minimum: 1 }, note } },
      response: { 200: { type: 'object', properties: { mergeId: { type: 'integer' }, survivorId: { type: 'integer' } } }, ...decisionReplies },
    },
  }, async (request) => linkReviewTo(deps.db, callerOf(request), deps.now(), request.params.id, request.body.patientId, request.body.note));

  app.post<{ Params: { id: number }; Body: { note?: string } }>('/api/identity/reviews/:id/keep-separate', {
    ...base(),
    schema: {
      summary: 'A different person: the record becomes a patient of its own',
      params: idParams,
      body: { type: 'object', additionalProperties: false, properties: { note } },
      response: { 200: { type: 'object', properties: { patientId: { type: 'integer' } } }, ...decisionReplies },
    },
  }, async (request) => keepSeparate(deps.db, callerOf(request), deps.now(), request.params.id, request.body?.note));
}
