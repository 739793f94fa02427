import type { FastifyInstance } from 'fastify';
import { MESSAGE_STATUSES, messageEntry, Permission, reprocessMessage, searchMessages, viewRawMessage, type MessageDetail, type MessageSummary } from '../../access/index.js';
import { callerOf, iso, type RouteDeps } from './context.js';
import { nextCursor, pageQuery, roleRoute, timeParam, timeQuery } from './role.js';
import { errorReplies, idParams, nullableInteger, nullableString, nullableTime, time } from './schemas.js';

const summaryProps = {
  id: { type: 'integer' }, receivedAt: time, listener: { type: 'string' }, peer: { type: 'string' }, senderKey: nullableString, controlId: nullableString,
  messageType: nullableString, patientKey: nullableString, byteLength: { type: 'integer' }, acceptCode: { type: 'string' }, ackSent: { type: 'string' },
  status: { type: 'string' }, attempts: { type: 'integer' }, errorCode: nullableString, errorText: nullableString,
} as const;
const detailView = {
  type: 'object',
  properties: {
    ...summaryProps, mergeKey: nullableString, patientId: nullableInteger, truncated: { type: 'boolean' }, charset: { type: 'string' }, ack: nullableString,
    processedAt: nullableTime,
    error: { type: ['object', 'null'], properties: { code: { type: 'string' }, text: nullableString } },
  },
} as const;

const summaryOut = (m: MessageSummary) => ({ ...m, receivedAt: iso(m.receivedAt) });
const detailOut = (m: MessageDetail) => ({ ...m, receivedAt: iso(m.receivedAt), processedAt: iso(m.processedAt) });

/**
 * /api/messages: the HL7 message log for the interface analyst (Permission.Interfaces): search
 * (metadata only), one entry, its raw text (audited as a message-view of its patient), reprocess.
 */
export function messageRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const base = () => roleRoute(app, deps, Permission.Interfaces);

  app.get<{ Querystring: { controlId?: string; mrn?: string; type?: string; status?: string; from?: string; to?: string; sender?: string; cursor?: number; limit: number } }>('/api/messages', {
    ...base(),
    schema: {
      summary: 'Search the message log, newest first: metadata, ACK and processing status, never the message itself',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          controlId: { type: 'string', minLength: 1, maxLength: 200, description: 'MSH-10' },
          mrn: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\^]+(\\^[^\\^]*)?$', description: 'PID-3 (or MRG-1) identifier: "MRN" under any authority, or "MRN^AUTHORITY"' },
          type: { type: 'string', minLength: 3, maxLength: 20, description: 'MSH-9 prefix: ADT, ADT^A01' },
          status: { type: 'string', enum: MESSAGE_STATUSES, description: 'processing status; error = failed or rejected; received = not yet taken in' },
          from: { ...timeQuery, description: 'received at or after (a date: its midnight UTC)' },
          to: { ...timeQuery, description: 'received before (a date: the end of that day)' },
          sender: { type: 'string', minLength: 1, maxLength: 400, description: '"MSH-3|MSH-4", or MSH-3 alone' },
          ...pageQuery,
        },
      },
      response: { 200: { type: 'object', properties: { messages: { type: 'array', items: { type: 'object', properties: summaryProps } }, nextCursor } }, ...errorReplies },
    },
  }, async (request) => {
    const q = request.query;
    const p = await searchMessages(deps.db, callerOf(request), deps.now(), {
      controlId: q.controlId, mrn: q.mrn, messageType: q.type, status: q.status, sender: q.sender,
      since: timeParam(q.from, false), until: timeParam(q.to, true), cursor: q.cursor, limit: q.limit,
    });
    return { messages: p.items.map(summaryOut), nextCursor: p.nextCursor };
  });

  app.get<{ Params: { id: number } }>('/api/messages/:id', {
    ...base(),
    schema: {
      summary: 'One log entry: metadata, processing outcome, the ACK sent, errors and the patient it concerns (no message content)',
      params: idParams,
      response: { 200: { type: 'object', properties: { message: detailView } }, ...errorReplies },
    },
  }, async (request) => ({ message: detailOut(await messageEntry(deps.db, callerOf(request), deps.now(), request.params.id)) }));

  app.get<{ Params: { id: number } }>('/api/messages/:id/raw', {
    ...base(),
    schema: {
      summary: 'The raw message as received (decoded per MSH-18), and its segments split into fields; audited as a message view',
      params: idParams,
      response: {
        200: {
          type: 'object',
          properties: {
            id: { type: 'integer' }, patientId: nullableInteger, truncated: { type: 'boolean', description: 'an oversize frame: its first bytes only' },
            text: { type: 'string', description: 'segments separated by CR' },
            segments: {
              type: 'array',
              items: { type: 'object', properties: { segment: { type: 'string' }, fields: { type: 'array', items: { type: 'string' }, description: 'fields[0] is field 1 (MSH-1: the separator)' } } },
            },
          },
        },
        ...errorReplies,
      },
    },
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return viewRawMessage(deps.db, callerOf(request), deps.now(), request.params.id);
  });

  app.post<{ Params: { id: number } }>('/api/messages/:id/reprocess', {
    ...base(),
    schema: {
      summary: 'Queue a failed or unhandled entry again (409 messages.not_reprocessable otherwise)',
      params: idParams,
      response: {
        200: { type: 'object', properties: { id: { type: 'integer' }, from: { type: 'string' }, status: { type: 'string' } } },
        ...errorReplies,
        409: { ...errorReplies[400], description: 'the entry is not failed or unhandled' },
      },
    },
  }, async (request) => reprocessMessage(deps.db, callerOf(request), deps.now(), request.params.id));
}
