import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { DEFAULT_BREAK_GLASS_MS } from '../../access/index.js';
import type { Database } from '../../store/schema.js';
import type { OpenApiCollector } from '../openapi.js';
import { AlertLifecycle } from '../../alerts/lifecycle.js';
import { adminUserRoutes } from './admin-users.js';
import { alertRoutes } from './alerts.js';
import { auditRoutes } from './audit.js';
import { breakGlassRoutes } from './break-glass.js';
import type { RouteDeps } from './context.js';
import { identityReviewRoutes } from './identity-reviews.js';
import { messageRoutes } from './messages.js';
import { observationRoutes } from './observations.js';
import { panelRoutes } from './panel.js';
import { patientRoutes } from './patients.js';
import { taskRoutes } from './tasks.js';
import { careRoutes } from './care.js';
import { timelineRoutes } from './timeline.js';

export interface ApiOptions {
  db: Kysely<Database>;
  /** Generates GET /api/openapi.json. */
  openapi: OpenApiCollector;
  /** The access layer's clock; Date.now by default. */
  now?: () => number;
  /** How long a break-the-glass grant lasts; 4 hours by default. */
  breakGlassMs?: number;
  /**
   * Acknowledge, snooze, resolve: serve passes the platform's (RunningPlatform.alerts: escalation and
   * delivery listeners); without it a lifecycle with no listeners (tests).
   */
  alerts?: AlertLifecycle | undefined;
}

/**
 * The /api routes (register after the auth plugin: each route has `onRequest: app.requireUser`).
 * Patient data goes only through src/access (test/api-imports.test.ts keeps it that way).
 */
export async function apiRoutes(app: FastifyInstance, options: ApiOptions): Promise<void> {
  const deps: RouteDeps = { db: options.db, now: options.now ?? Date.now, breakGlassMs: options.breakGlassMs ?? DEFAULT_BREAK_GLASS_MS, alerts: options.alerts ?? new AlertLifecycle() };
  panelRoutes(app, deps);
  patientRoutes(app, deps);
  timelineRoutes(app, deps);
  observationRoutes(app, deps);
  breakGlassRoutes(app, deps);
  taskRoutes(app, deps);
  careRoutes(app, deps);
  alertRoutes(app, deps);
  adminUserRoutes(app, deps);
  messageRoutes(app, deps);
  identityReviewRoutes(app, deps);
  auditRoutes(app, deps);
  app.get('/api/openapi.json', {
    onRequest: app.requireUser,
    config: { scope: 'public' },
    schema: { summary: 'This document (OpenAPI 3.1), generated from the route schemas', response: { 200: { type: 'object', additionalProperties: true } } },
  }, async () => options.openapi.document({ title: 'carecoord API', version: '0.1.0' }));
}
