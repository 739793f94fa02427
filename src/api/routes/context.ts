import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { withPatientAccess, type Caller, type PatientAccess } from '../../access/index.js';
import type { AlertLifecycle } from '../../alerts/lifecycle.js';
import type { Database } from '../../store/schema.js';

/**
 * What a route's `config.scope` says about its access control; the access matrix test reads it from
 * the registered routes (and the OpenAPI document shows it as x-access-scope):
 * - patient: `:id` is a patient id; only callers who see that patient get 2xx, everyone else 404;
 * - task: `:id` is a task id, scoped by the task's patient in the same way;
 * - break-glass: emergency access to a patient outside one's teams (clinical roles);
 * - caller: the caller's own data (their panel);
 * - role: allowed by a role (the privacy officer's list of grants);
 * - public: no patient data (the OpenAPI document);
 * - episode, team-member, goal, intervention, schedule, alert: `:id` is an id of that kind, scoped by
 *   its patient like task.
 * `config.assignment` marks a care-team assignment route: holders of ManageCareTeams (admin) get in
 * too, without clinical data, and changes are refused under break-the-glass (403).
 */
export type AccessScope = 'patient' | 'task' | 'break-glass' | 'caller' | 'role' | 'public' | 'episode' | 'team-member' | 'goal' | 'intervention' | 'schedule' | 'alert';

declare module 'fastify' {
  interface FastifyContextConfig {
    scope?: AccessScope;
    assignment?: boolean;
  }
}

export interface RouteDeps {
  db: Kysely<Database>;
  /** The access layer's clock (epoch ms): break-the-glass expiry is read against it. */
  now: () => number;
  breakGlassMs: number;
  /** Alert changes (acknowledge, snooze, resolve) with the platform's listeners. */
  alerts: AlertLifecycle;
}

/** The signed-in caller (requireUser ran first: a route without it has no user and fails here). */
export function callerOf(request: FastifyRequest): Caller {
  const user = request.user;
  if (!user) throw new Error('route registered without requireUser');
  return { userId: user.id, username: user.username, roles: user.roles, source: request.ip };
}

/** Run the route's work through the caller's PatientAccess (one audited transaction). */
export function withAccess<T>(deps: RouteDeps, request: FastifyRequest, work: (access: PatientAccess) => Promise<T>): Promise<T> {
  return withPatientAccess(deps.db, callerOf(request), { now: deps.now(), breakGlassMs: deps.breakGlassMs, alerts: deps.alerts }, work);
}

/** Epoch ms as ISO 8601 UTC (null stays null). */
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
