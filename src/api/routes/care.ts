import type { FastifyInstance } from 'fastify';
import { episodeRoutes } from './care-episodes.js';
import { scheduleRoutes } from './care-schedules.js';
import { careTaskRoutes } from './care-tasks.js';
import { careTeamRoutes } from './care-team.js';
import type { RouteDeps } from './context.js';

/** The care write API: episodes and care plans, visit schedules and visits, care teams, tasks and the worklist. */
export function careRoutes(app: FastifyInstance, deps: RouteDeps): void {
  episodeRoutes(app, deps);
  scheduleRoutes(app, deps);
  careTeamRoutes(app, deps);
  careTaskRoutes(app, deps);
}
