import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * Transition-of-care tasks (src/transitions): which task a clinical event caused, and of which kind,
 * unique per (event, kind), so reprocessing a message or a repeated A03 never creates a task twice
 * and an A13 or A11 finds exactly the tasks to cancel. `reminded_at` / `reported_at`: the overdue
 * reminder and the report to the coordinator (TaskReminderJob), each done once.
 */
export function transitionsMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      await sql`CREATE TABLE transition_task (
        task_id bigint primary key references task(id),
        source_event_id bigint not null references clinical_event(id),
        kind text not null,
        encounter_id bigint,
        created_at bigint not null,
        reminded_at bigint,
        reported_at bigint
      )`.execute(db);
      await sql`CREATE UNIQUE INDEX transition_task_source ON transition_task (source_event_id, kind)`.execute(db);
      await sql`CREATE INDEX transition_task_encounter ON transition_task (encounter_id)`.execute(db);
      await sql`CREATE INDEX transition_task_unreported ON transition_task (reported_at, task_id)`.execute(db);
    },
  };
}
