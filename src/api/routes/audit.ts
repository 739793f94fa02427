import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { auditExport, auditReportPage, Permission, verifyAudit, type AuditQuery } from '../../access/index.js';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, auditCsvHeader, auditCsvRow, type AuditAction, type AuditOutcome, type AuditRecord } from '../../audit/index.js';
import { callerOf, iso, type RouteDeps } from './context.js';
import { nextCursor, pageQuery, roleRoute, timeParam, timeQuery } from './role.js';
import { errorReplies, nullableInteger, nullableString, time } from './schemas.js';

interface AuditQuerystring {
  user?: string;
  patient?: number;
  from?: string;
  to?: string;
  action?: AuditAction;
  entity?: string;
  outcome?: AuditOutcome;
}

const filterProps = {
  user: { type: 'string', minLength: 1, maxLength: 200, description: 'actor as recorded (username, system, cli:NAME); a number also matches that user id' },
  patient: { type: 'integer', minimum: 1, maximum: 9007199254740991, description: 'patient id' },
  from: { ...timeQuery, description: 'at or after (a date: its midnight UTC)' },
  to: { ...timeQuery, description: 'before (a date: the end of that day)' },
  action: { type: 'string', enum: AUDIT_ACTIONS },
  entity: { type: 'string', minLength: 1, maxLength: 64, description: 'entity type (patient, hl7-message, user, audit-log...)' },
  outcome: { type: 'string', enum: AUDIT_OUTCOMES },
} as const;

const entryView = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, at: time, actor: { type: 'string' }, userId: nullableInteger, patientId: nullableInteger, action: { type: 'string' },
    entityType: { type: 'string' }, entityId: nullableString, source: { type: 'string' }, outcome: { type: 'string' },
    detail: { type: 'object', additionalProperties: true }, prevHash: { type: 'string' }, hash: { type: 'string' },
  },
} as const;

const filterOf = (q: AuditQuerystring): AuditQuery => ({
  user: q.user, patientId: q.patient, since: timeParam(q.from, false), until: timeParam(q.to, true), action: q.action, entityType: q.entity, outcome: q.outcome,
});

const entryOut = (r: AuditRecord) => ({ ...r, at: iso(r.at), detail: JSON.parse(r.detail) as unknown });

/** Rows as CSV text, page by page as the client reads (RFC 4180, CRLF). */
async function* csvLines(pages: AsyncGenerator<AuditRecord[]>): AsyncGenerator<string> {
  yield auditCsvHeader();
  for await (const page of pages) yield page.map(auditCsvRow).join('');
}

/**
 * /api/audit: the audit report for the auditor and the privacy officer (Permission.AuditData), the
 * API of `carecoord audit report|verify`: JSON pages, a CSV export (audited as an export before the
 * first row, streamed page by page) and the chain verification.
 */
export function auditRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const base = () => roleRoute(app, deps, Permission.AuditData);

  app.get<{ Querystring: AuditQuerystring & { cursor?: number; limit: number } }>('/api/audit', {
    ...base(),
    schema: {
      summary: 'Audit entries, oldest first, by user, patient, date range, action, entity and outcome (the report itself is audited)',
      querystring: { type: 'object', additionalProperties: false, properties: { ...filterProps, ...pageQuery } },
      response: { 200: { type: 'object', properties: { entries: { type: 'array', items: entryView }, nextCursor } }, ...errorReplies },
    },
  }, async (request) => {
    const { cursor, limit, ...q } = request.query;
    const p = await auditReportPage(deps.db, callerOf(request), deps.now(), filterOf(q), { cursor, limit });
    return { entries: p.items.map(entryOut), nextCursor: p.nextCursor };
  });

  app.get<{ Querystring: AuditQuerystring }>('/api/audit.csv', {
    ...base(),
    schema: {
      summary: 'The same report as an RFC 4180 CSV download of everything the filter selects (audited as an export)',
      querystring: { type: 'object', additionalProperties: false, properties: filterProps },
      response: { 200: { type: 'string', description: 'text/csv: id, at, actor, user_id, patient_id, action, entity_type, entity_id, source, outcome, detail, hash' }, ...errorReplies },
    },
  }, async (request, reply) => {
    const at = deps.now();
    const pages = await auditExport(deps.db, callerOf(request), at, filterOf(request.query), 'csv');
    const stamp = new Date(at).toISOString().replace(/[-:]/g, '').slice(0, 15);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="carecoord-audit-${stamp}Z.csv"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(csvLines(pages)));
  });

  app.get('/api/audit/verify', {
    ...base(),
    schema: {
      summary: 'Verify the hash chain from the retention anchor to the head: intact, or the first entry altered, removed, inserted or out of place',
      response: {
        200: {
          type: 'object',
          properties: {
            intact: { type: 'boolean' }, checked: { type: 'integer' },
            problem: { type: 'object', properties: { id: { type: 'integer' }, kind: { type: 'string' }, message: { type: 'string' } } },
            head: { type: 'object', properties: { id: { type: 'integer' }, hash: { type: 'string' } } },
            anchor: { type: 'object', properties: { id: { type: 'integer' }, hash: { type: 'string' } } },
          },
        },
        ...errorReplies,
      },
    },
  }, async (request) => verifyAudit(deps.db, callerOf(request), deps.now()));
}
