/**
 * The care capability: episodes, care teams, care plans (goals, interventions, visit schedules and
 * visits), tasks and the users they are assigned to. Rules are pure functions (episode.ts, team.ts,
 * plan.ts, schedule.ts, task.ts, user.ts); the services (*-service.ts) take the database handle or a
 * caller's transaction first, and the change's time and actor last (recorded in care_change).
 * Failures are CareError with a code from CareErrorCode.
 */
export * from './errors.js';
export * from './dates.js';
export * from './episode.js';
export * from './team.js';
export * from './user.js';
export * from './plan.js';
export * from './schedule.js';
export * from './task.js';
export type { ChangeContext } from './history.js';
export * from './user-service.js';
export * from './episode-service.js';
export * from './team-service.js';
export * from './plan-service.js';
export * from './schedule-service.js';
export * from './task-service.js';
export type { CareChange } from '../store/care/changes.js';
