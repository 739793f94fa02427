import type { FastifyInstance } from 'fastify';
import { INBOX_STATUSES, type AlertDocument, type AlertRecord } from '../../access/index.js';
import { ALERT_STATUSES, SEVERITIES } from '../../alerts/contract.js';
import { closedObject, ms, pageOf, pageQuerystring, writeReplies } from './care-schemas.js';
import { iso, withAccess, type RouteDeps } from './context.js';
import { errorReplies, idParams, nullableInteger, nullableString, nullableTime, time } from './schemas.js';

type Id = { Params: { id: number } };

const reason = { type: 'object', properties: { ruleId: { type: 'string' }, ruleVersion: { type: 'integer' }, severity: { type: 'string' }, title: { type: 'string' }, text: { type: 'string' } } } as const;
export const alertSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, patientId: { type: 'integer' }, episodeId: nullableInteger, encounterId: nullableInteger, ruleId: { type: 'string' }, ruleVersion: { type: 'integer' },
    severity: { type: 'string', enum: SEVERITIES }, status: { type: 'string', enum: ALERT_STATUSES }, title: { type: 'string' }, message: { type: 'string' },
    reasons: { type: 'array', items: reason }, eventCount: { type: 'integer' }, raisedAt: time, updatedAt: time,
    acknowledgedAt: nullableTime, acknowledgedBy: nullableInteger, snoozedUntil: nullableTime, snoozeReason: nullableString,
    resolvedAt: nullableTime, resolvedBy: nullableInteger, resolution: nullableString,
  },
} as const;
const alertDetailSchema = { type: 'object', properties: { ...alertSchema.properties, acknowledgedByUsername: nullableString, resolvedByUsername: nullableString } } as const;
const recipientSchema = {
  type: 'object',
  properties: { userId: { type: 'integer' }, username: nullableString, role: { type: 'string' }, level: { type: 'integer' }, repeat: { type: 'integer' }, gap: { type: 'boolean' }, gapReason: nullableString, notifiedAt: time },
} as const;
const deliverySchema = {
  type: 'object',
  properties: { userId: { type: 'integer' }, channel: { type: 'string' }, attempt: { type: 'integer' }, status: { type: 'string' }, errorCode: nullableString, queuedAt: time, attemptedAt: nullableTime },
} as const;
const alertReply = { 200: { type: 'object', properties: { alert: alertSchema } }, ...writeReplies } as const;

export const alertOut = (a: AlertRecord) => ({
  ...a, raisedAt: iso(a.raisedAt), updatedAt: iso(a.updatedAt), acknowledgedAt: iso(a.acknowledgedAt), snoozedUntil: iso(a.snoozedUntil), resolvedAt: iso(a.resolvedAt),
});
const documentOut = (d: AlertDocument) => ({
  alert: { ...d.alert, ...alertOut(d.alert) },
  recipients: d.recipients.map((r) => ({ ...r, notifiedAt: iso(r.notifiedAt) })),
  deliveries: d.deliveries.map((x) => ({ ...x, queuedAt: iso(x.queuedAt), attemptedAt: iso(x.attemptedAt) })),
});

/**
 * Alerts: my inbox, a patient's alert history, one alert, and acknowledge / snooze / resolve through
 * AlertLifecycle, for the patient's care team or a running break-the-glass grant. A change the
 * alert's status does not allow is 409 alerts.invalid_transition.
 */
export function alertRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get<{ Querystring: { limit: number; cursor?: string; status?: string[]; severity?: string[]; patientId?: number; sort?: 'newest' | 'severity' } }>('/api/alerts', {
    onRequest: app.requireUser,
    config: { scope: 'caller' },
    schema: {
      summary: 'My alert inbox: open, acknowledged and snoozed alerts of the patients I see, newest (or most severe) first',
      querystring: pageQuerystring({
        status: { type: 'array', items: { type: 'string', enum: INBOX_STATUSES }, maxItems: 3 },
        severity: { type: 'array', items: { type: 'string', enum: SEVERITIES }, maxItems: 4 },
        patientId: { type: 'integer', minimum: 1 },
        sort: { type: 'string', enum: ['newest', 'severity'], default: 'newest' },
      }),
      response: { 200: pageOf(alertSchema), ...errorReplies },
    },
  }, async (request) => {
    const { limit, cursor, status, severity, patientId, sort } = request.query;
    const page = await withAccess(deps, request, (a) => a.alerts.inbox({ statuses: status, severities: severity, patientId, sort }, { limit, cursor }));
    return { items: page.items.map(alertOut), nextCursor: page.nextCursor };
  });

  app.get<Id & { Querystring: { limit: number; cursor?: string } }>('/api/patients/:id/alerts', {
    onRequest: app.requireUser,
    config: { scope: 'patient' },
    schema: { summary: "A patient's alerts, any status, newest first", params: idParams, querystring: pageQuerystring(), response: { 200: pageOf(alertSchema), ...errorReplies } },
  }, async (request) => {
    const page = await withAccess(deps, request, (a) => a.alerts.history(request.params.id, request.query));
    return { items: page.items.map(alertOut), nextCursor: page.nextCursor };
  });

  app.get<Id>('/api/alerts/:id', {
    onRequest: app.requireUser,
    config: { scope: 'alert' },
    schema: {
      summary: 'An alert: reasons, rule, event count, state times, who acted; who was told and the delivery attempts',
      params: idParams,
      response: { 200: { type: 'object', properties: { alert: alertDetailSchema, recipients: { type: 'array', items: recipientSchema }, deliveries: { type: 'array', items: deliverySchema } } }, ...errorReplies },
    },
  }, async (request) => documentOut(await withAccess(deps, request, (a) => a.alerts.alert(request.params.id))));

  app.post<Id>('/api/alerts/:id/acknowledge', {
    onRequest: app.requireUser,
    config: { scope: 'alert' },
    schema: { summary: 'Acknowledge an open or snoozed alert (escalation stops)', params: idParams, response: alertReply },
  }, async (request) => ({ alert: alertOut(await withAccess(deps, request, (a) => a.alerts.acknowledge(request.params.id))) }));

  app.post<Id & { Body: { resolution: string } }>('/api/alerts/:id/resolve', {
    onRequest: app.requireUser,
    config: { scope: 'alert' },
    schema: {
      summary: 'Resolve an open, acknowledged or snoozed alert',
      params: idParams,
      body: closedObject({ resolution: { type: 'string', minLength: 1, maxLength: 1000 } }, ['resolution']),
      response: alertReply,
    },
  }, async (request) => ({ alert: alertOut(await withAccess(deps, request, (a) => a.alerts.resolve(request.params.id, request.body.resolution))) }));

  app.post<Id & { Body: { until: string; reason: string } }>('/api/alerts/:id/snooze', {
    onRequest: app.requireUser,
    config: { scope: 'alert' },
    schema: {
      summary: 'Snooze an open or acknowledged alert until a time at most 24 hours ahead (a critical alert: 1 hour); it opens again then',
      params: idParams,
      body: closedObject({ until: { type: 'string', format: 'date-time' }, reason: { type: 'string', minLength: 1, maxLength: 500 } }, ['until', 'reason']),
      response: alertReply,
    },
  }, async (request) => ({ alert: alertOut(await withAccess(deps, request, (a) => a.alerts.snooze(request.params.id, ms(request.body.until)!, request.body.reason))) }));
}
