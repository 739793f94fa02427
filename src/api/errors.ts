import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACCESS_ERROR_STATUS, AccessError } from '../access/errors.js';
import { AlertError, AlertErrorCode } from '../alerts/errors.js';
import { IDENTITY_STORE_ERROR_STATUS, IdentityStoreError, MESSAGE_ADMIN_ERROR_STATUS, MessageAdminError } from '../access/interfaces.js';
import { AuditError, AuditErrorCode } from '../audit/errors.js';
import { AUTH_ERROR_STATUS, AuthError } from '../auth/errors.js';
import { CareError, CareErrorCode } from '../care/errors.js';

/**
 * The HTTP layer's own codes. Every error reply, whatever raised it, is `{ error: { code, message } }`
 * with a readable message and never a stack trace or SQL.
 */
export const ApiErrorCode = {
  /** The request does not match the route's schema, or cannot be read (400, 413, 415): the message names the field. */
  InvalidRequest: 'api.invalid_request',
  /** No route for this method and path (404). */
  NotFound: 'api.not_found',
  /** Anything unexpected (500): logged in full, told to the client in one line. */
  Internal: 'api.internal',
} as const;
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

const CARE_ERROR_STATUS: Readonly<Record<CareErrorCode, number>> = {
  [CareErrorCode.NotFound]: 404,
  [CareErrorCode.InvalidTransition]: 409,
  [CareErrorCode.InvalidInput]: 400,
  [CareErrorCode.Conflict]: 409,
};

const ALERT_ERROR_STATUS: Readonly<Record<AlertErrorCode, number>> = {
  [AlertErrorCode.InvalidRule]: 400,
  [AlertErrorCode.ConditionSyntax]: 400,
  [AlertErrorCode.ConditionType]: 400,
  [AlertErrorCode.UnknownPlaceholder]: 400,
  [AlertErrorCode.NotFound]: 404,
  [AlertErrorCode.InvalidTransition]: 409,
  [AlertErrorCode.InvalidInput]: 400,
};

/** The status and body for an error; unknown errors become api.internal (the caller logs them). */
export function errorReply(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof AccessError) return { status: ACCESS_ERROR_STATUS[err.code], code: err.code, message: err.message };
  if (err instanceof CareError) return { status: CARE_ERROR_STATUS[err.code], code: err.code, message: err.message };
  // The field at fault first, like a schema failure ("body/until: ...").
  if (err instanceof AlertError) return { status: ALERT_ERROR_STATUS[err.code], code: err.code, message: err.field ? `body/${err.field}: ${err.message}` : err.message };
  if (err instanceof AuthError) return { status: AUTH_ERROR_STATUS[err.code], code: err.code, message: err.message };
  if (err instanceof MessageAdminError) return { status: MESSAGE_ADMIN_ERROR_STATUS[err.code], code: err.code, message: err.message };
  if (err instanceof IdentityStoreError) return { status: IDENTITY_STORE_ERROR_STATUS[err.code], code: err.code, message: err.message };
  // A bad report filter (audit.invalid_filter); other audit failures (the chain) stay internal errors.
  if (err instanceof AuditError && err.code === AuditErrorCode.InvalidFilter) return { status: 400, code: err.code, message: err.message };
  const fe = err as Partial<FastifyError>;
  // Schema failures ("body/reason must NOT have fewer than 20 characters"), bad JSON, wrong content type, too large.
  if (fe.validation || (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500)) {
    return { status: fe.statusCode ?? 400, code: ApiErrorCode.InvalidRequest, message: unknownFieldMessage(fe) ?? fe.message ?? 'invalid request' };
  }
  return { status: 500, code: ApiErrorCode.Internal, message: 'internal error: the server could not answer this request' };
}

/**
 * A field no schema property names (buildHttpApp keeps Ajv from removing them), refused by
 * `additionalProperties: false` ("must NOT have additional properties") or by care-schemas.ts
 * closedObject's `additionalProperties: { not: {} }` ("body/x must NOT be valid"): say which field.
 */
function unknownFieldMessage(fe: Partial<FastifyError>): string | undefined {
  const v = fe.validation?.[0];
  if (!v) return undefined;
  const where = `${fe.validationContext ?? 'body'}${v.instancePath}`;
  if (v.keyword === 'additionalProperties') {
    const field = (v.params as { additionalProperty?: unknown }).additionalProperty;
    return `${where}/${String(field)} is not a known field: unknown fields are refused`;
  }
  if (v.keyword === 'not' && /\/additionalProperties\/not$/.test(v.schemaPath)) return `${where} is not a known field: unknown fields are refused`;
  return undefined;
}

/**
 * One error handler and one not-found handler for the whole app (scopes that set their own, like
 * /api/auth, answer in the same shape). Server errors are logged with their stack; the client sees
 * only the code and a line.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const r = errorReply(err);
    if (r.status >= 500) request.log.error({ err }, 'request failed');
    if (err instanceof AuthError && err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
    return reply.code(r.status).send({ error: { code: r.code, message: r.message } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: ApiErrorCode.NotFound, message: `no route ${request.method} ${request.url.split('?')[0]}` } }));
}
