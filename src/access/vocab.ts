/**
 * The care vocabularies the API's schemas enumerate (routes may not import src/care: they take them
 * from here). The care rules stay the authority: they check every value again.
 */
export { EPISODE_STATUSES, EPISODE_TYPES } from '../care/episode.js';
export { GOAL_STATUSES, INTERVENTION_STATUSES, MAX_EVERY_DAYS, VISIT_STATUSES } from '../care/plan.js';
export { TASK_PRIORITIES } from '../care/task.js';
export { TEAM_ROLES } from '../care/team.js';
