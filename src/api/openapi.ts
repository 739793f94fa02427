import type { FastifyInstance, RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifySchema {
    /** One line for the OpenAPI document. */
    summary?: string;
    description?: string;
  }
}

/**
 * An OpenAPI 3.1 document generated from the routes as registered (their JSON schemas), so it cannot
 * drift from what the server validates. @fastify/swagger does the same; this is the 60 lines of it
 * carecoord needs, without another dependency pinned against Node 20.
 */
export class OpenApiCollector {
  private readonly routes: RouteOptions[] = [];

  /** Collects every route registered on `app` after this call (call it before any route). */
  constructor(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      if (route.method !== 'HEAD') this.routes.push(route);
    });
  }

  document(info: { title: string; version: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.routes) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      for (const method of [route.method].flat()) {
        if (method === 'HEAD') continue;
        (paths[path] ??= {})[method.toLowerCase()] = operation(route);
      }
    }
    return {
      openapi: '3.1.0',
      info,
      paths,
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: '__Host-carecoord_session', description: 'Session cookie from POST /api/auth/login; writes also need the X-CSRF-Token header' } } },
    };
  }
}

type Schema = { properties?: Record<string, unknown>; required?: string[]; [k: string]: unknown };

function operation(route: RouteOptions): Record<string, unknown> {
  const schema = (route.schema ?? {}) as { params?: Schema; querystring?: Schema; body?: Schema; response?: Record<string, Schema>; summary?: string; description?: string };
  const parameters = [
    ...Object.entries(schema.params?.properties ?? {}).map(([name, s]) => ({ name, in: 'path', required: true, schema: s })),
    ...Object.entries(schema.querystring?.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: schema.querystring?.required?.includes(name) ?? false, schema: s })),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, s] of Object.entries(schema.response ?? {})) {
    responses[status] = { description: (s.description as string | undefined) ?? status, ...(s.type === 'null' ? {} : { content: { 'application/json': { schema: s } } }) };
  }
  const hooks = [route.onRequest, route.preHandler].flat().filter(Boolean) as { name?: string }[];
  const config = (route.config ?? {}) as { scope?: string; permission?: string; assignment?: boolean };
  return {
    ...(schema.summary ? { summary: schema.summary } : {}),
    ...(schema.description ? { description: schema.description } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(schema.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema.body } } } } : {}),
    responses: Object.keys(responses).length ? responses : { default: { description: 'reply' } },
    ...(hooks.some((h) => h.name === 'requireUser') ? { security: [{ session: [] }] } : {}),
    ...(config.scope ? { 'x-access-scope': config.scope } : {}),
    ...(config.permission ? { 'x-permission': config.permission } : {}),
    ...(config.assignment ? { 'x-care-team-assignment': true } : {}),
  };
}
